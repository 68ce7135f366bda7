#include "annotation/dataset_window.h"

#include "annotation/agreement_dialog.h"
#include "annotation/dataset_charts.h"
#include "annotation/dataset_item_model.h"
#include "annotation/dataset_scorer.h"
#include "annotation/document.h"
#include "annotation/export_dialog.h"
#include "annotation/item_list_pane.h"
#include "annotation/item_pane.h"
#include "annotation/ranking_keys.h"
#include "annotation/scoring_bar.h"
#include "annotation/model.h"
#include "engine/controller.h"
#include "engine/embedded_model.h"
#include "training/fine_tune_dialog.h"
#include "widgets/demo_banner.h"
#include "widgets/save_file.h"
#include "analysis/bench_dialog.h"
#include "annotation/guidelines_pane.h"
#include "widgets/appearance.h"
#include "widgets/shortcuts_dialog.h"
#include "widgets/table_copy.h"
#include "preferences/annotated_jsonl.h"
#include "preferences/ranking_edit.h"
#include "widgets/app_settings.h"
#include "widgets/busy_work.h"
#include "widgets/counted_text.h"
#include "widgets/window_size.h"
#include "widgets/message_bar.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QDir>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

DatasetWindow::DatasetWindow(EngineController *engine, QWidget *parent)
    : QMainWindow(parent), m_engine(engine), m_doc(new AnnotationDocument(this)), m_scorer(new DatasetScorer(m_doc, engine, this))
{
    m_items = new DatasetItemModel(this);
    m_filter = new DatasetFilterModel(this);
    m_filter->setSourceModel(m_items);
    m_filter->setSortRole(DatasetItemModel::QueueRole); // the file order until a queue is chosen
    m_annotation = new AnnotationModel(this);
    m_undo = m_doc->undoStack();
    createWidgets();
    createActions();
    connectDocument();
    setWindowTitle(tr("Dataset")); // Qt appends " — Polar Studio" itself
    sizeToScreen(this, QSize(1400, 880), AppSettings::datasetWindowGeometry.get());
    Appearance::applyZoom(this);
}

DatasetWindow::~DatasetWindow()
{
    logTime();
    m_scorer->pause();
    // The views outlive this body (QWidget deletes them later) and may still
    // ask the model for rows: it must stop pointing at the project first.
    m_items->setProject(nullptr);
}

void DatasetWindow::createWidgets()
{
    auto *list = new ItemListPane(m_filter);
    m_itemTable = list->table();
    m_search = list->search();

    auto *item = new ItemPane(m_annotation);
    m_itemText = item->text();
    m_candidateTable = item->candidates();
    m_candidateTable->installEventFilter(this);
    m_itemTable->installEventFilter(this);
    m_noneAcceptable = item->noneAcceptable();
    m_note = item->note();
    m_saved = item->saved();

    m_charts = new DatasetCharts;
    m_tabs = new QTabWidget;
    // The guidelines beside the item, where the annotator's eyes are.
    m_guidelines = new GuidelinesPane;
    auto *annotate = new QSplitter(Qt::Horizontal);
    annotate->setObjectName("annotateSplitter");
    annotate->addWidget(item);
    annotate->addWidget(m_guidelines);
    annotate->setStretchFactor(0, 3);
    annotate->setStretchFactor(1, 1);
    annotate->setSizes({700, 240});
    AppSettings::rememberSplitter(annotate, QStringLiteral("datasetWindow/guidelinesSplit"));
    m_tabs->addTab(annotate, tr("Annotate"));
    m_tabs->addTab(m_charts, tr("Agreement && charts"));
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(list);
    split->addWidget(m_tabs);
    split->setSizes({560, 840});
    split->setObjectName("datasetSplitter");
    AppSettings::rememberSplitter(split, QStringLiteral("datasetWindow/split"));
    AppSettings::rememberTab(m_tabs, QStringLiteral("datasetWindow/tab"));
    addCopyRowsMenu(m_itemTable);
    addCopyRowsMenu(m_candidateTable);

    m_scoringBar = new ScoringBar(m_doc, m_scorer);
    m_message = new MessageBar;
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    m_demo = new DemoBanner;
    layout->addWidget(m_demo);
    layout->addWidget(m_scoringBar);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);
    setCentralWidget(central);

    connect(m_itemTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &cur) {
        if (!cur.isValid())
            return;
        m_current = size_t(m_filter->data(cur, DatasetItemModel::ItemRole).toULongLong());
        showItem();
    });
    // A filter that hid the item on screen left the list without a current
    // row; when the item is listed again it is the current row again.
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, [this] {
        if (m_itemTable->currentIndex().isValid() || m_current >= m_doc->size())
            return;
        const QModelIndex proxy = m_filter->mapFromSource(m_items->index(int(m_current), 0));
        if (!proxy.isValid())
            return;
        m_itemTable->selectRow(proxy.row());
        m_itemTable->scrollTo(proxy);
    });
    connect(m_noneAcceptable, &QCheckBox::toggled, this, [this](bool on) {
        if (m_updating || m_current >= m_doc->size())
            return;
        polar::Annotation a = draft();
        a.noneAcceptable = on;
        change(a, AnnotateCommand::Kind::NoneAcceptable);
    });
    connect(m_note, &QLineEdit::textEdited, this, [this](const QString &text) {
        if (m_current >= m_doc->size())
            return;
        polar::Annotation a = draft();
        a.note = text.toStdString();
        change(a, AnnotateCommand::Kind::Note);
    });
    connect(item, &ItemPane::writeRequested, this, &DatasetWindow::writeBetterAnswer);
    connect(item, &ItemPane::editRequested, this, &DatasetWindow::editCandidate);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int i) {
        if (i == 1 && m_doc->isOpen())
            refreshCharts();
    });
    m_chartsTimer = new QTimer(this);
    m_chartsTimer->setSingleShot(true);
    m_chartsTimer->setInterval(400);
    connect(m_chartsTimer, &QTimer::timeout, this, [this] {
        if (m_tabs->currentWidget() == m_charts && m_doc->isOpen())
            refreshCharts();
    });
    connect(m_doc, &AnnotationDocument::itemChanged, this, &DatasetWindow::scheduleChartsRefresh);
    connect(m_doc, &AnnotationDocument::rewardsChanged, this, &DatasetWindow::scheduleChartsRefresh);
    connect(m_doc, &AnnotationDocument::projectChanged, this, &DatasetWindow::scheduleChartsRefresh);
    connect(m_engine, &EngineController::modelLoaded, this, &DatasetWindow::scheduleChartsRefresh);
    connect(m_scorer, &DatasetScorer::stopped, this, &DatasetWindow::scheduleChartsRefresh);
    connect(m_engine, &EngineController::analysisFinished, this, [this](const QVariant &result) {
        // Keyed by line: a measurement of the dataset open before would mark this one's items.
        if (result.metaType() == QMetaType::fromType<polar::LengthBiasReport>() && m_lengthProject == m_doc->projectGeneration())
            m_charts->setLengthBias(result.value<polar::LengthBiasReport>());
    });
}

BenchDialog *DatasetWindow::openBenchmark()
{
    if (!m_bench)
        m_bench = new BenchDialog(m_engine, this);
    m_bench->show();
    m_bench->raise();
    return m_bench;
}

QDir DatasetWindow::datasetFolder() const
{
    return m_doc->isOpen() ? QFileInfo(QString::fromStdString(m_doc->project()->dataset().path)).absoluteDir() : QDir();
}

QString DatasetWindow::itemHeader() const
{
    return m_itemText->toPlainText();
}

void DatasetWindow::scheduleChartsRefresh()
{
    // A throttle, not a debounce: scoring changes items without pause.
    if (m_tabs->currentWidget() == m_charts && !m_chartsTimer->isActive())
        m_chartsTimer->start();
}

void DatasetWindow::refreshCharts()
{
    QElapsedTimer took;
    took.start();
    auto items = m_doc->project()->annotatedItems();
    m_charts->update(items);
    // At 100,000 items a refresh takes a good part of a second: follow at most a
    // fifth of the GUI thread's time, so scoring's progress and the keys stay live.
    m_chartsTimer->setInterval(int(std::max<qint64>(400, 4 * took.elapsed())));
    if (!m_engine->hasModel()) {
        m_charts->setLengthNote(tr("load a model: its tokenizer measures the outputs."));
        return;
    }
    if (m_scorer->running()) {
        // Tokenizing every output would hold the engine between chunks.
        m_charts->setLengthNote(tr("measured again when scoring stops."));
        return;
    }
    // Lengths in the loaded model's tokens, measured where its tokenizer lives.
    m_lengthProject = m_doc->projectGeneration();
    m_engine->analyze([items = std::move(items)](const polar::RewardModel &model, const polar::ScoreControl &) {
        return QVariant::fromValue(polar::lengthBias(items, model.encoder().tokenizer()));
    });
}

void DatasetWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&Dataset"));
    file->addAction(tr("&Open dataset…"), QKeySequence::Open, this, [this] {
        const QString path = askOpenPath(this, tr("Open a JSONL dataset or its project"), tr("Datasets and projects (*.jsonl)"));
        if (!path.isEmpty())
            openDataset(path);
    });
    file->addAction(tr("&Export pairs…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        if (!m_doc->isOpen())
            return;
        const auto options = ExportDialog::ask(m_doc->project()->annotatedItems(), this);
        const QString path = options ? askSavePath(this, tr("Write pairs to"), datasetFolder().filePath(QStringLiteral("train.jsonl")),
                                                   tr("JSON Lines (*.jsonl)"), QStringLiteral("jsonl"))
                                     : QString();
        if (!path.isEmpty())
            exportPairsTo(path, *options);
    });
    file->addAction(tr("Export &annotated JSONL…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, [this] {
        if (!m_doc->isOpen())
            return;
        const QFileInfo dataset(QString::fromStdString(m_doc->project()->dataset().path));
        const QString path = askSavePath(this, tr("Annotated JSONL"), dataset.dir().filePath(dataset.completeBaseName() + "-annotated.jsonl"),
                                         tr("JSON Lines (*.jsonl)"), QStringLiteral("jsonl"));
        if (path.isEmpty())
            return;
        exportAnnotatedTo(path);
    });
    file->addAction(tr("&Compare with another annotator…"), QKeySequence(Qt::CTRL | Qt::Key_M), this, [this] {
        // The other annotator's project usually sits beside this one's dataset.
        const QString path = m_doc->isOpen() ? askOpenPath(this, tr("Another annotator's project or annotated JSONL"),
                                                           tr("Projects and annotated JSONL (*.jsonl)"), datasetFolder().path())
                                             : QString();
        if (!path.isEmpty())
            mergeFrom(path);
    });
    file->addAction(tr("&Score dataset / pause"), QKeySequence(Qt::CTRL | Qt::Key_Return), this,
                    [this] { m_scoringBar->toggle(); });
    file->addAction(tr("Fine-&tune the model on these rankings…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T), this,
                    [this] { openFineTune(); });
    QAction *shuffle = file->addAction(tr("S&huffle candidates per annotator"), this, [this](bool on) {
        AppSettings::shuffleCandidates.set(on);
        if (m_current < m_doc->size())
            showItem();
    });
    shuffle->setCheckable(true);
    shuffle->setChecked(AppSettings::shuffleCandidates.get());
    shuffle->setToolTip(tr("Each annotator sees each item's candidates in an order of their own, recorded with the annotation: "
                           "the agreement tab reports position bias"));
    file->addAction(tr("Edit &guidelines…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G), this, [this] { m_guidelines->edit(); });
    file->addAction(tr("E&valuate on a RewardBench file…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B), this,
                    [this] { openBenchmark(); });
    file->addAction(tr("&Find"), QKeySequence::Find, this, [this] { m_search->setFocus(); });
    file->addAction(tr("Set annotator &name…"), this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Annotator"), tr("Your name, stored with each decision:"),
                                                   QLineEdit::Normal, AnnotationDocument::annotator(), &ok);
        if (ok && !name.trimmed().isEmpty())
            AppSettings::annotator.set(name.trimmed());
    });
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    edit->addAction(undo);
    edit->addAction(redo);
    Appearance::addViewMenu(menuBar()->addMenu(tr("&View")), this);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard shortcuts"), QKeySequence(Qt::Key_F1), this, [this] { ShortcutsDialog(this, rankingKeyHelp()).exec(); });
}

void DatasetWindow::connectDocument()
{
    auto showDemo = [this] {
        m_demo->setVisible(m_engine->hasModel() && m_engine->modelInfo().remote.empty()
                          && isEmbeddedModelDir(QString::fromStdString(m_engine->modelInfo().directory)));
        // Rewards on screen are the loaded model's, never another's.
        m_doc->setScoringModel(m_engine->hasModel() ? m_engine->modelInfo().rewardsName() : std::string());
    };
    connect(m_engine, &EngineController::modelLoaded, this, showDemo);
    showDemo();
    connect(m_doc, &AnnotationDocument::projectChanged, this, [this] {
        m_items->setProject(m_doc->project());
        m_current = size_t(-1);
        // An idle fine-tune dialog describes the dataset that was open; a running one finishes (takeFineTuned).
        if (m_fineTune && !m_fineTune->running())
            m_fineTune->close();
        // Length measurements are keyed by line: they go with the dataset they measured.
        m_charts->setLengthBias({});
        m_charts->setLengthNote(tr("measured when this tab is shown."));
    });
    connect(m_doc, &AnnotationDocument::itemChanged, this, [this](size_t item) {
        m_items->itemChanged(item);
        // Undo and redo show the item they changed.
        if (item != m_current)
            selectItem(item);
        else
            showItem();
        Q_EMIT annotationSaved(item);
    });
    connect(m_doc, &AnnotationDocument::rewardsChanged, this, [this](const std::vector<size_t> &items) {
        for (size_t i : items)
            m_items->itemChanged(i);
        if (m_current < m_doc->size())
            showItem();
    });
    connect(m_doc, &AnnotationDocument::saveFailed, this, [this](const QString &e) { showMessage(e, true); });
    connect(m_annotation, &AnnotationModel::moveRequested, this, [this](size_t c, int rank) {
        polar::Annotation a = draft();
        a.ranks = polar::putAtRank(a.ranks, c, rank);
        change(a, AnnotateCommand::Kind::Move);
    });
    connect(m_scorer, &DatasetScorer::progress, this, [this](size_t done, size_t total) { Q_EMIT scoringProgress(done, total); });
    connect(m_scorer, &DatasetScorer::stopped, this, [this](bool finished, const QString &message) {
        showMessage(message, !finished && !message.contains(tr("paused")));
        Q_EMIT scoringStopped(finished);
    });
}

bool DatasetWindow::openDataset(const QString &path, const Consent &consent)
{
    ProjectOpening opened = openProject(this, path, consent, m_ask);
    if (!opened.project) {
        if (!opened.error.isEmpty())
            showMessage(opened.error, true);
        return false;
    }
    m_scorer->pause();
    bool warning = false;
    const QString summary = opened.summary(&warning);
    if (m_engine->hasModel())
        opened.project->setScoringModel(m_engine->modelInfo().rewardsName());
    logTime(); // the old project's item, before the old project goes
    m_timedItem = size_t(-1);
    m_doc->setProject(std::move(opened.project));
    m_guidelines->setDataset(QString::fromStdString(m_doc->project()->dataset().path));
    setWindowTitle(tr("%1 — dataset").arg(QFileInfo(QString::fromStdString(m_doc->project()->dataset().path)).fileName()));
    showMessage(summary, warning);
    if (m_filter->rowCount() > 0)
        m_itemTable->selectRow(0);
    return true;
}

void DatasetWindow::selectItem(size_t item)
{
    const QModelIndex proxy = m_filter->mapFromSource(m_items->index(int(item), 0));
    if (proxy.isValid()) {
        m_itemTable->selectRow(proxy.row());
    } else {
        m_current = item;
        showItem();
    }
}

polar::Annotation DatasetWindow::draft() const
{
    polar::Annotation a = m_doc->annotation(m_current);
    // The order this annotator sees, fixed for the item: recorded with the
    // first change, so the position-bias report knows what was shown.
    if (a.shownOrder.empty() && AppSettings::shuffleCandidates.get()) {
        const auto *p = m_doc->project();
        a.shownOrder = polar::shuffledOrder(p->candidates(m_current).size(), AnnotationDocument::annotator().toStdString(),
                                            p->record(m_current).contentHash);
    }
    return a;
}

void DatasetWindow::logTime()
{
    if (m_itemClock.isValid() && m_timedItem < m_doc->size()) {
        const double seconds = std::min(600.0, m_itemClock.elapsed() / 1000.0); // longer is a break, not work
        if (seconds >= 1)
            m_doc->addTime(m_timedItem, seconds);
    }
    m_itemClock.invalidate();
}

void DatasetWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ActivationChange) {
        if (isActiveWindow()) {
            if (m_timedItem < m_doc->size())
                m_itemClock.start();
        } else {
            logTime();
        }
    }
    QMainWindow::changeEvent(event);
}

void DatasetWindow::showItem()
{
    if (m_current >= m_doc->size())
        return;
    if (m_current != m_timedItem) {
        logTime();
        m_timedItem = m_current;
        if (isActiveWindow())
            m_itemClock.start();
    }
    m_updating = true;
    const auto *p = m_doc->project();
    const auto &rec = p->record(m_current);
    const auto &a = p->item(m_current).annotation;
    // Pairs whose lengths differ a lot, from the last length analysis: length may decide them.
    QString lengthHint;
    for (const auto &l : m_charts->lengthBias().lopsided)
        if (l.line == rec.line)
            lengthHint += tr(" · ⚖ #%1 (%2 tokens) vs #%3 (%4 tokens): length may decide this pair")
                              .arg(l.chosen + 1).arg(l.chosenTokens).arg(l.rejected + 1).arg(l.rejectedTokens);
    m_itemText->setHtml(tr("<p><b>Line %1</b> · %2</p><h3>Prompt</h3><p style='white-space:pre-wrap'>%3</p>"
                           "<h3>Reference</h3><p style='white-space:pre-wrap'>%4</p>")
                            .arg(rec.line)
                            .arg(QString::fromLatin1(polar::itemStatusName(p->status(m_current)))
                                 + (p->rewardsFromOtherModel(m_current)
                                        ? tr(" · rewards by %1, not the loaded model: score again")
                                              .arg(QString::fromStdString(p->item(m_current).rewardModel).toHtmlEscaped())
                                    : p->rewardsStale(m_current) ? tr(" · rewards stale after an edit: score again")
                                                                 : QString())
                                 + lengthHint)
                            .arg(QString::fromStdString(rec.prompt.flattened()).toHtmlEscaped())
                            .arg(QString::fromStdString(rec.reference.flattened()).toHtmlEscaped()));
    // The same item shown again (a rank changed) keeps its cursor; another item starts at the top.
    const bool sameItem = m_current == m_shownItem;
    const size_t keep = sameItem ? m_annotation->candidateAt(m_candidateTable->currentIndex().row()) : size_t(-1);
    m_annotation->setItem(p->candidates(m_current), rec, p->rewards(m_current), draft(), m_keepCandidateOrder && sameItem);
    if (!sameItem) {
        m_confirmPartialItem = size_t(-1);
        clearItemPrompt();
    }
    m_shownItem = m_current;
    m_candidateTable->resizeRowsToContents();
    const int row = keep == size_t(-1) ? 0 : std::max(0, m_annotation->rowOf(keep));
    m_candidateTable->setCurrentIndex(m_annotation->index(row, 0));
    m_noneAcceptable->setChecked(a.noneAcceptable);
    if (m_note->text().toStdString() != a.note)
        m_note->setText(QString::fromStdString(a.note));
    m_saved->setText(a.time ? tr("saved %1 by %2").arg(QDateTime::fromSecsSinceEpoch(a.time).toString("HH:mm:ss"),
                                                       QString::fromStdString(a.annotator).toHtmlEscaped())
                            : QString());
    m_updating = false;
}

void DatasetWindow::change(const polar::Annotation &after, AnnotateCommand::Kind kind)
{
    m_doc->edit(m_current, after, kind);
}

bool DatasetWindow::eventFilter(QObject *watched, QEvent *event)
{
    // The ranking keys work from the candidates and from the item list alike.
    if ((watched != m_candidateTable && watched != m_itemTable) || event->type() != QEvent::KeyPress
        || m_current >= m_doc->size())
        return QMainWindow::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier))
        return false;
    const int row = m_candidateTable->currentIndex().row();
    const size_t c = m_annotation->candidateAt(row);
    if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
        submit();
        return true;
    }
    const auto change = rankingKeyChange(key->key(), draft(), c,
                                         row > 0 ? m_annotation->candidateAt(row - 1) : size_t(-1));
    if (!change)
        return false;
    if (!change->refused.empty()) {
        showMessage(QString::fromStdString(change->refused), true);
        return true;
    }
    const int listRow = m_itemTable->currentIndex().row();
    const size_t listItem = m_current;
    if (!change->unchanged) {
        m_keepCandidateOrder = true; // rows stay put while this item is ranked
        this->change(change->annotation, change->kind);
        m_keepCandidateOrder = false;
    }
    if (change->advance)
        m_candidateTable->setCurrentIndex(m_annotation->index(std::min(m_annotation->rowOf(c) + 1, m_annotation->rowCount() - 1), 0));
    if (change->nextItem)
        moveToNext(listRow, listItem);
    return true;
}

void DatasetWindow::closeEvent(QCloseEvent *event)
{
    logTime();
    AppSettings::datasetWindowGeometry.set(saveGeometry());
    QMainWindow::closeEvent(event);
}

void DatasetWindow::submit()
{
    polar::Annotation a = draft();
    int ranked = 0;
    for (int r : a.ranks)
        ranked += r > 0;
    if (ranked < 2 && !a.noneAcceptable) {
        showItemPrompt(tr("Rank at least two candidates (keys 1–9), mark none acceptable, or skip (S)."));
        return;
    }
    // A partly ranked item is submitted on a second Enter, once the annotator has been told.
    const int unranked = int(a.ranks.size()) - ranked;
    if (unranked > 0 && !a.noneAcceptable && m_confirmPartialItem != m_current) {
        m_confirmPartialItem = m_current;
        showItemPrompt((unranked == 1 ? tr("1 of %2 candidates is unranked (it gives no pairs). Press Enter again to submit as is.")
                                      : tr("%1 of %2 candidates are unranked (they give no pairs). Press Enter again to submit as is.")
                                            .arg(unranked))
                           .arg(a.ranks.size()));
        return;
    }
    m_confirmPartialItem = size_t(-1);
    clearItemPrompt();
    a.decided = true;
    a.skipped = false;
    const int listRow = m_itemTable->currentIndex().row();
    const size_t listItem = m_current;
    change(a, AnnotateCommand::Kind::Submit);
    moveToNext(listRow, listItem);
}

void DatasetWindow::moveToNext(int row, size_t item)
{
    // The list may have re-sorted (a queue puts decided items last): the
    // next item is the one now at the row the finished one had, unless the
    // finished one is still there.
    const QModelIndex at = m_filter->index(row, 0);
    const bool stayed = at.isValid() && size_t(at.data(DatasetItemModel::ItemRole).toULongLong()) == item;
    const int next = row < 0 ? 0 : stayed ? row + 1 : row;
    if (next < m_filter->rowCount())
        m_itemTable->selectRow(next);
    m_candidateTable->setFocus();
}

void DatasetWindow::startScoring()
{
    if (!m_scorer->running())
        m_scoringBar->toggle();
}

void DatasetWindow::pauseScoring()
{
    if (m_scorer->running())
        m_scoringBar->toggle();
}

bool DatasetWindow::exportAnnotatedTo(const QString &path)
{
    try {
        // The snapshot here, the writing off the GUI thread: scoring may change the project meanwhile.
        const auto items = m_doc->project()->annotatedItems();
        runBusy(this, tr("Writing %1…").arg(QFileInfo(path).fileName()), [&] { polar::writeAnnotatedJsonl(path.toStdString(), items); });
        showMessage(tr("Wrote %1 to %2").arg(countedText(qint64(items.size()), tr("1 annotated record"), tr("%1 annotated records")), path));
        return true;
    } catch (const std::exception &e) {
        showMessage(QString::fromUtf8(e.what()), true);
        return false;
    }
}

polar::ExportSummary DatasetWindow::exportPairsTo(const QString &path, const polar::ExportOptions &options, QString *error)
{
    try {
        const auto items = m_doc->project()->annotatedItems();
        polar::ExportSummary s;
        runBusy(this, tr("Writing %1…").arg(QFileInfo(path).fileName()),
                [&] { s = polar::exportPairs(items, path.toStdString(), options); });
        showMessage(tr("Exported to %1: %2").arg(path, QString::fromStdString(s.describe())));
        return s;
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        showMessage(tr("Export failed: %1").arg(QString::fromUtf8(e.what())), true);
        return {};
    }
}

size_t DatasetWindow::mergeFrom(const QString &path, bool showDialog)
{
    AnnotationDocument::Comparison c;
    try {
        // Their whole project is read off the GUI thread; the merge into this one happens on it.
        std::vector<polar::AnnotatedItem> theirs;
        runBusy(this, tr("Reading %1…").arg(QFileInfo(path).fileName()),
                [&] { theirs = polar::loadAnnotatedItems(path.toStdString()); });
        c = m_doc->compareWith(theirs, path);
    } catch (const std::exception &e) {
        showMessage(QString::fromUtf8(e.what()), true);
        return 0;
    }
    if (showDialog) {
        std::vector<size_t> lines;
        for (size_t i = 0; i < m_doc->size(); ++i)
            lines.push_back(m_doc->project()->record(i).line);
        AgreementDialog dialog(c.agreement, lines, c.taken, this);
        connect(&dialog, &AgreementDialog::itemRequested, this, &DatasetWindow::selectItem);
        dialog.exec();
    }
    return c.taken;
}

void DatasetWindow::writeBetterAnswer()
{
    bool ok = false;
    const QString text = m_current < m_doc->size()
        ? QInputDialog::getMultiLineText(this, tr("Write a better answer"), tr("It joins the candidates, marked as written by you:"), {}, &ok)
        : QString();
    if (ok && !text.trimmed().isEmpty())
        change(polar::withWrittenAnswer(draft(), polar::TextField::fromString(text.toStdString())),
               AnnotateCommand::Kind::WriteAnswer);
}

void DatasetWindow::editCandidate()
{
    const size_t c = m_annotation->candidateAt(m_candidateTable->currentIndex().row());
    if (m_current >= m_doc->size() || c == size_t(-1))
        return;
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(this, tr("Edit candidate"), tr("Text:"),
                                                        QString::fromStdString(m_doc->project()->candidates(m_current)[c].flattened()), &ok);
    if (ok)
        change(polar::withEditedCandidate(draft(), m_doc->project()->record(m_current).outputs.size(), c,
                                          polar::TextField::fromString(text.toStdString())),
               AnnotateCommand::Kind::EditCandidate);
}

void DatasetWindow::showMessage(const QString &text, bool error) { m_message->showMessage(text, error); }

void DatasetWindow::showItemPrompt(const QString &text)
{
    clearItemPrompt();
    m_itemPrompt = text;
    showMessage(text, true);
}

void DatasetWindow::clearItemPrompt()
{
    if (m_itemPrompt.isEmpty())
        return;
    m_message->resolve(m_itemPrompt);
    m_itemPrompt.clear();
}

QString DatasetWindow::lastMessage() const { return m_message->lastMessage(); }
QStringList DatasetWindow::pendingErrors() const { return m_message->pendingErrors(); }

QString DatasetWindow::agreementText() const
{
    return m_doc->isOpen() ? DatasetCharts::describeAgreement(m_doc->project()->annotatedItems()) : QString();
}

namespace {

// Where the loaded model runs ("cpu", "cuda:0"): training and the fine-tuned model go there too.
polar::Device deviceOf(const polar::ModelInfo &info)
{
    return QString::fromStdString(info.device).startsWith("cuda") ? polar::Device::Cuda : polar::Device::Cpu;
}

} // namespace

FineTuneDialog *DatasetWindow::openFineTune()
{
    if (m_fineTune) {
        m_fineTune->raise();
        m_fineTune->activateWindow();
        return m_fineTune;
    }
    if (!m_doc->isOpen()) {
        showMessage(tr("Open a dataset and rank some items first: fine-tuning learns from the rankings."), true);
        return nullptr;
    }
    if (!m_engine->hasModel()) {
        showMessage(tr("Load a model in the main window first: it is the model that gets fine-tuned."), true);
        return nullptr;
    }
    const polar::ModelInfo &info = m_engine->modelInfo();
    const QFileInfo dataset(QString::fromStdString(m_doc->project()->dataset().path));
    FineTuneDialog::Setup setup;
    setup.baseModel = QString::fromStdString(info.directory);
    setup.baseModelName = QString::fromStdString(info.name);
    setup.datasetPath = dataset.filePath();
    setup.suggestedOutput = dataset.dir().filePath(dataset.completeBaseName() + "-fine-tuned-"
                                                   + QDateTime::currentDateTime().toString("yyyyMMdd-HHmm"));
    setup.demoModel = isEmbeddedModelDir(setup.baseModel);
    setup.device = deviceOf(info);
    setup.scoring = m_scorer->settings();
    setup.snapshot = [this] {
        m_fineTuneProject = m_doc->projectGeneration(); // what the result's rewards will belong to
        return m_doc->project()->annotatedItems();
    };
    m_fineTune = new FineTuneDialog(std::move(setup), this);
    m_fineTune->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_fineTune, &FineTuneDialog::fineTuned, this, &DatasetWindow::takeFineTuned);
    m_fineTune->show();
    return m_fineTune;
}

void DatasetWindow::takeFineTuned(const polar::FineTuneResult &result)
{
    // The rewards were scored on a snapshot: setRewards keeps only those whose
    // candidates are unchanged since (the rest become stale, never misplaced).
    m_scorer->pause();
    const bool sameProject = m_doc->isOpen() && m_doc->projectGeneration() == m_fineTuneProject;
    if (sameProject && !m_doc->setRewards(result.rewards, polar::modelNameOf(result.fineTunedModel)))
        return;
    m_engine->loadModel(QString::fromStdString(result.fineTunedModel), deviceOf(m_engine->modelInfo()), polar::ComputeDType::Auto);
    if (!sameProject) {
        showMessage(tr("Fine-tuned model loaded. Its rewards were for the dataset it learned from, which is no longer "
                       "open: score this one again (Ctrl+Return)."));
        return;
    }
    showMessage(tr("Fine-tuned model loaded and the project re-scored: pairwise agreement with the rankings %1% → %2%.")
                    .arg(100 * result.before.pairwiseAccuracy(), 0, 'f', 1)
                    .arg(100 * result.after.pairwiseAccuracy(), 0, 'f', 1));
}

