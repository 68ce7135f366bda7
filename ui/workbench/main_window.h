#pragma once

#include "engine/worker.h"
#include "workbench/workspace_document.h"

#include <QMainWindow>

#include <map>

class AttributionView;
class CandidateListModel;
class DatasetWindow;
class DiffView;
class EncodedView;
class EngineController;
class MessageBar;
class ModelPanel;
class QLabel;
class QListView;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTabWidget;
class QUndoStack;
class ResultsModel;
class RewardChart;
class TextFieldEditor;

// The workbench: prompt, reference and candidates on the left; ranked
// rewards, their chart and the per-candidate views on the right.
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
    CandidateListModel *candidateModel() const { return m_candidates; }
    EngineController *engine() const { return m_engine; }
    TextFieldEditor *promptEditor() const { return m_promptEditor; }
    TextFieldEditor *referenceEditor() const { return m_referenceEditor; }
    TextFieldEditor *candidateEditor() const { return m_candidateEditor; }
    QListView *candidateList() const { return m_candidateList; }
    AttributionView *attributionView() const { return m_attribution; }
    QTableView *resultsTable() const { return m_resultsTable; }
    QAction *action(const QString &objectName) const;
    QString lastMessage() const;
    QString recoveryFile() const { return m_recoveryFile; }
    QString sessionFile() const { return m_sessionFile; }

    void loadModel(const QString &dir);
    void loadDefaultModel();
    void loadSeedExample();
    bool openSession(const QString &path);
    bool saveSessionTo(const QString &path);
    bool hasRecovery() const;
    bool restoreRecovery();
    void discardRecovery();
    // Exports chosen/rejected pairs; returns how many were written (-1 on error).
    int exportPairsTo(const QString &path, bool useModelRanking);
    void selectCandidate(int64_t id);
    // The dataset annotation window (created on first use), with `path` opened if given.
    DatasetWindow *openDatasetWindow(const QString &path = {});

public Q_SLOTS:
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
    void connectDocument();
    void restoreLayout();

    void showMessage(const QString &message, bool error = true);
    void hideMessage();
    void updateTitle();
    void updateActions();
    void writeRecovery();
    void onScoreFinished(const polar::CandidatesResult &result);
    void onSelectionChanged();
    void refreshCandidateViews();
    int64_t currentCandidateId() const;

    void newWorkspace();
    void openSessionDialog();
    bool save();
    bool saveAs();
    void addCandidate();
    void duplicateCandidate();
    void deleteCandidate();
    void moveCandidate(int delta);
    void pasteCandidates();
    void importRecord();
    void markSelected(polar::Candidate::Mark mark);
    void acceptModelRanking();
    void exportPairsDialog();
    void showShortcuts();
    bool maybeSave();

    WorkspaceDocument *m_doc;
    QUndoStack *m_undo;
    EngineController *m_engine;
    CandidateListModel *m_candidates;
    ResultsModel *m_results;
    QSortFilterProxyModel *m_sorted;

    ModelPanel *m_modelPanel = nullptr;
    MessageBar *m_messageBar = nullptr;
    TextFieldEditor *m_promptEditor = nullptr;
    TextFieldEditor *m_referenceEditor = nullptr;
    TextFieldEditor *m_candidateEditor = nullptr;
    QListView *m_candidateList = nullptr;
    QTableView *m_resultsTable = nullptr;
    RewardChart *m_chart = nullptr;
    QTabWidget *m_tabs = nullptr;
    EncodedView *m_encodedView = nullptr;
    DiffView *m_diffView = nullptr;
    AttributionView *m_attribution = nullptr;
    DatasetWindow *m_datasetWindow = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QProgressBar *m_scoreProgress = nullptr;
    QPushButton *m_scoreCancel = nullptr;
    QLabel *m_demoLabel = nullptr;

    QList<QAction *> m_actions;
    QString m_recoveryFile;
    QString m_sessionFile;
    QString m_embeddedModel;
    bool m_usingDemoModel = false;
    bool m_selecting = false;

    // What the running job was asked to score, to drop results for texts
    // edited meanwhile.
    polar::CandidatesJob m_pendingJob;
    std::map<int64_t, polar::CandidateScore> m_scored; // latest encoding per candidate, for the views
    std::optional<polar::CandidateScore> m_scoredReference;
};
