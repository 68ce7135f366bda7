#include "annotation/dataset_charts.h"

#include "charts/chart_export.h"
#include "preferences/metrics.h"
#include "preferences/pairs.h"

#include <QGridLayout>
#include <QPen>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QLabel>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QVBarModelMapper>
#include <QtCharts/QValueAxis>

#include <cmath>

void BarTableModel::setBars(std::vector<std::pair<QString, double>> bars)
{
    beginResetModel();
    m_bars = std::move(bars);
    m_histogram = {};
    endResetModel();
}

void BarTableModel::setHistogram(const Histogram &h)
{
    beginResetModel();
    m_histogram = h;
    m_bars.clear();
    for (size_t b = 0; b < h.counts.size(); ++b)
        m_bars.emplace_back(h.binLabel(b), h.counts[b]);
    endResetModel();
}

int BarTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_bars.size());
}

int BarTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2;
}

QVariant BarTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::DisplayRole)
        return {};
    const auto &b = m_bars[size_t(index.row())];
    return index.column() == 0 ? QVariant(b.first) : QVariant(b.second);
}

QString BarTableModel::tsv(const QString &labelHeader, const QString &valueHeader) const
{
    QString out = labelHeader + '\t' + valueHeader + '\n';
    for (const auto &[label, value] : m_bars)
        out += QString(label).replace(QStringLiteral("<br>"), QStringLiteral(" ")) + '\t' + QString::number(value, 'g', 10) + '\n';
    return out;
}

namespace {

// Bars, one per row of `model`; below them either the rows' names or, for a
// histogram, its edges at their true places, thinned to what fits.
class BarChart : public QChartView
{
public:
    enum Values { Counts, Fractions };

    BarChart(BarTableModel *model, const QString &title, const QString &xTitle, Values values, const QColor &color, QWidget *parent)
        : QChartView(parent), m_model(model), m_values(values)
    {
        m_series = new QBarSeries;
        m_series->setBarWidth(values == Counts ? 0.95 : 0.6);
        auto *mapper = new QVBarModelMapper(this);
        mapper->setFirstBarSetColumn(1);
        mapper->setLastBarSetColumn(1);
        mapper->setSeries(m_series);
        mapper->setModel(model);
        auto *chart = new QChart;
        chart->addSeries(m_series);
        chart->setTitle(title);
        chart->legend()->hide();
        chart->setMargins(QMargins(2, 2, 2, 2));
        // Histogram bins sit at 0..n-1 on a value axis whose labels are the
        // bin edges (at k - 0.5); other bars take a category axis.
        m_edges = new QCategoryAxis;
        m_edges->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        m_edges->setTitleText(xTitle);
        m_names = new QBarCategoryAxis;
        m_names->setTitleText(xTitle);
        m_names->setTruncateLabels(false);
        m_y = new QValueAxis;
        m_y->setTitleText(values == Counts ? tr("count") : tr("% right"));
        chart->addAxis(values == Counts ? static_cast<QAbstractAxis *>(m_edges) : m_names, Qt::AlignBottom);
        chart->addAxis(m_y, Qt::AlignLeft);
        m_series->attachAxis(values == Counts ? static_cast<QAbstractAxis *>(m_edges) : m_names);
        m_series->attachAxis(m_y);
        m_color = color;
        setChart(chart);
        setRenderHint(QPainter::Antialiasing);
        setMinimumHeight(200);
        QObject::connect(model, &QAbstractItemModel::modelReset, this, [this] { refresh(); }, Qt::QueuedConnection);
        addChartMenu(this, title.section(' ', 0, 0).toLower() + QStringLiteral(".png"),
                     [model, xTitle, values] { return model->tsv(xTitle, values == Counts ? tr("count") : tr("percent right")); });
    }

    QAbstractAxis *xAxis() const { return m_values == Counts ? static_cast<QAbstractAxis *>(m_edges) : m_names; }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QChartView::resizeEvent(event);
        refresh(); // how many edge labels fit depends on the width
    }

private:
    static QString tr(const char *s) { return QObject::tr(s); }

    void refresh()
    {
        for (QBarSet *s : m_series->barSets())
            s->setColor(m_color);
        const int rows = m_model->rowCount();
        if (m_values == Counts) {
            const Histogram &h = m_model->bins();
            for (const QString &l : m_edges->categoriesLabels())
                m_edges->remove(l);
            double top = 0;
            for (double c : h.counts)
                top = std::max(top, c);
            setCountAxis(m_y, top);
            if (h.edges.empty()) {
                m_edges->setRange(0, 1);
                return;
            }
            // One label per ~70 pixels, always the first and the last edge.
            const size_t edges = h.edges.size();
            const size_t room = size_t(std::max(2.0, chart()->plotArea().width() / 70.0));
            const size_t every = std::max<size_t>(1, (edges + room - 1) / room);
            m_edges->setStartValue(-0.5);
            for (size_t k = 0; k < edges; k += every)
                m_edges->append(h.edgeLabel(k), double(k) - 0.5);
            if ((edges - 1) % every != 0)
                m_edges->append(h.edgeLabel(edges - 1), double(edges - 1) - 0.5);
            m_edges->setRange(-0.5, double(rows) - 0.5);
        } else {
            QStringList labels;
            for (int r = 0; r < rows; ++r)
                labels << m_model->index(r, 0).data().toString();
            m_names->setCategories(labels);
            m_y->setRange(0, 100);
            m_y->setTickCount(6);
            m_y->setLabelFormat(QStringLiteral("%d"));
        }
    }

    BarTableModel *m_model;
    Values m_values;
    QBarSeries *m_series;
    QCategoryAxis *m_edges;
    QBarCategoryAxis *m_names;
    QValueAxis *m_y;
    QColor m_color;
};

} // namespace

namespace {

QChartView *xyChart(const QString &title, const QString &xTitle, const QString &yTitle, std::initializer_list<QXYSeries *> series,
                    QValueAxis *&x, QValueAxis *&y, QWidget *parent)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->setMargins(QMargins(2, 2, 2, 2));
    x = new QValueAxis;
    x->setTitleText(xTitle);
    y = new QValueAxis;
    y->setTitleText(yTitle);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QXYSeries *s : series) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->setVisible(series.size() > 1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

} // namespace

DatasetCharts::DatasetCharts(QWidget *parent) : QWidget(parent)
{
    m_agreement = new QLabel;
    m_agreement->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_agreement->setWordWrap(true);
    m_length = new QLabel;
    m_length->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_length->setWordWrap(true);
    m_rewards = new BarTableModel(this);
    m_margins = new BarTableModel(this);
    m_accuracy = new BarTableModel(this);
    // The charts scroll rather than shrink below readable on a small screen.
    auto *content = new QWidget;
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
    auto *grid = new QGridLayout(content);
    grid->addWidget(m_agreement, 0, 0, 1, 2);
    // Short titles: a chart elides what does not fit its width.
    m_charts[0] = new BarChart(m_rewards, tr("Rewards of scored outputs"), tr("reward"), BarChart::Counts, QColor(0x3b, 0x6e, 0xa8), this);
    m_charts[1] = new BarChart(m_margins, tr("Margins on human pairs"), tr("reward of chosen − rejected"), BarChart::Counts,
                               QColor(0x5a, 0x9e, 0x6f), this);
    m_charts[2] = new BarChart(m_accuracy, tr("Model agreement by |margin|"), tr("|margin| (n = human pairs)"), BarChart::Fractions,
                               QColor(0xe0, 0x8a, 0x1e), this);
    grid->addWidget(m_charts[0], 1, 0);
    grid->addWidget(m_charts[1], 1, 1);
    grid->addWidget(m_charts[2], 2, 0, 1, 2);

    m_lengthPoints = new QScatterSeries;
    m_lengthPoints->setName(tr("scored outputs"));
    m_lengthPoints->setMarkerSize(7);
    m_lengthPoints->setColor(QColor(0x3b, 0x6e, 0xa8));
    m_lengthPoints->setBorderColor(Qt::transparent);
    m_charts[3] = xyChart(tr("Reward vs output length"), tr("tokens"), tr("reward"), {m_lengthPoints}, m_lengthX, m_lengthY, this);
    m_reliability = new QLineSeries;
    m_reliability->setName(tr("model"));
    m_reliability->setPointsVisible(true);
    m_ideal = new QLineSeries;
    m_ideal->setName(tr("perfectly calibrated"));
    m_ideal->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    m_ideal->append({QPointF(0.5, 0.5), QPointF(1, 1)});
    QValueAxis *cx = nullptr, *cy = nullptr;
    m_charts[4] = xyChart(tr("Calibration on human pairs"), tr("confidence σ(|margin|)"), tr("share right"), {m_ideal, m_reliability},
                          cx, cy, this);
    cx->setRange(0.5, 1);
    cx->setTickCount(6);
    cy->setRange(0, 1);
    cy->setTickCount(6);
    cx->setLabelFormat("%.2f");
    cy->setLabelFormat("%.1f");
    grid->addWidget(m_length, 3, 0, 1, 2);
    grid->addWidget(m_charts[3], 4, 0);
    grid->addWidget(m_charts[4], 4, 1);
    addChartMenu(m_charts[3], QStringLiteral("reward-vs-length.png"), [this] {
        QString out = tr("item\tcandidate\ttokens\treward\n");
        for (const auto &p : m_lengthReport.points)
            out += QStringLiteral("%1\t%2\t%3\t%4\n").arg(p.item + 1).arg(p.candidate + 1).arg(p.tokens).arg(p.reward, 0, 'g', 9);
        return out;
    });
    addChartMenu(m_charts[4], QStringLiteral("calibration.png"), [this] {
        QString out = tr("bin_lo\tbin_hi\tpairs\tmean_confidence\taccuracy\n");
        for (const auto &b : m_calibration.bins)
            out += QStringLiteral("%1\t%2\t%3\t%4\t%5\n").arg(b.lo).arg(b.hi).arg(b.count).arg(b.meanConfidence).arg(b.accuracy);
        return out;
    });
}

void DatasetCharts::setLengthBias(const polar::LengthBiasReport &r)
{
    m_lengthReport = r;
    QList<QPointF> points;
    double maxTokens = 1, lo = 0, hi = 0;
    for (const auto &p : r.points) {
        points << QPointF(p.tokens, p.reward);
        maxTokens = std::max(maxTokens, double(p.tokens));
        lo = std::min(lo, p.reward);
        hi = std::max(hi, p.reward);
    }
    m_lengthPoints->replace(points);
    m_lengthX->setRange(0, maxTokens * 1.05);
    m_lengthX->setLabelFormat("%d");
    m_lengthY->setRange(std::floor(lo - 0.5), std::ceil(hi + 0.5));
    m_lengthY->setLabelFormat("%.1f");
    m_lengthX->applyNiceNumbers(); // round ticks: 0, 20, 40 rather than 0, 22, 44
    m_lengthY->applyNiceNumbers();
    auto corr = [](const std::optional<double> &v) { return v ? QString::number(*v, 'f', 2) : QStringLiteral("n/a"); };
    QString text = tr("<b>Reward vs length</b> (%1 outputs): Pearson %2, Spearman %3.")
                       .arg(r.points.size())
                       .arg(corr(r.pearson), corr(r.spearman));
    if (r.pairs) {
        text += tr(" On %1 human pairs: model %2%, always the longer %3%, always the shorter %4%.")
                    .arg(r.pairs)
                    .arg(100 * r.modelAccuracy, 0, 'f', 1)
                    .arg(100 * r.longerAccuracy, 0, 'f', 1)
                    .arg(100 * r.shorterAccuracy, 0, 'f', 1);
        if (std::max(r.longerAccuracy, r.shorterAccuracy) >= r.modelAccuracy)
            text += tr(" <b>A length-only rule does as well as the model here.</b>");
    }
    const QString ratio = QString::number(r.lopsidedRatio, 'g', 3);
    if (r.lopsided.size() == 1)
        text += tr(" 1 pair differs %1× or more in length.").arg(ratio);
    else if (r.lopsided.size() > 1)
        text += tr(" %1 pairs differ %2× or more in length.").arg(r.lopsided.size()).arg(ratio);
    m_length->setText(text);
}

void DatasetCharts::setLengthNote(const QString &why)
{
    m_length->setText(tr("<b>Reward vs length</b>: %1").arg(why.toHtmlEscaped()));
}

QString DatasetCharts::lengthText() const
{
    return m_length->text();
}

void DatasetCharts::update(const std::vector<polar::AnnotatedItem> &items)
{
    std::vector<double> rewards, margins;
    // Accuracy of the model on human pairs, binned by the model's own margin.
    const double edges[] = {0, 0.25, 0.5, 1, 2, 4, 1e300};
    double right[6] = {}, total[6] = {};
    for (const auto &it : items) {
        for (float r : it.rewards)
            rewards.push_back(r);
        if (it.ranks.empty() || it.rewards.size() != it.ranks.size())
            continue;
        for (const auto &[a, b] : polar::pairsFromRanking(it.ranks, polar::PairStrategy::AllPairs)) {
            const double m = double(it.rewards[a]) - double(it.rewards[b]);
            margins.push_back(m);
            for (int k = 0; k < 6; ++k)
                if (std::abs(m) >= edges[k] && std::abs(m) < edges[k + 1]) {
                    total[k] += 1;
                    right[k] += m > 0;
                }
        }
    }
    m_rewards->setHistogram(histogram(rewards));
    m_margins->setHistogram(histogram(margins));
    std::vector<std::pair<QString, double>> acc;
    // Plain text: the axis draws its labels as rich text, where "<0.25" would vanish as a tag.
    // Two lines each, so that six fit the narrowest chart the window allows.
    const char *labels[] = {"0–0.25", "0.25–0.5", "0.5–1", "1–2", "2–4", "4+"};
    for (int k = 0; k < 6; ++k)
        acc.emplace_back(tr("%1<br>n=%2").arg(QString::fromUtf8(labels[k])).arg(total[k]), total[k] ? 100.0 * right[k] / total[k] : 0.0);
    m_accuracy->setBars(acc);
    m_agreement->setText(describeAgreement(items));
    m_calibration = polar::calibration(margins, 5);
    QList<QPointF> reliability;
    for (const auto &b : m_calibration.bins)
        if (b.count)
            reliability << QPointF(b.meanConfidence, b.accuracy);
    m_reliability->replace(reliability);
    m_charts[4]->chart()->setTitle(m_calibration.pairs ? tr("Calibration on human pairs (ECE %1)").arg(m_calibration.ece, 0, 'f', 3)
                                                       : tr("Calibration on human pairs"));
}

QString DatasetCharts::describeAgreement(const std::vector<polar::AnnotatedItem> &items)
{
    return QString::fromStdString(polar::agreementReport(items).describe() + polar::positionBias(items).describe()
                                  + polar::describeAnnotatorTimes(polar::annotatorTimes(items)))
        .toHtmlEscaped()
        .replace('\n', "<br>");
}

QString DatasetCharts::agreementText() const
{
    return m_agreement->text();
}

QChartView *DatasetCharts::chart(int k) const
{
    return m_charts[k];
}
