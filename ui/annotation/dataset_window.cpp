#include "annotation/dataset_window.h"

#include "annotation/commands.h"
#include "annotation/model.h"
#include "widgets/app_settings.h"
#include "annotation/dataset_charts.h"
#include "annotation/dataset_item_model.h"
#include "engine/controller.h"
#include "widgets/message_bar.h"
#include "preferences/annotated_jsonl.h"
#include "preferences/annotator_merge.h"
#include "preferences/metrics.h"
#include "preferences/ranking_edit.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTextBrowser>
#include <QUndoStack>
#include <QVBoxLayout>

namespace {

QString annotatorName()
{
    QString name = AppSettings::annotator.get();
    if (name.isEmpty())
        name = qEnvironmentVariable("USER", "annotator");
    return name;
}

} // namespace

DatasetWindow::DatasetWindow(EngineController *engine, QWidget *parent) : QMainWindow(parent), m_engine(engine)
{
    m_items = new DatasetItemModel(this);
    m_filter = new DatasetFilterModel(this);
    m_filter->setSourceModel(m_items);
    m_filter->setSortRole(DatasetItemModel::UnderlyingDataRole);
    m_annotation = new AnnotationModel(this);
    m_undo = new QUndoStack(this);
    createWidgets();
    createActions();
    connect(m_engine, &EngineController::itemsScored, this, &DatasetWindow::onChunkScored);
    connect(m_engine, &EngineController::itemsScoreFailed, this, [this](const QString &e) {
        m_scoring = false;
        m_scoreButton->setText(tr("Resume scoring"));
        showMessage(e, !e.contains(tr("paused")));
        Q_EMIT scoringStopped(false);
    });
    connect(m_annotation, &AnnotationModel::moveRequested, this, [this](size_t c, int rank) {
        polar::Annotation a = currentAnnotation();
        a.ranks = polar::putAtRank(a.ranks, c, rank);
        changeAnnotation(a, tr("Move candidate"));
    });
    setWindowTitle(tr("Dataset — Polar Studio"));
    resize(1400, 880);
}

DatasetWindow::~DatasetWindow()
{
    m_engine->cancelItemScoring();
    // The views outlive this body (QWidget deletes them later) and may still
    // ask the model for rows: it must stop pointing at the project first.
    m_items->setProject(nullptr);
}

void DatasetWindow::createWidgets()
{
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Search prompts, references and outputs"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(220);
    m_statusFilter = new QComboBox;
    m_statusFilter->addItem(tr("Any status"), -1);
    for (auto s : {polar::ItemStatus::New, polar::ItemStatus::Scored, polar::ItemStatus::Annotated, polar::ItemStatus::Flagged,
                   polar::ItemStatus::Skipped})
        m_statusFilter->addItem(QString::fromLatin1(polar::itemStatusName(s)), int(s));
    m_disagreeFilter = new QCheckBox(tr("Disagrees with model"));
    m_rewardFilter = new QCheckBox(tr("Best reward in"));
    m_rewardMin = new QDoubleSpinBox;
    m_rewardMax = new QDoubleSpinBox;
    for (auto *s : {m_rewardMin, m_rewardMax}) {
        s->setRange(-1000, 1000);
        s->setDecimals(2);
    }
    m_rewardMin->setValue(-10);
    m_rewardMax->setValue(10);

    m_itemTable = new QTableView;
    m_itemTable->setModel(m_filter);
    m_itemTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_itemTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_itemTable->setSortingEnabled(true);
    m_itemTable->sortByColumn(DatasetItemModel::Line, Qt::AscendingOrder);
    m_itemTable->verticalHeader()->setVisible(false);
    m_itemTable->verticalHeader()->setDefaultSectionSize(m_itemTable->fontMetrics().height() + 6);
    m_itemTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_itemTable->horizontalHeader()->setSectionResizeMode(DatasetItemModel::Prompt, QHeaderView::Stretch);
    m_itemTable->setWordWrap(false);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_search, 2);
    filters->addWidget(m_statusFilter);
    filters->addWidget(m_disagreeFilter);
    filters->addWidget(m_rewardFilter);
    filters->addWidget(m_rewardMin);
    filters->addWidget(m_rewardMax);
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(filters);
    leftLayout->addWidget(m_itemTable);

    m_itemText = new QTextBrowser;
    m_candidateTable = new QTableView;
    m_candidateTable->setModel(m_annotation);
    m_candidateTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_candidateTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_candidateTable->setDragDropMode(QAbstractItemView::InternalMove);
    m_candidateTable->setDragEnabled(true);
    m_candidateTable->setAcceptDrops(true);
    m_candidateTable->setDropIndicatorShown(true);
    m_candidateTable->verticalHeader()->setVisible(false);
    m_candidateTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_candidateTable->horizontalHeader()->setSectionResizeMode(AnnotationModel::Text, QHeaderView::Stretch);
    m_candidateTable->setWordWrap(true);
    m_candidateTable->installEventFilter(this);
    m_candidateTable->setToolTip(tr("1–9: put at that rank · T: tie with the one above · 0: unrank · Enter: submit and next · "
                                    "S: skip · F: flag · drag to reorder"));
    m_noneAcceptable = new QCheckBox(tr("None acceptable"));
    m_note = new QLineEdit;
    m_note->setPlaceholderText(tr("Note"));
    auto *write = new QPushButton(tr("Write a better answer…"));
    auto *edit = new QPushButton(tr("Edit candidate…"));
    m_saved = new QLabel;
    auto *help = new QLabel(tr("<small>Keys on the list: <b>1–9</b> rank · <b>T</b> tie with above · <b>0</b> unrank · "
                               "<b>Enter</b> submit &amp; next · <b>S</b> skip · <b>F</b> flag · Ctrl+Z / Ctrl+Shift+Z</small>"));
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_noneAcceptable);
    tools->addWidget(write);
    tools->addWidget(edit);
    tools->addWidget(m_note, 1);
    tools->addWidget(m_saved);

    auto *annotate = new QSplitter(Qt::Vertical);
    annotate->addWidget(m_itemText);
    auto *candidates = new QWidget;
    auto *cLayout = new QVBoxLayout(candidates);
    cLayout->setContentsMargins(0, 0, 0, 0);
    cLayout->addWidget(m_candidateTable, 1);
    cLayout->addLayout(tools);
    cLayout->addWidget(help);
    annotate->addWidget(candidates);
    annotate->setSizes({200, 500});

    m_charts = new DatasetCharts;
    m_tabs = new QTabWidget;
    m_tabs->addTab(annotate, tr("Annotate"));
    m_tabs->addTab(m_charts, tr("Agreement && charts"));

    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(m_tabs);
    split->setSizes({560, 840});

    m_scoreButton = new QPushButton(tr("Score dataset"));
    m_scoreProgress = new QProgressBar;
    m_scoreRate = new QLabel;
    m_message = new MessageBar;
    auto *top = new QHBoxLayout;
    top->addWidget(m_scoreButton);
    top->addWidget(m_scoreProgress, 1);
    top->addWidget(m_scoreRate);
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);
    setCentralWidget(central);

    connect(m_search, &QLineEdit::textChanged, m_filter, &DatasetFilterModel::setSearch);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] { m_filter->setStatus(m_statusFilter->currentData().toInt()); });
    connect(m_disagreeFilter, &QCheckBox::toggled, m_filter, &DatasetFilterModel::setDisagreementOnly);
    auto rewardRange = [this] {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        m_filter->setRewardRange(m_rewardFilter->isChecked() ? m_rewardMin->value() : nan,
                                 m_rewardFilter->isChecked() ? m_rewardMax->value() : nan);
    };
    connect(m_rewardFilter, &QCheckBox::toggled, this, rewardRange);
    connect(m_rewardMin, &QDoubleSpinBox::valueChanged, this, rewardRange);
    connect(m_rewardMax, &QDoubleSpinBox::valueChanged, this, rewardRange);
    connect(m_itemTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &cur) {
        if (!cur.isValid())
            return;
        m_current = size_t(m_filter->data(cur, DatasetItemModel::ItemRole).toULongLong());
        showItem();
    });
    connect(m_scoreButton, &QPushButton::clicked, this, [this] { m_scoring ? pauseScoring() : startScoring(); });
    connect(m_noneAcceptable, &QCheckBox::toggled, this, [this](bool on) {
        if (m_updating)
            return;
        polar::Annotation a = currentAnnotation();
        a.noneAcceptable = on;
        changeAnnotation(a, tr("None acceptable"));
    });
    connect(m_note, &QLineEdit::textEdited, this, [this](const QString &text) {
        polar::Annotation a = currentAnnotation();
        a.note = text.toStdString();
        changeAnnotation(a, tr("Edit note"));
    });
    connect(write, &QPushButton::clicked, this, &DatasetWindow::writeBetterAnswer);
    connect(edit, &QPushButton::clicked, this, &DatasetWindow::editCandidate);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int i) {
        if (i == 1)
            refreshCharts();
    });
}

void DatasetWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&Dataset"));
    QAction *open = file->addAction(tr("&Open dataset…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a JSONL dataset"), {}, tr("JSON Lines (*.jsonl)"));
        if (!path.isEmpty())
            openDataset(path);
    });
    open->setShortcut(QKeySequence::Open);
    QAction *exportAction = file->addAction(tr("&Export pairs…"), this, &DatasetWindow::exportDialog);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction *annotated = file->addAction(tr("Export &annotated JSONL…"), this, [this] {
        if (!m_project)
            return;
        const QString path = QFileDialog::getSaveFileName(this, tr("Annotated JSONL"), {}, tr("JSON Lines (*.jsonl)"));
        if (path.isEmpty())
            return;
        try {
            polar::writeAnnotatedJsonl(path.toStdString(), m_project->annotatedItems());
            showMessage(tr("Wrote %1 annotated records to %2").arg(m_project->size()).arg(path));
        } catch (const std::exception &e) {
            showMessage(QString::fromUtf8(e.what()), true);
        }
    });
    annotated->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    QAction *merge = file->addAction(tr("&Compare with another annotator…"), this, &DatasetWindow::mergeDialog);
    merge->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    QAction *score = file->addAction(tr("&Score dataset / pause"), this, [this] { m_scoring ? pauseScoring() : startScoring(); });
    score->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    QAction *find = file->addAction(tr("&Find"), this, [this] { m_search->setFocus(); });
    find->setShortcut(QKeySequence::Find);
    QAction *annotator = file->addAction(tr("Set annotator &name…"), this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Annotator"), tr("Your name, stored with each decision:"),
                                                   QLineEdit::Normal, annotatorName(), &ok);
        if (ok && !name.trimmed().isEmpty())
            AppSettings::annotator.set(name.trimmed());
    });
    Q_UNUSED(annotator);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    edit->addAction(undo);
    edit->addAction(redo);
}

bool DatasetWindow::openDataset(const QString &path, const Consent &consent)
{
    std::unique_ptr<polar::PreferenceProject> project;
    QString note; // how it was opened, when that was not the plain way
    const std::string dataset = path.toStdString();
    const std::string journal = polar::PreferenceProject::defaultProjectPath(dataset);
    auto ask = [this](const QString &title, const QString &text, const QStringList &choices) {
        if (m_ask)
            return m_ask(title, text, choices);
        QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Cancel, this);
        QList<QAbstractButton *> buttons;
        for (const QString &c : choices)
            buttons.push_back(box.addButton(c, QMessageBox::AcceptRole));
        box.exec();
        return int(buttons.indexOf(box.clickedButton()));
    };
    try {
        project = polar::PreferenceProject::openForDataset(dataset);
    } catch (const polar::DatasetChanged &e) {
        // Nothing was written; offer to carry the annotations over by content.
        const int choice = ask(tr("The dataset changed"), QString::fromUtf8(e.what()), {tr("Reattach by content")});
        if (choice != 0) {
            showMessage(tr("Not opened: the dataset changed since its project was made."), true);
            return false;
        }
        try {
            const auto report = polar::reattachProject(journal, dataset, journal);
            note = tr(" · reattached: %1 (the old journal is kept beside it)").arg(QString::fromStdString(report.describe()));
            project = polar::PreferenceProject::open(journal);
        } catch (const std::exception &e2) {
            showMessage(QString::fromUtf8(e2.what()), true);
            return false;
        }
    } catch (const polar::ProjectDamaged &e) {
        const int choice = ask(tr("The project file is damaged"), QString::fromUtf8(e.what()),
                               {tr("Open read-only"), tr("Repair into a new project…")});
        try {
            if (choice == 0) {
                project = polar::PreferenceProject::open(journal, polar::PreferenceProject::Mode::Salvage);
            } else if (choice == 1) {
                const QString target = QFileDialog::getSaveFileName(this, tr("Write the repaired project to"),
                                                                    QString::fromStdString(journal + ".repaired.polar-project.jsonl"));
                if (target.isEmpty())
                    return false;
                polar::repairProject(journal, target.toStdString());
                note = tr(" · repaired into %1; the damaged file is untouched").arg(target);
                project = polar::PreferenceProject::open(target.toStdString(), polar::PreferenceProject::Mode::ReadOnly);
            } else {
                showMessage(tr("Not opened: %1 is damaged.").arg(QString::fromStdString(journal)), true);
                return false;
            }
        } catch (const std::exception &e2) {
            showMessage(QString::fromUtf8(e2.what()), true);
            return false;
        }
    } catch (const std::exception &e) {
        showMessage(QString::fromUtf8(e.what()), true);
        return false;
    }
    const auto &invalid = project->dataset().invalid;
    if (!invalid.empty()) {
        bool agreed = false;
        if (consent) {
            agreed = consent(invalid);
        } else {
            QDialog dialog(this);
            dialog.setWindowTitle(tr("Invalid lines"));
            auto *list = new QListWidget;
            for (const auto &bad : invalid)
                list->addItem(tr("line %1: %2").arg(bad.line).arg(QString::fromStdString(bad.reason)));
            auto *buttons = new QDialogButtonBox;
            buttons->addButton(tr("Skip these lines and open"), QDialogButtonBox::AcceptRole);
            buttons->addButton(QDialogButtonBox::Cancel);
            connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
            connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
            auto *l = new QVBoxLayout(&dialog);
            l->addWidget(new QLabel(tr("%1 lines of %2 cannot be read. The file itself is never modified.")
                                        .arg(invalid.size()).arg(path)));
            l->addWidget(list);
            l->addWidget(buttons);
            dialog.resize(700, 400);
            agreed = dialog.exec() == QDialog::Accepted;
        }
        if (!agreed) {
            showMessage(tr("Not opened: %1 has %2 invalid lines.").arg(path).arg(invalid.size()), true);
            return false;
        }
    }
    m_engine->cancelItemScoring();
    m_scoring = false;
    m_project = std::move(project);
    m_undo->clear();
    m_items->setProject(m_project.get());
    m_current = size_t(-1);
    setWindowTitle(tr("%1 — Polar Studio dataset").arg(QFileInfo(path).fileName()));
    const size_t scored = m_project->scoredCount();
    m_scoreProgress->setRange(0, int(m_project->size()));
    m_scoreProgress->setValue(int(scored));
    m_scoreButton->setText(scored == 0 ? tr("Score dataset") : scored < m_project->size() ? tr("Resume scoring") : tr("Scored"));
    if (!m_project->writable())
        showMessage(tr("%1 items · opened READ-ONLY (%2 damaged lines left out): nothing can be saved to %3")
                        .arg(m_project->size())
                        .arg(m_project->damage().size())
                        .arg(QString::fromStdString(m_project->path())),
                    true);
    else
        showMessage(tr("%1 items%2 · annotations are saved to %3 after every change%4")
                        .arg(m_project->size())
                        .arg(invalid.empty() ? QString() : tr(", %1 invalid lines skipped").arg(invalid.size()))
                        .arg(QString::fromStdString(m_project->path()))
                        .arg(note));
    if (m_filter->rowCount() > 0)
        m_itemTable->selectRow(0);
    return true;
}

void DatasetWindow::selectItem(size_t item)
{
    const QModelIndex src = m_items->index(int(item), 0);
    const QModelIndex proxy = m_filter->mapFromSource(src);
    if (proxy.isValid())
        m_itemTable->selectRow(proxy.row());
    else {
        m_current = item;
        showItem();
    }
}

polar::Annotation DatasetWindow::currentAnnotation() const
{
    polar::Annotation a = m_project->item(m_current).annotation;
    a.ranks.resize(m_project->candidates(m_current).size(), 0);
    return a;
}

void DatasetWindow::showItem()
{
    if (!m_project || m_current >= m_project->size())
        return;
    m_updating = true;
    const auto &rec = m_project->record(m_current);
    const auto &state = m_project->item(m_current);
    m_itemText->setHtml(tr("<p><b>Line %1</b> · %2</p><h3>Prompt</h3><p style='white-space:pre-wrap'>%3</p>"
                           "<h3>Reference</h3><p style='white-space:pre-wrap'>%4</p>")
                            .arg(rec.line)
                            .arg(QString::fromLatin1(polar::itemStatusName(m_project->status(m_current)))
                                 + (m_project->rewardsStale(m_current) ? tr(" · rewards stale after an edit: score again") : QString()))
                            .arg(QString::fromStdString(rec.prompt.flattened()).toHtmlEscaped())
                            .arg(QString::fromStdString(rec.reference.flattened()).toHtmlEscaped()));
    const size_t keep = m_annotation->candidateAt(m_candidateTable->currentIndex().row());
    m_annotation->setItem(m_project->candidates(m_current), rec.outputs.size(), m_project->rewards(m_current), currentAnnotation());
    m_candidateTable->resizeRowsToContents();
    const int row = keep == size_t(-1) ? 0 : std::max(0, m_annotation->rowOf(keep));
    m_candidateTable->setCurrentIndex(m_annotation->index(row, 0));
    m_noneAcceptable->setChecked(state.annotation.noneAcceptable);
    if (m_note->text().toStdString() != state.annotation.note)
        m_note->setText(QString::fromStdString(state.annotation.note));
    const auto &a = state.annotation;
    m_saved->setText(a.time ? tr("saved %1 by %2").arg(QDateTime::fromSecsSinceEpoch(a.time).toString("HH:mm:ss"),
                                                       QString::fromStdString(a.annotator).toHtmlEscaped())
                            : QString());
    m_updating = false;
}

void DatasetWindow::changeAnnotation(const polar::Annotation &after, const QString &text)
{
    if (!m_project || m_current >= m_project->size())
        return;
    m_undo->push(new AnnotateCommand(this, m_current, m_project->item(m_current).annotation, after, text));
}

void DatasetWindow::applyAnnotation(size_t item, const polar::Annotation &annotation)
{
    polar::Annotation a = annotation;
    a.annotator = annotatorName().toStdString();
    a.time = QDateTime::currentSecsSinceEpoch();
    try {
        m_project->setAnnotation(item, a); // on disk before it is shown
    } catch (const std::exception &e) {
        showMessage(tr("NOT saved: %1").arg(QString::fromUtf8(e.what())), true);
        return;
    }
    m_items->itemChanged(item);
    if (item != m_current)
        selectItem(item);
    else
        showItem();
    Q_EMIT annotationSaved(item);
}

bool DatasetWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_candidateTable || event->type() != QEvent::KeyPress || !m_project || m_current >= m_project->size())
        return QMainWindow::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier))
        return false;
    const int row = m_candidateTable->currentIndex().row();
    const size_t c = m_annotation->candidateAt(row);
    polar::Annotation a = currentAnnotation();
    const int k = key->key();
    if (k >= Qt::Key_1 && k <= Qt::Key_9 && c != size_t(-1)) {
        a.ranks = polar::putAtRank(a.ranks, c, k - Qt::Key_0);
        changeAnnotation(a, tr("Rank %1").arg(k - Qt::Key_0));
        m_candidateTable->setCurrentIndex(m_annotation->index(std::min(m_annotation->rowOf(c) + 1, m_annotation->rowCount() - 1), 0));
        return true;
    }
    if (k == Qt::Key_0 && c != size_t(-1)) {
        a.ranks = polar::unrank(a.ranks, c);
        changeAnnotation(a, tr("Unrank"));
        return true;
    }
    if (k == Qt::Key_T && row > 0 && c != size_t(-1)) {
        a.ranks = polar::tieWith(a.ranks, c, m_annotation->candidateAt(row - 1));
        changeAnnotation(a, tr("Tie"));
        return true;
    }
    if (k == Qt::Key_Return || k == Qt::Key_Enter) {
        submit();
        return true;
    }
    if (k == Qt::Key_S) {
        a.skipped = true;
        changeAnnotation(a, tr("Skip"));
        moveToNext();
        return true;
    }
    if (k == Qt::Key_F) {
        a.flagged = !a.flagged;
        changeAnnotation(a, a.flagged ? tr("Flag") : tr("Unflag"));
        return true;
    }
    return false;
}

void DatasetWindow::submit()
{
    polar::Annotation a = currentAnnotation();
    int ranked = 0;
    for (int r : a.ranks)
        ranked += r > 0;
    if (ranked < 2 && !a.noneAcceptable) {
        showMessage(tr("Rank at least two candidates (keys 1–9), mark none acceptable, or skip (S)."), true);
        return;
    }
    a.decided = true;
    a.skipped = false;
    changeAnnotation(a, tr("Submit"));
    moveToNext();
}

void DatasetWindow::moveToNext()
{
    const QModelIndex cur = m_itemTable->currentIndex();
    const int next = cur.isValid() ? cur.row() + 1 : 0;
    if (next < m_filter->rowCount())
        m_itemTable->selectRow(next);
    m_candidateTable->setFocus();
}

void DatasetWindow::startScoring()
{
    if (!m_project)
        return;
    if (!m_engine->hasModel()) {
        showMessage(tr("Load a model in the main window first."), true);
        return;
    }
    m_scoring = true;
    m_scoreButton->setText(tr("Pause"));
    m_scoreStarted = std::chrono::steady_clock::now();
    m_scored = m_project->scoredCount();
    m_scoredAtStart = m_scored;
    m_nextToScore = 0;
    scoreNextChunk();
}

void DatasetWindow::pauseScoring()
{
    m_scoring = false;
    m_engine->cancelItemScoring();
    m_scoreButton->setText(tr("Resume scoring"));
}

void DatasetWindow::scoreNextChunk()
{
    // Items before the cursor are scored or already sent: no rescans of the whole dataset per chunk.
    polar::ItemScoreRequest request = polar::scoringRequest(*m_project, polar::nextUnscoredChunk(*m_project, m_nextToScore, 32));
    if (request.items.empty()) {
        m_scoring = false;
        m_scoreButton->setText(tr("Scored"));
        showMessage(tr("Every item is scored."));
        Q_EMIT scoringStopped(true);
        return;
    }
    m_engine->scoreItems(std::move(request), m_scoringSettings);
}

void DatasetWindow::onChunkScored(const ItemsResult &o)
{
    if (!m_project)
        return;
    try {
        m_project->setRewards(o.items, o.model);
    } catch (const std::exception &e) {
        showMessage(tr("Rewards NOT saved: %1").arg(QString::fromUtf8(e.what())), true);
        m_scoring = false;
        return;
    }
    m_scored += o.items.size();
    const size_t done = m_scored;
    m_scoreProgress->setValue(int(done));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_scoreStarted).count();
    const double rate = secs > 0 ? double(done - m_scoredAtStart) / secs : 0;
    m_scoreRate->setText(tr("%1 items/s · ETA %2 s").arg(rate, 0, 'f', 1).arg(rate > 0 ? double(m_project->size() - done) / rate : 0, 0, 'f', 0));
    for (const auto &r : o.items)
        m_items->itemChanged(r.item);
    if (m_current < m_project->size())
        showItem();
    Q_EMIT scoringProgress(done, m_project->size());
    if (m_scoring)
        scoreNextChunk();
}

polar::ExportSummary DatasetWindow::exportPairsTo(const QString &path, const polar::ExportOptions &options, QString *error)
{
    try {
        const auto s = polar::exportPairs(m_project->annotatedItems(), path.toStdString(), options);
        showMessage(tr("Exported to %1: %2").arg(path, QString::fromStdString(s.describe())));
        return s;
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        showMessage(tr("Export failed: %1").arg(QString::fromUtf8(e.what())), true);
        return {};
    }
}

void DatasetWindow::exportDialog()
{
    if (!m_project)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Export pairs"));
    auto *strategy = new QComboBox;
    for (auto s : {polar::PairStrategy::AllPairs, polar::PairStrategy::BestVsRest, polar::PairStrategy::Adjacent,
                   polar::PairStrategy::BestVsWorst})
        strategy->addItem(QString::fromLatin1(polar::pairStrategyName(s)), int(s));
    auto *format = new QComboBox;
    format->addItem(tr("POLAR / xtuner train.jsonl (message lists)"), int(polar::PairFormat::Polar));
    format->addItem(tr("TRL conversational (message lists, roles kept)"), int(polar::PairFormat::Trl));
    format->addItem(tr("TRL plain text (prompt ends with a newline)"), int(polar::PairFormat::TrlText));
    auto *useMargin = new QCheckBox(tr("Minimum reward margin"));
    auto *margin = new QDoubleSpinBox;
    margin->setRange(0, 100);
    margin->setSingleStep(0.1);
    auto *hard = new QCheckBox(tr("Hard pairs only (the model disagrees)"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("Strategy"), strategy);
    form->addRow(tr("Format"), format);
    form->addRow(useMargin, margin);
    form->addRow(hard);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Write pairs to"), "train.jsonl", tr("JSON Lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    polar::ExportOptions o;
    o.strategy = polar::PairStrategy(strategy->currentData().toInt());
    o.format = polar::PairFormat(format->currentData().toInt());
    if (useMargin->isChecked())
        o.minMargin = margin->value();
    o.hardOnly = hard->isChecked();
    exportPairsTo(path, o);
}

void DatasetWindow::mergeDialog()
{
    if (!m_project)
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Another annotator's project or annotated JSONL"), {},
                                                      tr("Projects and annotated JSONL (*.jsonl)"));
    if (path.isEmpty())
        return;
    std::vector<polar::AnnotatedItem> other;
    try {
        other = polar::alignItems(m_project->annotatedItems(), polar::loadAnnotatedItems(path.toStdString()));
    } catch (const std::exception &e) {
        showMessage(QString::fromUtf8(e.what()), true);
        return;
    }
    const auto mine = m_project->annotatedItems();
    const polar::AnnotatorAgreement agreement = polar::annotatorAgreement(mine, other);
    // Take the other annotator's rankings where this project has none.
    size_t taken = 0;
    try {
        for (auto &change : polar::planMerge(*m_project, polar::loadAnnotatedItems(path.toStdString()), path.toStdString(),
                                             AppSettings::annotator.get().toStdString(), QDateTime::currentSecsSinceEpoch())) {
            m_project->setAnnotation(change.item, change.annotation);
            m_items->itemChanged(change.item);
            ++taken;
        }
    } catch (const std::exception &e) {
        showMessage(tr("Merge stopped: %1").arg(QString::fromUtf8(e.what())), true);
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Annotator agreement"));
    auto *list = new QListWidget;
    for (const auto &c : agreement.conflicts)
        list->addItem(tr("line %1: outputs #%2 and #%3 — this project prefers #%4, the other #%5")
                          .arg(m_project->record(c.item).line)
                          .arg(c.a + 1).arg(c.b + 1)
                          .arg(c.firstSays < 0 ? c.a + 1 : c.b + 1)
                          .arg(c.firstSays < 0 ? c.b + 1 : c.a + 1));
    connect(list, &QListWidget::itemActivated, this, [this, &agreement, list] {
        selectItem(agreement.conflicts[size_t(list->currentRow())].item);
    });
    auto *l = new QVBoxLayout(&dialog);
    l->addWidget(new QLabel(QString::fromStdString(agreement.describe()).toHtmlEscaped().replace('\n', "<br>")
                            + tr("<br>Rankings taken from the other project for items unannotated here: %1").arg(taken)));
    l->addWidget(new QLabel(tr("Conflicts to resolve (double-click to open the item):")));
    l->addWidget(list);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(close, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    l->addWidget(close);
    dialog.resize(700, 460);
    dialog.exec();
}

void DatasetWindow::writeBetterAnswer()
{
    if (!m_project || m_current >= m_project->size())
        return;
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(this, tr("Write a better answer"),
                                                        tr("It joins the candidates, marked as written by you:"), {}, &ok);
    if (!ok || text.trimmed().isEmpty())
        return;
    polar::Annotation a = currentAnnotation();
    a.humanOutputs.push_back(polar::TextField::fromString(text.toStdString()));
    a.ranks.push_back(0);
    a.ranks = polar::putAtRank(a.ranks, a.ranks.size() - 1, 1);
    changeAnnotation(a, tr("Write an answer"));
}

void DatasetWindow::editCandidate()
{
    const size_t c = m_annotation->candidateAt(m_candidateTable->currentIndex().row());
    if (!m_project || c == size_t(-1))
        return;
    const auto candidates = m_project->candidates(m_current);
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(this, tr("Edit candidate"), tr("Text:"),
                                                        QString::fromStdString(candidates[c].flattened()), &ok);
    if (!ok)
        return;
    polar::Annotation a = currentAnnotation();
    const size_t outputs = m_project->record(m_current).outputs.size();
    if (c >= outputs) {
        a.humanOutputs[c - outputs] = polar::TextField::fromString(text.toStdString());
    } else {
        a.edits.erase(std::remove_if(a.edits.begin(), a.edits.end(), [c](const auto &e) { return e.first == c; }), a.edits.end());
        a.edits.emplace_back(c, polar::TextField::fromString(text.toStdString()));
    }
    changeAnnotation(a, tr("Edit candidate"));
}

void DatasetWindow::showMessage(const QString &text, bool error)
{
    m_message->showMessage(text, error);
}

QString DatasetWindow::lastMessage() const
{
    return m_message->lastMessage();
}

void DatasetWindow::refreshCharts()
{
    if (m_project)
        m_charts->update(m_project->annotatedItems());
}

QString DatasetWindow::agreementText() const
{
    if (m_project)
        m_charts->update(m_project->annotatedItems());
    return m_charts->agreementText();
}
