#include "annotation/dataset_charts.h"

#include "preferences/metrics.h"
#include "preferences/pairs.h"

#include <QGridLayout>
#include <QLabel>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChartView>
#include <QtCharts/QVBarModelMapper>
#include <QtCharts/QValueAxis>

#include <cmath>

void BarTableModel::setBars(std::vector<std::pair<QString, double>> bars)
{
    beginResetModel();
    m_bars = std::move(bars);
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

std::vector<std::pair<QString, double>> histogram(const std::vector<double> &values, int bins)
{
    if (values.empty())
        return {};
    const auto [loIt, hiIt] = std::minmax_element(values.begin(), values.end());
    const double lo = *loIt, hi = std::max(*hiIt, *loIt + 1e-9);
    const double width = (hi - lo) / bins;
    std::vector<std::pair<QString, double>> out;
    for (int b = 0; b < bins; ++b)
        out.emplace_back(QString::number(lo + width * (b + 0.5), 'f', 1), 0.0);
    for (double v : values)
        out[size_t(std::min(bins - 1, int((v - lo) / width)))].second += 1;
    return out;
}

namespace {

QChartView *barChart(BarTableModel *model, const QString &title, const QColor &color, QWidget *parent)
{
    auto *series = new QBarSeries;
    auto *mapper = new QVBarModelMapper(parent);
    mapper->setFirstBarSetColumn(1);
    mapper->setLastBarSetColumn(1);
    mapper->setSeries(series);
    mapper->setModel(model);
    auto *chart = new QChart;
    chart->addSeries(series);
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    auto *x = new QBarCategoryAxis;
    auto *y = new QValueAxis;
    y->setLabelFormat("%.2g");
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    auto refresh = [model, series, x, y, color] {
        QStringList labels;
        double hi = 0;
        for (int r = 0; r < model->rowCount(); ++r) {
            labels << model->index(r, 0).data().toString();
            hi = std::max(hi, model->index(r, 1).data().toDouble());
        }
        x->setCategories(labels);
        y->setRange(0, hi > 0 ? hi * 1.1 : 1);
        for (QBarSet *s : series->barSets())
            s->setColor(color);
    };
    QObject::connect(model, &QAbstractItemModel::modelReset, parent, refresh, Qt::QueuedConnection);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    return view;
}

} // namespace

DatasetCharts::DatasetCharts(QWidget *parent) : QWidget(parent)
{
    m_agreement = new QLabel;
    m_agreement->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_agreement->setWordWrap(true);
    m_rewards = new BarTableModel(this);
    m_margins = new BarTableModel(this);
    m_accuracy = new BarTableModel(this);
    auto *grid = new QGridLayout(this);
    grid->addWidget(m_agreement, 0, 0, 1, 2);
    grid->addWidget(barChart(m_rewards, tr("Rewards of all scored outputs"), QColor(0x3b, 0x6e, 0xa8), this), 1, 0);
    grid->addWidget(barChart(m_margins, tr("Reward margin, chosen − rejected (human pairs)"), QColor(0x5a, 0x9e, 0x6f), this), 1, 1);
    grid->addWidget(barChart(m_accuracy, tr("Model accuracy by its |margin|"), QColor(0xe0, 0x8a, 0x1e), this), 2, 0, 1, 2);
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
    m_rewards->setBars(histogram(rewards, 20));
    m_margins->setBars(histogram(margins, 20));
    std::vector<std::pair<QString, double>> acc;
    const char *labels[] = {"<0.25", "0.25-0.5", "0.5-1", "1-2", "2-4", ">4"};
    for (int k = 0; k < 6; ++k)
        acc.emplace_back(tr("%1 (n=%2)").arg(labels[k]).arg(total[k]), total[k] ? right[k] / total[k] : 0.0);
    m_accuracy->setBars(acc);
    m_agreement->setText(describeAgreement(items));
}

QString DatasetCharts::describeAgreement(const std::vector<polar::AnnotatedItem> &items)
{
    return QString::fromStdString(polar::agreementReport(items).describe()).toHtmlEscaped().replace('\n', "<br>");
}

QString DatasetCharts::agreementText() const
{
    return m_agreement->text();
}
