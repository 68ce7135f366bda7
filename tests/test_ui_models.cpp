// The item models the views render, checked by QAbstractItemModelTester.
#include "annotation/model.h"
#include "workbench/candidate_list_model.h"
#include "workbench/candidate_split.h"
#include "workbench/commands.h"
#include "workbench/results_model.h"
#include "attribution/token_table_model.h"
#include "workbench/workspace_document.h"
#include "widgets/difference_preview.h"
#include "widgets/busy_work.h"
#include "widgets/message_bar.h"
#include "widgets/app_settings.h"
#include "widgets/table_copy.h"
#include "widgets/save_file.h"

#include "attribution/models.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QSettings>
#include <QStandardPaths>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTabWidget>
#include <QTableView>
#include <QSortFilterProxyModel>
#include <QMimeData>
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>

using namespace polar;

namespace {

CandidateScore score(float r)
{
    CandidateScore s;
    s.reward = r;
    s.tokens = 10;
    return s;
}

} // namespace

class TestUiModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void tablesCopyRowsAsTsv()
    {
        QStandardItemModel model(3, 3);
        model.setHorizontalHeaderLabels({"Rank", "Text", "Hidden"});
        const char *texts[] = {"plain", "with\ttab", "two\nlines \"quoted\""};
        for (int r = 0; r < 3; ++r) {
            model.setItem(r, 0, new QStandardItem(QString::number(r + 1)));
            model.setItem(r, 1, new QStandardItem(QString::fromUtf8(texts[r])));
            model.setItem(r, 2, new QStandardItem("secret"));
        }
        QTableView view;
        view.setModel(&model);
        view.setColumnHidden(2, true);
        addCopyRowsMenu(&view);
        view.setSelectionBehavior(QAbstractItemView::SelectRows);
        view.setSelectionMode(QAbstractItemView::MultiSelection);
        view.selectRow(2);
        view.selectRow(0);
        const QString tsv = selectedRowsAsTsv(&view);
        QCOMPARE(tsv, QStringLiteral("Rank\tText\n1\tplain\n3\t\"two\nlines \"\"quoted\"\"\"\n"));
        // Ctrl+C in the table copies those rows, not the current cell.
        view.show();
        view.setFocus();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QApplication::clipboard()->clear();
        QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), tsv);
        QVERIFY(view.findChild<QAction *>("copyRows"));
        QCOMPARE(view.contextMenuPolicy(), Qt::ActionsContextMenu);
    }

    void panesComeBackAsTheyWereLeft()
    {
        QSettings().remove("panes/test");
        {
            QTabWidget tabs;
            for (int i = 0; i < 3; ++i)
                tabs.addTab(new QWidget, QString::number(i));
            AppSettings::rememberTab(&tabs, "test/tab");
            QCOMPARE(tabs.currentIndex(), 0); // nothing saved yet
            tabs.setCurrentIndex(2);
        }
        QTabWidget again;
        for (int i = 0; i < 3; ++i)
            again.addTab(new QWidget, QString::number(i));
        AppSettings::rememberTab(&again, "test/tab");
        QCOMPARE(again.currentIndex(), 2);
        QSettings().remove("panes/test");
    }

    // Long reads run on a worker thread while the GUI thread keeps its event
    // loop turning (a timer fires meanwhile); what the work throws comes back.
    void busyWorkRunsOffTheGuiThread()
    {
        QThread *ran = nullptr;
        int ticks = 0;
        QTimer tick;
        connect(&tick, &QTimer::timeout, [&] { ++ticks; });
        tick.start(5);
        runBusy(nullptr, "Opening…", [&] {
            ran = QThread::currentThread();
            QThread::msleep(200);
        });
        QVERIFY(ran && ran != QThread::currentThread());
        QVERIFY2(ticks > 0, "the GUI thread's timers did not run during the work");
        try {
            runBusy(nullptr, "Opening…", [] { throw std::runtime_error("data.jsonl: not a regular file"); });
            QFAIL("the error was lost");
        } catch (const std::runtime_error &e) {
            QCOMPARE(QString(e.what()), QString("data.jsonl: not a regular file"));
        }
    }

    void oneErrorNeverHidesAnother()
    {
        MessageBar bar;
        bar.showMessage("Could not load the model: config.json is missing", true);
        bar.showMessage("Export failed: disk full", true);
        QVERIFY(bar.text().contains("Export failed"));
        QVERIFY(bar.text().contains("Earlier: Could not load the model")); // still there
        bar.showMessage("Scored 8 inputs", false); // information goes above, errors stay
        QVERIFY(bar.text().contains("Scored 8 inputs") && bar.text().contains("Export failed"));
        QCOMPARE(bar.lastMessage(), QStringLiteral("Scored 8 inputs"));
        bar.resolve("Could not load the model"); // a later load worked: that one goes, the other stays
        QCOMPARE(bar.pendingErrors(), QStringList{"Export failed: disk full"});
        QVERIFY(!bar.text().contains("config.json"));
        bar.showMessage("Export failed: disk full", true); // the same one again is listed once
        QCOMPARE(bar.pendingErrors().size(), 1);
        Q_EMIT bar.linkActivated("dismiss");
        QVERIFY(bar.pendingErrors().isEmpty());
        QVERIFY(bar.isHidden());
        bar.showMessage("<b>not markup</b>", true); // a message is text, shown as typed
        QVERIFY(bar.text().contains("&lt;b&gt;"));
    }

    void exportsGetTheirExtension()
    {
        QCOMPARE(withDefaultSuffix("/tmp/results", "csv"), QString("/tmp/results.csv"));
        QCOMPARE(withDefaultSuffix("/tmp/results.tsv", "csv"), QString("/tmp/results.tsv")); // the user's own choice stays
        QCOMPARE(withDefaultSuffix("/tmp/my.dir/train", "jsonl"), QString("/tmp/my.dir/train.jsonl"));
        QCOMPARE(withDefaultSuffix("", "png"), QString()); // cancelled
    }

    void fileDialogsStartWhereTheUserLastChose()
    {
        QTemporaryDir dir;
        AppSettings::lastFolder.set({});
        QCOMPARE(dialogStart("train.jsonl"), QString("train.jsonl")); // nothing chosen yet
        rememberFolderOf(dir.filePath("project.jsonl"));
        QCOMPARE(dialogStart("train.jsonl"), dir.filePath("train.jsonl"));
        QCOMPARE(dialogStart({}), dir.path());
        QCOMPARE(dialogStart("/elsewhere/train.jsonl"), QString("/elsewhere/train.jsonl")); // a path is kept
        rememberFolderOf({}); // a cancelled dialog changes nothing
        QCOMPARE(dialogStart({}), dir.path());
        dir.remove();
        QCOMPARE(dialogStart("train.jsonl"), QString("train.jsonl")); // a folder since removed is not offered
        AppSettings::lastFolder.set({});
    }

    void nearIdenticalCandidatesShowWhereTheyDiffer()
    {
        const QString start = "Let's count the 'r's in 'strawberry': 's', 't', 'r', 'a', 'w', 'b', 'e', 'r', 'r', 'y'. ";
        const QStringList p = differencePreviews({start + "There are three 'r's, so the answer is two.",
                                                  start + "There are three 'r's, so the answer is three.", "Short and different.", ""});
        QVERIFY2(p[0].startsWith("…") && p[0].contains("answer is two"), qPrintable(p[0]));
        QVERIFY2(p[1].startsWith("…") && p[1].contains("answer is three"), qPrintable(p[1]));
        QVERIFY(p[0].size() < 60); // the shared start is left out
        QCOMPARE(p[2], QString("Short and different."));
        // Within a group, every difference stays in view: the earliest one decides where to start.
        const QStringList q = differencePreviews({start + "There are three 'r's, so the answer is two.",
                                                  start + "There are two 'r's, so the answer is three.",
                                                  start + "There are three 'r's, so the answer is three."});
        QVERIFY2(q[0].contains("three 'r's, so the answer is two"), qPrintable(q[0]));
        QVERIFY2(q[1].contains("two 'r's, so the answer is three"), qPrintable(q[1]));
        QCOMPARE(p[3], QString("(empty)"));
        // Both the candidate list and the results table show them so.
        WorkspaceDocument doc;
        Workspace ws;
        ws.addCandidate(TextField::fromString((start + "There are three 'r's, so the answer is two.").toStdString()));
        ws.addCandidate(TextField::fromString((start + "There are three 'r's, so the answer is three.").toStdString()));
        doc.reset(ws);
        CandidateListModel list(&doc);
        ResultsModel results(&doc);
        QVERIFY(list.index(0).data().toString().contains("answer is two"));
        QVERIFY(results.index(1, ResultsModel::Candidate).data().toString().contains("answer is three"));
        QVERIFY(results.index(1, ResultsModel::Candidate).data(Qt::ToolTipRole).toString().startsWith("Let's count"));
    }

    void resultsRankAndMargins()
    {
        WorkspaceDocument doc;
        ResultsModel results(&doc);
        QAbstractItemModelTester tester(&results, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Workspace ws;
        ws.prompt = TextField::fromString("p");
        ws.reference = TextField::fromString("r");
        for (const char *t : {"a", "b", "c"})
            ws.addCandidate(TextField::fromString(t));
        doc.reset(ws);
        QCOMPARE(results.rowCount(), 3); // unscored candidates, no reference row yet
        doc.setScores({{1, score(1.0f)}, {2, score(3.0f)}, {3, score(1.0f)}}, score(2.0f), "model", "fp32");
        QCOMPARE(results.rowCount(), 4);
        auto cell = [&](int row, int col) { return results.index(row, col).data().toString(); };
        QCOMPARE(cell(1, ResultsModel::Rank), QString("1"));
        QCOMPARE(cell(0, ResultsModel::Rank), QString("2")); // tie with row 2
        QCOMPARE(cell(2, ResultsModel::Rank), QString("2"));
        QCOMPARE(cell(0, ResultsModel::MarginToBest), QString("−2.000"));
        QCOMPARE(cell(1, ResultsModel::MarginToReference), QString("+1.000"));
        QCOMPARE(cell(3, ResultsModel::Rank), QString("ref"));
        QVERIFY(results.index(3, 0).data(ResultsModel::IsReferenceRole).toBool());

        // Sorting on the raw values puts the best first and the reference last.
        QSortFilterProxyModel sorted;
        sorted.setSourceModel(&results);
        sorted.setSortRole(ResultsModel::UnderlyingDataRole);
        sorted.sort(ResultsModel::Rank);
        QCOMPARE(sorted.index(0, ResultsModel::Reward).data().toString(), QString("3.000"));
        QCOMPARE(sorted.index(3, ResultsModel::Rank).data().toString(), QString("ref"));

        // Editing a candidate drops its stale score, in place: views keep their rows (selection, sort).
        const QPersistentModelIndex third(results.index(2, ResultsModel::Reward));
        const QPersistentModelIndex bestInSorted(sorted.index(0, 0));
        QSignalSpy resets(&results, &QAbstractItemModel::modelReset);
        doc.setCandidateText(2, TextField::fromString("b2"));
        QCOMPARE(cell(1, ResultsModel::Reward), QString("–"));
        QCOMPARE(cell(0, ResultsModel::Rank), QString("1")); // ranks follow
        QCOMPARE(third.row(), 2);
        QVERIFY(bestInSorted.isValid()); // the sorted view moved the row, and kept it
        QCOMPARE(bestInSorted.data(ResultsModel::IdRole).toLongLong(), qlonglong(2));
        // Scores cleared: the anchor row goes, the others stay.
        doc.clearScores();
        QCOMPARE(results.rowCount(), 3);
        QCOMPARE(third.row(), 2);
        QCOMPARE(resets.size(), 0);
        // Another workspace: its ids name other candidates, so views start afresh.
        doc.reset(ws);
        QCOMPARE(resets.size(), 1);
        QVERIFY(!third.isValid());
    }

    void candidateListFollowsCommands()
    {
        WorkspaceDocument doc;
        CandidateListModel list(&doc);
        QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QUndoStack undo;
        std::vector<Candidate> three(3);
        three[0].text = TextField::fromString("first");
        three[1].text = TextField::fromString("second");
        three[2].text = TextField::fromString("third");
        undo.push(new AddCandidatesCommand(&doc, 0, three, "add"));
        QCOMPARE(list.rowCount(), 3);
        const int64_t secondId = list.idAt(1);
        undo.push(new MoveCandidateCommand(&doc, secondId, 2));
        QCOMPARE(list.index(2).data(CandidateListModel::FullTextRole).toString(), QString("second"));
        undo.push(new RemoveCandidateCommand(&doc, list.idAt(0)));
        QCOMPARE(list.rowCount(), 2);
        undo.push(new SetMarksCommand(&doc, {{secondId, Candidate::Mark::Chosen}}, "mark"));
        QVERIFY(list.index(1).data().toString().startsWith("✔"));
        QCOMPARE(list.index(1).data(CandidateListModel::MarkRole).toInt(), int(Candidate::Mark::Chosen));
        undo.undo(); // mark
        undo.undo(); // remove
        QCOMPARE(list.index(0).data(CandidateListModel::FullTextRole).toString(), QString("first"));
        undo.undo(); // move
        QCOMPARE(list.index(1).data(CandidateListModel::FullTextRole).toString(), QString("second"));
        QCOMPARE(list.idAt(1), secondId);
        undo.undo(); // add
        QCOMPARE(list.rowCount(), 0);
        undo.redo();
        QCOMPARE(list.idAt(1), secondId); // ids survive undo/redo
    }

    void tokenTable()
    {
        TokenTableModel tokens;
        QAbstractItemModelTester tester(&tokens, QAbstractItemModelTester::FailureReportingMode::QtTest);
        PolarInput in;
        in.text = "ab\n";
        in.ids = {1, 5, 6};
        in.tokens = {{1, Segment::Special, 0, 0, -1, -1, "<s>"}, {5, Segment::Prompt, 0, 2, 0, 2, "ab"},
                     {6, Segment::Special, 2, 3, -1, -1, "<0x0A>"}};
        tokens.setInput(in);
        QCOMPARE(tokens.rowCount(), 3);
        QCOMPARE(tokens.index(2, TokenTableModel::Piece).data().toString(), QString("<0x0A>"));
        QCOMPARE(tokens.index(1, TokenTableModel::Segment).data().toString(), QString("prompt"));
        QCOMPARE(tokens.index(2, TokenTableModel::Text).data().toString(), QString("⏎"));
    }

    void annotationRowsFollowTheRankingAndDropsAskForARank()
    {
        AnnotationModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Annotation draft;
        draft.ranks = {2, 0, 1};
        DatasetRecord record;
        record.outputs = {TextField::fromString("a"), TextField::fromString("b"), TextField::fromString("c")};
        model.setItem(record.outputs, record, {0.5f, 0.1f, 0.2f}, draft);
        // Ranked first (c, a), then the unranked (b).
        QCOMPARE(model.candidateAt(0), size_t(2));
        QCOMPARE(model.candidateAt(1), size_t(0));
        QCOMPARE(model.candidateAt(2), size_t(1));
        QCOMPARE(model.index(0, AnnotationModel::HumanRank).data().toString(), QString("1"));
        QCOMPARE(model.index(2, AnnotationModel::HumanRank).data().toString(), QString("–"));
        // The human puts c over a, the model a over c: both are marked.
        QVERIFY(model.index(0, 0).data(AnnotationModel::ConflictRole).toBool());
        QVERIFY(model.index(1, 0).data(AnnotationModel::ConflictRole).toBool());
        QVERIFY(!model.index(2, 0).data(AnnotationModel::ConflictRole).toBool());
        // Dragging b onto the top row asks for rank 1.
        QSignalSpy moved(&model, &AnnotationModel::moveRequested);
        std::unique_ptr<QMimeData> mime(model.mimeData({model.index(2, 0)}));
        model.dropMimeData(mime.get(), Qt::MoveAction, 0, 0, {});
        QCOMPARE(moved.size(), 1);
        QCOMPARE(moved.first().at(0).value<size_t>(), size_t(1));
        QCOMPARE(moved.first().at(1).toInt(), 1);
        QCOMPARE(model.index(0, AnnotationModel::Source).data().toString(), QString("#3"));
    }

    void aChosenRejectedRecordShowsTheFilesLabels()
    {
        AnnotationModel model;
        DatasetRecord record;
        record.kind = DatasetRecord::Kind::ChosenRejected;
        record.outputs = {TextField::fromString("good"), TextField::fromString("bad")};
        Annotation draft;
        draft.shownOrder = {1, 0}; // shuffled for this annotator: the labels follow the answers
        model.setItem({record.outputs[0], record.outputs[1], TextField::fromString("written")}, record, {}, draft);
        QCOMPARE(model.index(0, AnnotationModel::Text).data().toString(), QString("bad"));
        QCOMPARE(model.index(0, AnnotationModel::Source).data().toString(), QString("#2 rejected"));
        QCOMPARE(model.index(1, AnnotationModel::Source).data().toString(), QString("#1 chosen"));
        QCOMPARE(model.index(2, AnnotationModel::Source).data().toString(), QString("written"));
        // With an answer written the label is no ranking of three answers (as the project decides).
        auto tip = [&](int row) { return model.index(row, AnnotationModel::Source).data(Qt::ToolTipRole).toString(); };
        QVERIFY2(tip(1).contains("no longer ranks this item"), qPrintable(tip(1)));
        model.setItem(record.outputs, record, {}, draft);
        QVERIFY2(tip(0).contains("rejected: that is this item's ranking until you rank it"), qPrintable(tip(0)));
        draft.decided = true;
        draft.ranks = {2, 1};
        model.setItem(record.outputs, record, {}, draft);
        QVERIFY2(tip(0).contains("your ranking has replaced that label"), qPrintable(tip(0)));
    }

    void attributionModels()
    {
        AttributionSpanModel spans;
        QAbstractItemModelTester spanTester(&spans, QAbstractItemModelTester::FailureReportingMode::QtTest);
        AttributionSpan a, b;
        a.segment = Segment::Output;
        a.text = "Paris";
        a.value = 0.5;
        b.segment = Segment::Reference;
        b.text = "London";
        b.value = -1.5;
        spans.setSpans({a, b});
        QCOMPARE(spans.rowCount(), 2);
        QCOMPARE(spans.maxAbsValue(), 1.5);
        QCOMPARE(spans.index(1, AttributionSpanModel::Segment).data().toString(), QString("reference"));
        spans.setSpans({});
        QCOMPARE(spans.rowCount(), 0);

        RewardCurveModel curve;
        QAbstractItemModelTester curveTester(&curve, QAbstractItemModelTester::FailureReportingMode::QtTest);
        curve.setCurve({0.1f, 0.4f, 0.3f}, {7, 8});
        QCOMPARE(curve.rowCount(), 3);
        QCOMPARE(curve.index(2, RewardCurveModel::OutputTokens).data().toInt(), 2);
        QVERIFY(std::fabs(curve.index(1, RewardCurveModel::Reward).data().toDouble() - 0.4) < 1e-6);
        QCOMPARE(curve.tokenIndexAt(1), size_t(7));
        curve.setCurve({}, {});
        QCOMPARE(curve.rowCount(), 0);
    }

    void splitsPastedCandidates()
    {
        QCOMPARE(splitCandidates("one\n\ntwo\n  \nthree\n"), (QStringList{"one", "two", "three"}));
        QCOMPARE(splitCandidates("para 1\n\npara 2\n---\nsecond\n---\n"), (QStringList{"para 1\n\npara 2", "second"}));
        QCOMPARE(splitCandidates("  \n\n "), QStringList{});
    }
};

QTEST_MAIN(TestUiModels)
#include "test_ui_models.moc"
