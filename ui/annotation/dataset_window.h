#pragma once

#include "annotation/commands.h"
#include "annotation/dataset_scorer.h"
#include "annotation/document.h"
#include "annotation/project_opener.h"
#include "preferences/export.h"
#include "scoring/settings.h"

#include <QDir>
#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>

namespace polar {
struct FineTuneResult;
}

class AnnotationModel;
class BenchDialog;
class DatasetCharts;
class GuidelinesPane;
class DatasetFilterModel;
class DatasetItemModel;
class DemoBanner;
class FineTuneDialog;
class EngineController;
class MessageBar;
class QCheckBox;
class ScoringBar;
class QLabel;
class QLineEdit;
class QTableView;
class QTabWidget;
class QTextBrowser;
class QUndoStack;

// Annotating a JSONL dataset: the item list with search and filters, the
// current item's candidates to rank (keys 1-9, T, Enter, S, F), batch scoring
// with pause/resume, export of pairs, agreement figures and charts. The
// project itself lives in the AnnotationDocument; every change is an undo
// command over it. Fine-tune… trains the loaded model on the rankings.
class DatasetWindow : public QMainWindow
{
    Q_OBJECT

public:
    using Consent = ProjectOpening::Consent;
    using Asker = ProjectOpening::Asker;

    explicit DatasetWindow(EngineController *engine, QWidget *parent = nullptr);
    ~DatasetWindow() override;
    // Replaces the dialogs that ask what to do with a changed or damaged project (tests).
    void setAsker(Asker asker) { m_ask = std::move(asker); }
    // How inputs are built and batched when this window scores (the workbench's settings).
    void setScoringSettings(const polar::ScoringSettings &s) { m_scorer->setSettings(s); }

    // Opens DATASET.jsonl with its project, or a project file with the dataset
    // its header names. Invalid lines are shown and only skipped if `consent`
    // (default: a dialog) agrees.
    bool openDataset(const QString &path, const Consent &consent = {});
    const polar::PreferenceProject *project() const { return m_doc->project(); }
    AnnotationDocument *document() const { return m_doc; }
    DatasetItemModel *itemModel() const { return m_items; }
    DatasetFilterModel *filterModel() const { return m_filter; }
    AnnotationModel *annotationModel() const { return m_annotation; }
    QTableView *itemTable() const { return m_itemTable; }
    QTableView *candidateTable() const { return m_candidateTable; }
    QUndoStack *undoStack() const { return m_undo; }
    QLineEdit *searchField() const { return m_search; }
    QString lastMessage() const;
    QStringList pendingErrors() const; // the errors the message bar holds until dismissed
    size_t currentItem() const { return m_current; }
    void selectItem(size_t item);

    void startScoring();
    // Fine-tune… (Ctrl+Shift+T): the dialog over the loaded model and these rankings.
    FineTuneDialog *openFineTune();
    BenchDialog *openBenchmark(); // Evaluate on a RewardBench file (created once)
    void pauseScoring();
    polar::ExportSummary exportPairsTo(const QString &path, const polar::ExportOptions &options, QString *error = nullptr);
    bool exportAnnotatedTo(const QString &path);
    // Takes another annotator's rankings (one undo step) and shows the agreement; returns how many were taken.
    size_t mergeFrom(const QString &path, bool showDialog = true);
    QString agreementText() const;
    DatasetCharts *charts() const { return m_charts; }
    GuidelinesPane *guidelines() const { return m_guidelines; }
    QString itemHeader() const; // the item pane's text as shown
    QTabWidget *tabs() const { return m_tabs; }

Q_SIGNALS:
    void scoringProgress(size_t done, size_t total);
    void scoringStopped(bool finished);
    void annotationSaved(size_t item);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void createWidgets();
    void createActions();
    void refreshCharts(); // the agreement tab's figures, and the lengths from the engine
    QDir datasetFolder() const; // where the open dataset lives (the current folder when none is open)
    // The agreement tab follows what changes while it is shown (decisions, rewards,
    // a model loaded, another dataset), at most a few times a second.
    void scheduleChartsRefresh();
    void connectDocument();
    void showItem();
    void change(const polar::Annotation &after, AnnotateCommand::Kind kind);
    void submit();
    // After item `item` at list row `row` was submitted or skipped.
    void moveToNext(int row, size_t item);
    void writeBetterAnswer();
    void editCandidate();
    void showMessage(const QString &text, bool error = false);
    // What Enter needs before it submits this item: shown until the item is
    // submitted or left, never carried onto the next one.
    void showItemPrompt(const QString &text);
    void clearItemPrompt();
    void takeFineTuned(const polar::FineTuneResult &result);

    EngineController *m_engine;
    AnnotationDocument *m_doc;
    DatasetScorer *m_scorer;
    DatasetItemModel *m_items;
    DatasetFilterModel *m_filter;
    AnnotationModel *m_annotation;
    QUndoStack *m_undo;
    size_t m_current = size_t(-1);
    Asker m_ask;
    bool m_updating = false;
    bool m_keepCandidateOrder = false;        // set while a ranking key's change is shown
    size_t m_shownItem = size_t(-1);          // the item the candidate table shows
    size_t m_confirmPartialItem = size_t(-1); // told once that Enter submits it partly ranked
    QString m_itemPrompt;

    QTableView *m_itemTable = nullptr;
    QTableView *m_candidateTable = nullptr;
    QLineEdit *m_search = nullptr;
    QTextBrowser *m_itemText = nullptr;
    QCheckBox *m_noneAcceptable = nullptr;
    QLineEdit *m_note = nullptr;
    QLabel *m_saved = nullptr;
    MessageBar *m_message = nullptr;
    ScoringBar *m_scoringBar = nullptr;
    QTabWidget *m_tabs = nullptr;
    DatasetCharts *m_charts = nullptr;
    QTimer *m_chartsTimer = nullptr;
    BenchDialog *m_bench = nullptr;
    GuidelinesPane *m_guidelines = nullptr;
    // Time on the shown item, while this window is active: logged when the
    // item changes, the window loses focus or closes, at most 10 minutes a stint.
    QElapsedTimer m_itemClock;
    size_t m_timedItem = size_t(-1);
    void logTime();
    // The current item's annotation as the window works on it (with the
    // shuffled order it is shown in, when shuffling is on).
    polar::Annotation draft() const;
    DemoBanner *m_demo = nullptr;
    QPointer<FineTuneDialog> m_fineTune;
    quint64 m_fineTuneProject = 0; // the project generation the running fine-tune learns from
    quint64 m_lengthProject = 0;   // the project generation the last length measurement was asked for
};
