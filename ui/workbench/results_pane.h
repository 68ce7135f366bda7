#pragma once

#include <QWidget>

class AttributionView;
class DiffView;
class EncodedView;
class EngineController;
class QSortFilterProxyModel;
class QTableView;
class QTabWidget;
class ResultsModel;
class ReferenceView;
class RewardChart;
class ScoredInputs;
class WorkspaceDocument;

// The workbench's right pane: the ranked results table, their chart, and the
// selected row's views (what the model sees, the diff with the reference,
// token contributions).
class ResultsPane : public QWidget
{
    Q_OBJECT

public:
    ResultsPane(WorkspaceDocument *doc, EngineController *engine, ResultsModel *results, QSortFilterProxyModel *sorted,
                ScoredInputs *scored, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }
    AttributionView *attribution() const { return m_attribution; }
    EncodedView *encoded() const { return m_encoded; }
    DiffView *diff() const;
    RewardChart *chart() const { return m_chart; }
    // The candidate the views show: the table's row, else `editorId` (the editor's selection).
    void showCandidate(int64_t editorId);
    void selectId(int64_t id); // the table row of a candidate
    void explain();            // Token contributions of the selected candidate
    void referenceMatrix();    // every candidate under every reference
    ReferenceView *reference() const { return m_reference; }
    void selectFirstIfNone();  // after scoring: the edited candidate's row, else the best, unless the user chose one

Q_SIGNALS:
    void candidateSelected(int64_t id); // a candidate's row was picked in the table or chart

private:
    WorkspaceDocument *m_doc;
    ResultsModel *m_results;
    QSortFilterProxyModel *m_sorted;
    ScoredInputs *m_scored;
    QTableView *m_table;
    RewardChart *m_chart;
    QTabWidget *m_tabs;
    EncodedView *m_encoded;
    DiffView *m_diff;
    ReferenceView *m_reference;
    QWidget *m_attributionTab; // the scroll area that holds m_attribution
    AttributionView *m_attribution;
    bool m_selecting = false;
    int64_t m_idBeforeReset = 0;
    int64_t m_editorId = 0;
};
