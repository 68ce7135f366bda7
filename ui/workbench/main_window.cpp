#include "workbench/main_window.h"
#include "polar_version.h"

#include "annotation/dataset_window.h"
#include "analysis/numerics_dialog.h"
#include "attribution/view.h"
#include "engine/controller.h"
#include "engine/embedded_model.h"
#include "scoring/score_records.h"
#include "widgets/app_settings.h"
#include "widgets/save_file.h"
#include "widgets/window_size.h"
#include "workbench/results_table_export.h"
#include "util/files.h"
#include "widgets/counted_text.h"
#include "widgets/message_bar.h"
#include "widgets/score_status.h"
#include "workbench/candidate_list_model.h"
#include "workbench/model_panel.h"
#include "workbench/pair_export.h"
#include "workbench/results_model.h"
#include "workbench/results_pane.h"
#include "workbench/scored_inputs.h"
#include "widgets/appearance.h"
#include "widgets/shortcuts_dialog.h"
#include "workbench/text_field_editor.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCloseEvent>
#include <QFile>
#include <QMenuBar>
#include <QListView>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QClipboard>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

MainWindow::MainWindow(const QString &recoveryFile, QWidget *parent) : QMainWindow(parent)
{
    m_doc = new WorkspaceDocument(this);
    m_undo = new QUndoStack(this);
    m_engine = new EngineController(this);
    m_results = new ResultsModel(m_doc, this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_results);
    m_sorted->setSortRole(ResultsModel::UnderlyingDataRole);
    m_session = new SessionController(m_doc, m_undo, this, recoveryFile);
    m_scored = new ScoredInputs(m_doc, this);

    createWidgets();
    createActions();
    createMenus();
    createToolBar();
    createKeyboardShortcuts();
    connectParts();
    connectEngine();
    restoreLayout();
    updateTitle();
    updateActions();
    Appearance::applyZoom(this);
    promptEditor()->textEdit()->setFocus(); // where a user starts typing, not the model path
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

void MainWindow::createWidgets()
{
    m_modelPanel = new ModelPanel;
    m_messageBar = new MessageBar;
    m_editor = new WorkspaceEditor(m_doc, m_undo);

    m_pane = new ResultsPane(m_doc, m_engine, m_results, m_sorted, m_scored);
    m_resultsTable = m_pane->table();
    m_attribution = m_pane->attribution();
    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->addWidget(m_editor);
    m_mainSplitter->addWidget(m_pane);
    m_mainSplitter->setStretchFactor(0, 2);
    m_mainSplitter->setStretchFactor(1, 3);

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_modelPanel);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_mainSplitter, 1);
    setCentralWidget(central);

    m_scoreStatus = new ScoreStatus(m_engine);
    statusBar()->addPermanentWidget(m_scoreStatus);
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
    make("newWorkspace", tr("&New workspace"), [this] { m_session->newWorkspace(); });
    make("openSession", tr("&Open session…"), [this] { m_session->openDialog(); });
    make("save", tr("&Save session"), [this] { m_session->save(); });
    make("saveAs", tr("Save session &as…"), [this] { m_session->saveAs(); });
    make("openModel", tr("Open &model…"), [this] { m_modelPanel->browse(); }, tr("Choose a POLAR model directory"));
    make("importRecord", tr("&Import from JSONL record…"), [this] {
        const QString path = askOpenPath(this, tr("Import from a JSONL record"), tr("JSON Lines (*.jsonl);;All files (*)"));
        if (!path.isEmpty())
            m_editor->importRecord(path);
    });
    make("openDataset", tr("Open &dataset for annotation…"), [this] {
        const QString path = askOpenPath(this, tr("Open a JSONL dataset or its project"), tr("Datasets and projects (*.jsonl)"));
        if (!path.isEmpty())
            openDatasetWindow(path);
    }, tr("Rank many prompts' candidates and export a fine-tuning set"));
    make("exportPairs", tr("&Export pairs to train.jsonl…"), [this] {
        QString message;
        const int n = exportWorkspacePairs(this, m_doc->workspace(), m_results->hasScores(), &message);
        if (!message.isEmpty())
            showMessage(message, n <= 0);
    },
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
    make("addCandidate", tr("&Add candidate"), [this] { m_editor->addCandidate(); });
    make("duplicateCandidate", tr("&Duplicate candidate"), [this] { m_editor->duplicateCandidate(); });
    make("deleteCandidate", tr("De&lete candidate"), [this] { m_editor->deleteCandidate(); });
    make("moveUp", tr("Move candidate &up"), [this] { m_editor->moveCandidate(-1); });
    make("moveDown", tr("Move candidate do&wn"), [this] { m_editor->moveCandidate(+1); });
    make("pasteCandidates", tr("&Paste many candidates…"), [this] { m_editor->pasteCandidates(); },
         tr("Paste several candidates separated by a blank line or ---"));

    make("score", tr("&Score"), [this] { score(); }, tr("Score every candidate against the reference"));
    make("cancel", tr("&Cancel"), [this] { cancel(); });
    make("explain", tr("E&xplain the selected candidate"), [this] { m_pane->explain(); }, tr("Token-level contributions: which tokens of the output and of the reference moved the reward"));
    action("explain")->setIconText(tr("Explain"));
    make("referenceMatrix", tr("Reference &matrix"), [this] { m_pane->referenceMatrix(); },
         tr("Every candidate under the given, an empty, an edited and every other candidate as the reference"));
    make("checkNumerics", tr("Check &numerics…"), [this] { checkNumerics(); },
         tr("Rewards alone vs batched vs sharing a prefix (vs another precision): do they agree?"));
    make("markChosen", tr("Mark as &chosen"), [this] { m_editor->markSelected(polar::Candidate::Mark::Chosen); });
    make("markRejected", tr("Mark as &rejected"), [this] { m_editor->markSelected(polar::Candidate::Mark::Rejected); });
    make("clearMark", tr("C&lear mark"), [this] { m_editor->markSelected(polar::Candidate::Mark::None); });
    make("acceptRanking", tr("Accept the model's &ranking"), [this] { m_editor->acceptModelRanking(); },
         tr("Mark the best-scored candidate chosen and the others rejected"));
    make("copyResults", tr("&Copy results as TSV"), [this] { copyResults(); },
         tr("Every row of the results table, as the table shows them, for a spreadsheet"));
    make("saveResults", tr("Save results as C&SV…"), [this] { saveResults(); });
    make("shortcuts", tr("&Keyboard shortcuts"), [this] { ShortcutsDialog(this).exec(); });
    make("about", tr("&About Polar Studio"), [this] {
        QMessageBox::about(this, tr("About Polar Studio"),
                           tr("<b>Polar Studio %1</b><br>A workbench for POLAR reference-based reward models "
                              "(InternLM2ForRewardModel) on LibTorch.<br><br>%2")
                               .arg(POLAR_STUDIO_VERSION,
                                    QString::fromStdString(polar::runtimeDescription()).toHtmlEscaped().replace('\n', "<br>")));
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
        {"referenceMatrix", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M)},
        {"checkNumerics", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K)},
        {"cancel", QKeySequence(Qt::Key_Escape)},
        {"markChosen", QKeySequence(Qt::CTRL | Qt::Key_1)},
        {"markRejected", QKeySequence(Qt::CTRL | Qt::Key_2)},
        {"clearMark", QKeySequence(Qt::CTRL | Qt::Key_0)},
        {"acceptRanking", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)},
        {"shortcuts", QKeySequence(Qt::Key_F1)},
        {"copyResults", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C)},
        {"saveResults", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S)},
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
    AppSettings::followRecent(
        recent, this, [this](const QString &path) { m_session->maybeSave() && m_session->open(path); },
        [this](const QString &dir) { loadModel(dir); });
    add(file, {"save", "saveAs", nullptr, "openModel", "importRecord", "openDataset", "exportPairs", nullptr, "quit"});
    add(menuBar()->addMenu(tr("&Edit")), {"undo", "redo", nullptr, "addCandidate", "duplicateCandidate", "deleteCandidate", "moveUp",
                                          "moveDown", "pasteCandidates"});
    QMenu *scoreMenu = menuBar()->addMenu(tr("&Score"));
    add(scoreMenu, {"score", "cancel", "explain", "referenceMatrix", "checkNumerics", nullptr, "markChosen", "markRejected", "clearMark", "acceptRanking", nullptr,
                    "copyResults", "saveResults", nullptr});
    scoreMenu->addActions(m_attribution->actions()); // its exports and grouping, reachable from any tab
    // The results table's context menu: what can be done with its rows.
    QTableView *table = m_pane->table();
    table->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (const char *n : {"explain", "markChosen", "markRejected", "copyResults", "saveResults"})
        table->addAction(action(n));
    // The candidate list's: the verbs that act on the selected candidate.
    QListView *list = m_editor->candidateList();
    list->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (const char *n : {"duplicateCandidate", "deleteCandidate", "moveUp", "moveDown", "markChosen", "markRejected", "clearMark", "explain"})
        list->addAction(action(n));
    Appearance::addViewMenu(menuBar()->addMenu(tr("&View")), this);
    add(menuBar()->addMenu(tr("&Help")), {"shortcuts", "about"});
}

void MainWindow::createToolBar()
{
    QToolBar *tb = addToolBar(tr("Main"));
    tb->setObjectName("mainToolBar");
    tb->setMovable(false);
    tb->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (const char *n : {"openSession", "save", "", "score", "explain", "cancel", "", "addCandidate", "duplicateCandidate",
                          "deleteCandidate", "pasteCandidates", "", "markChosen", "markRejected", "exportPairs"}) {
        if (*n)
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

void MainWindow::connectParts()
{
    connect(m_editor, &WorkspaceEditor::currentChanged, this, [this](int64_t id) {
        m_pane->selectId(id);
        m_pane->showCandidate(id);
        updateActions();
    });
    connect(m_pane, &ResultsPane::candidateSelected, m_editor, &WorkspaceEditor::select);
    connect(m_editor, &WorkspaceEditor::message, this, [this](const QString &m) { showMessage(m, true); });
    connect(m_doc, &WorkspaceDocument::changed, this, &MainWindow::updateActions);
    connect(m_session, &SessionController::titleChanged, this, &MainWindow::updateTitle);
    connect(m_session, &SessionController::message, this, [this](const QString &m) { showMessage(m, true); });
    connect(m_session, &SessionController::saved, this, [this](const QString &p) { statusBar()->showMessage(tr("Saved %1").arg(p), 5000); });
    connect(m_session, &SessionController::modelWanted, this, [this](const QString &dir, const QString &device, const QString &dtype) {
        m_modelPanel->setDeviceAndDtype(device, dtype);
        const polar::ModelInfo loadedInfo = m_engine->hasModel() ? m_engine->modelInfo() : polar::ModelInfo{};
        const QString loaded = QString::fromStdString(loadedInfo.directory);
        // An empty directory: the session was made with the embedded demo model.
        const bool otherModel = dir.isEmpty() ? !isEmbeddedModelDir(loaded) : QDir(dir).canonicalPath() != QDir(loaded).canonicalPath();
        // A precision the session names is the one its rewards were computed at ("auto" names none).
        const bool otherPrecision = m_engine->hasModel() && loadedInfo.remote.empty() && dtype != QLatin1String("auto")
                                    && dtype.toStdString() != loadedInfo.dtype;
        if (otherModel || otherPrecision) {
            if (dir.isEmpty())
                loadDefaultModel();
            else
                loadModel(dir); // its modelLoaded keeps the scores when they are this model's
        } else if (!m_doc->workspace().scoredWith(loadedInfo.directory, loadedInfo.dtype)) {
            m_doc->clearScores(); // saved with another model or precision than the one loaded
        } else {
            restoreEncodings();
        }
    });
    m_session->fromWindow = [this](polar::Workspace &ws) {
        ws.settings.device = polar::deviceName(m_modelPanel->device());
        ws.settings.dtype = polar::computeDTypeName(m_modelPanel->dtype());
        if (m_engine->hasModel()) // the model the user sees is the one saved ("" for the demo)
            ws.modelPath = m_usingDemoModel ? std::string() : m_engine->modelInfo().directory;
    };
}

void MainWindow::connectEngine()
{
    connect(m_modelPanel, &ModelPanel::loadRequested, this, [this] { loadModel(m_modelPanel->modelDir()); });
    connect(m_modelPanel, &ModelPanel::cancelRequested, this, &MainWindow::cancel);
    m_modelPanel->follow(m_engine, [](const polar::ModelInfo &info) {
        return isEmbeddedModelDir(QString::fromStdString(info.directory));
    });
    connect(m_engine, &EngineController::modelLoaded, this, [this](const polar::ModelInfo &info) {
        m_usingDemoModel = isEmbeddedModelDir(QString::fromStdString(info.directory));
        m_doc->setModelPath(m_usingDemoModel ? std::string() : info.directory);
        if (!m_doc->workspace().scoredWith(info.directory, info.dtype))
            m_doc->clearScores(); // another model's scores, or another precision's, do not apply; a session's own keep them
        m_messageBar->resolve(tr("Could not load the model")); // other problems stay on screen
        restoreEncodings();
        statusBar()->showMessage(tr("Model loaded in %1 s").arg(info.loadSeconds, 0, 'f', 2), 5000);
        updateActions();
        Q_EMIT modelReady(true);
    });
    connect(m_engine, &EngineController::modelLoadFailed, this, [this](const QString &error) {
        showMessage(tr("Could not load the model: %1").arg(error)
                    + (m_engine->hasModel() ? tr(" (still using %1)").arg(QString::fromStdString(m_engine->modelInfo().name)) : QString()),
                    true);
        // The field shows the model in use, not the folder that failed.
        if (m_engine->hasModel())
            m_modelPanel->setModelDir(QString::fromStdString(m_engine->modelInfo().directory));
        updateActions();
        Q_EMIT modelReady(false);
    });
    connect(m_engine, &EngineController::scoreFinished, this, &MainWindow::onScoreFinished);
    connect(m_engine, &EngineController::scoreFailed, this, [this](const QString &error) {
        showMessage(tr("Scoring failed: %1").arg(error), !error.contains(tr("cancelled")));
        updateActions();
        Q_EMIT scoringDone(false);
    });
    connect(m_engine, &EngineController::busyChanged, this, [this] { updateActions(); });
}

void MainWindow::restoreLayout()
{
    sizeToScreen(this, QSize(1440, 900), AppSettings::windowGeometry.get());
    if (!m_mainSplitter->restoreState(AppSettings::mainSplitter.get()))
        m_mainSplitter->setSizes({560, 880});
}

void MainWindow::showMessage(const QString &message, bool error)
{
    m_messageBar->showMessage(message, error);
    Q_EMIT messageShown(message);
}

QString MainWindow::lastMessage() const { return m_messageBar->lastMessage(); }
QStringList MainWindow::pendingErrors() const { return m_messageBar->pendingErrors(); }
void MainWindow::hideMessage() { m_messageBar->dismiss(); }
void MainWindow::updateTitle() { setWindowTitle(m_session->title()); } // Qt appends " — Polar Studio"

void MainWindow::updateActions()
{
    const bool busy = m_engine->busy(), hasCandidate = m_editor->currentId() > 0;
    action("score")->setEnabled(!busy && m_engine->hasModel());
    action("explain")->setEnabled(!busy && m_engine->hasModel() && hasCandidate);
    for (const char *n : {"referenceMatrix", "checkNumerics"})
        action(n)->setEnabled(!busy && m_engine->hasModel() && m_doc->candidateCount() > 0);
    action("cancel")->setEnabled(busy);
    for (const char *n : {"duplicateCandidate", "deleteCandidate", "moveUp", "moveDown", "markChosen", "markRejected", "clearMark"})
        action(n)->setEnabled(hasCandidate);
    action("acceptRanking")->setEnabled(m_results->hasScores());
}

void MainWindow::loadModel(const QString &dir)
{
    if (dir.isEmpty()) {
        showMessage(tr("Choose a model directory first (Ctrl+L)."), true);
        Q_EMIT modelReady(false);
        return;
    }
    m_modelPanel->setModelDir(dir);
    if (m_modelPanel->isRemote()) {
        polar::ServerSpec spec;
        try {
            spec = m_modelPanel->serverSpec();
        } catch (const std::exception &e) {
            m_modelPanel->showFailed(QString::fromUtf8(e.what()));
            showMessage(QString::fromUtf8(e.what()), true);
            Q_EMIT modelReady(false);
            return;
        }
        m_modelPanel->showLoading(dir);
        m_engine->connectServer(dir, std::move(spec));
    } else {
        m_modelPanel->showLoading(dir);
        m_engine->loadModel(dir, m_modelPanel->device(), m_modelPanel->dtype());
    }
    updateActions();
}

void MainWindow::loadDefaultModel()
{
    QString error;
    const QString dir = embeddedModelDir(&error);
    if (dir.isEmpty()) {
        showMessage(tr("Could not unpack the embedded demo model: %1").arg(error), true);
        Q_EMIT modelReady(false);
        return;
    }
    loadModel(dir);
}

void MainWindow::loadSeedExample()
{
    QFile f(embeddedSeedExamplePath());
    if (!f.open(QIODevice::ReadOnly))
        return;
    const polar::ScoreRecord rec = polar::parseScoreRecord(polar::parseJson(f.readAll().toStdString(), "seed example"), "seed example");
    polar::Workspace ws;
    ws.modelPath = m_doc->workspace().modelPath; // the model stays loaded: the session records it
    ws.settings = m_doc->workspace().settings;
    ws.prompt = rec.prompt;
    ws.reference = rec.reference;
    for (const auto &o : rec.outputs)
        ws.addCandidate(o);
    m_doc->reset(ws);
    m_session->detach();
}

EncodedView *MainWindow::encodedView() const
{
    return m_pane->encoded();
}

DiffView *MainWindow::diffView() const
{
    return m_pane->diff();
}

NumericsDialog *MainWindow::checkNumerics()
{
    if (!m_numerics)
        m_numerics = new NumericsDialog(m_doc, m_engine, this);
    m_numerics->show();
    m_numerics->raise();
    return m_numerics;
}

void MainWindow::restoreEncodings()
{
    // A session saves rewards, not the encodings behind "What the model
    // sees" and the attribution cost: the engine derives them again with its
    // cache primed by the saved rewards, so the model runs only for a text
    // whose encoding no longer matches what was saved.
    const polar::Workspace &ws = m_doc->workspace();
    if (!m_engine->hasModel() || !ws.scoredWith(m_engine->modelInfo().directory, m_engine->modelInfo().dtype)
        || !m_scored->missingInputs().isEmpty())
        return;
    std::vector<std::pair<std::string, float>> saved;
    bool missing = false;
    for (const auto &c : ws.candidates)
        if (c.score && c.score->ok && !c.score->encodedText.empty()) {
            saved.emplace_back(c.score->encodedText, c.score->reward);
            missing = missing || !m_scored->encoding(c.id);
        }
    if (ws.referenceScore && ws.referenceScore->ok && !ws.referenceScore->encodedText.empty())
        saved.emplace_back(ws.referenceScore->encodedText, ws.referenceScore->reward);
    if (saved.empty() || !missing)
        return;
    m_engine->primeCache(std::move(saved));
    score();
}

void MainWindow::score()
{
    hideMessage();
    const QString missing = m_scored->missingInputs();
    if (!m_engine->hasModel() || !missing.isEmpty()) {
        showMessage(m_engine->hasModel() ? tr("Nothing scored: enter %1.").arg(missing) : tr("Load a model before scoring (Ctrl+L)."), true);
        Q_EMIT scoringDone(false);
        return;
    }
    polar::CandidatesJob job = m_scored->job();
    m_scoreStatus->started();
    statusBar()->showMessage(tr("Scoring %1 inputs…").arg(job.candidates.size() + 1));
    m_engine->score(std::move(job));
    updateActions();
}

void MainWindow::cancel() { m_engine->cancel(); }

void MainWindow::onScoreFinished(const polar::CandidatesResult &result)
{
    bool current = false;
    const QStringList errors = m_scored->apply(result, m_engine->modelInfo(), &current);
    if (!errors.isEmpty())
        showMessage(tr("Some candidates could not be scored: %1").arg(errors.join("; ")), true);
    statusBar()->showMessage(tr("Scored %1 inputs in %2 ms (%3 from cache)")
                                 .arg(result.computed + result.fromCache)
                                 .arg(result.seconds * 1000.0, 0, 'f', 0)
                                 .arg(result.fromCache),
                             10000);
    m_pane->selectFirstIfNone();
    updateActions();
    Q_EMIT scoringDone(current && errors.isEmpty());
}

int MainWindow::exportPairsTo(const QString &path, bool useModelRanking)
{
    QString message;
    const int n = appendWorkspacePairs(m_doc->workspace(), path, useModelRanking, &message);
    showMessage(message, n <= 0);
    return n;
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

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_session->maybeSave()) {
        event->ignore();
        return;
    }
    AppSettings::windowGeometry.set(saveGeometry());
    AppSettings::mainSplitter.set(m_mainSplitter->saveState());
    m_engine->cancel();
    m_session->discardRecovery(); // a clean exit leaves nothing to recover
    event->accept();
}

QString MainWindow::resultsText(QChar separator) const
{
    return resultsAsDelimitedText(m_sorted, *m_doc, separator);
}

void MainWindow::copyResults()
{
    if (!m_results->hasScores()) {
        showMessage(tr("Nothing to copy yet: score first (Ctrl+Enter)."), true);
        return;
    }
    QGuiApplication::clipboard()->setText(resultsText('\t'));
    showMessage(tr("Copied %1 as tab-separated text.").arg(countedText(m_sorted->rowCount(), tr("1 row"), tr("%1 rows"))), false);
}

void MainWindow::saveResults()
{
    if (!m_results->hasScores()) {
        showMessage(tr("Nothing to save yet: score first (Ctrl+Enter)."), true);
        return;
    }
    const QString path = askSavePath(this, tr("Save results"), QStringLiteral("results.csv"),
                                     tr("CSV (*.csv);;Tab-separated (*.tsv);;JSON Lines (*.jsonl)"), QStringLiteral("csv"));
    if (path.isEmpty())
        return;
    saveResultsTo(path);
}

bool MainWindow::saveResultsTo(const QString &path)
{
    // The format follows the name the user gave.
    const QString suffix = QFileInfo(path).suffix().toLower();
    try {
        const std::string text = suffix == "jsonl" ? resultsAsJsonl(m_sorted, *m_doc)
                                 : suffix == "tsv" ? resultsText('\t').toStdString()
                                                   : resultsText(',').toStdString();
        polar::writeFileAtomically(path.toStdString(), text);
        showMessage(tr("Saved %1 to %2").arg(countedText(m_sorted->rowCount(), tr("1 row"), tr("%1 rows")), path), false);
        return true;
    } catch (const std::exception &e) {
        showMessage(tr("Could not save the results: %1").arg(QString::fromUtf8(e.what())), true);
        return false;
    }
}

int64_t MainWindow::selectedCandidate() const
{
    return m_editor->currentId();
}
