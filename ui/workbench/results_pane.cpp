#include "workbench/results_pane.h"

#include "analysis/reference_view.h"
#include "attribution/view.h"
#include "charts/chart_export.h"
#include "widgets/app_settings.h"
#include "widgets/difference_preview.h"
#include "workbench/results_table_export.h"
#include "workbench/diff_view.h"
#include "workbench/encoded_view.h"
#include "workbench/results_model.h"
#include "workbench/reward_chart.h"
#include "workbench/scored_inputs.h"
#include "workbench/workspace_document.h"

#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QVBoxLayout>

ResultsPane::ResultsPane(WorkspaceDocument *doc, EngineController *engine, ResultsModel *results, QSortFilterProxyModel *sorted,
                         ScoredInputs *scored, QWidget *parent)
    : QWidget(parent), m_doc(doc), m_results(results), m_sorted(sorted), m_scored(scored)
{
    m_table = new QTableView;
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ResultsModel::Rank, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    // Rows as tall as their text (the style's default is half again as tall), so a
    // 720-pixel screen shows the seed's eight rows, at any text zoom.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ResultsModel::Candidate, QHeaderView::Stretch);

    m_chart = new RewardChart(m_sorted, ResultsModel::Reward, ResultsModel::Candidate);
    addChartMenu(m_chart, QStringLiteral("rewards.png"), [this] { return resultsAsDelimitedText(m_sorted, *m_doc, '\t'); });
    m_chart->setSelectionModel(m_table->selectionModel());
    connect(m_chart, &RewardChart::barClicked, this, [this](int row) { m_table->selectRow(row); });

    m_encoded = new EncodedView;
    m_diff = new DiffView;
    m_attribution = new AttributionView(m_doc, engine);
    m_tabs = new QTabWidget;
    m_tabs->addTab(m_encoded, tr("What the model sees"));
    m_tabs->addTab(m_diff, tr("Compare"));
    // Scrolls rather than squeezes its texts and curve over each other when the pane is short.
    auto *attributionScroll = new QScrollArea;
    attributionScroll->setWidgetResizable(true);
    attributionScroll->setFrameShape(QFrame::NoFrame);
    attributionScroll->setWidget(m_attribution);
    m_tabs->addTab(attributionScroll, tr("Token contributions"));
    m_attributionTab = attributionScroll;
    m_reference = new ReferenceView(m_doc, engine);
    m_tabs->addTab(m_reference, tr("Reference"));

    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_table);
    split->addWidget(m_chart);
    split->addWidget(m_tabs);
    split->setSizes({300, 210, 390});
    AppSettings::rememberSplitter(split, QStringLiteral("workbench/resultsSplit"));
    AppSettings::rememberTab(m_tabs, QStringLiteral("workbench/resultsTab"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &cur) {
        if (m_selecting || !cur.isValid())
            return;
        const int64_t id = m_sorted->data(cur, ResultsModel::IdRole).toLongLong();
        if (id > 0)
            Q_EMIT candidateSelected(id);
        showCandidate(m_editorId);
    });
    // A reset (a candidate removed or moved) drops the table's selection: the same candidate's row is picked again.
    connect(m_sorted, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const QModelIndex cur = m_table->selectionModel()->currentIndex();
        m_idBeforeReset = cur.isValid() ? m_sorted->data(cur, ResultsModel::IdRole).toLongLong() : 0;
    });
    connect(m_sorted, &QAbstractItemModel::modelReset, this, [this] {
        if (m_idBeforeReset != 0 && m_results->rowOfId(m_idBeforeReset) >= 0)
            selectId(m_idBeforeReset);
    });
    connect(m_doc, &WorkspaceDocument::scoresChanged, this, [this] {
        m_table->sortByColumn(m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
        showCandidate(m_editorId);
    });
    // The diff's choices: every candidate, named where it differs from its siblings.
    auto refreshChoices = [this] {
        QStringList texts, labels;
        QList<qlonglong> ids;
        for (int r = 0; r < m_doc->candidateCount(); ++r) {
            texts << QString::fromStdString(m_doc->candidateAt(r).text.flattened());
            ids << qlonglong(m_doc->candidateAt(r).id);
        }
        const QStringList previews = differencePreviews(texts);
        for (int r = 0; r < previews.size(); ++r)
            labels << tr("#%1 %2").arg(r + 1).arg(previews[r].left(60));
        m_diff->setChoices(labels, ids);
    };
    connect(m_doc, &WorkspaceDocument::changed, this, refreshChoices);
    connect(m_doc, &WorkspaceDocument::workspaceReset, this, refreshChoices);
    refreshChoices();
    connect(m_diff, &DiffView::againstChanged, this, [this] { showCandidate(m_editorId); });
}

DiffView *ResultsPane::diff() const
{
    return m_diff;
}

void ResultsPane::selectId(int64_t id)
{
    m_selecting = true;
    m_table->selectRow(m_sorted->mapFromSource(m_results->index(m_results->rowOfId(id), 0)).row());
    m_selecting = false;
}

void ResultsPane::selectFirstIfNone()
{
    if (m_table->selectionModel()->hasSelection() || m_sorted->rowCount() == 0)
        return;
    // The candidate being edited keeps the focus: selecting the best row would
    // move the editor away from it (Ctrl+Enter while typing).
    if (m_editorId > 0 && m_results->rowOfId(m_editorId) >= 0)
        selectId(m_editorId);
    else
        m_table->selectRow(0);
}

void ResultsPane::explain()
{
    m_tabs->setCurrentWidget(m_attributionTab);
    m_attribution->run();
}

void ResultsPane::referenceMatrix()
{
    m_tabs->setCurrentWidget(m_reference);
    m_reference->run();
}

void ResultsPane::showCandidate(int64_t editorId)
{
    m_editorId = editorId;
    // The table's current row decides (it may be the reference anchor).
    const QModelIndex cur = m_table->selectionModel()->currentIndex();
    int64_t id = cur.isValid() ? m_sorted->data(cur, ResultsModel::IdRole).toLongLong() : editorId;
    if (!cur.isValid() || (id > 0 && id != editorId))
        id = editorId;
    const polar::CandidateScore *scored = m_scored->encoding(id);
    m_attribution->setCandidate(id > 0 ? id : 0, scored && id > 0 ? scored->input.get() : nullptr);
    if (scored)
        m_encoded->setInput(*scored->input, id == polar::kReferenceRowId ? tr("Reference scored as a candidate")
                                                                       : tr("Candidate #%1").arg(m_doc->rowOf(id) + 1));
    else
        m_encoded->clear(id > 0 ? tr("Candidate not scored yet: press Ctrl+Enter.")
                                : tr("Score, then select a candidate to see the exact input the model reads."));
    const int row = m_doc->rowOf(id);
    const int other = m_doc->rowOf(m_diff->against());
    if (row >= 0 && other >= 0)
        m_diff->setTexts(QString::fromStdString(m_doc->candidateAt(other).text.flattened()), tr("Candidate #%1").arg(other + 1),
                         QString::fromStdString(m_doc->candidateAt(row).text.flattened()), tr("Candidate #%1").arg(row + 1));
    else if (row >= 0)
        m_diff->setTexts(QString::fromStdString(m_doc->workspace().reference.flattened()), tr("Reference"),
                         QString::fromStdString(m_doc->candidateAt(row).text.flattened()), tr("Candidate #%1").arg(row + 1));
    else
        m_diff->clear();
}
