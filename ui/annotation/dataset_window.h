#pragma once

#include "scoring/settings.h"

#include "engine/worker.h"
#include "preferences/export.h"
#include "preferences/project.h"

#include <QMainWindow>

#include <chrono>
#include <functional>
#include <memory>

class AnnotationModel;
class DatasetFilterModel;
class DatasetItemModel;
class MessageBar;
class EngineController;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTabWidget;
class QTextBrowser;
class QUndoStack;
class DatasetCharts;

// Annotating a JSONL dataset: the item list with search and filters, the
// current item's candidates to rank (keys 1-9, T, Enter, S, F), batch scoring
// with pause/resume, export of pairs, agreement figures and charts.
class DatasetWindow : public QMainWindow
{
    Q_OBJECT

public:
    using Consent = std::function<bool(const std::vector<polar::InvalidLine> &)>;
    // Asks the user to pick one of `choices` (index, or -1 for cancel); tests replace it.
    using Asker = std::function<int(const QString &title, const QString &text, const QStringList &choices)>;
    void setAsker(Asker asker) { m_ask = std::move(asker); }
    explicit DatasetWindow(EngineController *engine, QWidget *parent = nullptr);
    // How inputs are built and batched when this window scores (the workbench's settings).
    void setScoringSettings(const polar::ScoringSettings &s) { m_scoringSettings = s; }
    ~DatasetWindow() override;

    // Opens DATASET.jsonl with its project. Invalid lines are shown and only
    // skipped if `consent` (default: a dialog) agrees.
    bool openDataset(const QString &path, const Consent &consent = {});
    polar::PreferenceProject *project() const { return m_project.get(); }
    DatasetItemModel *itemModel() const { return m_items; }
    DatasetFilterModel *filterModel() const { return m_filter; }
    AnnotationModel *annotationModel() const { return m_annotation; }
    QTableView *itemTable() const { return m_itemTable; }
    QTableView *candidateTable() const { return m_candidateTable; }
    QUndoStack *undoStack() const { return m_undo; }
    QLineEdit *searchField() const { return m_search; }
    QString lastMessage() const;
    size_t currentItem() const { return m_current; }
    void selectItem(size_t item);

    void startScoring();
    void pauseScoring();
    polar::ExportSummary exportPairsTo(const QString &path, const polar::ExportOptions &options, QString *error = nullptr);
    QString agreementText() const;

    // Applies an annotation to an item: saved to the journal first (used by undo commands).
    void applyAnnotation(size_t item, const polar::Annotation &annotation);

Q_SIGNALS:
    void scoringProgress(size_t done, size_t total);
    void scoringStopped(bool finished);
    void annotationSaved(size_t item);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void createWidgets();
    void createActions();
    void showItem();
    void changeAnnotation(const polar::Annotation &after, const QString &text);
    polar::Annotation currentAnnotation() const;
    void submit();
    void moveToNext();
    void scoreNextChunk();
    void onChunkScored(const ItemsResult &outcome);
    void exportDialog();
    void mergeDialog();
    void writeBetterAnswer();
    void editCandidate();
    void showMessage(const QString &text, bool error = false);
    void refreshCharts();

    EngineController *m_engine;
    std::unique_ptr<polar::PreferenceProject> m_project;
    DatasetItemModel *m_items;
    DatasetFilterModel *m_filter;
    AnnotationModel *m_annotation;
    QUndoStack *m_undo;
    size_t m_current = size_t(-1);

    QTableView *m_itemTable = nullptr;
    QTableView *m_candidateTable = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QCheckBox *m_disagreeFilter = nullptr;
    QDoubleSpinBox *m_rewardMin = nullptr, *m_rewardMax = nullptr;
    QCheckBox *m_rewardFilter = nullptr;
    QTextBrowser *m_itemText = nullptr;
    QCheckBox *m_noneAcceptable = nullptr;
    QLineEdit *m_note = nullptr;
    QLabel *m_saved = nullptr;
    MessageBar *m_message = nullptr;
    QProgressBar *m_scoreProgress = nullptr;
    QPushButton *m_scoreButton = nullptr;
    QLabel *m_scoreRate = nullptr;
    QTabWidget *m_tabs = nullptr;
    DatasetCharts *m_charts = nullptr;

    bool m_scoring = false;
    size_t m_scoredAtStart = 0;
    size_t m_scored = 0;      // items with rewards, counted once and kept up to date
    size_t m_nextToScore = 0; // where the next chunk's search starts
    polar::ScoringSettings m_scoringSettings; // the workbench's, as of opening
    Asker m_ask;
    std::chrono::steady_clock::time_point m_scoreStarted;
    bool m_updating = false;
};
