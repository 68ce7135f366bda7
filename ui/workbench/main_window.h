#pragma once

#include "engine/worker.h"
#include "workbench/session_controller.h"
#include "workbench/workspace_document.h"
#include "workbench/workspace_editor.h"

#include <QMainWindow>

class AttributionView;
class CandidateListModel;
class DatasetWindow;
class DiffView;
class NumericsDialog;
class EncodedView;
class EngineController;
class MessageBar;
class ModelPanel;
class QListView;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QUndoStack;
class ResultsModel;
class ResultsPane;
class ScoredInputs;
class ScoreStatus;
class TextFieldEditor;

// The workbench: the workspace editor on the left; ranked rewards, their chart
// and the per-candidate views on the right. This class holds the actions,
// menus and wiring; the parts do the work (WorkspaceEditor, SessionController,
// ScoredInputs, the engine).
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // `recoveryFile`: where every change is autosaved (default: app data folder).
    explicit MainWindow(const QString &recoveryFile = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    WorkspaceDocument *document() const { return m_doc; }
    QUndoStack *undoStack() const { return m_undo; }
    ResultsModel *resultsModel() const { return m_results; }
    QSortFilterProxyModel *sortedResults() const { return m_sorted; }
    CandidateListModel *candidateModel() const { return m_editor->candidateModel(); }
    EngineController *engine() const { return m_engine; }
    TextFieldEditor *promptEditor() const { return m_editor->promptEditor(); }
    TextFieldEditor *referenceEditor() const { return m_editor->referenceEditor(); }
    TextFieldEditor *candidateEditor() const { return m_editor->candidateEditor(); }
    QListView *candidateList() const { return m_editor->candidateList(); }
    AttributionView *attributionView() const { return m_attribution; }
    EncodedView *encodedView() const;
    DiffView *diffView() const;
    // Score > Check numerics (created on first use, then shown again).
    NumericsDialog *checkNumerics();
    QTableView *resultsTable() const { return m_resultsTable; }
    QAction *action(const QString &objectName) const;
    QString lastMessage() const;
    QStringList pendingErrors() const; // the errors the message bar holds until dismissed
    QString recoveryFile() const { return m_session->recoveryFile(); }
    QString sessionFile() const { return m_session->sessionFile(); }

    void loadModel(const QString &dir);
    void loadDefaultModel();
    void loadSeedExample();
    bool openSession(const QString &path) { return m_session->open(path); }
    bool saveSessionTo(const QString &path) { return m_session->saveTo(path); }
    bool hasRecovery() const { return m_session->hasRecovery(); }
    QString recoverySummary() const { return m_session->recoverySummary(); }
    bool restoreRecovery() { return m_session->restoreRecovery(); }
    void discardRecovery() { m_session->discardRecovery(); }
    // Exports chosen/rejected pairs; returns how many were written (-1 on error).
    int exportPairsTo(const QString &path, bool useModelRanking);
    // The results table as delimited text in the table's order (Copy as TSV, Save as CSV).
    QString resultsText(QChar separator) const;
    void copyResults();
    void saveResults();
    bool saveResultsTo(const QString &path); // .csv, .tsv or .jsonl, by its suffix
    void selectCandidate(int64_t id) { m_editor->select(id); }
    int64_t selectedCandidate() const;
    // The dataset annotation window (created on first use), with `path` opened if given.
    DatasetWindow *openDatasetWindow(const QString &path = {});

public Q_SLOTS:
    // Gives a session's saved scores their encodings back (see the .cpp).
    void restoreEncodings();
    void score();
    void cancel();

Q_SIGNALS:
    void modelReady(bool ok);
    void scoringDone(bool ok);
    void messageShown(const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createWidgets();
    void createActions();
    void createMenus();
    void createToolBar();
    void createKeyboardShortcuts();
    void connectParts();
    void connectEngine();
    void restoreLayout();

    void showMessage(const QString &message, bool error);
    void hideMessage();
    void updateTitle();
    void updateActions();
    void onScoreFinished(const polar::CandidatesResult &result);

    WorkspaceDocument *m_doc;
    QUndoStack *m_undo;
    EngineController *m_engine;
    ResultsModel *m_results;
    QSortFilterProxyModel *m_sorted;
    WorkspaceEditor *m_editor = nullptr;
    SessionController *m_session = nullptr;
    ScoredInputs *m_scored = nullptr;

    ModelPanel *m_modelPanel = nullptr;
    MessageBar *m_messageBar = nullptr;
    QTableView *m_resultsTable = nullptr;
    ResultsPane *m_pane = nullptr;
    NumericsDialog *m_numerics = nullptr;
    AttributionView *m_attribution = nullptr;
    DatasetWindow *m_datasetWindow = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    ScoreStatus *m_scoreStatus = nullptr;

    QList<QAction *> m_actions;
    bool m_usingDemoModel = false;
};
