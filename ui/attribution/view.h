#pragma once

#include "engine/worker.h"

#include <QWidget>

#include <optional>

class AttributionSpanModel;
class EngineController;
class HeatmapBrowser;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class RewardCurveModel;
class WorkspaceDocument;
QT_FORWARD_DECLARE_CLASS(QChartView)
QT_FORWARD_DECLARE_CLASS(QLineSeries)
QT_FORWARD_DECLARE_CLASS(QScatterSeries)

// Token-level contributions of the selected candidate: its output and the
// reference coloured by contribution, the reward curve under them, and a
// compare mode against a second candidate.
class AttributionView : public QWidget
{
    Q_OBJECT

public:
    AttributionView(WorkspaceDocument *doc, EngineController *engine, QWidget *parent = nullptr);

    // The candidate to explain, with its last encoding (for the cost estimate).
    void setCandidate(int64_t id, const polar::PolarInput *input);
    void setMethod(polar::AttributionMethod method);
    void setGranularity(polar::Granularity granularity);
    void setCompareWith(int64_t id); // 0: no comparison
    void run();
    // Both exports are drawn from the results, not grabbed from the screen,
    // and name the prompt, the model and the method's settings.
    bool exportHtml(const QString &path, QString *error = nullptr) const;
    bool exportPng(const QString &path, QString *error = nullptr) const;
    QString html() const;
    // Why the results on screen no longer match the settings or the texts
    // ("" when they do): a user never reads old contributions as new ones.
    QString staleReason() const;
    // What a click on the reward curve's point `row` shows and marks.
    void showCurvePoint(int row);
    QString curvePointText() const;

    HeatmapBrowser *outputView() const { return m_output; }
    HeatmapBrowser *referenceView() const { return m_reference; }
    AttributionSpanModel *outputSpans() const { return m_outputSpans; }
    AttributionSpanModel *referenceSpans() const { return m_referenceSpans; }
    RewardCurveModel *curve() const { return m_curve; }
    QString summary() const;

Q_SIGNALS:
    void finished(bool ok);

private:
    // What a run was asked for: staleness is judged against it.
    struct RunContext
    {
        polar::AttributionOptions options;
        std::string prompt, reference, output, compareOutput;
        int64_t compareId = 0;
    };

    void updateCost();
    void updateStale();
    QString settingsText() const;
    void render();
    void refreshCompareChoices();
    polar::AttributionOptions options() const;

    WorkspaceDocument *m_doc;
    EngineController *m_engine;
    int64_t m_id = 0;
    std::optional<polar::PolarInput> m_input;
    std::optional<polar::AttributionJobResult> m_outcome;
    std::optional<RunContext> m_pending, m_ran;
    double m_scale = 0;

    QComboBox *m_method, *m_granularity, *m_baseline, *m_compare;
    QSpinBox *m_steps;
    QPushButton *m_run, *m_cancel, *m_png, *m_htmlButton;
    QLabel *m_cost, *m_legend, *m_title, *m_referenceTitle, *m_compareTitle, *m_summary, *m_stale, *m_curvePoint;
    QProgressBar *m_progress;
    HeatmapBrowser *m_output, *m_reference, *m_compareOutput;
    AttributionSpanModel *m_outputSpans, *m_referenceSpans, *m_compareSpans;
    RewardCurveModel *m_curve;
    QChartView *m_curveView;
    QLineSeries *m_curveSeries;
    QScatterSeries *m_curvePoints; // the clickable points over the line
};
