#include "workbench/main_window.h"

#include "widgets/message_bar.h"

#include "widgets/app_settings.h"
#include "attribution/view.h"
#include "workbench/candidate_list_model.h"
#include "workbench/candidate_split.h"
#include "workbench/commands.h"
#include "annotation/dataset_window.h"
#include "workbench/diff_view.h"
#include "engine/embedded_model.h"
#include "workbench/encoded_view.h"
#include "engine/controller.h"
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "workbench/model_panel.h"
#include "preferences/pair_format.h"
#include "preferences/pairs.h"
#include "workbench/results_model.h"
#include "workbench/reward_chart.h"
#include "scoring/score_records.h"
#include "workbench/text_field_editor.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTabWidget>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

namespace {

QString plural(int n, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

QString defaultRecoveryFile()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QDir().mkpath(dir);
    return dir + "/recovery.polar-session.json";
}

} // namespace

MainWindow::MainWindow(const QString &recoveryFile, QWidget *parent)
    : QMainWindow(parent), m_recoveryFile(recoveryFile.isEmpty() ? defaultRecoveryFile() : recoveryFile)
{
    m_doc = new WorkspaceDocument(this);
    m_undo = new QUndoStack(this);
    m_engine = new EngineController(this);
    m_candidates = new CandidateListModel(m_doc, this);
    m_results = new ResultsModel(m_doc, this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_results);
    m_sorted->setSortRole(ResultsModel::UnderlyingDataRole);

    createWidgets();
    createActions();
    createMenus();
    createToolBar();
    createKeyboardShortcuts();
    connectDocument();
    restoreLayout();
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow()
{
    // The child widgets are deleted after this body, by ~QWidget, when this is
    // no longer a MainWindow: their signals (a selection changing as a view
    // goes) must not reach the lambdas that call into it.
    for (QObject *child : findChildren<QObject *>())
        child->disconnect(this);
    for (QAbstractItemView *view : findChildren<QAbstractItemView *>())
        if (view->selectionModel())
            view->selectionModel()->disconnect(this);
}

// ---- construction -----------------------------------------------------------

void MainWindow::createWidgets()
{
    m_modelPanel = new ModelPanel;
    m_messageBar = new MessageBar;

    m_promptEditor = new TextFieldEditor(tr("Prompt"), "user");
    m_promptEditor->setPlaceholder(tr("The question or instruction the candidates answer"));
    m_referenceEditor = new TextFieldEditor(tr("Reference"), "assistant");
    m_referenceEditor->setPlaceholder(tr("A reference answer: POLAR rewards candidates consistent with it"));
    m_candidateEditor = new TextFieldEditor(tr("Selected candidate"), "assistant");
    m_candidateEditor->setPlaceholder(tr("Add a candidate (Ctrl+T) or paste several (Ctrl+Shift+V)"));
    m_candidateEditor->setEnabled(false);

    m_candidateList = new QListView;
    m_candidateList->setModel(m_candidates);
    m_candidateList->setItemDelegate(new NumberedItemDelegate(m_candidateList));
    m_candidateList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_candidateList->setUniformItemSizes(true);
    m_candidateList->setAlternatingRowColors(true);

    auto *candidateButtons = new QHBoxLayout;
    auto *candidatesBox = new QWidget;
    auto *candidatesLayout = new QVBoxLayout(candidatesBox);
    candidatesLayout->setContentsMargins(0, 0, 0, 0);
    auto *candidatesTitle = new QLabel(tr("<b>Candidates</b>"));
    candidatesLayout->addWidget(candidatesTitle);
    candidatesLayout->addWidget(m_candidateList, 1);
    candidatesLayout->addLayout(candidateButtons);
    candidatesLayout->setObjectName("candidateButtons");

    auto *left = new QSplitter(Qt::Vertical);
    left->addWidget(m_promptEditor);
    left->addWidget(m_referenceEditor);
    left->addWidget(candidatesBox);
    left->addWidget(m_candidateEditor);
    left->setSizes({110, 170, 230, 230});

    m_resultsTable = new QTableView;
    m_resultsTable->setModel(m_sorted);
    m_resultsTable->setSortingEnabled(true);
    m_resultsTable->sortByColumn(ResultsModel::Rank, Qt::AscendingOrder);
    m_resultsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_resultsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_resultsTable->verticalHeader()->setVisible(false);
    m_resultsTable->setAlternatingRowColors(true);
    m_resultsTable->setWordWrap(false);
    auto *header = m_resultsTable->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ResultsModel::Candidate, QHeaderView::Stretch);

    m_chart = new RewardChart(m_sorted, ResultsModel::Reward, ResultsModel::Candidate);
    m_chart->setSelectionModel(m_resultsTable->selectionModel());
    connect(m_chart, &RewardChart::barClicked, this, [this](int row) { m_resultsTable->selectRow(row); });

    m_encodedView = new EncodedView;
    m_diffView = new DiffView;
    m_tabs = new QTabWidget;
    m_tabs->addTab(m_encodedView, tr("What the model sees"));
    m_tabs->addTab(m_diffView, tr("Compare with reference"));
    m_attribution = new AttributionView(m_doc, m_engine);
    m_tabs->addTab(m_attribution, tr("Token contributions"));

    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(m_resultsTable);
    right->addWidget(m_chart);
    right->addWidget(m_tabs);
    right->setSizes({300, 210, 390});

    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->addWidget(left);
    m_mainSplitter->addWidget(right);
    m_mainSplitter->setStretchFactor(0, 2);
    m_mainSplitter->setStretchFactor(1, 3);

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_modelPanel);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_mainSplitter, 1);
    setCentralWidget(central);

    m_scoreProgress = new QProgressBar;
    m_scoreProgress->setMaximumWidth(200);
    m_scoreProgress->setVisible(false);
    m_scoreCancel = new QPushButton(tr("Cancel"));
    m_scoreCancel->setVisible(false);
    m_demoLabel = new QLabel;
    statusBar()->addPermanentWidget(m_demoLabel);
    statusBar()->addPermanentWidget(m_scoreProgress);
    statusBar()->addPermanentWidget(m_scoreCancel);
    connect(m_scoreCancel, &QPushButton::clicked, this, &MainWindow::cancel);

    resize(1440, 900);
}

void MainWindow::createActions()
{
    auto make = [this](const QString &name, const QString &text, auto slot, const QString &tip = {}) {
        auto *a = new QAction(text, this);
        a->setObjectName(name);
        a->setStatusTip(tip);
        a->setShortcutContext(Qt::WindowShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        m_actions << a;
        return a;
    };
    make("newWorkspace", tr("&New workspace"), [this] { newWorkspace(); });
    make("openSession", tr("&Open session…"), [this] { openSessionDialog(); });
    make("save", tr("&Save session"), [this] { save(); });
    make("saveAs", tr("Save session &as…"), [this] { saveAs(); });
    make("openModel", tr("Open &model…"), [this] { m_modelPanel->browse(); }, tr("Choose a POLAR model directory"));
    make("importRecord", tr("&Import from JSONL record…"), [this] { importRecord(); });
    make("openDataset", tr("Open &dataset for annotation…"), [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a JSONL dataset"), {}, tr("JSON Lines (*.jsonl)"));
        if (!path.isEmpty())
            openDatasetWindow(path);
    }, tr("Rank many prompts' candidates and export a fine-tuning set"));
    make("exportPairs", tr("&Export pairs to train.jsonl…"), [this] { exportPairsDialog(); },
         tr("Append chosen/rejected pairs in the POLAR fine-tuning format"));
    make("quit", tr("&Quit"), [this] { close(); });

    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setObjectName("undo");
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setObjectName("redo");
    for (QAction *a : {undo, redo}) {
        addAction(a);
        m_actions << a;
    }
    make("addCandidate", tr("&Add candidate"), [this] { addCandidate(); });
    make("duplicateCandidate", tr("&Duplicate candidate"), [this] { duplicateCandidate(); });
    make("deleteCandidate", tr("De&lete candidate"), [this] { deleteCandidate(); });
    make("moveUp", tr("Move candidate &up"), [this] { moveCandidate(-1); });
    make("moveDown", tr("Move candidate do&wn"), [this] { moveCandidate(+1); });
    make("pasteCandidates", tr("&Paste many candidates…"), [this] { pasteCandidates(); },
         tr("Paste several candidates separated by a blank line or ---"));

    make("score", tr("&Score"), [this] { score(); }, tr("Score every candidate against the reference"));
    make("cancel", tr("&Cancel"), [this] { cancel(); });
    make("explain", tr("E&xplain the selected candidate"), [this] {
        m_tabs->setCurrentWidget(m_attribution);
        m_attribution->run();
    }, tr("Token-level contributions: which tokens of the output and of the reference moved the reward"));
    action("explain")->setIconText(tr("Explain"));
    make("markChosen", tr("Mark as &chosen"), [this] { markSelected(polar::Candidate::Mark::Chosen); });
    make("markRejected", tr("Mark as &rejected"), [this] { markSelected(polar::Candidate::Mark::Rejected); });
    make("clearMark", tr("C&lear mark"), [this] { markSelected(polar::Candidate::Mark::None); });
    make("acceptRanking", tr("Accept the model's &ranking"), [this] { acceptModelRanking(); },
         tr("Mark the best-scored candidate chosen and the others rejected"));
    make("shortcuts", tr("&Keyboard shortcuts"), [this] { showShortcuts(); });
    make("about", tr("&About Polar Studio"), [this] {
        QMessageBox::about(this, tr("About Polar Studio"),
                           tr("<b>Polar Studio</b><br>A workbench for POLAR reference-based reward models "
                              "(InternLM2ForRewardModel) on LibTorch."));
    });
}

// Every chord in one place (qBittorrent's createKeyboardShortcuts).
void MainWindow::createKeyboardShortcuts()
{
    const std::pair<const char *, QKeySequence> chords[] = {
        {"newWorkspace", QKeySequence::New},
        {"openSession", QKeySequence::Open},
        {"save", QKeySequence::Save},
        {"saveAs", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)},
        {"openModel", QKeySequence(Qt::CTRL | Qt::Key_L)},
        {"importRecord", QKeySequence(Qt::CTRL | Qt::Key_I)},
        {"openDataset", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O)},
        {"exportPairs", QKeySequence(Qt::CTRL | Qt::Key_E)},
        {"quit", QKeySequence(Qt::CTRL | Qt::Key_Q)},
        {"undo", QKeySequence::Undo},
        {"redo", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)},
        {"addCandidate", QKeySequence(Qt::CTRL | Qt::Key_T)},
        {"duplicateCandidate", QKeySequence(Qt::CTRL | Qt::Key_D)},
        {"deleteCandidate", QKeySequence(Qt::CTRL | Qt::Key_Delete)},
        {"moveUp", QKeySequence(Qt::ALT | Qt::Key_Up)},
        {"moveDown", QKeySequence(Qt::ALT | Qt::Key_Down)},
        {"pasteCandidates", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V)},
        {"score", QKeySequence(Qt::CTRL | Qt::Key_Return)},
        {"explain", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return)},
        {"cancel", QKeySequence(Qt::Key_Escape)},
        {"markChosen", QKeySequence(Qt::CTRL | Qt::Key_1)},
        {"markRejected", QKeySequence(Qt::CTRL | Qt::Key_2)},
        {"clearMark", QKeySequence(Qt::CTRL | Qt::Key_0)},
        {"acceptRanking", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)},
        {"shortcuts", QKeySequence(Qt::Key_F1)},
    };
    for (const auto &[name, keys] : chords)
        if (QAction *a = action(name))
            a->setShortcut(keys);
    // Ctrl+Enter on the keypad scores too.
    action("score")->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
}

void MainWindow::createMenus()
{
    auto add = [this](QMenu *menu, std::initializer_list<const char *> names) {
        for (const char *n : names) {
            if (n)
                menu->addAction(action(n));
            else
                menu->addSeparator();
        }
    };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    add(file, {"newWorkspace", "openSession"});
    // Recent sessions and models, read from QSettings each time the menu opens.
    QMenu *recent = file->addMenu(tr("Open &recent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        for (const QString &path : AppSettings::recentSessions.get())
            recent->addAction(QFileInfo(path).fileName() + "  —  " + path, this, [this, path] {
                if (maybeSave())
                    openSession(path);
            });
        recent->addSeparator();
        for (const QString &dir : AppSettings::recentModels.get())
            recent->addAction(tr("Model: %1").arg(dir), this, [this, dir] { loadModel(dir); });
        if (recent->actions().size() == 1)
            recent->addAction(tr("(nothing yet)"))->setEnabled(false);
    });
    add(file, {"save", "saveAs", nullptr, "openModel", "importRecord", "openDataset", "exportPairs", nullptr, "quit"});
    add(menuBar()->addMenu(tr("&Edit")), {"undo", "redo", nullptr, "addCandidate", "duplicateCandidate",
                                          "deleteCandidate", "moveUp", "moveDown", "pasteCandidates"});
    add(menuBar()->addMenu(tr("&Score")), {"score", "cancel", "explain", nullptr, "markChosen", "markRejected", "clearMark",
                                           "acceptRanking"});
    add(menuBar()->addMenu(tr("&Help")), {"shortcuts", "about"});
}

void MainWindow::createToolBar()
{
    QToolBar *tb = addToolBar(tr("Main"));
    tb->setObjectName("mainToolBar");
    tb->setMovable(false);
    tb->setToolButtonStyle(Qt::ToolButtonTextOnly);
    const char *const items[] = {"openSession", "save", nullptr, "score", "explain", "cancel", nullptr, "addCandidate",
                                 "duplicateCandidate", "deleteCandidate", "pasteCandidates", nullptr, "markChosen",
                                 "markRejected", "exportPairs"};
    for (const char *n : items) {
        if (n)
            tb->addAction(action(n));
        else
            tb->addSeparator();
    }
    QFont bold = action("score")->font();
    bold.setBold(true);
    action("score")->setFont(bold);
}

QAction *MainWindow::action(const QString &objectName) const
{
    for (QAction *a : m_actions)
        if (a->objectName() == objectName)
            return a;
    return nullptr;
}

void MainWindow::connectDocument()
{
    connect(m_promptEditor, &TextFieldEditor::edited, this, [this](const polar::TextField &b, const polar::TextField &a) {
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Prompt, b, a));
    });
    connect(m_referenceEditor, &TextFieldEditor::edited, this, [this](const polar::TextField &b, const polar::TextField &a) {
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Reference, b, a));
    });
    connect(m_candidateEditor, &TextFieldEditor::edited, this, [this](const polar::TextField &b, const polar::TextField &a) {
        const int64_t id = currentCandidateId();
        if (id > 0)
            m_undo->push(new EditCandidateCommand(m_doc, id, b, a));
    });
    connect(m_doc, &WorkspaceDocument::fieldChanged, this, [this](WorkspaceDocument::Field f) {
        (f == WorkspaceDocument::Field::Prompt ? m_promptEditor : m_referenceEditor)->setValue(m_doc->field(f));
    });
    connect(m_doc, &WorkspaceDocument::candidateTextChanged, this, [this](int64_t id) {
        if (id == currentCandidateId())
            m_candidateEditor->setValue(m_doc->candidateAt(m_doc->rowOf(id)).text);
    });
    connect(m_doc, &WorkspaceDocument::workspaceReset, this, [this] {
        m_promptEditor->setValue(m_doc->workspace().prompt);
        m_referenceEditor->setValue(m_doc->workspace().reference);
        m_scored.clear();
        m_scoredReference.reset();
        if (m_doc->candidateCount() > 0)
            m_candidateList->setCurrentIndex(m_candidates->index(0));
        onSelectionChanged();
    });
    // An undo that re-inserts a candidate selects it, so the editor follows.
    connect(m_doc, &WorkspaceDocument::candidateInserted, this, [this](int row) {
        m_candidateList->setCurrentIndex(m_candidates->index(row));
    });
    connect(m_doc, &WorkspaceDocument::candidateRemoved, this, [this] { onSelectionChanged(); });
    connect(m_doc, &WorkspaceDocument::changed, this, [this] {
        writeRecovery();
        updateActions();
    });
    connect(m_doc, &WorkspaceDocument::scoresChanged, this, [this] {
        m_resultsTable->sortByColumn(m_resultsTable->horizontalHeader()->sortIndicatorSection(),
                                     m_resultsTable->horizontalHeader()->sortIndicatorOrder());
        refreshCandidateViews();
    });
    connect(m_undo, &QUndoStack::cleanChanged, this, [this] { updateTitle(); });

    connect(m_candidateList->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        if (!m_selecting) {
            m_selecting = true;
            const int row = m_results->rowOfId(currentCandidateId());
            m_resultsTable->selectRow(m_sorted->mapFromSource(m_results->index(row, 0)).row());
            m_selecting = false;
        }
        onSelectionChanged();
    });
    connect(m_resultsTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &cur) {
        if (m_selecting || !cur.isValid())
            return;
        const int64_t id = m_sorted->data(cur, ResultsModel::IdRole).toLongLong();
        m_selecting = true;
        if (id > 0)
            m_candidateList->setCurrentIndex(m_candidates->index(m_doc->rowOf(id)));
        m_selecting = false;
        refreshCandidateViews();
    });

    connect(m_modelPanel, &ModelPanel::loadRequested, this, [this] { loadModel(m_modelPanel->modelDir()); });
    connect(m_modelPanel, &ModelPanel::cancelRequested, this, &MainWindow::cancel);
    connect(m_engine, &EngineController::loadProgress, m_modelPanel, &ModelPanel::showProgress);
    connect(m_engine, &EngineController::modelLoaded, this, [this](const polar::ModelInfo &info) {
        m_usingDemoModel = !m_embeddedModel.isEmpty() && QString::fromStdString(info.directory) == m_embeddedModel;
        m_modelPanel->showLoaded(info, m_usingDemoModel);
        m_demoLabel->setText(m_usingDemoModel
                                 ? tr("<span style='color:#8a4b00'>Tiny demo model with random weights: its rewards show "
                                      "the mechanics, not quality. Open a POLAR model with Ctrl+L.</span>")
                                 : QString());
        m_doc->setModelPath(m_usingDemoModel ? std::string() : info.directory);
        m_doc->clearScores(); // scores of another model do not apply
        hideMessage();
        statusBar()->showMessage(tr("Model loaded in %1 s").arg(info.loadSeconds, 0, 'f', 2), 5000);
        updateActions();
        Q_EMIT modelReady(true);
    });
    connect(m_engine, &EngineController::modelLoadFailed, this, [this](const QString &error) {
        m_modelPanel->showFailed(error);
        if (m_engine->hasModel())
            m_modelPanel->showLoaded(m_engine->modelInfo(), m_usingDemoModel);
        showMessage(tr("Could not load the model: %1").arg(error)
                    + (m_engine->hasModel() ? tr(" (still using %1)").arg(QString::fromStdString(m_engine->modelInfo().name))
                                            : QString()));
        updateActions();
        Q_EMIT modelReady(false);
    });
    connect(m_engine, &EngineController::scoreProgress, this, [this](int done, int total) {
        m_scoreProgress->setRange(0, std::max(total, 1));
        m_scoreProgress->setValue(done);
    });
    connect(m_engine, &EngineController::scoreFinished, this, &MainWindow::onScoreFinished);
    connect(m_engine, &EngineController::scoreFailed, this, [this](const QString &error) {
        m_scoreProgress->setVisible(false);
        m_scoreCancel->setVisible(false);
        showMessage(tr("Scoring failed: %1").arg(error), !error.contains(tr("cancelled")));
        updateActions();
        Q_EMIT scoringDone(false);
    });
    connect(m_engine, &EngineController::busyChanged, this, [this] { updateActions(); });
}

void MainWindow::restoreLayout()
{
    const QByteArray geometry = AppSettings::windowGeometry.get();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray split = AppSettings::mainSplitter.get();
    if (!split.isEmpty())
        m_mainSplitter->restoreState(split);
    else
        m_mainSplitter->setSizes({560, 880});
}

// ---- messages and state -------------------------------------------------------

void MainWindow::showMessage(const QString &message, bool error)
{
    m_messageBar->showMessage(message, error);
    Q_EMIT messageShown(message);
}

QString MainWindow::lastMessage() const
{
    return m_messageBar->lastMessage();
}

void MainWindow::hideMessage()
{
    m_messageBar->setVisible(false);
}

void MainWindow::updateTitle()
{
    const QString name = m_sessionFile.isEmpty() ? tr("Untitled") : QFileInfo(m_sessionFile).fileName();
    setWindowTitle(QStringLiteral("%1%2 — Polar Studio").arg(name, m_undo->isClean() ? QString() : QStringLiteral(" *")));
}

void MainWindow::updateActions()
{
    const bool busy = m_engine->busy();
    const bool hasCandidate = currentCandidateId() > 0;
    action("score")->setEnabled(!busy && m_engine->hasModel());
    action("explain")->setEnabled(!busy && m_engine->hasModel() && hasCandidate);
    action("cancel")->setEnabled(busy);
    for (const char *n : {"duplicateCandidate", "deleteCandidate", "moveUp", "moveDown", "markChosen", "markRejected", "clearMark"})
        action(n)->setEnabled(hasCandidate);
    action("acceptRanking")->setEnabled(m_results->hasScores());
    m_candidateEditor->setEnabled(hasCandidate);
}

int64_t MainWindow::currentCandidateId() const
{
    return m_candidates->idAt(m_candidateList->currentIndex().row());
}

void MainWindow::selectCandidate(int64_t id)
{
    m_candidateList->setCurrentIndex(m_candidates->index(m_doc->rowOf(id)));
}

void MainWindow::onSelectionChanged()
{
    const int64_t id = currentCandidateId();
    const int row = m_doc->rowOf(id);
    if (row >= 0) {
        m_candidateEditor->setTitle(tr("Candidate #%1").arg(row + 1));
        m_candidateEditor->setValue(m_doc->candidateAt(row).text);
    } else {
        m_candidateEditor->setTitle(tr("Selected candidate"));
        m_candidateEditor->setValue({});
    }
    refreshCandidateViews();
    updateActions();
}

void MainWindow::refreshCandidateViews()
{
    // The results table's current row decides (it may be the reference anchor).
    const QModelIndex cur = m_resultsTable->selectionModel()->currentIndex();
    int64_t id = cur.isValid() ? m_sorted->data(cur, ResultsModel::IdRole).toLongLong() : currentCandidateId();
    if (!cur.isValid() || (id > 0 && id != currentCandidateId()))
        id = currentCandidateId();
    const polar::CandidateScore *item = nullptr;
    QString title;
    if (id == polar::kReferenceRowId && m_scoredReference && m_scoredReference->input) {
        item = &*m_scoredReference;
        title = tr("Reference scored as a candidate");
    } else if (auto it = m_scored.find(id); it != m_scored.end() && m_doc->rowOf(id) >= 0) {
        const polar::Candidate &c = m_doc->candidateAt(m_doc->rowOf(id));
        if (c.score && it->second.input && c.score->encodedText == it->second.input->text) {
            item = &it->second;
            title = tr("Candidate #%1").arg(m_doc->rowOf(id) + 1);
        }
    }
    m_attribution->setCandidate(id > 0 ? id : 0, item && id > 0 ? item->input.get() : nullptr);
    if (item)
        m_encodedView->setInput(*item->input, title);
    else
        m_encodedView->clear(id > 0 ? tr("Candidate not scored yet: press Ctrl+Enter.")
                                    : tr("Score, then select a candidate to see the exact input the model reads."));
    const int row = m_doc->rowOf(id);
    if (row >= 0)
        m_diffView->setTexts(QString::fromStdString(m_doc->workspace().reference.flattened()),
                             QString::fromStdString(m_doc->candidateAt(row).text.flattened()), tr("Candidate #%1").arg(row + 1));
    else
        m_diffView->clear();
}

// ---- model, scoring --------------------------------------------------------------

void MainWindow::loadModel(const QString &dir)
{
    if (dir.isEmpty()) {
        showMessage(tr("Choose a model directory first (Ctrl+L)."));
        Q_EMIT modelReady(false);
        return;
    }
    m_modelPanel->setModelDir(dir);
    m_modelPanel->showLoading(dir);
    m_engine->loadModel(dir, m_modelPanel->device(), m_modelPanel->dtype());
    updateActions();
}

void MainWindow::loadDefaultModel()
{
    m_embeddedModel = embeddedModelDir();
    if (m_embeddedModel.isEmpty()) {
        showMessage(tr("Could not unpack the embedded demo model to %1.")
                        .arg(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)));
        Q_EMIT modelReady(false);
        return;
    }
    loadModel(m_embeddedModel);
}

void MainWindow::loadSeedExample()
{
    QFile f(embeddedSeedExamplePath());
    if (!f.open(QIODevice::ReadOnly))
        return;
    const polar::Json j = polar::parseJson(f.readAll().toStdString(), "seed example");
    const polar::ScoreRecord rec = polar::parseScoreRecord(j, "seed example");
    polar::Workspace ws;
    ws.prompt = rec.prompt;
    ws.reference = rec.reference;
    for (const auto &o : rec.outputs)
        ws.addCandidate(o);
    m_doc->reset(ws);
    m_undo->clear();
    m_sessionFile.clear();
    updateTitle();
}

void MainWindow::score()
{
    hideMessage();
    if (!m_engine->hasModel()) {
        showMessage(tr("Load a model before scoring (Ctrl+L)."));
        Q_EMIT scoringDone(false);
        return;
    }
    const auto &ws = m_doc->workspace();
    QStringList missing;
    if (QString::fromStdString(ws.prompt.flattened()).trimmed().isEmpty())
        missing << tr("a prompt");
    if (QString::fromStdString(ws.reference.flattened()).trimmed().isEmpty())
        missing << tr("a reference");
    if (ws.candidates.empty())
        missing << tr("at least one candidate");
    if (!missing.isEmpty()) {
        showMessage(tr("Nothing scored: enter %1.").arg(missing.join(tr(" and "))));
        Q_EMIT scoringDone(false);
        return;
    }
    polar::CandidatesJob job;
    job.prompt = ws.prompt;
    job.reference = ws.reference;
    for (const auto &c : ws.candidates)
        job.candidates.emplace_back(c.id, c.text);
    job.settings = ws.settings;
    m_pendingJob = job;
    m_scoreProgress->setRange(0, 0);
    m_scoreProgress->setVisible(true);
    m_scoreCancel->setVisible(true);
    statusBar()->showMessage(tr("Scoring %1…").arg(plural(int(job.candidates.size()), tr("candidate"), tr("candidates"))));
    m_engine->score(std::move(job));
    updateActions();
}

void MainWindow::cancel()
{
    m_engine->cancel();
}

void MainWindow::onScoreFinished(const polar::CandidatesResult &outcome)
{
    m_scoreProgress->setVisible(false);
    m_scoreCancel->setVisible(false);
    const auto &ws = m_doc->workspace();
    // Results for a prompt or reference edited meanwhile are dropped whole;
    // for an edited candidate, only that candidate's.
    const bool inputsSame = ws.prompt == m_pendingJob.prompt && ws.reference == m_pendingJob.reference;
    std::map<int64_t, polar::CandidateScore> scores;
    QStringList errors;
    for (size_t i = 0; i < outcome.candidates.size() && inputsSame; ++i) {
        const auto &[id, s] = outcome.candidates[i];
        const polar::Candidate *c = ws.find(id);
        if (!c || !(c->text == m_pendingJob.candidates[i].second))
            continue;
        if (!s.ok) {
            errors << tr("#%1: %2").arg(ws.indexOf(id) + 1).arg(QString::fromStdString(s.error));
            continue;
        }
        scores[id] = s;
        m_scored[id] = s;
    }
    if (inputsSame) {
        std::optional<polar::CandidateScore> ref;
        if (outcome.reference.ok) {
            ref = outcome.reference;
            m_scoredReference = outcome.reference;
        }
        m_doc->setScores(scores, ref);
    }
    if (!errors.isEmpty())
        showMessage(tr("Some candidates could not be scored: %1").arg(errors.join("; ")));
    statusBar()->showMessage(tr("Scored %1 inputs in %2 ms (%3 from cache)")
                                 .arg(outcome.computed + outcome.fromCache)
                                 .arg(outcome.seconds * 1000.0, 0, 'f', 0)
                                 .arg(outcome.fromCache),
                             10000);
    if (!m_resultsTable->selectionModel()->hasSelection() && m_sorted->rowCount() > 0)
        m_resultsTable->selectRow(0);
    refreshCandidateViews();
    updateActions();
    Q_EMIT scoringDone(inputsSame && errors.isEmpty());
}

// ---- sessions -------------------------------------------------------------------

bool MainWindow::openSession(const QString &path)
{
    polar::Workspace ws;
    try {
        ws = polar::loadWorkspace(path.toStdString());
    } catch (const std::exception &e) {
        showMessage(tr("Could not open the session: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    m_doc->reset(ws);
    m_undo->clear();
    m_sessionFile = path;
    AppSettings::remember(AppSettings::recentSessions, path);
    m_modelPanel->setDeviceAndDtype(QString::fromStdString(ws.settings.device), QString::fromStdString(ws.settings.dtype));
    if (!ws.modelPath.empty() && QString::fromStdString(ws.modelPath) != QString::fromStdString(m_engine->modelInfo().directory))
        loadModel(QString::fromStdString(ws.modelPath));
    updateTitle();
    return true;
}

bool MainWindow::saveSessionTo(const QString &path)
{
    polar::Workspace ws = m_doc->workspace();
    ws.settings.device = polar::deviceName(m_modelPanel->device());
    ws.settings.dtype = polar::computeDTypeName(m_modelPanel->dtype());
    try {
        polar::saveWorkspace(path.toStdString(), ws);
    } catch (const std::exception &e) {
        showMessage(tr("Could not save the session: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    m_sessionFile = path;
    m_undo->setClean();
    AppSettings::remember(AppSettings::recentSessions, path);
    updateTitle();
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    return true;
}

bool MainWindow::save()
{
    return m_sessionFile.isEmpty() ? saveAs() : saveSessionTo(m_sessionFile);
}

bool MainWindow::saveAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save session"), m_sessionFile,
                                                      tr("Polar Studio sessions (*.polar.json);;JSON (*.json)"));
    return !path.isEmpty() && saveSessionTo(path.endsWith(".json") ? path : path + ".polar.json");
}

void MainWindow::openSessionDialog()
{
    if (!maybeSave())
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), QFileInfo(m_sessionFile).path(),
                                                      tr("Polar Studio sessions (*.polar.json *.json);;All files (*)"));
    if (!path.isEmpty())
        openSession(path);
}

void MainWindow::newWorkspace()
{
    if (!maybeSave())
        return;
    m_doc->reset({});
    m_undo->clear();
    m_sessionFile.clear();
    updateTitle();
}

bool MainWindow::maybeSave()
{
    if (m_undo->isClean())
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"), tr("Save the changes to this session first?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::writeRecovery()
{
    try {
        polar::Json j = polar::workspaceToJson(m_doc->workspace());
        j["recovery_of"] = m_sessionFile.toStdString();
        j["saved_at"] = QDateTime::currentDateTime().toString(Qt::ISODate).toStdString();
        polar::writeFileAtomically(m_recoveryFile.toStdString(), j.dump(2));
    } catch (const std::exception &e) {
        statusBar()->showMessage(tr("Autosave failed: %1").arg(QString::fromUtf8(e.what())), 10000);
    }
}

bool MainWindow::hasRecovery() const
{
    return QFile::exists(m_recoveryFile);
}

bool MainWindow::restoreRecovery()
{
    try {
        const polar::Workspace ws = polar::loadWorkspace(m_recoveryFile.toStdString());
        const polar::Json j = polar::parseJson(polar::readWholeFile(m_recoveryFile.toStdString()), m_recoveryFile.toStdString());
        m_doc->reset(ws);
        m_undo->clear();
        m_undo->resetClean();
        m_sessionFile = QString::fromStdString(polar::optionalString(j, "recovery_of", m_recoveryFile.toStdString()));
        updateTitle();
        if (!ws.modelPath.empty())
            loadModel(QString::fromStdString(ws.modelPath));
        return true;
    } catch (const std::exception &e) {
        showMessage(tr("Could not restore the autosaved work: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
}

void MainWindow::discardRecovery()
{
    QFile::remove(m_recoveryFile);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    AppSettings::windowGeometry.set(saveGeometry());
    AppSettings::mainSplitter.set(m_mainSplitter->saveState());
    m_engine->cancel();
    discardRecovery(); // a clean exit leaves nothing to recover
    event->accept();
}

// ---- candidates -------------------------------------------------------------------

void MainWindow::addCandidate()
{
    polar::Candidate c;
    const int row = m_doc->rowOf(currentCandidateId());
    m_undo->push(new AddCandidatesCommand(m_doc, row < 0 ? m_doc->candidateCount() : row + 1, {c}, tr("Add candidate")));
    m_candidateEditor->textEdit()->setFocus();
}

void MainWindow::duplicateCandidate()
{
    const int row = m_doc->rowOf(currentCandidateId());
    if (row < 0)
        return;
    polar::Candidate c = m_doc->candidateAt(row);
    c.mark = polar::Candidate::Mark::None;
    c.score.reset();
    m_undo->push(new AddCandidatesCommand(m_doc, row + 1, {c}, tr("Duplicate candidate")));
}

void MainWindow::deleteCandidate()
{
    const int64_t id = currentCandidateId();
    if (id <= 0)
        return;
    const int row = m_doc->rowOf(id);
    m_undo->push(new RemoveCandidateCommand(m_doc, id));
    if (m_doc->candidateCount() > 0)
        m_candidateList->setCurrentIndex(m_candidates->index(std::min(row, m_doc->candidateCount() - 1)));
}

void MainWindow::moveCandidate(int delta)
{
    const int64_t id = currentCandidateId();
    const int row = m_doc->rowOf(id);
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_doc->candidateCount())
        return;
    m_undo->push(new MoveCandidateCommand(m_doc, id, to));
    m_candidateList->setCurrentIndex(m_candidates->index(to));
}

void MainWindow::pasteCandidates()
{
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(
        this, tr("Paste candidates"), tr("One candidate per block, separated by a blank line or a line with ---:"), {}, &ok);
    if (!ok)
        return;
    std::vector<polar::Candidate> cands;
    for (const QString &part : splitCandidates(text)) {
        polar::Candidate c;
        c.text = polar::TextField::fromString(part.toStdString());
        cands.push_back(c);
    }
    if (cands.empty()) {
        showMessage(tr("Nothing to paste: the text was empty."));
        return;
    }
    m_undo->push(new AddCandidatesCommand(m_doc, m_doc->candidateCount(), cands,
                                          tr("Paste %1").arg(plural(int(cands.size()), tr("candidate"), tr("candidates")))));
}

void MainWindow::importRecord()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import from a JSONL record"), {},
                                                      tr("JSON Lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    std::vector<polar::JsonlLine> lines;
    try {
        lines = polar::readJsonl(path.toStdString());
    } catch (const std::exception &e) {
        showMessage(QString::fromUtf8(e.what()));
        return;
    }
    if (lines.empty()) {
        showMessage(tr("%1 holds no records.").arg(path));
        return;
    }
    int lineNumber = int(lines.front().number);
    if (lines.size() > 1) {
        bool ok = false;
        lineNumber = QInputDialog::getInt(this, tr("Import record"), tr("Line number of the record (1–%1):")
                                          .arg(lines.back().number), lineNumber, 1, int(lines.back().number), 1, &ok);
        if (!ok)
            return;
    }
    const auto it = std::find_if(lines.begin(), lines.end(), [&](const auto &l) { return int(l.number) == lineNumber; });
    const std::string where = path.toStdString() + ":" + std::to_string(lineNumber);
    try {
        if (it == lines.end())
            throw polar::Error(where + ": blank line");
        if (!it->ok())
            throw polar::Error(where + ": " + it->error);
        polar::Json j = it->value;
        // A chosen/rejected record imports both as candidates.
        if (j.is_object() && !j.contains("output") && !j.contains("outputs") && j.contains("chosen")) {
            j["outputs"] = polar::Json::array({j["chosen"]});
            if (j.contains("rejected"))
                j["outputs"].push_back(j["rejected"]);
        }
        const polar::ScoreRecord rec = polar::parseScoreRecord(j, where);
        m_undo->beginMacro(tr("Import record"));
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Prompt, m_doc->workspace().prompt, rec.prompt));
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Reference, m_doc->workspace().reference, rec.reference));
        std::vector<polar::Candidate> cands;
        for (const auto &o : rec.outputs) {
            polar::Candidate c;
            c.text = o;
            cands.push_back(c);
        }
        m_undo->push(new AddCandidatesCommand(m_doc, m_doc->candidateCount(), cands, tr("Import candidates")));
        m_undo->endMacro();
    } catch (const std::exception &e) {
        showMessage(tr("Could not import: %1").arg(QString::fromUtf8(e.what())));
    }
}

void MainWindow::markSelected(polar::Candidate::Mark mark)
{
    const int64_t id = currentCandidateId();
    if (id <= 0)
        return;
    const QString text = mark == polar::Candidate::Mark::Chosen ? tr("Mark chosen")
        : mark == polar::Candidate::Mark::Rejected              ? tr("Mark rejected")
                                                                : tr("Clear mark");
    m_undo->push(new SetMarksCommand(m_doc, {{id, mark}}, text));
}

void MainWindow::acceptModelRanking()
{
    // Best-scored candidate(s) chosen, every other scored one rejected.
    SetMarksCommand::Marks marks;
    double best = -1e300;
    for (const auto &c : m_doc->workspace().candidates)
        if (c.score)
            best = std::max(best, double(c.score->reward));
    for (const auto &c : m_doc->workspace().candidates)
        if (c.score)
            marks.emplace_back(c.id, double(c.score->reward) == best ? polar::Candidate::Mark::Chosen
                                                                     : polar::Candidate::Mark::Rejected);
    if (!marks.empty())
        m_undo->push(new SetMarksCommand(m_doc, marks, tr("Accept the model's ranking")));
}

int MainWindow::exportPairsTo(const QString &path, bool useModelRanking)
{
    const auto &ws = m_doc->workspace();
    std::vector<polar::PreferencePair> pairs;
    if (useModelRanking) {
        std::vector<double> rewards;
        std::vector<const polar::Candidate *> scored;
        for (const auto &c : ws.candidates)
            if (c.score) {
                scored.push_back(&c);
                rewards.push_back(c.score->reward);
            }
        for (const auto &[a, b] : polar::pairsFromRanking(polar::ranksFromScores(rewards), polar::PairStrategy::AllPairs))
            pairs.push_back({ws.prompt, ws.reference, scored[a]->text, scored[b]->text});
    } else {
        for (const auto &chosen : ws.candidates)
            if (chosen.mark == polar::Candidate::Mark::Chosen)
                for (const auto &rejected : ws.candidates)
                    if (rejected.mark == polar::Candidate::Mark::Rejected)
                        pairs.push_back({ws.prompt, ws.reference, chosen.text, rejected.text});
    }
    if (pairs.empty()) {
        showMessage(useModelRanking ? tr("No pairs: score at least two candidates with different rewards.")
                                    : tr("No pairs: mark at least one candidate chosen (Ctrl+1) and one rejected (Ctrl+2)."));
        return 0;
    }
    try {
        const size_t n = polar::appendPairs(path.toStdString(), pairs, polar::PairFormat::Polar);
        showMessage(tr("Wrote %1 to %2").arg(plural(int(n), tr("pair"), tr("pairs")), path), false);
        return int(n);
    } catch (const std::exception &e) {
        showMessage(tr("Export failed: %1").arg(QString::fromUtf8(e.what())));
        return -1;
    }
}

void MainWindow::exportPairsDialog()
{
    bool anyMarked = false;
    for (const auto &c : m_doc->workspace().candidates)
        anyMarked = anyMarked || c.mark != polar::Candidate::Mark::None;
    bool useRanking = false;
    if (!anyMarked) {
        if (!m_results->hasScores()) {
            showMessage(tr("Mark candidates chosen/rejected, or score them to export the model's ranking."));
            return;
        }
        if (QMessageBox::question(this, tr("Export pairs"),
                                  tr("No candidate is marked. Export every pair implied by the model's ranking?"))
            != QMessageBox::Yes)
            return;
        useRanking = true;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Append pairs to"), AppSettings::lastExportFile.get(),
                                                      tr("JSON Lines (*.jsonl)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty())
        return;
    AppSettings::lastExportFile.set(path);
    exportPairsTo(path, useRanking);
}

DatasetWindow *MainWindow::openDatasetWindow(const QString &path)
{
    if (!m_datasetWindow)
        m_datasetWindow = new DatasetWindow(m_engine, this);
    m_datasetWindow->setScoringSettings(m_doc->workspace().settings);
    m_datasetWindow->setWindowFlag(Qt::Window);
    m_datasetWindow->show();
    m_datasetWindow->raise();
    if (!path.isEmpty())
        m_datasetWindow->openDataset(path);
    return m_datasetWindow;
}

void MainWindow::showShortcuts()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Keyboard shortcuts"));
    auto *table = new QTableWidget(0, 2, &dialog);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (QAction *a : m_actions) {
        if (a->shortcut().isEmpty())
            continue;
        const int r = table->rowCount();
        table->insertRow(r);
        table->setItem(r, 0, new QTableWidgetItem(a->text().remove('&')));
        QStringList keys;
        for (const auto &k : a->shortcuts())
            keys << k.toString(QKeySequence::NativeText);
        table->setItem(r, 1, new QTableWidgetItem(keys.join(tr(" or "))));
    }
    table->resizeColumnsToContents();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(table);
    layout->addWidget(buttons);
    dialog.resize(460, 560);
    dialog.exec();
}
