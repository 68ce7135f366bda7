#include "attribution/view.h"
#include "widgets/appearance.h"

#include "charts/chart_export.h"
#include "widgets/difference_preview.h"
#include "widgets/save_file.h"

#include "attribution/models.h"
#include "engine/controller.h"
#include "attribution/heatmap_browser.h"
#include "workbench/workspace_document.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QSplitter>
#include <QTextDocument>
#include <QVBoxLayout>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QVXYModelMapper>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace {

using polar::AttributionMethod;
using polar::Granularity;

QString legendHtml(double scale)
{
    QString cells;
    for (int i = -5; i <= 5; ++i)
        cells += QStringLiteral("<td style='background:%1'>&nbsp;&nbsp;&nbsp;</td>").arg(contributionColor(scale * i / 5.0, scale).name());
    return QObject::tr("<table cellspacing=0><tr><td>lowers&nbsp;%1&nbsp;</td>%2<td>&nbsp;+%3&nbsp;raises</td></tr></table>")
        .arg(-scale, 0, 'f', 3).arg(cells).arg(scale, 0, 'f', 3);
}

// Self-contained HTML of one segment's spans; the exact value is each span's title.
QString spansHtml(const std::string &text, size_t from, size_t to, const std::vector<polar::AttributionSpan> &spans, double scale)
{
    QString out;
    size_t at = from;
    auto plain = [&](size_t end) {
        if (end > at)
            out += QString::fromUtf8(text.data() + at, int(end - at)).toHtmlEscaped();
        at = std::max(at, end);
    };
    for (const auto &s : spans) {
        if (s.begin < from || s.end > to || s.begin < at)
            continue;
        plain(s.begin);
        out += QStringLiteral("<span title='%1' style='background:%2%3'>%4</span>")
                   .arg(s.value, 0, 'f', 4)
                   .arg(contributionColor(s.value, scale).name())
                   .arg(std::abs(s.value) > 0.6 * scale ? QStringLiteral(";color:white") : QString())
                   .arg(QString::fromUtf8(text.data() + s.begin, int(s.end - s.begin)).toHtmlEscaped());
        at = s.end;
    }
    plain(to);
    return out;
}

std::vector<polar::AttributionSpan> segmentSpans(const polar::AttributedCandidate &c, Granularity g, polar::Segment seg)
{
    std::vector<polar::AttributionSpan> out;
    if (c.result.method == AttributionMethod::Occlusion) {
        if (seg == polar::Segment::Output)
            out = c.result.occludedUnits;
        return out;
    }
    for (auto &s : polar::aggregateAttribution(c.input, c.result.tokenValues, g))
        if (s.segment == seg)
            out.push_back(std::move(s));
    return out;
}

size_t segmentEnd(const polar::PolarInput &in, polar::Segment seg)
{
    const std::string &t = seg == polar::Segment::Output ? in.output : seg == polar::Segment::Reference ? in.reference : in.prompt;
    return in.segmentBegin[int(seg)] + t.size();
}

QString topSpans(const std::vector<polar::AttributionSpan> &spans, bool raising, int n)
{
    std::vector<const polar::AttributionSpan *> sorted;
    for (const auto &s : spans)
        if ((raising && s.value > 0) || (!raising && s.value < 0))
            sorted.push_back(&s);
    std::sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return std::abs(a->value) > std::abs(b->value); });
    QStringList items;
    for (int i = 0; i < n && i < int(sorted.size()); ++i)
        items << QStringLiteral("“%1” %2").arg(QString::fromStdString(sorted[size_t(i)]->text).simplified().left(30).toHtmlEscaped())
                     .arg(sorted[size_t(i)]->value, 0, 'f', 3);
    return items.isEmpty() ? QObject::tr("none") : items.join(", ");
}

} // namespace

AttributionView::AttributionView(WorkspaceDocument *doc, EngineController *engine, QWidget *parent)
    : QWidget(parent), m_doc(doc), m_engine(engine)
{
    m_method = new QComboBox;
    m_method->addItem(tr("Gradient × input"), int(AttributionMethod::GradientTimesInput));
    m_method->addItem(tr("Integrated gradients"), int(AttributionMethod::IntegratedGradients));
    m_method->addItem(tr("Occlusion (remove and re-score)"), int(AttributionMethod::Occlusion));
    m_method->addItem(tr("Reward curve"), int(AttributionMethod::RewardCurve));
    m_granularity = new QComboBox;
    m_granularity->addItem(tr("Tokens"), int(Granularity::Token));
    m_granularity->addItem(tr("Words"), int(Granularity::Word));
    m_granularity->addItem(tr("Sentences"), int(Granularity::Sentence));
    m_granularity->addItem(tr("Lines"), int(Granularity::Line));
    m_granularity->setCurrentIndex(1);
    m_steps = new QSpinBox;
    m_steps->setRange(1, 1024);
    m_steps->setValue(32);
    m_steps->setPrefix(tr("steps "));
    m_baseline = new QComboBox;
    m_baseline->addItem(tr("pad baseline"), int(polar::IgBaseline::PadEmbedding));
    m_baseline->addItem(tr("zero baseline"), int(polar::IgBaseline::Zero));
    m_compare = new QComboBox;
    m_compare->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_compare->setMinimumContentsLength(18); // the popup shows the whole preview; the closed box stays narrow
    m_run = new QPushButton(tr("Explain"));
    m_run->setToolTip(tr("Compute the contributions (Ctrl+Shift+Return)"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setVisible(false);
    m_png = new QPushButton(tr("PNG…"));
    m_htmlButton = new QPushButton(tr("HTML…"));
    m_cost = new QLabel;
    QFont costFont = m_cost->font();
    costFont.setItalic(true); // secondary, in any theme
    m_cost->setFont(costFont);
    m_cost->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(140);
    m_progress->setVisible(false);

    // Two rows, so that the view never widens the window past a 1280-pixel screen.
    auto *settings = new QHBoxLayout;
    for (QWidget *w : std::initializer_list<QWidget *>{m_method, m_granularity, m_steps, m_baseline})
        settings->addWidget(w);
    settings->addStretch();
    auto *actions = new QHBoxLayout;
    for (QWidget *w : std::initializer_list<QWidget *>{new QLabel(tr("vs")), m_compare, m_run, m_cancel, m_progress})
        actions->addWidget(w);
    actions->addStretch();
    actions->addWidget(m_png);
    actions->addWidget(m_htmlButton);
    auto *controls = new QVBoxLayout;
    controls->addLayout(settings);
    controls->addLayout(actions);

    m_legend = new QLabel(legendHtml(1.0));
    m_title = new QLabel(tr("Select a candidate and press Explain."));
    m_title->setWordWrap(true);
    m_referenceTitle = new QLabel(tr("<b>Reference</b>"));
    m_compareTitle = new QLabel;
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_stale = new QLabel;
    m_stale->setObjectName("staleNotice");
    m_stale->setWordWrap(true);
    m_stale->setStyleSheet("QLabel{background:#fff4ce;color:#4a3b00;border:1px solid #e0c060;padding:3px}");
    m_stale->setVisible(false);
    m_curvePoint = new QLabel(tr("Click a point of the curve to find its token in the output."));
    m_curvePoint->setWordWrap(true);
    m_curvePoint->setVisible(false);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_output = new HeatmapBrowser;
    m_reference = new HeatmapBrowser;
    m_compareOutput = new HeatmapBrowser;
    m_outputSpans = new AttributionSpanModel(this);
    m_referenceSpans = new AttributionSpanModel(this);
    m_compareSpans = new AttributionSpanModel(this);

    m_curve = new RewardCurveModel(this);
    m_curveSeries = new QLineSeries;
    m_curveSeries->setPointsVisible(true);
    auto *mapper = new QVXYModelMapper(this);
    mapper->setXColumn(RewardCurveModel::OutputTokens);
    mapper->setYColumn(RewardCurveModel::Reward);
    mapper->setSeries(m_curveSeries);
    mapper->setModel(m_curve);
    // Points drawn as a scatter series over the line: a click anywhere on a
    // marker reaches it, where the line's own points are a pixel wide.
    m_curvePoints = new QScatterSeries;
    m_curvePoints->setMarkerSize(9);
    m_curvePoints->setColor(QColor(0x3b, 0x6e, 0xa8));
    m_curvePoints->setBorderColor(Qt::white);
    auto *pointMapper = new QVXYModelMapper(this);
    pointMapper->setXColumn(RewardCurveModel::OutputTokens);
    pointMapper->setYColumn(RewardCurveModel::Reward);
    pointMapper->setSeries(m_curvePoints);
    pointMapper->setModel(m_curve);
    m_curveSeries->setPointsVisible(false);
    auto *chart = new QChart;
    chart->addSeries(m_curveSeries);
    chart->addSeries(m_curvePoints);
    chart->legend()->hide();
    chart->setTitle(tr("Reward after each output prefix"));
    chart->setMargins(QMargins(2, 2, 2, 2));
    auto *x = new QValueAxis;
    x->setLabelFormat("%d");
    x->setTitleText(tr("output tokens"));
    auto *y = new QValueAxis;
    y->setLabelFormat("%.1f");
    y->setTitleText(tr("reward"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QXYSeries *series : {static_cast<QXYSeries *>(m_curveSeries), static_cast<QXYSeries *>(m_curvePoints)}) {
        series->attachAxis(x);
        series->attachAxis(y);
    }
    m_curveView = new QChartView(chart);
    m_curveView->setRenderHint(QPainter::Antialiasing);
    // Tall enough for the axis titles and a readable slope at 1280x720.
    m_curveView->setMinimumHeight(230);
    m_curveView->setVisible(false);
    addChartMenu(m_curveView, QStringLiteral("reward-curve.png"), [this] {
        QString out = tr("output tokens\ttoken\treward\n");
        for (int r = 0; r < m_curve->rowCount(); ++r)
            out += QStringLiteral("%1\t%2\t%3\n").arg(r).arg(m_curve->tokenIndexAt(r) == size_t(-1) ? QString() : QString::number(m_curve->tokenIndexAt(r)))
                       .arg(m_curve->index(r, RewardCurveModel::Reward).data().toDouble(), 0, 'g', 9);
        return out;
    });

    auto *texts = new QGridLayout;
    texts->addWidget(m_title, 0, 0);
    texts->addWidget(m_referenceTitle, 0, 1);
    texts->addWidget(m_output, 1, 0);
    texts->addWidget(m_reference, 1, 1);
    texts->addWidget(m_compareTitle, 2, 0);
    texts->addWidget(m_compareOutput, 3, 0);
    texts->addWidget(m_summary, 2, 1, 2, 1, Qt::AlignTop);
    m_compareTitle->setVisible(false);
    m_compareOutput->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_cost);
    layout->addWidget(m_stale);
    layout->addWidget(m_legend);
    layout->addLayout(texts, 3);
    layout->addWidget(m_curveView, 2);
    layout->addWidget(m_curvePoint);

    connect(m_run, &QPushButton::clicked, this, &AttributionView::run);
    connect(m_cancel, &QPushButton::clicked, m_engine, &EngineController::cancel);
    for (QComboBox *c : {m_method, m_baseline, m_compare}) {
        connect(c, &QComboBox::currentIndexChanged, this, &AttributionView::updateCost);
        connect(c, &QComboBox::currentIndexChanged, this, &AttributionView::updateStale);
    }
    connect(m_steps, &QSpinBox::valueChanged, this, &AttributionView::updateCost);
    connect(m_steps, &QSpinBox::valueChanged, this, &AttributionView::updateStale);
    connect(m_doc, &WorkspaceDocument::changed, this, &AttributionView::updateStale);
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        const auto m = AttributionMethod(m_method->currentData().toInt());
        m_steps->setEnabled(m == AttributionMethod::IntegratedGradients);
        m_baseline->setEnabled(m == AttributionMethod::IntegratedGradients);
    });
    connect(m_granularity, &QComboBox::currentIndexChanged, this, [this] {
        updateCost();
        render(); // a new grouping needs no new run, except for occlusion's units
        updateStale();
    });
    for (QXYSeries *series : {static_cast<QXYSeries *>(m_curveSeries), static_cast<QXYSeries *>(m_curvePoints)})
        connect(series, &QXYSeries::clicked, this, [this](const QPointF &p) { showCurvePoint(int(std::lround(p.x()))); });
    // Actions, so that the window's menu and F1 list them with their keys.
    auto *pngAction = new QAction(tr("Export contributions as &PNG…"), this);
    pngAction->setObjectName("exportContributionsPng");
    pngAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    connect(pngAction, &QAction::triggered, this, [this] {
        const QString path = askSavePath(this, tr("Export contributions as PNG"), QStringLiteral("token-contributions.png"),
                                         tr("PNG images (*.png)"), QStringLiteral("png"));
        QString error;
        if (!path.isEmpty() && !exportPng(path, &error))
            m_summary->setText(error.toHtmlEscaped());
    });
    auto *htmlAction = new QAction(tr("Export contributions as &HTML…"), this);
    htmlAction->setObjectName("exportContributionsHtml");
    htmlAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    connect(htmlAction, &QAction::triggered, this, [this] {
        const QString path = askSavePath(this, tr("Export contributions as HTML"), QStringLiteral("token-contributions.html"),
                                         tr("HTML (*.html)"), QStringLiteral("html"));
        QString error;
        if (!path.isEmpty() && !exportHtml(path, &error))
            m_summary->setText(error.toHtmlEscaped());
    });
    auto *groupAction = new QAction(tr("Group contributions by the next &unit"), this);
    groupAction->setObjectName("nextGranularity");
    groupAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    connect(groupAction, &QAction::triggered, this,
            [this] { m_granularity->setCurrentIndex((m_granularity->currentIndex() + 1) % m_granularity->count()); });
    addActions({pngAction, htmlAction, groupAction});
    connect(m_png, &QPushButton::clicked, pngAction, &QAction::trigger);
    connect(m_htmlButton, &QPushButton::clicked, htmlAction, &QAction::trigger);
    m_png->setToolTip(pngAction->shortcut().toString(QKeySequence::NativeText));
    m_htmlButton->setToolTip(htmlAction->shortcut().toString(QKeySequence::NativeText));
    connect(m_engine, &EngineController::attributionProgress, this, [this](int done, int total) {
        m_progress->setRange(0, std::max(1, total));
        m_progress->setValue(done);
    });
    connect(m_engine, &EngineController::attributionFinished, this, [this](const polar::AttributionJobResult &o) {
        m_progress->setVisible(false);
        m_cancel->setVisible(false);
        m_run->setEnabled(true);
        m_outcome = o;
        m_ran = m_pending;
        render();
        updateStale();
        Q_EMIT finished(true);
    });
    connect(m_engine, &EngineController::attributionFailed, this, [this](const QString &e) {
        m_progress->setVisible(false);
        m_cancel->setVisible(false);
        m_run->setEnabled(true);
        m_summary->setText(Appearance::errorHtml(e));
        Q_EMIT finished(false);
    });
    connect(m_doc, &WorkspaceDocument::candidateInserted, this, &AttributionView::refreshCompareChoices);
    connect(m_doc, &WorkspaceDocument::candidateRemoved, this, &AttributionView::refreshCompareChoices);
    connect(m_doc, &WorkspaceDocument::candidateMoved, this, &AttributionView::refreshCompareChoices);
    connect(m_doc, &WorkspaceDocument::workspaceReset, this, &AttributionView::refreshCompareChoices);
    connect(m_doc, &WorkspaceDocument::changed, this, &AttributionView::refreshCompareChoices);
    m_steps->setEnabled(false);
    m_baseline->setEnabled(false);
    refreshCompareChoices();
}

void AttributionView::refreshCompareChoices()
{
    const int64_t current = m_compare->currentData().toLongLong();
    m_compare->blockSignals(true);
    m_compare->clear();
    m_compare->addItem(tr("(no comparison)"), qlonglong(0));
    // Each choice shows where its text differs from its near-identical siblings.
    QStringList texts;
    for (int r = 0; r < m_doc->candidateCount(); ++r)
        texts << QString::fromStdString(m_doc->candidateAt(r).text.flattened());
    const QStringList previews = differencePreviews(texts);
    const QFontMetrics metrics(m_compare->font());
    for (int r = 0; r < m_doc->candidateCount(); ++r)
        m_compare->addItem(tr("#%1 %2").arg(r + 1).arg(metrics.elidedText(previews[r], Qt::ElideRight, 280)),
                           qlonglong(m_doc->candidateAt(r).id));
    const int keep = m_compare->findData(qlonglong(current));
    m_compare->setCurrentIndex(keep < 0 ? 0 : keep);
    m_compare->blockSignals(false);
}

void AttributionView::setCandidate(int64_t id, const polar::PolarInput *input)
{
    m_id = id;
    m_input = input ? std::optional<polar::PolarInput>(*input) : std::nullopt;
    updateCost();
}

void AttributionView::setMethod(AttributionMethod method)
{
    m_method->setCurrentIndex(m_method->findData(int(method)));
}

void AttributionView::setGranularity(Granularity g)
{
    m_granularity->setCurrentIndex(m_granularity->findData(int(g)));
}

void AttributionView::setCompareWith(int64_t id)
{
    const int i = m_compare->findData(qlonglong(id));
    m_compare->setCurrentIndex(i < 0 ? 0 : i);
}

polar::AttributionOptions AttributionView::options() const
{
    polar::AttributionOptions o;
    o.method = AttributionMethod(m_method->currentData().toInt());
    o.steps = m_steps->value();
    o.baseline = polar::IgBaseline(m_baseline->currentData().toInt());
    o.occlusionUnit = Granularity(m_granularity->currentData().toInt());
    o.encode = m_doc->workspace().settings.encode;
    o.batchTokens = m_doc->workspace().settings.batchTokens;
    return o;
}

void AttributionView::updateCost()
{
    if (!m_input) {
        m_cost->setText(tr("Cost: score the candidate first to see the estimate."));
        return;
    }
    const auto cost = polar::estimateAttributionCost(*m_input, options());
    const bool compare = m_compare->currentData().toLongLong() != 0;
    m_cost->setText(tr("Cost: %1%2").arg(QString::fromStdString(cost.describe()), compare ? tr(", for each of the two candidates") : QString()));
}

void AttributionView::run()
{
    const int row = m_doc->rowOf(m_id);
    if (row < 0) {
        m_summary->setText(tr("Select a candidate to explain."));
        Q_EMIT finished(false);
        return;
    }
    if (m_engine->hasModel() && !m_engine->modelInfo().remote.empty()) {
        // A server answers rewards only: gradients and occlusion need the weights here.
        const QString why = Appearance::errorHtml(
            tr("Token contributions run in this process, on the model's weights; the rewards now come from %1. "
               "Load the model directory with Device Auto, CPU or CUDA to explain them.")
                .arg(QString::fromStdString(m_engine->modelInfo().remote)));
        m_title->setText(why); // at the top of the tab, where the eye is
        m_summary->setText(why);
        Q_EMIT finished(false);
        return;
    }
    polar::AttributionJob job;
    job.prompt = m_doc->workspace().prompt;
    job.reference = m_doc->workspace().reference;
    job.id = m_id;
    job.output = m_doc->candidateAt(row).text;
    const int64_t other = m_compare->currentData().toLongLong();
    if (other && other != m_id && m_doc->rowOf(other) >= 0) {
        job.compare = std::make_pair(other, m_doc->candidateAt(m_doc->rowOf(other)).text);
    }
    job.options = options();
    m_pending = RunContext{job.options, job.prompt.flattened(), job.reference.flattened(), job.output.flattened(),
                           job.compare ? job.compare->second.flattened() : std::string(), job.compare ? job.compare->first : 0};
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    m_run->setEnabled(false);
    m_summary->clear();
    m_engine->attribute(std::move(job));
}

void AttributionView::render()
{
    if (!m_outcome)
        return;
    const auto &o = *m_outcome;
    const Granularity g = Granularity(m_granularity->currentData().toInt());
    auto outSpans = segmentSpans(o.main, g, polar::Segment::Output);
    auto refSpans = segmentSpans(o.main, g, polar::Segment::Reference);
    std::vector<polar::AttributionSpan> cmpSpans;
    if (o.compare)
        cmpSpans = segmentSpans(*o.compare, g, polar::Segment::Output);
    m_outputSpans->setSpans(outSpans);
    m_referenceSpans->setSpans(refSpans);
    m_compareSpans->setSpans(cmpSpans);
    m_scale = std::max({m_outputSpans->maxAbsValue(), m_referenceSpans->maxAbsValue(), m_compareSpans->maxAbsValue(), 1e-9});
    m_legend->setText(legendHtml(m_scale));

    const auto rowName = [this](int64_t id) { return tr("Candidate #%1").arg(m_doc->rowOf(id) + 1); };
    const QString method = m_method->itemText(m_method->findData(int(o.main.result.method)));
    m_title->setText(tr("<b>%1</b> · reward %2 · %3 · %4 s")
                         .arg(rowName(o.main.id)).arg(o.main.result.reward, 0, 'f', 3).arg(method)
                         .arg(o.main.result.seconds, 0, 'f', 2));
    const auto &in = o.main.input;
    m_output->render(in.text, in.segmentBegin[int(polar::Segment::Output)], segmentEnd(in, polar::Segment::Output), outSpans, m_scale);
    m_reference->render(in.text, in.segmentBegin[int(polar::Segment::Reference)], segmentEnd(in, polar::Segment::Reference),
                        refSpans, m_scale);
    m_referenceTitle->setText(o.main.result.method == AttributionMethod::Occlusion
                                  ? tr("<b>Reference</b> (occlusion removes parts of the output only)")
                                  : tr("<b>Reference</b>"));

    QString summary;
    if (o.main.result.method == AttributionMethod::IntegratedGradients)
        summary += tr("Completeness: contributions sum to %1; reward − baseline reward = %2 (relative error %3%).<br>")
                       .arg(o.main.result.contributionSum, 0, 'f', 4)
                       .arg(double(o.main.result.reward) - double(o.main.result.baselineReward), 0, 'f', 4)
                       .arg(100.0 * o.main.result.completenessError, 0, 'f', 2);
    m_compareTitle->setVisible(bool(o.compare));
    m_compareOutput->setVisible(bool(o.compare));
    if (o.compare) {
        const auto &c = *o.compare;
        m_compareTitle->setText(tr("<b>%1</b> · reward %2").arg(rowName(c.id)).arg(c.result.reward, 0, 'f', 3));
        m_compareOutput->render(c.input.text, c.input.segmentBegin[int(polar::Segment::Output)],
                                segmentEnd(c.input, polar::Segment::Output), cmpSpans, m_scale);
        summary += tr("<b>Gap</b> %1 − %2 = %3.<br><b>Raising %1:</b> %4<br><b>Lowering %2:</b> %5")
                       .arg(rowName(o.main.id), rowName(c.id))
                       .arg(double(o.main.result.reward) - double(c.result.reward), 0, 'f', 3)
                       .arg(topSpans(outSpans, true, 5), topSpans(cmpSpans, false, 5));
    }
    m_summary->setText(summary);

    const bool curve = o.main.result.method == AttributionMethod::RewardCurve;
    m_curveView->setVisible(curve);
    m_curvePoint->setVisible(curve);
    if (curve) {
        m_curve->setCurve(o.main.result.prefixRewards, o.main.result.curveTokens);
        m_curvePoint->setText(tr("Click a point of the curve to find its token in the output."));
        auto axes = m_curveView->chart()->axes();
        const auto &r = o.main.result.prefixRewards;
        const auto [lo, hi] = std::minmax_element(r.begin(), r.end());
        for (auto *a : axes) {
            auto *v = qobject_cast<QValueAxis *>(a);
            if (v && a->alignment() == Qt::AlignBottom)
                v->setRange(0, std::max<double>(1, double(r.size() - 1)));
            else if (v)
                v->setRange(std::floor(*lo - 0.5), std::ceil(*hi + 0.5));
        }
    }
}

QString AttributionView::summary() const
{
    return m_summary->text();
}

QString AttributionView::html() const
{
    if (!m_outcome)
        return {};
    const auto &o = *m_outcome;
    const Granularity g = Granularity(m_granularity->currentData().toInt());
    const auto &in = o.main.input;
    QString body = QStringLiteral("<h1>Polar Studio: token contributions</h1><p>%1</p>").arg(m_title->text());
    const QString model = m_engine->hasModel() ? QString::fromStdString(m_engine->modelInfo().name) : tr("(none loaded)");
    body += tr("<table><tr><th align=left>Model</th><td>%1</td></tr><tr><th align=left>Method</th><td>%2</td></tr>"
               "<tr><th align=left>Grouped by</th><td>%3</td></tr></table>")
                .arg(model.toHtmlEscaped(), settingsText().toHtmlEscaped(), m_granularity->currentText().toLower());
    if (const QString why = staleReason(); !why.isEmpty())
        body += tr("<p><b>Out of date:</b> %1.</p>").arg(why.toHtmlEscaped());
    body += QStringLiteral("<div>%1</div>").arg(legendHtml(m_scale));
    body += tr("<h2>Prompt</h2><div class='t'>%1</div>").arg(QString::fromStdString(in.prompt).toHtmlEscaped());
    body += QStringLiteral("<h2>Candidate output</h2><div class='t'>%1</div>")
                .arg(spansHtml(in.text, in.segmentBegin[int(polar::Segment::Output)], segmentEnd(in, polar::Segment::Output),
                               segmentSpans(o.main, g, polar::Segment::Output), m_scale));
    body += QStringLiteral("<h2>Reference</h2><div class='t'>%1</div>")
                .arg(spansHtml(in.text, in.segmentBegin[int(polar::Segment::Reference)], segmentEnd(in, polar::Segment::Reference),
                               segmentSpans(o.main, g, polar::Segment::Reference), m_scale));
    if (o.compare) {
        const auto &c = *o.compare;
        body += QStringLiteral("<h2>Compared with</h2><p>%1</p><div class='t'>%2</div>")
                    .arg(m_compareTitle->text(),
                         spansHtml(c.input.text, c.input.segmentBegin[int(polar::Segment::Output)],
                                   segmentEnd(c.input, polar::Segment::Output), segmentSpans(c, g, polar::Segment::Output), m_scale));
    }
    if (!m_summary->text().isEmpty())
        body += QStringLiteral("<p>%1</p>").arg(m_summary->text());
    if (o.main.result.method == AttributionMethod::RewardCurve) {
        QStringList points;
        for (size_t k = 0; k < o.main.result.prefixRewards.size(); ++k)
            points << QString::number(o.main.result.prefixRewards[k], 'f', 4);
        body += QStringLiteral("<h2>Reward curve</h2><p>%1</p>").arg(points.join(", "));
    }
    return QStringLiteral("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Polar Studio attribution</title>"
                          "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
                          ".t{white-space:pre-wrap;font-family:monospace;line-height:1.6;border:1px solid #ccc;padding:.6em}"
                          "td{padding:0}</style></head><body>%1</body></html>")
        .arg(body);
}

bool AttributionView::exportHtml(const QString &path, QString *error) const
{
    if (!m_outcome) {
        if (error)
            *error = tr("Nothing to export yet: press Explain first.");
        return false;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(html().toUtf8()) < 0 || !f.commit()) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool AttributionView::exportPng(const QString &path, QString *error) const
{
    if (!m_outcome) {
        if (error)
            *error = tr("Nothing to export yet: press Explain first.");
        return false;
    }
    // The export's own HTML laid out on a page and drawn at twice its size:
    // the texts, legend and settings, none of the buttons around them.
    QTextDocument doc;
    doc.setDefaultStyleSheet(QStringLiteral(".t{font-family:monospace}"));
    doc.setHtml(html());
    return saveImage(renderDocument(doc, 900, 2.0), path, error);
}

QString AttributionView::settingsText() const
{
    if (!m_ran)
        return {};
    const auto &o = m_ran->options;
    QString text = m_method->itemText(m_method->findData(int(o.method)));
    if (o.method == AttributionMethod::IntegratedGradients)
        text += tr(", %1 steps, %2").arg(o.steps).arg(m_baseline->itemText(m_baseline->findData(int(o.baseline))));
    if (o.method == AttributionMethod::Occlusion)
        text += tr(", removing %1").arg(m_granularity->itemText(m_granularity->findData(int(o.occlusionUnit))).toLower());
    return text;
}

QString AttributionView::staleReason() const
{
    if (!m_outcome || !m_ran)
        return {};
    const auto &ran = *m_ran;
    const polar::AttributionOptions now = options();
    QStringList why;
    const bool occlusion = ran.options.method == AttributionMethod::Occlusion;
    if (occlusion && now.occlusionUnit != ran.options.occlusionUnit)
        why << tr("occlusion removed %1, not %2: the values shown are still per %3")
                   .arg(m_granularity->itemText(m_granularity->findData(int(ran.options.occlusionUnit))).toLower(),
                        m_granularity->currentText().toLower(),
                        m_granularity->itemText(m_granularity->findData(int(ran.options.occlusionUnit))).toLower().chopped(1));
    if (now.method != ran.options.method)
        why << tr("the method is now %1").arg(m_method->currentText());
    else if (now.method == AttributionMethod::IntegratedGradients && (now.steps != ran.options.steps || now.baseline != ran.options.baseline))
        why << tr("the steps or the baseline changed");
    const auto &w = m_doc->workspace();
    if (w.prompt.flattened() != ran.prompt || w.reference.flattened() != ran.reference)
        why << tr("the prompt or the reference was edited");
    const int row = m_doc->rowOf(m_outcome->main.id);
    if (row < 0)
        why << tr("the candidate was deleted");
    else if (m_doc->candidateAt(row).text.flattened() != ran.output)
        why << tr("the candidate was edited");
    if (ran.compareId) {
        const int other = m_doc->rowOf(ran.compareId);
        if (other < 0 || m_doc->candidateAt(other).text.flattened() != ran.compareOutput)
            why << tr("the compared candidate changed");
    }
    return why.join(QStringLiteral("; "));
}

void AttributionView::updateStale()
{
    const QString why = staleReason();
    m_stale->setVisible(!why.isEmpty());
    if (!why.isEmpty())
        m_stale->setText(tr("<b>Out of date:</b> %1. Press Explain (Ctrl+Shift+Return) to recompute.").arg(why.toHtmlEscaped()));
}

void AttributionView::showCurvePoint(int row)
{
    if (row < 0 || row >= m_curve->rowCount() || !m_outcome)
        return;
    const double reward = m_curve->index(row, RewardCurveModel::Reward).data().toDouble();
    const size_t token = m_curve->tokenIndexAt(row);
    if (token == size_t(-1)) {
        m_output->highlightToken(size_t(-1));
        m_curvePoint->setText(tr("Empty output: reward %1.").arg(reward, 0, 'f', 4));
        return;
    }
    const double before = m_curve->index(row - 1, RewardCurveModel::Reward).data().toDouble();
    m_output->highlightToken(token);
    const QString piece = m_output->highlightedText();
    m_curvePoint->setText(tr("After %1 output tokens, ending in “%2”: reward %3 (%4%5 from the token before).")
                              .arg(row)
                              .arg(piece.toHtmlEscaped())
                              .arg(reward, 0, 'f', 4)
                              .arg(reward >= before ? "+" : "")
                              .arg(reward - before, 0, 'f', 4));
}

QString AttributionView::curvePointText() const
{
    return m_curvePoint->text();
}
