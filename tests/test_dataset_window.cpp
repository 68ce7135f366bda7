// Annotating a dataset as a user does: open (with invalid lines), filter,
// rank with the keyboard, undo, batch-score, export.
#include "annotation/model.h"
#include "annotation/dataset_item_model.h"
#include "annotation/dataset_window.h"
#include "annotation/export_dialog.h"
#include "engine/controller.h"
#include "engine/worker.h"
#include "preferences/annotated_jsonl.h"
#include "annotation/dataset_charts.h"
#include "annotation/guidelines_pane.h"
#include "annotation/item_list_pane.h"
#include "annotation/item_pane.h"
#include "annotation/document.h"
#include "preferences/ranking_edit.h"
#include "widgets/app_settings.h"
#include "analysis/bench_dialog.h"
#include <QComboBox>
#include <QFileInfo>
#include <QTabWidget>
#include <QtCharts/QChartView>
#include "training/fine_tune_dialog.h"
#include "preferences/metrics.h"
#include "preferences/pairs.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "workbench/main_window.h"
#include "workbench/model_panel.h"
#include "test_support.h"
#include "model/reward_model.h"
#include "live_server.h"
#include "remote/server_spec.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QTableWidget>
#include <QTimer>
#include <QScreen>
#include <QPushButton>
#include <QSpinBox>
#include <QSignalSpy>
#include <QDialogButtonBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QPointer>
#include <QtTest>

#include <optional>

using namespace polar;

class TestDatasetWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<MainWindow> m_main;

    QString freshDataset(const QString &name, const QByteArray &extra = {})
    {
        const QString path = m_tmp.filePath(name);
        writeFileAtomically(path.toStdString(), readWholeFile(testdata::sourceDir() + "/datasets/preferences.jsonl") + extra.toStdString());
        return path;
    }

    // The records of `dataset` with every prompt changed: the same answers at the
    // same lines under other questions (so their candidates' fingerprints match).
    QString withOtherPrompts(const QString &dataset, const QString &name)
    {
        std::string text = readWholeFile(dataset.toStdString());
        for (size_t at = 0; (at = text.find("\"prompt\": \"", at)) != std::string::npos; at += 12)
            text.insert(at + 11, "Other: ");
        const QString path = m_tmp.filePath(name);
        writeFileAtomically(path.toStdString(), text);
        return path;
    }

    // Batch scoring from start to stop: whether it ran to the end (scoringStopped's
    // argument), or nothing when it did not stop within a minute.
    static std::optional<bool> scoreToTheEnd(DatasetWindow &w)
    {
        QSignalSpy stopped(&w, &DatasetWindow::scoringStopped);
        w.startScoring();
        if (!stopped.wait(60000))
            return std::nullopt;
        return stopped.first().first().toBool();
    }

    static std::unique_ptr<PreferenceProject> reopen(const QString &dataset)
    {
        return PreferenceProject::open(PreferenceProject::defaultProjectPath(dataset.toStdString()), PreferenceProject::Mode::ReadOnly);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_main = std::make_unique<MainWindow>(m_tmp.filePath("recovery.json"));
        QSignalSpy ready(m_main.get(), &MainWindow::modelReady);
        m_main->loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(ready.wait(30000));
    }

    void cleanupTestCase()
    {
        m_main->discardRecovery();
        m_main.reset();
    }

    void invalidLinesNeedConsent()
    {
        const QString path = freshDataset("invalid.jsonl", "{\"prompt\": \"no reference\", \"output\": \"x\"}\nnot json\n");
        const std::string before = readWholeFile(path.toStdString());
        DatasetWindow w(m_main->engine());
        std::vector<InvalidLine> shown;
        QVERIFY(!w.openDataset(path, [&](const auto &invalid) { shown = invalid; return false; }));
        QCOMPARE(shown.size(), size_t(2));
        QCOMPARE(shown[0].line, size_t(10));
        QVERIFY(QString::fromStdString(shown[0].reason).contains("reference"));
        QVERIFY2(w.lastMessage().contains("has 2 invalid lines"), qPrintable(w.lastMessage()));
        QVERIFY(w.openDataset(path, [](const auto &) { return true; }));
        QCOMPARE(w.itemModel()->rowCount(), 9);
        QCOMPARE(readWholeFile(path.toStdString()), before); // the dataset is never touched

        const QString one = freshDataset("one-invalid.jsonl", "not json\n");
        DatasetWindow w1(m_main->engine());
        QVERIFY(!w1.openDataset(one, [](const auto &) { return false; }));
        QVERIFY2(w1.lastMessage().contains("has 1 invalid line."), qPrintable(w1.lastMessage())); // not "1 invalid lines"
    }

    void changedDatasetOffersReattach()
    {
        const QString path = freshDataset("changed.jsonl");
        {
            auto p = PreferenceProject::openForDataset(path.toStdString());
            Annotation a;
            a.decided = true;
            a.ranks = {2, 1};
            a.note = "kept with its record";
            p->setAnnotation(2, a); // the capital record (chosen/rejected)
        }
        // Prepend a record: positions shift, lines shift, content stays.
        const std::string old = readWholeFile(path.toStdString());
        writeFileAtomically(path.toStdString(), "{\"prompt\":\"new\",\"reference\":\"r\",\"outputs\":[\"a\",\"b\"]}\n" + old);
        DatasetWindow w(m_main->engine());
        QString asked;
        w.setAsker([&](const QString &, const QString &text, const QStringList &) { asked = text; return -1; });
        QVERIFY(!w.openDataset(path));
        QVERIFY2(asked.contains("changed since the project"), qPrintable(asked));
        w.setAsker([](const QString &, const QString &, const QStringList &) { return 0; }); // reattach
        QVERIFY(w.openDataset(path));
        QVERIFY2(w.lastMessage().contains("reattached: 9 records matched, 1 changes carried over; 1 records are new"), qPrintable(w.lastMessage()));
        QCOMPARE(QString::fromStdString(w.project()->item(3).annotation.note), QString("kept with its record"));
        QCOMPARE(w.project()->record(3).line, size_t(4));
        QVERIFY(!w.project()->item(2).annotation.decided);
    }

    void aProjectFileOpensItsProject()
    {
        const QString dataset = freshDataset("by-project.jsonl");
        const std::string journal = PreferenceProject::defaultProjectPath(dataset.toStdString());
        {
            auto p = PreferenceProject::openForDataset(dataset.toStdString());
            Annotation a;
            a.note = "seen through the project file";
            p->setAnnotation(1, a);
        }
        // A project under another name (a repaired one, say): its header names the dataset.
        const QString renamed = m_tmp.filePath("by-project.repaired.polar-project.jsonl");
        QVERIFY(QFile::copy(QString::fromStdString(journal), renamed));
        for (const QString &project : {QString::fromStdString(journal), renamed}) {
            DatasetWindow w(m_main->engine());
            QVERIFY2(w.openDataset(project, [](const auto &) { return false; }), qPrintable(w.lastMessage()));
            QCOMPARE(QString::fromStdString(w.project()->path()), project);
            QVERIFY(w.project()->writable());
            QCOMPARE(QString::fromStdString(w.project()->item(1).annotation.note), QString("seen through the project file"));
            QCOMPARE(w.itemModel()->rowCount(), 9);
            QVERIFY2(w.windowTitle().startsWith("by-project.jsonl"), qPrintable(w.windowTitle()));
            QVERIFY(!QFileInfo::exists(QString::fromStdString(PreferenceProject::defaultProjectPath(project.toStdString()))));
        }
        // The dataset edited since: the project file alone is enough to reattach it.
        writeFileAtomically(dataset.toStdString(), "{\"prompt\":\"new\",\"reference\":\"r\",\"outputs\":[\"a\",\"b\"]}\n"
                                                       + readWholeFile(dataset.toStdString()));
        DatasetWindow w(m_main->engine());
        w.setAsker([](const QString &, const QString &, const QStringList &) { return 0; }); // reattach
        QVERIFY2(w.openDataset(renamed), qPrintable(w.lastMessage()));
        QVERIFY2(w.lastMessage().contains("reattached"), qPrintable(w.lastMessage()));
        QCOMPARE(QString::fromStdString(w.project()->item(2).annotation.note), QString("seen through the project file"));
    }

    void damagedProjectOpensReadOnly()
    {
        const QString path = freshDataset("damaged.jsonl");
        PreferenceProject::openForDataset(path.toStdString());
        const std::string journal = PreferenceProject::defaultProjectPath(path.toStdString());
        writeFileAtomically(journal, readWholeFile(journal) + "garbage\n{\"op\":\"annotation\",\"line\":1,\"annotation\":{\"note\":\"after\"}}\n");
        const std::string before = readWholeFile(journal);
        DatasetWindow w(m_main->engine());
        w.setAsker([](const QString &, const QString &, const QStringList &) { return 0; }); // read-only
        QVERIFY(w.openDataset(path));
        QVERIFY(!w.project()->writable());
        QVERIFY2(w.lastMessage().contains("READ-ONLY"), qPrintable(w.lastMessage()));
        QCOMPARE(QString::fromStdString(w.project()->item(0).annotation.note), QString("after"));
        // A ranking key cannot change a read-only project; it says so and nothing is written.
        w.itemTable()->selectRow(0);
        QTest::keyClick(w.candidateTable(), Qt::Key_1);
        QCOMPARE(readWholeFile(journal), before);
    }

    void keyboardAnnotationIsSavedAndUndoable()
    {
        const QString path = freshDataset("keys.jsonl");
        DatasetWindow w(m_main->engine());
        QAbstractItemModelTester items(w.itemModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester candidates(w.annotationModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(w.openDataset(path));
        w.show();
        QCOMPARE(w.currentItem(), size_t(0));
        QTableView *table = w.candidateTable();
        table->setFocus();
        // Candidate #3 first, #1 second, #2 tied with #1; then submit.
        table->setCurrentIndex(w.annotationModel()->index(2, 0));
        QTest::keyClick(table, Qt::Key_1);
        table->setCurrentIndex(w.annotationModel()->index(w.annotationModel()->rowOf(0), 0));
        QTest::keyClick(table, Qt::Key_2);
        table->setCurrentIndex(w.annotationModel()->index(w.annotationModel()->rowOf(1), 0));
        QTest::keyClick(table, Qt::Key_T);
        QCOMPARE(w.project()->item(0).annotation.ranks, (std::vector<int>{2, 2, 1, 0, 0, 0, 0}));
        QTest::keyClick(table, Qt::Key_Return);
        // Four candidates are unranked: the first Enter says so, the second submits.
        QCOMPARE(w.currentItem(), size_t(0));
        QVERIFY2(w.lastMessage().contains("4 of 7 candidates are unranked"), qPrintable(w.lastMessage()));
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(w.currentItem(), size_t(1)); // moved on
        // The prompt was about the item just submitted: it does not stay on screen over the next,
        // and the next item starts at its first candidate.
        QVERIFY2(!w.pendingErrors().join('\n').contains("unranked"), qPrintable(w.pendingErrors().join("; ")));
        QCOMPARE(table->currentIndex().row(), 0);
        QCOMPARE(w.project()->status(0), ItemStatus::Annotated);
        // The decision is on disk already.
        QCOMPARE(reopen(path)->item(0).annotation.ranks, (std::vector<int>{2, 2, 1, 0, 0, 0, 0}));
        QVERIFY(reopen(path)->item(0).annotation.decided);

        // S skips, F flags.
        table->setFocus();
        QTest::keyClick(table, Qt::Key_S);
        QCOMPARE(w.project()->status(1), ItemStatus::Skipped);
        QTest::keyClick(table, Qt::Key_F);
        QCOMPARE(w.project()->status(2), ItemStatus::Flagged);

        // Undo walks back across items, and the journal follows.
        QUndoStack *undo = w.undoStack();
        undo->undo(); // flag
        undo->undo(); // skip
        QCOMPARE(reopen(path)->status(1), ItemStatus::New);
        undo->undo(); // submit
        QCOMPARE(w.project()->status(0), ItemStatus::New);
        QVERIFY(!reopen(path)->item(0).annotation.decided);
        undo->redo();
        QCOMPARE(reopen(path)->status(0), ItemStatus::Annotated);
    }

    void rankingKeysKeepUpWithTheAnnotator()
    {
        const QString path = freshDataset("keys-flow.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.show();
        QTableView *table = w.candidateTable();
        AnnotationModel *m = w.annotationModel();
        std::vector<size_t> shown;
        for (int r = 0; r < m->rowCount(); ++r)
            shown.push_back(m->candidateAt(r));
        table->setFocus();
        table->setCurrentIndex(m->index(0, 0));
        // 1, T, 2, 3 from the top: each key ranks the selected row and moves down one.
        for (int key : {Qt::Key_1, Qt::Key_T, Qt::Key_2, Qt::Key_3})
            QTest::keyClick(table, Qt::Key(key));
        const auto ranks = w.project()->item(0).annotation.ranks;
        QCOMPARE(ranks[shown[0]], 1);
        QCOMPARE(ranks[shown[1]], 1);
        QCOMPARE(ranks[shown[2]], 2);
        QCOMPARE(ranks[shown[3]], 3);
        for (int r = 0; r < m->rowCount(); ++r)
            QCOMPARE(m->candidateAt(r), shown[size_t(r)]); // rows stayed where they were
        QCOMPARE(table->currentIndex().row(), 4);
        // A key that changes nothing writes nothing and adds no undo step.
        QUndoStack *undo = w.undoStack();
        const int steps = undo->count();
        const std::string journal = readWholeFile(PreferenceProject::defaultProjectPath(path.toStdString()));
        table->setCurrentIndex(m->index(3, 0));
        QTest::keyClick(table, Qt::Key_3);
        QCOMPARE(undo->count(), steps);
        QCOMPARE(readWholeFile(PreferenceProject::defaultProjectPath(path.toStdString())), journal);
        // Rank 9 with ranks 1-3 taken is refused, not stored as 4.
        table->setCurrentIndex(m->index(5, 0));
        QTest::keyClick(table, Qt::Key_9);
        QCOMPARE(w.project()->item(0).annotation.ranks[shown[5]], 0);
        QVERIFY2(w.lastMessage().contains("Rank 9 would leave rank 4 empty"), qPrintable(w.lastMessage()));
        // The keys work while the item list has the focus too.
        w.itemTable()->setFocus();
        QTest::keyClick(w.itemTable(), Qt::Key_4);
        QCOMPARE(w.project()->item(0).annotation.ranks[shown[5]], 4);
    }

    void fitsA1280x720Screen()
    {
        const QString path = freshDataset("small-screen.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.show();
        // Every pane of both tabs must be reachable on a 1280x720 screen, frame and task bar included
        // (a hidden tab's widgets do not count towards the window's minimum).
        for (int tab = 0; tab < w.tabs()->count(); ++tab) {
            w.tabs()->setCurrentIndex(tab);
            const QSize min = w.minimumSizeHint();
            QVERIFY2(min.width() <= 1200 && min.height() <= 640,
                     qPrintable(QString("tab %1: %2x%3").arg(tab).arg(min.width()).arg(min.height())));
        }
        const QRect screen = w.screen()->availableGeometry();
        QVERIFY2(w.width() <= std::max(screen.width(), 1280) && w.height() <= std::max(screen.height(), 720),
                 qPrintable(QString("window %1x%2 on a %3x%4 screen").arg(w.width()).arg(w.height()).arg(screen.width()).arg(screen.height())));
        FineTuneDialog *d = w.openFineTune();
        QVERIFY(d);
        QVERIFY2(d->minimumSizeHint().width() <= 1200 && d->minimumSizeHint().height() <= 640,
                 qPrintable(QString("%1x%2").arg(d->minimumSizeHint().width()).arg(d->minimumSizeHint().height())));
        d->close();
    }

    void f1ListsTheRankingKeys()
    {
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(freshDataset("help.jsonl")));
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QStringList rows;
        QTimer::singleShot(0, [&] {
            QWidget *dialog = QApplication::activeModalWidget();
            if (auto *table = dialog ? dialog->findChild<QTableWidget *>() : nullptr)
                for (int r = 0; r < table->rowCount(); ++r)
                    rows << table->item(r, 0)->text() + " = " + table->item(r, 1)->text();
            if (dialog)
                dialog->close();
        });
        QTest::keyClick(&w, Qt::Key_F1);
        QVERIFY2(rows.contains("Tie it with the candidate above = T"), qPrintable(rows.join("; ")));
        QVERIFY2(rows.filter("Fine-tune").size() == 1, qPrintable(rows.join("; "))); // the window's actions too
    }

    void filtersNarrowTheList()
    {
        const QString path = freshDataset("filters.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.searchField()->setText("strawberry");
        QCOMPARE(w.filterModel()->rowCount(), 2); // the seed question, and a chat that mentions it
        w.searchField()->setText("HAIKU ABOUT AUTUMN"); // case-insensitive
        QCOMPARE(w.filterModel()->rowCount(), 1);
        w.searchField()->setText("");
        w.filterModel()->setStatus(int(ItemStatus::New));
        QCOMPARE(w.filterModel()->rowCount(), 9);
        w.filterModel()->setStatus(int(ItemStatus::Annotated));
        QCOMPARE(w.filterModel()->rowCount(), 0);
        w.filterModel()->setStatus(-1);

        // The item being annotated stays on screen while a filter hides it, and
        // is the list's current row again once the filter lets it back.
        auto currentRowItem = [&] {
            const QModelIndex cur = w.itemTable()->currentIndex();
            return cur.isValid() ? size_t(cur.data(DatasetItemModel::ItemRole).toULongLong()) : size_t(-1);
        };
        w.selectItem(3);
        QCOMPARE(w.currentItem(), size_t(3));
        QCOMPARE(currentRowItem(), size_t(3));
        w.searchField()->setText("HAIKU ABOUT AUTUMN");
        QCOMPARE(w.filterModel()->rowCount(), 1);
        QVERIFY(currentRowItem() != size_t(3));
        QCOMPARE(w.currentItem(), size_t(3)); // no jump to another item
        w.searchField()->setText("");
        QCOMPARE(currentRowItem(), size_t(3));
        QCOMPARE(w.currentItem(), size_t(3));
        w.searchField()->setText("strawberry"); // still shown: it keeps its row
        if (w.filterModel()->mapFromSource(w.filterModel()->sourceModel()->index(3, 0)).isValid())
            QCOMPARE(currentRowItem(), size_t(3));
    }

    // Batch scoring through a remote server that fails some requests: the
    // others are saved, the failed items stay unscored and are named.
    void batchScoringOnAServerNamesWhatItCouldNotScore()
    {
        auto served = RewardModel::load(testdata::tinyModel());
        testdata::LiveServer live(*served, {});
        const int port = live.port;
        testdata::FakeEngine proxy; // the server, except that requests about strawberries fail
        proxy.http->Post("/pooling", [port](const httplib::Request &req, httplib::Response &res) {
            if (req.body.find("strawberry") != std::string::npos) {
                res.status = 500;
                res.set_content(R"({"object": "error", "message": "worker crashed", "code": 500})", "application/json");
                return;
            }
            auto r = httplib::Client("127.0.0.1", port).Post("/pooling", req.body, "application/json");
            res.status = r->status;
            res.set_content(r->body, "application/json");
        });
        proxy.start();

        ServerSpec spec = parseServerSpec("vllm=" + proxy.url(""));
        spec.retries = 0;
        spec.batchSize = 1; // one candidate per request: only the strawberry items fail
        QSignalSpy loaded(m_main->engine(), &EngineController::modelLoaded);
        m_main->engine()->connectServer(QString::fromStdString(testdata::tinyModel()), spec);
        QVERIFY(loaded.wait(30000));

        const QString path = freshDataset("remote.jsonl");
        {
            DatasetWindow w(m_main->engine());
            QVERIFY(w.openDataset(path));
            QVERIFY(scoreToTheEnd(w) == false);
            QVERIFY2(w.lastMessage().contains("could not be scored") && w.lastMessage().contains("worker crashed"),
                     qPrintable(w.lastMessage()));
        }
        auto project = reopen(path);
        size_t unscored = 0;
        for (size_t i = 0; i < project->size(); ++i) {
            bool strawberry = project->record(i).prompt.flattened().find("strawberry") != std::string::npos
                              || project->record(i).reference.flattened().find("strawberry") != std::string::npos;
            for (const auto &c : project->candidates(i))
                strawberry = strawberry || c.flattened().find("strawberry") != std::string::npos;
            QCOMPARE(project->rewards(i).empty(), strawberry);
            unscored += strawberry;
        }
        QVERIFY(unscored > 0 && unscored < project->size());

        m_main->loadModel(QString::fromStdString(testdata::tinyModel())); // in-process again, for the tests after this one
        QVERIFY(loaded.wait(30000));
        QVERIFY(m_main->engine()->modelInfo().remote.empty());
    }

    // Opening another dataset while a chunk is being scored: the chunk's rewards
    // belong to the items it was asked for, never to the new dataset's items at
    // the same positions (here the same answers under other prompts, so even the
    // candidates' fingerprint would match).
    void aChunkInFlightNeverLandsOnTheNextDataset()
    {
        const QString first = freshDataset("first.jsonl");
        const QString second = withOtherPrompts(first, "second.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(first));
        // What the engine sends back for the first dataset's first item, late.
        ItemsResult late;
        late.model = m_main->engine()->modelInfo().rewardsName();
        late.items = {w.project()->rewardsForCurrent(0, std::vector<float>(w.project()->candidates(0).size(), 1.5f))};
        w.startScoring();
        QVERIFY(w.openDataset(second));
        Q_EMIT m_main->engine()->itemsScored(late);
        QTest::qWait(1500); // and the chunk that was running has come back by now
        QCOMPARE(w.project()->dataset().path, second.toStdString());
        QCOMPARE(w.project()->scoredCount(), size_t(0));
        QCOMPARE(reopen(second)->scoredCount(), size_t(0));
    }

    void batchScoringThenExport()
    {
        const QString path = freshDataset("scored.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        QVERIFY(scoreToTheEnd(w) == true);
        auto project = reopen(path);
        for (size_t i = 0; i < project->size(); ++i)
            QCOMPARE(project->rewards(i).size(), project->candidates(i).size());
        QVERIFY2(w.agreementText().contains("pairwise accuracy"), qPrintable(w.agreementText()));
        // Chosen/rejected items give pairs without annotation; disagreement filter works on them.
        w.filterModel()->setDisagreementOnly(true);
        int expected = 0;
        for (size_t i = 0; i < project->size(); ++i)
            expected += disagreesWithModel(project->effectiveRanks(i), project->rewards(i));
        QCOMPARE(w.filterModel()->rowCount(), expected);
        for (int r = 0; r < w.filterModel()->rowCount(); ++r) {
            const size_t i = size_t(w.filterModel()->index(r, 0).data(DatasetItemModel::ItemRole).toULongLong());
            QVERIFY(disagreesWithModel(project->effectiveRanks(i), project->rewards(i)));
        }
        w.filterModel()->setDisagreementOnly(false);
        QCOMPARE(w.filterModel()->rowCount(), int(project->size()));

        // Ticking "Best reward in" first shows every scored item: the range starts at their rewards'.
        auto *list = w.findChild<ItemListPane *>();
        QVERIFY(list);
        double lo = 1e300, hi = -1e300; // over each item's best reward
        for (size_t i = 0; i < project->size(); ++i) {
            const auto rewards = project->rewards(i);
            const double best = *std::max_element(rewards.begin(), rewards.end());
            lo = std::min(lo, best);
            hi = std::max(hi, best);
        }
        list->rewardFilter()->setChecked(true);
        QCOMPARE(w.filterModel()->rowCount(), int(project->size()));
        QCOMPARE(list->rewardMin()->value(), std::floor(lo));
        QCOMPARE(list->rewardMax()->value(), std::ceil(hi));
        list->rewardMin()->setValue(std::ceil(hi)); // narrowed to nothing but the best items
        QVERIFY(w.filterModel()->rowCount() < int(project->size()));
        // A bound the annotator set is kept when the filter is ticked again.
        list->rewardFilter()->setChecked(false);
        QCOMPARE(w.filterModel()->rowCount(), int(project->size()));
        list->rewardFilter()->setChecked(true);
        QCOMPARE(list->rewardMin()->value(), std::ceil(hi));
        list->rewardFilter()->setChecked(false);

        // The annotated JSONL too, written off the GUI thread from a snapshot, read back whole.
        const QString annotated = m_tmp.filePath("scored-annotated.jsonl");
        QVERIFY(w.exportAnnotatedTo(annotated));
        QVERIFY2(w.lastMessage().startsWith(QString("Wrote %1 annotated records to").arg(w.project()->size())), qPrintable(w.lastMessage()));
        QCOMPARE(readAnnotatedJsonl(annotated.toStdString()).size(), w.project()->size());
        QVERIFY(!w.exportAnnotatedTo(m_tmp.filePath("no-such-folder/a.jsonl")));
        QVERIFY2(w.pendingErrors().join('\n').contains("no-such-folder"), qPrintable(w.pendingErrors().join("; ")));
        const QString train = m_tmp.filePath("train.jsonl");
        ExportOptions o;
        const ExportSummary s = w.exportPairsTo(train, o);
        QCOMPARE(s.pairs, size_t(2));
        QCOMPARE(readJsonl(train.toStdString()).size(), size_t(2));

        // The export dialog counts what its choices give before anything is written,
        // with the exporter's own selection, and will not export nothing.
        ExportDialog d(w.project()->annotatedItems());
        QVERIFY2(d.preview().startsWith(QString::fromStdString(s.describe()).left(20)), qPrintable(d.preview()));
        auto *ok = d.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        auto box = [&d](const char *text) {
            for (auto *c : d.findChildren<QCheckBox *>())
                if (c->text().startsWith(QLatin1String(text)))
                    return c;
            return static_cast<QCheckBox *>(nullptr);
        };
        box("Hard pairs only")->setChecked(true);
        ExportOptions hard;
        hard.hardOnly = true;
        const ExportSummary hs = w.exportPairsTo(m_tmp.filePath("hard.jsonl"), hard);
        QVERIFY(hs.pairs < s.pairs);
        QVERIFY2(d.preview().startsWith(QString::fromStdString(hs.describe()).left(15)), qPrintable(d.preview()));
        QVERIFY2(d.preview().contains(hs.pairs == 1 ? "1 pair from" : "pairs from"), qPrintable(d.preview()));
        QCOMPARE(d.options().hardOnly, true);
        box("Minimum reward margin")->setChecked(true);
        d.findChild<QDoubleSpinBox *>()->setValue(100);
        QTRY_VERIFY2(d.preview().contains("Nothing to export"), qPrintable(d.preview())); // once the spin box settles
        QVERIFY(!ok->isEnabled());
    }

    void lengthBiasAndCalibrationInTheChartsTab()
    {
        const QString path = freshDataset("length.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        QVERIFY(scoreToTheEnd(w).has_value());
        QSignalSpy analysed(m_main->engine(), &EngineController::analysisFinished);
        w.tabs()->setCurrentIndex(0);
        w.tabs()->setCurrentIndex(1);
        QVERIFY(analysed.wait(30000));
        const auto &r = w.charts()->lengthBias();
        // Every scored candidate is a point; the chosen/rejected records give the human pairs.
        size_t candidates = 0, pairs = 0;
        for (size_t i = 0; i < w.project()->size(); ++i) {
            candidates += w.project()->candidates(i).size();
            pairs += w.project()->effectiveRanks(i).size() == 2;
        }
        QCOMPARE(r.points.size(), candidates);
        QCOMPARE(r.pairs, pairs);
        QVERIFY2(w.charts()->lengthText().contains("Spearman") && w.charts()->lengthText().contains("always the longer"),
                 qPrintable(w.charts()->lengthText()));
        QCOMPARE(w.charts()->calibration().pairs, pairs);
        // A pair whose lengths differ 2x or more says so beside its item (the sample has one).
        QVERIFY(!r.lopsided.empty());
        const QString lopsided = r.lopsided.size() == 1 ? QString::fromUtf8("1 pair differs 2× or more")
                                                        : QString::fromUtf8("%1 pairs differ 2× or more").arg(r.lopsided.size());
        QVERIFY2(w.charts()->lengthText().contains(lopsided), qPrintable(w.charts()->lengthText()));
        for (const auto &l : r.lopsided) {
            QVERIFY(std::max(l.chosenTokens, l.rejectedTokens) >= 2 * std::min(l.chosenTokens, l.rejectedTokens));
            for (size_t i = 0; i < w.project()->size(); ++i)
                if (w.project()->record(i).line == l.line)
                    w.selectItem(i);
            QVERIFY2(w.itemHeader().contains("length may decide this pair"), qPrintable(w.itemHeader()));
        }
        QVERIFY(w.charts()->chart(4)->chart()->title().contains("ECE"));

        // Another dataset opened: the lengths measured for this one (keyed by line) go with
        // it, and a measurement of it that comes back late is not taken for the new one's.
        const polar::LengthBiasReport measured = r;
        QVERIFY(w.openDataset(withOtherPrompts(path, "length-other.jsonl")));
        QVERIFY(w.charts()->lengthBias().lopsided.empty());
        Q_EMIT m_main->engine()->analysisFinished(QVariant::fromValue(measured));
        QVERIFY(w.charts()->lengthBias().lopsided.empty());
        for (size_t i = 0; i < w.project()->size(); ++i) {
            w.selectItem(i);
            QVERIFY2(!w.itemHeader().contains("length may decide"), qPrintable(w.itemHeader()));
        }
    }

    void theChartsTabFollowsScoringWhileShown()
    {
        const QString path = freshDataset("live-charts.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.tabs()->setCurrentIndex(1); // shown before anything is scored, and left there
        // Nothing scored yet: no figure that reads as a model always wrong.
        QTRY_VERIFY2(w.charts()->agreementText().contains("pairwise accuracy: n/a"), qPrintable(w.charts()->agreementText()));
        QSignalSpy analysed(m_main->engine(), &EngineController::analysisFinished);
        QVERIFY(scoreToTheEnd(w) == true);
        // The lengths are measured once scoring stops, not between its chunks.
        QVERIFY(analysed.wait(30000));
        size_t candidates = 0;
        for (size_t i = 0; i < w.project()->size(); ++i)
            candidates += w.project()->candidates(i).size();
        QCOMPARE(w.charts()->lengthBias().points.size(), candidates);
        QVERIFY2(w.charts()->lengthText().contains("Spearman"), qPrintable(w.charts()->lengthText()));
        QVERIFY2(w.charts()->agreementText().contains("pairwise accuracy: 0.") || w.charts()->agreementText().contains("pairwise accuracy: 1."),
                 qPrintable(w.charts()->agreementText()));
    }

    void evaluatesARewardBenchFile()
    {
        DatasetWindow w(m_main->engine());
        BenchDialog *d = w.openBenchmark();
        d->setBenchFile(QString::fromStdString(testdata::sourceDir()) + "/datasets/rewardbench-sample.jsonl");
        d->setReference("column:reference");
        QSignalSpy done(d, &BenchDialog::finished);
        d->run();
        QVERIFY(done.wait(60000));
        QVERIFY(done.first().first().toBool());
        QCOMPARE(d->report()->evaluated, size_t(16));
        QCOMPARE(d->report()->subsets.size(), size_t(4));
        QVERIFY2(d->reportText().contains("not comparable"), qPrintable(d->reportText()));
        // A reference source that gives nothing is refused before anything runs.
        d->setReference("column:absent");
        done.clear();
        d->run();
        QCOMPARE(done.size(), 1);
        QCOMPARE(done.first().first().toBool(), false);
        // The column's default name is no file path: choosing a references file starts empty.
        d->setReference("column:reference");
        auto *kind = d->findChild<QComboBox *>();
        auto *arg = d->findChild<QLineEdit *>("referenceArg");
        QCOMPARE(arg->text(), QString("reference"));
        kind->setCurrentIndex(kind->findData("file"));
        QVERIFY(arg->text().isEmpty());
        kind->setCurrentIndex(kind->findData("column"));
        QCOMPARE(arg->text(), QString("reference"));
        d->close();
    }

    void leastCertainFirstQueue()
    {
        const QString path = freshDataset("queue.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        QVERIFY(scoreToTheEnd(w).has_value());
        w.show();
        w.findChild<QComboBox *>("queue")->setCurrentIndex(1); // least certain first
        // The list now runs by the model's top-two margin, smallest first, among the scored items with two candidates or more.
        std::vector<double> margins;
        for (int r = 0; r < w.filterModel()->rowCount(); ++r) {
            const size_t i = size_t(w.filterModel()->index(r, 0).data(DatasetItemModel::ItemRole).toULongLong());
            if (const auto m = topTwoMargin(w.project()->rewards(i)))
                margins.push_back(*m);
        }
        QVERIFY(margins.size() >= 3);
        QVERIFY(std::is_sorted(margins.begin(), margins.end()));
        // Submitting the first moves to the one that was second, though the submitted item moves to the end.
        auto itemAt = [&](int r) { return size_t(w.filterModel()->index(r, 0).data(DatasetItemModel::ItemRole).toULongLong()); };
        w.filterModel()->sort(0); // the order as shown
        const size_t first = itemAt(0), second = itemAt(1);
        w.selectItem(first);
        QTableView *table = w.candidateTable();
        table->setFocus();
        table->setCurrentIndex(w.annotationModel()->index(0, 0));
        QTest::keyClick(table, Qt::Key_1);
        table->setCurrentIndex(w.annotationModel()->index(1, 0));
        QTest::keyClick(table, Qt::Key_2);
        for (int k = 0; k < 2 && w.currentItem() == first; ++k)
            QTest::keyClick(table, Qt::Key_Return); // a second Enter when some candidates stay unranked
        QCOMPARE(w.currentItem(), second);
        QCOMPARE(itemAt(w.filterModel()->rowCount() - 1), first); // decided: last in this queue
    }

    void bothGoodAndBothBadOnTwoCandidates()
    {
        const QString path = freshDataset("pairs2.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.show();
        // The sample's two-candidate items (chosen/rejected records and a two-output one).
        std::vector<size_t> two;
        for (size_t i = 0; i < w.project()->size(); ++i)
            if (w.project()->candidates(i).size() == 2)
                two.push_back(i);
        QVERIFY(two.size() >= 2);
        QTableView *table = w.candidateTable();
        w.selectItem(two[0]);
        table->setFocus();
        QTest::keyClick(table, Qt::Key_G);
        QCOMPARE(w.project()->item(two[0]).annotation.ranks, (std::vector<int>{1, 1}));
        QVERIFY(w.project()->item(two[0]).annotation.decided);
        QVERIFY(w.currentItem() != two[0]); // moved on
        w.selectItem(two[1]);
        table->setFocus();
        QTest::keyClick(table, Qt::Key_B);
        QVERIFY(w.project()->item(two[1]).annotation.noneAcceptable);
        const auto report = agreementReport(w.project()->annotatedItems());
        QCOMPARE(report.bothGood, 1);
        QCOMPARE(report.bothBad, 1);
        QVERIFY(QString::fromStdString(report.describe()).contains("both good: 1, both bad: 1"));
        // Neither gives a pair.
        for (size_t i : {two[0], two[1]})
            QVERIFY(pairsFromRanking(w.project()->effectiveRanks(i), PairStrategy::AllPairs).empty());
        // On an item with more candidates G does nothing.
        size_t many = 0;
        while (w.project()->candidates(many).size() == 2)
            ++many;
        w.selectItem(many);
        const auto before = w.project()->item(many).annotation;
        table->setFocus();
        QTest::keyClick(table, Qt::Key_G);
        QVERIFY(w.project()->item(many).annotation == before);
    }

    void shuffledCandidatesAreRecorded()
    {
        AppSettings::shuffleCandidates.set(true);
        const QString path = freshDataset("shuffled.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.show();
        w.selectItem(0);
        const auto expected = shuffledOrder(w.project()->candidates(0).size(), AnnotationDocument::annotator().toStdString(),
                                            w.project()->record(0).contentHash);
        QVERIFY(expected != std::vector<size_t>({0, 1, 2, 3, 4, 5, 6}));
        for (int r = 0; r < w.annotationModel()->rowCount(); ++r)
            QCOMPARE(w.annotationModel()->candidateAt(r), expected[size_t(r)]); // shown in this annotator's order
        QTableView *table = w.candidateTable();
        table->setFocus();
        table->setCurrentIndex(w.annotationModel()->index(0, 0));
        QTest::keyClick(table, Qt::Key_1); // the first shown becomes the best
        QCOMPARE(w.project()->item(0).annotation.shownOrder, expected); // recorded with the first change
        QCOMPARE(w.project()->item(0).annotation.ranks[expected[0]], 1);
        AppSettings::shuffleCandidates.set(false);
    }

    void guidelinesBesideTheItem()
    {
        const QString path = freshDataset("guided.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        GuidelinesPane *g = w.guidelines();
        QCOMPARE(QFileInfo(g->path()).fileName(), QStringLiteral("guided.guidelines.md"));
        QVERIFY(g->markdown().isEmpty());
        QVERIFY(g->save("# Rules\n\nCorrect before complete."));
        QVERIFY(QFile::exists(g->path()));
        QCOMPARE(g->markdown(), QStringLiteral("# Rules\n\nCorrect before complete."));
        // Written by someone else: shown as it is on disk once the watcher sees it.
        writeFileAtomically(g->path().toStdString(), "# Rules v2\n");
        QTRY_COMPARE_WITH_TIMEOUT(g->markdown(), QStringLiteral("# Rules v2\n"), 5000);
        // Another dataset, its own guidelines.
        DatasetWindow other(m_main->engine());
        QVERIFY(other.openDataset(freshDataset("unguided.jsonl")));
        QVERIFY(other.guidelines()->markdown().isEmpty());
    }

    void aDecisionLeavesTheGuidelinesTheirWidth()
    {
        const QString path = freshDataset("guidelines-width.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.tabs()->setCurrentIndex(0); // Annotate (the last test may have left the charts open)
        w.resize(1280, 680);
        w.show();
        auto *item = w.findChild<ItemPane *>();
        QVERIFY(item && item->isVisible());
        const int before = item->minimumSizeHint().width();
        // The first decision shows "saved HH:MM:SS by NAME"; it must not widen the item pane's
        // minimum, which pushed the splitter into the guidelines (70 px of them were left at 1280x720).
        QTableView *table = w.candidateTable();
        table->setFocus();
        table->setCurrentIndex(w.annotationModel()->index(0, 0));
        QTest::keyClick(table, Qt::Key_1);
        QCOMPARE(w.project()->item(0).annotation.ranks[w.annotationModel()->candidateAt(0)], 1);
        QVERIFY(!item->saved()->text().isEmpty());
        QCoreApplication::processEvents();
        QCOMPARE(item->minimumSizeHint().width(), before);
    }

    void timeOnEachItemIsLogged()
    {
        const QString path = freshDataset("timed.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        w.selectItem(0);
        QTest::qWait(1300);
        w.selectItem(1); // leaving item 0 logs its time
        const auto &seconds = w.project()->item(0).seconds;
        QCOMPARE(seconds.size(), size_t(1));
        QVERIFY(seconds.begin()->second >= 1.0 && seconds.begin()->second < 30.0);
        QVERIFY(w.project()->item(1).seconds.empty());
        QVERIFY(QString::fromStdString(describeAnnotatorTimes(annotatorTimes(w.project()->annotatedItems()))).contains(": 1 item, "));
    }

    void anotherModelsRewardsAreScoredAgain()
    {
        // A project scored by another model: its rewards are not shown as the
        // loaded model's, the list says whose they are, and scoring redoes them.
        const QString path = freshDataset("other-model.jsonl");
        {
            auto p = PreferenceProject::openForDataset(path.toStdString());
            std::vector<ItemRewards> fake;
            for (size_t i = 0; i < p->size(); ++i)
                fake.push_back(p->rewardsForCurrent(i, std::vector<float>(p->candidates(i).size(), 99.f)));
            p->setRewards(fake, "some-other-model");
        }
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        QCOMPARE(w.project()->scoredCount(), size_t(0));
        const QModelIndex best = w.itemModel()->index(0, DatasetItemModel::BestReward);
        QCOMPARE(best.data().toString(), QStringLiteral("stale"));
        QVERIFY2(best.data(Qt::ToolTipRole).toString().contains("some-other-model"), qPrintable(best.data(Qt::ToolTipRole).toString()));
        QVERIFY(scoreToTheEnd(w).has_value());
        QCOMPARE(w.project()->scoredCount(), w.project()->size());
        for (size_t i = 0; i < w.project()->size(); ++i)
            for (float r : w.project()->rewards(i))
                QVERIFY(r != 99.f);
    }

    void rewardsOfAnotherPrecisionAreScoredAgain()
    {
        // fp32 rewards are not the bf16 model's: loading it at bf16 makes them stale, and scoring redoes them.
        const QString path = freshDataset("other-precision.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        QVERIFY(scoreToTheEnd(w).has_value());
        QCOMPARE(w.project()->scoredCount(), w.project()->size());
        const std::vector<float> fp32 = w.project()->rewards(0);
        const std::string name = m_main->engine()->modelInfo().name;
        QCOMPARE(w.project()->item(0).rewardModel, name);

        auto loadAt = [this](const QString &dtype) {
            m_main->findChild<ModelPanel *>()->setDeviceAndDtype(QStringLiteral("cpu"), dtype);
            QSignalSpy ready(m_main.get(), &MainWindow::modelReady);
            m_main->loadModel(QString::fromStdString(testdata::tinyModel()));
            return ready.wait(30000) && ready.first().first().toBool();
        };
        QVERIFY(loadAt(QStringLiteral("bf16")));
        QCOMPARE(w.project()->scoredCount(), size_t(0));
        const QModelIndex best = w.itemModel()->index(0, DatasetItemModel::BestReward);
        QCOMPARE(best.data().toString(), QStringLiteral("stale"));
        QVERIFY(scoreToTheEnd(w).has_value());
        QCOMPARE(w.project()->scoredCount(), w.project()->size());
        QCOMPARE(w.project()->item(0).rewardModel, name + " (bf16)");
        QVERIFY(w.project()->rewards(0) != fp32); // bf16 rounds the tiny model's rewards

        QVERIFY(loadAt(QStringLiteral("auto"))); // the model the other tests expect
        QCOMPARE(QString::fromStdString(m_main->engine()->modelInfo().dtype), QString("fp32"));
        QCOMPARE(w.project()->scoredCount(), size_t(0)); // the bf16 rewards are stale in turn
    }

    void fineTuneLearnsTheRankingsAndLoadsTheNewModel()
    {
        const QString path = freshDataset("tune.jsonl");
        {
            auto p = PreferenceProject::openForDataset(path.toStdString());
            for (size_t i = 0; i < p->size(); ++i) {
                Annotation a;
                a.decided = true;
                // The reversed order of the candidates: something to learn.
                for (size_t k = 0; k < p->candidates(i).size(); ++k)
                    a.ranks.push_back(int(p->candidates(i).size() - k));
                p->setAnnotation(i, a);
            }
        }
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        FineTuneDialog *d = w.openFineTune();
        QVERIFY(d);
        // Before Start, the dialog says what it would learn from, counted as training counts it.
        ExportSummary pairs;
        QVERIFY(!rankingPairs(w.project()->annotatedItems(), pairs).empty());
        QVERIFY2(d->trainingData().startsWith(QString::fromStdString(pairs.describe()).toHtmlEscaped()), qPrintable(d->trainingData()));
        QVERIFY(d->findChild<QPushButton *>("start")->isEnabled());
        const QString out = m_tmp.filePath("tuned-model");
        d->findChild<QLineEdit *>("output")->setText(out);
        d->findChild<QSpinBox *>("epochs")->setValue(8);
        d->findChild<QDoubleSpinBox *>("learningRate")->setValue(5e-3);
        d->findChild<QSpinBox *>("batchTokens")->setValue(2000);
        d->findChild<QDoubleSpinBox *>("validationFraction")->setValue(0);
        QSignalSpy tuned(d, &FineTuneDialog::fineTuned);
        QSignalSpy loaded(m_main->engine(), &EngineController::modelLoaded);
        QTest::mouseClick(d->findChild<QPushButton *>("start"), Qt::LeftButton);
        QVERIFY(tuned.wait(120000));
        const auto result = tuned.first().first().value<FineTuneResult>();
        QVERIFY2(result.after.pairwiseAccuracy() > result.before.pairwiseAccuracy(),
                 qPrintable(QString("%1 -> %2").arg(result.before.pairwiseAccuracy()).arg(result.after.pairwiseAccuracy())));
        QVERIFY(loaded.wait(30000));
        QCOMPARE(QString::fromStdString(m_main->engine()->modelInfo().directory), out);
        // The project holds the new model's rewards, and says which model gave them.
        for (size_t i = 0; i < w.project()->size(); ++i)
            QCOMPARE(w.project()->rewards(i), result.rewards[i].rewards);
        QVERIFY2(w.lastMessage().contains("re-scored"), qPrintable(w.lastMessage()));
        d->close();
        m_main->loadModel(QString::fromStdString(testdata::tinyModel())); // for the tests after this one
        QVERIFY(loaded.wait(30000));
    }

    // Another annotator's project: their rankings are taken for the items not
    // decided here, as one undo step; a file that cannot be read is named.
    void comparingWithAnotherAnnotatorTakesTheirRankings()
    {
        const QString theirs = freshDataset("theirs.jsonl");
        std::vector<int> ranks;
        {
            auto p = PreferenceProject::openForDataset(theirs.toStdString());
            for (size_t k = 0; k < p->candidates(0).size(); ++k)
                ranks.push_back(int(p->candidates(0).size() - k));
            Annotation a;
            a.decided = true;
            a.ranks = ranks;
            a.annotator = "bo";
            p->setAnnotation(0, a);
        }
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(freshDataset("mine.jsonl")));
        QCOMPARE(w.mergeFrom(QString::fromStdString(PreferenceProject::defaultProjectPath(theirs.toStdString())), false), size_t(1));
        QCOMPARE(w.project()->item(0).annotation.ranks, ranks);
        QCOMPARE(reopen(QString::fromStdString(w.project()->dataset().path))->item(0).annotation.ranks, ranks); // on disk
        w.undoStack()->undo();
        QVERIFY(!w.project()->item(0).annotation.decided);
        const QString missing = m_tmp.filePath("nobody.polar-project.jsonl");
        QCOMPARE(w.mergeFrom(missing, false), size_t(0));
        QVERIFY2(w.pendingErrors().join('\n').contains("nobody.polar-project.jsonl"), qPrintable(w.pendingErrors().join("; ")));
    }

    // A fine-tune learns from the dataset open when it started; its rewards are
    // never written into another dataset opened meanwhile, and an idle dialog
    // (which describes the old dataset) closes.
    void aFineTuneNeverScoresTheNextDataset()
    {
        const QString first = freshDataset("tune-first.jsonl");
        const QString second = withOtherPrompts(first, "tune-second.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(first));
        QPointer<FineTuneDialog> d = w.openFineTune();
        QVERIFY(d);
        FineTuneResult late; // as the fine-tune on the first dataset would report it
        late.fineTunedModel = testdata::tinyModel();
        late.rewards = {w.project()->rewardsForCurrent(0, std::vector<float>(w.project()->candidates(0).size(), 1.5f))};
        QVERIFY(w.openDataset(second));
        QVERIFY(d); // closed, deleted later
        QSignalSpy loaded(m_main->engine(), &EngineController::modelLoaded);
        Q_EMIT d->fineTuned(late);
        QCOMPARE(w.project()->scoredCount(), size_t(0));
        QVERIFY2(w.lastMessage().contains("no longer open"), qPrintable(w.lastMessage()));
        QVERIFY(loaded.wait(30000));
        QTRY_VERIFY(d.isNull());
        QCOMPARE(reopen(second)->scoredCount(), size_t(0));
    }

    void scoringPausesAndResumesWithoutRescoring()
    {
        // 70 items: more than two chunks of 32.
        std::string data;
        for (int i = 0; i < 70; ++i)
            data += "{\"prompt\":\"Q" + std::to_string(i) + "\",\"reference\":\"R\",\"outputs\":[\"a\",\"b\"]}\n";
        const QString path = m_tmp.filePath("pause.jsonl");
        writeFileAtomically(path.toStdString(), data);
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        QSignalSpy progress(&w, &DatasetWindow::scoringProgress);
        QSignalSpy stopped(&w, &DatasetWindow::scoringStopped);
        w.startScoring();
        QVERIFY(progress.wait(30000)); // the first chunk is saved
        w.pauseScoring();
        QCOMPARE(stopped.size(), 1);
        QCOMPARE(stopped.last().first().toBool(), false); // paused, not finished
        QTRY_COMPARE_WITH_TIMEOUT(m_main->engine()->pending(EngineController::Kind::Items), 0, 30000);
        const size_t scoredAtPause = w.project()->scoredCount();
        QVERIFY(scoredAtPause >= 32 && scoredAtPause < 70);
        w.startScoring(); // resume
        QTRY_VERIFY_WITH_TIMEOUT(!stopped.isEmpty() && stopped.last().first().toBool(), 60000);
        QCOMPARE(w.project()->scoredCount(), size_t(70));
        // Every item was scored once: one rewards event per item in the journal.
        const std::string journal = readWholeFile(w.project()->path());
        size_t events = 0;
        for (size_t at = journal.find("\"op\":\"rewards\""); at != std::string::npos; at = journal.find("\"op\":\"rewards\"", at + 1))
            ++events;
        QCOMPARE(events, size_t(70));
    }

    void typingANoteIsOneUndoStep()
    {
        const QString path = freshDataset("note.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        w.itemTable()->selectRow(0);
        QLineEdit *noteField = nullptr;
        for (QLineEdit *e : w.findChildren<QLineEdit *>())
            if (e->placeholderText() == "Note")
                noteField = e;
        QVERIFY(noteField);
        const int before = w.undoStack()->count();
        QTest::keyClicks(noteField, "close call");
        QCOMPARE(w.undoStack()->count(), before + 1); // ten keystrokes, one step
        QCOMPARE(QString::fromStdString(w.project()->item(w.currentItem()).annotation.note), QString("close call"));
        w.undoStack()->undo();
        QCOMPARE(QString::fromStdString(w.project()->item(w.currentItem()).annotation.note), QString());
        // A note on another item is a step of its own.
        w.itemTable()->selectRow(1);
        QTest::keyClicks(noteField, "x");
        QTest::keyClicks(noteField, "y");
        QCOMPARE(w.undoStack()->count(), before + 1);
        QCOMPARE(w.undoStack()->index(), before + 1);
    }
};

QTEST_MAIN(TestDatasetWindow)
#include "test_dataset_window.moc"
