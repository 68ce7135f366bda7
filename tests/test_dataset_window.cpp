// Annotating a dataset as a user does: open (with invalid lines), filter,
// rank with the keyboard, undo, batch-score, export.
#include "annotation/model.h"
#include "annotation/dataset_item_model.h"
#include "annotation/dataset_window.h"
#include "engine/controller.h"
#include "preferences/metrics.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "workbench/main_window.h"
#include "test_support.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

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
        QVERIFY(w.lastMessage().contains("invalid lines"));
        QVERIFY(w.openDataset(path, [](const auto &) { return true; }));
        QCOMPARE(w.itemModel()->rowCount(), 9);
        QCOMPARE(readWholeFile(path.toStdString()), before); // the dataset is never touched
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
        QCOMPARE(w.currentItem(), size_t(1)); // moved on
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
    }

    void batchScoringThenExport()
    {
        const QString path = freshDataset("scored.jsonl");
        DatasetWindow w(m_main->engine());
        QVERIFY(w.openDataset(path));
        QSignalSpy stopped(&w, &DatasetWindow::scoringStopped);
        w.startScoring();
        QVERIFY(stopped.wait(60000));
        QCOMPARE(stopped.first().first().toBool(), true);
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
        const QString train = m_tmp.filePath("train.jsonl");
        ExportOptions o;
        const ExportSummary s = w.exportPairsTo(train, o);
        QCOMPARE(s.pairs, size_t(2));
        QCOMPARE(readJsonl(train.toStdString()).size(), size_t(2));
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
