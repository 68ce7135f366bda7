// The app as a user drives it: load the fixture model, type, score (Ctrl+Enter),
// compare with core, undo/redo, sessions, exports and error paths. No fixed
// sleeps: every wait is on a signal.
#include "attribution/view.h"
#include "workbench/candidate_list_model.h"
#include "engine/controller.h"
#include "util/jsonl.h"
#include "util/json.h"
#include "util/files.h"
#include "workbench/main_window.h"
#include "widgets/appearance.h"
#include "widgets/shortcuts_dialog.h"
#include "attribution/heatmap_browser.h"
#include "workbench/encoded_view.h"
#include "workbench/diff_view.h"
#include "analysis/numerics_dialog.h"
#include "analysis/reference_view.h"
#include "analysis/reference_sensitivity.h"
#include <QImage>
#include <QPlainTextEdit>
#include "workbench/requested_run.h"
#include "workbench/results_model.h"
#include "workbench/reward_chart.h"
#include "model/reward_model.h"
#include "scoring/scorer.h"
#include "test_support.h"
#include "workbench/text_field_editor.h"
#include "workbench/model_panel.h"
#include "live_server.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

#include <QAction>
#include <QComboBox>
#include <QtCharts/QBarSet>
#include <QListView>
#include <QApplication>
#include <QScreen>
#include <QTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <cmath>

using namespace polar;

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<MainWindow> m_window;

    MainWindow &w() { return *m_window; }

    void loadTinyModel(MainWindow &win)
    {
        QSignalSpy ready(&win, &MainWindow::modelReady);
        win.loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.first().first().toBool(), true);
    }

    bool scoreAndWait(MainWindow &win)
    {
        QSignalSpy done(&win, &MainWindow::scoringDone);
        // Ctrl+Enter, as a user presses it.
        QTest::keyClick(&win, Qt::Key_Return, Qt::ControlModifier);
        if (done.isEmpty() && !done.wait(30000))
            return false;
        return done.first().first().toBool();
    }

    void typeInto(TextFieldEditor *editor, const QString &text)
    {
        editor->textEdit()->setFocus();
        editor->textEdit()->selectAll();
        QTest::keyClicks(editor->textEdit(), text);
    }

    std::vector<float> coreRewards(const std::string &prompt, const std::string &reference,
                                   const std::vector<std::string> &outputs)
    {
        auto model = RewardModel::load(testdata::tinyModel());
        std::vector<std::vector<int>> seqs;
        for (const auto &o : outputs)
            seqs.push_back(model->encoder()
                               .encode(TextField::fromString(prompt), TextField::fromString(reference), TextField::fromString(o))
                               .ids);
        std::vector<float> out;
        for (const auto &r : scoreSequences(*model, seqs))
            out.push_back(r.reward);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("PolarStudioTests");
        QCoreApplication::setApplicationName("test_main_window");
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>(m_tmp.filePath("recovery.json"));
        m_window->show();
        loadTinyModel(w());
    }

    void cleanup()
    {
        m_window->discardRecovery();
        m_window.reset();
    }

    void typedInputsScoreLikeCore()
    {
        typeInto(w().promptEditor(), "What is the capital of China?");
        typeInto(w().referenceEditor(), "Beijing.");
        const std::vector<std::string> outputs = {"Beijing.", "Shanghai.", "It is Beijing, the capital."};
        for (const auto &o : outputs) {
            w().action("addCandidate")->trigger();
            typeInto(w().candidateEditor(), QString::fromStdString(o));
        }
        QCOMPARE(w().document()->candidateCount(), 3);
        QVERIFY(scoreAndWait(w()));

        const auto expected = coreRewards("What is the capital of China?", "Beijing.", outputs);
        ResultsModel *results = w().resultsModel();
        QCOMPARE(results->rowCount(), 4); // three candidates and the reference anchor
        for (int i = 0; i < 3; ++i) {
            const double got = results->index(i, ResultsModel::Reward).data(ResultsModel::UnderlyingDataRole).toDouble();
            QVERIFY2(std::fabs(got - expected[size_t(i)]) < 1e-5, qPrintable(QString("row %1: %2 vs %3").arg(i).arg(got).arg(expected[size_t(i)])));
        }
        // The reference anchor is the reference scored as an output.
        const auto anchor = coreRewards("What is the capital of China?", "Beijing.", {"Beijing."});
        QVERIFY(std::fabs(results->index(3, ResultsModel::Reward).data(ResultsModel::UnderlyingDataRole).toDouble() - anchor[0]) < 1e-5);
        // The table shows the best first; its ranks agree with the rewards.
        QSortFilterProxyModel *sorted = w().sortedResults();
        double previous = 1e9;
        for (int r = 0; r < 3; ++r) {
            const double v = sorted->index(r, ResultsModel::Reward).data(ResultsModel::UnderlyingDataRole).toDouble();
            QVERIFY(v <= previous);
            QCOMPARE(sorted->index(r, ResultsModel::Rank).data().toString(), QString::number(r + 1));
            previous = v;
        }
    }

    // The model bar's Remote server: Test, Load, score through the server,
    // rewards as core computes them; attribution says it runs locally.
    void remoteServerScoresLikeCore()
    {
        auto served = RewardModel::load(testdata::tinyModel());
        testdata::LiveServer live(*served, {});
        const int port = live.port;
        RewardServer &server = *live.server;

        auto *device = w().findChild<QComboBox *>("modelDevice");
        QVERIFY(device);
        device->setCurrentIndex(device->findText("Remote server"));
        auto *address = w().findChild<QLineEdit *>("serverAddress");
        QVERIFY(address && address->isVisible());
        w().findChild<QComboBox *>("serverType")->setCurrentIndex(1); // SGLang
        address->setText("127.0.0.1:" + QString::number(port));
        w().findChild<QPushButton *>("serverTest")->click();
        auto *result = w().findChild<QLabel *>("serverTestResult");
        QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QStringLiteral("✓")), 20000);
        QVERIFY(result->text().contains("SGLang at http://127.0.0.1:"));
        loadTinyModel(w()); // the directory gives the tokenizer; the server the rewards
        QVERIFY(w().engine()->modelInfo().remote.find("SGLang") == 0);

        typeInto(w().promptEditor(), "What is the capital of China?");
        typeInto(w().referenceEditor(), "Beijing.");
        const std::vector<std::string> outputs = {"Beijing.", "Shanghai."};
        for (const auto &o : outputs) {
            w().action("addCandidate")->trigger();
            typeInto(w().candidateEditor(), QString::fromStdString(o));
        }
        QVERIFY(scoreAndWait(w()));
        const auto expected = coreRewards("What is the capital of China?", "Beijing.", outputs);
        for (int i = 0; i < 2; ++i)
            QVERIFY(std::fabs(w().resultsModel()->index(i, ResultsModel::Reward).data(ResultsModel::UnderlyingDataRole).toDouble()
                              - expected[size_t(i)]) < 1e-4);
        QVERIFY(server.counters().requests >= 2); // the Test and the scoring

        QSignalSpy explained(w().attributionView(), &AttributionView::finished);
        w().attributionView()->run();
        QCOMPARE(explained.count(), 1);
        QCOMPARE(explained.first().first().toBool(), false);
        QVERIFY(w().attributionView()->summary().contains("run in this process"));
        auto *info = w().findChild<QLabel *>("modelInfo");
        QVERIFY(info && !info->text().contains(QStringLiteral("⚠")));

        // A server that lists another model: Test and the model bar say so.
        ServeOptions renamed;
        renamed.servedName = "some-other-model";
        testdata::LiveServer other(*served, renamed);
        w().findChild<QComboBox *>("serverType")->setCurrentIndex(0); // vLLM: no model named in the request
        address->setText("127.0.0.1:" + QString::number(other.port));
        w().findChild<QPushButton *>("serverTest")->click();
        QTRY_VERIFY_WITH_TIMEOUT(result->text().contains("some-other-model"), 20000);
        QVERIFY2(result->text().contains(QStringLiteral("⚠ the server does not list tiny-polar")), qPrintable(result->text()));
        loadTinyModel(w());
        QVERIFY2(info->text().contains(QStringLiteral("⚠ the server does not list")), qPrintable(info->text()));

        // A server that is not there fails the load, and says why.
        address->setText("127.0.0.1:1");
        QSignalSpy ready(&w(), &MainWindow::modelReady);
        w().loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.first().first().toBool(), false);
        device->setCurrentIndex(device->findText("CPU"));
    }

    void chartBarsFollowTheTableSort()
    {
        typeInto(w().promptEditor(), "What is the capital of China?");
        typeInto(w().referenceEditor(), "Beijing.");
        for (const char *o : {"Beijing.", "Shanghai.", "It is Beijing, the capital.", "Paris."}) {
            w().action("addCandidate")->trigger();
            typeInto(w().candidateEditor(), o);
        }
        QVERIFY(scoreAndWait(w()));
        auto *chart = w().findChild<RewardChart *>();
        QVERIFY(chart);
        QTableView *table = w().resultsTable();
        // Bars (bottom-up) carry the rewards of the table's rows (top-down).
        auto barsFollowTable = [&](const QString &when) {
            QCoreApplication::processEvents(); // the chart redraws on a queued call
            QAbstractItemModel *m = table->model();
            const int n = m->rowCount();
            if (chart->barSet()->count() != n)
                return QString("%1: %2 bars, %3 rows").arg(when).arg(chart->barSet()->count()).arg(n);
            for (int r = 0; r < n; ++r) {
                const double reward = m->index(r, ResultsModel::Reward).data(ResultsModel::UnderlyingDataRole).toDouble();
                if (std::fabs(chart->barSet()->at(n - 1 - r) - reward) >= 1e-3)
                    return QString("%1, row %2: bar %3, table %4").arg(when).arg(r).arg(chart->barSet()->at(n - 1 - r)).arg(reward);
            }
            return QString();
        };
        // Every order the user can click.
        for (int column : {int(ResultsModel::Candidate), int(ResultsModel::Reward), int(ResultsModel::Tokens)}) {
            for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                table->sortByColumn(column, order);
                const QString mismatch = barsFollowTable(QString("column %1 order %2").arg(column).arg(int(order)));
                QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
            }
        }
        // Rewards that change in place (an edit, then scoring) move the bars with the rows.
        table->sortByColumn(ResultsModel::Reward, Qt::DescendingOrder);
        w().selectCandidate(w().document()->candidateAt(3).id);
        typeInto(w().candidateEditor(), "Beijing is the capital of China.");
        QString mismatch = barsFollowTable("edited");
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        QVERIFY(scoreAndWait(w()));
        mismatch = barsFollowTable("scored again");
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    }

    void firstFocusIsThePromptAndAFailedLoadKeepsTheFieldTruthful()
    {
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(w().promptEditor()->textEdit()));
        QSignalSpy ready(&w(), &MainWindow::modelReady);
        w().loadModel(m_tmp.filePath("no-such-model"));
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.first().first().toBool(), false);
        QVERIFY(w().lastMessage().contains("still using"));
        auto *field = w().findChild<QComboBox *>("modelPath");
        QVERIFY(field);
        QCOMPARE(field->currentText(), QString::fromStdString(testdata::tinyModel())); // the model in use
    }

    void resultsCopyAsTsvAndSaveAsCsvInTheTablesOrder()
    {
        w().loadSeedExample();
        QVERIFY(scoreAndWait(w()));
        QTableView *table = w().resultsTable();
        table->sortByColumn(ResultsModel::Reward, Qt::AscendingOrder);
        const QStringList lines = w().resultsText('\t').split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + table->model()->rowCount());
        QCOMPARE(lines[0], QString("rank\tcandidate\treward\tmargin_to_best\tmargin_to_reference\ttokens\tcut\ttext"));
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            const QStringList f = lines[r + 1].split('\t');
            QCOMPARE(f.size(), 8);
            const double reward = table->model()->index(r, ResultsModel::Reward).data(ResultsModel::UnderlyingDataRole).toDouble();
            QVERIFY2(std::fabs(f[2].toDouble() - reward) < 1e-6, qPrintable(lines[r + 1]));
        }
        // CSV quotes the texts that hold commas (the seed's do), so a reader gets them whole.
        const QString csv = w().resultsText(',');
        const std::string firstText = w().document()->candidateAt(0).text.text;
        QString quoted = QString::fromStdString(firstText);
        quoted.replace('"', "\"\"");
        QVERIFY(csv.contains('"' + quoted + '"'));
        // The header says what a column means.
        QVERIFY(table->model()->headerData(ResultsModel::Tokens, Qt::Horizontal, Qt::ToolTipRole).toString().contains("whole encoded input"));
        QVERIFY(table->actions().contains(w().action("copyResults")));
        // Done is news, not an error: nothing stays on screen to dismiss.
        w().action("copyResults")->trigger();
        QVERIFY2(w().lastMessage().startsWith(QString("Copied %1 rows").arg(table->model()->rowCount())), qPrintable(w().lastMessage()));
        QVERIFY2(!w().pendingErrors().join('\n').contains("Copied"), qPrintable(w().pendingErrors().join("; ")));

        // JSON Lines: numbers as numbers, the reference as "ref" with null margins, the table's order.
        const QString jsonl = m_tmp.filePath("results.jsonl");
        QVERIFY(w().saveResultsTo(jsonl));
        const auto rows = readJsonl(jsonl.toStdString());
        QCOMPARE(int(rows.size()), table->model()->rowCount());
        for (int r = 0; r < int(rows.size()); ++r) {
            const Json &j = rows[size_t(r)].value;
            const double reward = table->model()->index(r, ResultsModel::Reward).data(ResultsModel::UnderlyingDataRole).toDouble();
            QVERIFY(std::fabs(j["reward"].get<double>() - reward) < 1e-6);
            if (j["candidate"] == "ref") {
                QVERIFY(j["rank"].is_null() && j["margin_to_best"].is_null());
                QCOMPARE(QString::fromStdString(j["text"].get<std::string>()),
                         QString::fromStdString(w().document()->workspace().reference.flattened()));
            } else {
                const int number = j["candidate"].get<int>();
                QCOMPARE(QString::fromStdString(j["text"].get<std::string>()),
                         QString::fromStdString(w().document()->candidateAt(number - 1).text.flattened()));
                QVERIFY(j["tokens"].get<int>() > 0);
            }
        }
        const QString tsv = m_tmp.filePath("results.tsv");
        QVERIFY(w().saveResultsTo(tsv));
        QVERIFY2(w().lastMessage().startsWith("Saved ") && !w().pendingErrors().join('\n').contains("Saved "),
                 qPrintable(w().pendingErrors().join("; ")));
        QCOMPARE(QString::fromStdString(readWholeFile(tsv.toStdString())), w().resultsText('\t'));
    }

    void scoringWhileEditingKeepsTheEditedCandidate()
    {
        w().loadSeedExample();
        const int64_t third = w().document()->candidateAt(2).id;
        w().selectCandidate(third);
        typeInto(w().candidateEditor(), "An edited third answer.");
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(w().selectedCandidate(), third);
        QCOMPARE(w().candidateEditor()->textEdit()->toPlainText(), QString("An edited third answer."));
    }

    void rescoringKeepsTheRowTheUserPickedInASortedTable()
    {
        w().loadSeedExample();
        QVERIFY(scoreAndWait(w()));
        QTableView *table = w().resultsTable();
        auto tableId = [table] {
            const QModelIndex cur = table->selectionModel()->currentIndex();
            return cur.isValid() ? cur.data(ResultsModel::IdRole).toLongLong() : qlonglong(-1);
        };
        table->sortByColumn(ResultsModel::Reward, Qt::AscendingOrder);
        // The user clicks a row that is neither the top row nor the editor's candidate.
        const int64_t picked = w().document()->candidateAt(0).id;
        int pickedRow = -1;
        for (int r = 0; r < table->model()->rowCount(); ++r)
            if (table->model()->index(r, 0).data(ResultsModel::IdRole).toLongLong() == picked)
                pickedRow = r;
        QVERIFY(pickedRow > 0);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(table->model()->index(pickedRow, ResultsModel::Reward)).center());
        QCOMPARE(tableId(), qlonglong(picked));
        QCOMPARE(w().selectedCandidate(), picked);

        // A model loaded again drops the scores; scoring brings them back in a new order.
        QSignalSpy ready(&w(), &MainWindow::modelReady);
        auto *panel = w().findChild<ModelPanel *>();
        QVERIFY(panel);
        panel->setDeviceAndDtype(QStringLiteral("cpu"), QStringLiteral("bf16"));
        w().loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(ready.wait(30000));
        table->setFocus(); // where the focus lands when the Load button is disabled while loading
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(tableId(), qlonglong(picked));
        QCOMPARE(w().selectedCandidate(), picked);

        // Edits to another field rescore in place as well.
        typeInto(w().promptEditor(), "Tell me about the planet Mars.");
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(tableId(), qlonglong(picked));
        QCOMPARE(w().selectedCandidate(), picked);
    }

    void theTablesRowStaysWhileItsCandidateIsEdited()
    {
        w().loadSeedExample();
        QVERIFY(scoreAndWait(w()));
        QTableView *table = w().resultsTable();
        table->sortByColumn(ResultsModel::Reward, Qt::AscendingOrder);
        const int64_t picked = w().document()->candidateAt(2).id;
        w().selectCandidate(picked);
        auto tableId = [table] { return table->selectionModel()->currentIndex().data(ResultsModel::IdRole).toLongLong(); };
        QCOMPARE(tableId(), qlonglong(picked));
        QVERIFY(table->selectionModel()->isRowSelected(table->selectionModel()->currentIndex().row(), {}));
        // Typing drops the edited candidate's reward; its row (and the others' order) stays.
        typeInto(w().candidateEditor(), "An edited third answer.");
        QCOMPARE(tableId(), qlonglong(picked));
        QVERIFY(table->selectionModel()->isRowSelected(table->selectionModel()->currentIndex().row(), {}));
        // Another candidate deleted from the list: still the same row.
        const int64_t other = w().document()->candidateAt(0).id;
        w().selectCandidate(other);
        w().action("deleteCandidate")->trigger();
        QVERIFY(w().document()->rowOf(other) < 0);
        w().selectCandidate(picked);
        QCOMPARE(tableId(), qlonglong(picked));
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(tableId(), qlonglong(picked));
        QVERIFY(table->selectionModel()->isRowSelected(table->selectionModel()->currentIndex().row(), {}));
    }

    void theRowPickedAgainAfterAResetIsInView()
    {
        w().loadSeedExample();
        for (int i = 0; i < 24; ++i) {
            w().action("addCandidate")->trigger();
            typeInto(w().candidateEditor(), QString("There are %1 'r's.").arg(i));
        }
        QVERIFY(scoreAndWait(w()));
        QTableView *table = w().resultsTable();
        table->sortByColumn(ResultsModel::Reward, Qt::DescendingOrder);
        QCoreApplication::processEvents();
        const QModelIndex last = table->model()->index(table->model()->rowCount() - 1, 0);
        const int64_t picked = last.data(ResultsModel::IdRole).toLongLong();
        w().selectCandidate(picked);
        QVERIFY(table->viewport()->rect().intersects(table->visualRect(table->selectionModel()->currentIndex())));
        table->scrollToTop(); // the user scrolls away, then moves the candidate in the list (a reset)
        QVERIFY(!table->viewport()->rect().intersects(table->visualRect(table->selectionModel()->currentIndex())));
        QSignalSpy reset(table->model(), &QAbstractItemModel::modelReset);
        w().action("moveUp")->trigger();
        QCOMPARE(reset.size(), 1);
        QCoreApplication::processEvents();
        const QModelIndex cur = table->selectionModel()->currentIndex();
        QCOMPARE(cur.data(ResultsModel::IdRole).toLongLong(), qlonglong(picked));
        QVERIFY2(table->viewport()->rect().intersects(table->visualRect(cur)), "the picked row is out of view");
    }

    void theCommandLinesScoringRunsOnceAndLeavesTheUsersRowAlone()
    {
        // polar-studio --score --explain grad: the first load scores, and the best row is explained.
        w().loadSeedExample();
        RequestedRun run(&w(), {QString(), true, QStringLiteral("grad"), QString()});
        QSignalSpy scored(&w(), &MainWindow::scoringDone);
        QSignalSpy explained(w().attributionView(), &AttributionView::finished);
        QSignalSpy ready(&w(), &MainWindow::modelReady);
        w().loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(explained.wait(30000));
        QCOMPARE(scored.size(), 1);
        QTableView *table = w().resultsTable();
        QCOMPARE(table->selectionModel()->currentIndex().data(ResultsModel::IdRole).toLongLong(),
                 table->model()->index(0, 0).data(ResultsModel::IdRole).toLongLong());
        QCOMPARE(table->model()->index(0, ResultsModel::Rank).data().toString(), QString("1"));

        // Then the user picks a row, loads a model and rescores: the command line's request is not repeated.
        const int64_t picked = table->model()->index(2, 0).data(ResultsModel::IdRole).toLongLong(); // the third best
        w().selectCandidate(picked);
        ready.clear();
        w().loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(ready.wait(30000));
        QVERIFY(!w().engine()->busy()); // no scoring of its own
        QCOMPARE(scored.size(), 1);
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(table->selectionModel()->currentIndex().data(ResultsModel::IdRole).toLongLong(), qlonglong(picked));
        QCOMPARE(w().selectedCandidate(), picked);
        QCOMPARE(explained.size(), 1);
    }

    void aScriptedRunSaysWhetherItWorked()
    {
        // polar-studio --score --screenshot FILE: the exit status tells a script whether it all worked.
        const QString shot = m_tmp.filePath("scripted.png");
        w().loadSeedExample();
        {
            RequestedRun run(&w(), {QString(), true, QString(), shot});
            QSignalSpy finished(&run, &RequestedRun::finished);
            w().loadModel(m_tmp.filePath("no-such-model"));
            QVERIFY(finished.wait(30000));
            QCOMPARE(finished.first().first().toBool(), false);
            QVERIFY2(run.failure().startsWith("the model did not load: ") && run.failure().contains("no-such-model"),
                     qPrintable(run.failure()));
        }
        RequestedRun run(&w(), {QString(), true, QString(), shot});
        QSignalSpy finished(&run, &RequestedRun::finished);
        QSignalSpy scored(&w(), &MainWindow::scoringDone);
        w().loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(finished.wait(30000));
        QVERIFY2(finished.first().first().toBool(), qPrintable(run.failure()));
        QCOMPARE(scored.size(), 1);
        QVERIFY(!QImage(shot).isNull());
    }

    void ctrlDeleteInAnEditorDeletesAWordNotTheCandidate()
    {
        w().action("addCandidate")->trigger();
        typeInto(w().candidateEditor(), "hello world");
        const int before = w().document()->candidateCount();
        auto *edit = w().candidateEditor()->textEdit();
        edit->setFocus();
        edit->moveCursor(QTextCursor::Start);
        QTest::keyClick(edit, Qt::Key_Delete, Qt::ControlModifier);
        QCOMPARE(w().document()->candidateCount(), before);
        QCOMPARE(edit->toPlainText(), QString("world"));
    }

    void fitsA1280x720Screen()
    {
        // Opening the token contributions must not widen the window past a small screen.
        w().loadSeedExample();
        QVERIFY(scoreAndWait(w()));
        w().resultsTable()->selectRow(0);
        QSignalSpy explained(w().attributionView(), &AttributionView::finished);
        w().action("explain")->trigger();
        QVERIFY(explained.wait(30000));
        QCoreApplication::processEvents();
        const QSize min = w().minimumSizeHint();
        QVERIFY2(min.width() <= 1200 && min.height() <= 640, qPrintable(QString("%1x%2").arg(min.width()).arg(min.height())));
        const QRect screen = w().screen()->availableGeometry();
        QVERIFY2(w().width() <= std::max(screen.width(), 1280) && w().height() <= std::max(screen.height(), 720),
                 qPrintable(QString("window %1x%2 on a %3x%4 screen").arg(w().width()).arg(w().height()).arg(screen.width()).arg(screen.height())));
    }

    void rescoringScoresOnlyWhatChanged()
    {
        w().loadSeedExample();
        QSignalSpy finished(w().engine(), &EngineController::scoreFinished);
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(finished.size(), 1);
        auto first = finished.takeFirst().first().value<polar::CandidatesResult>();
        QCOMPARE(first.computed, 8); // 7 candidates and the reference
        w().selectCandidate(w().document()->candidateAt(2).id);
        typeInto(w().candidateEditor(), "Edited answer.");
        QVERIFY(scoreAndWait(w()));
        auto second = finished.takeFirst().first().value<polar::CandidatesResult>();
        QCOMPARE(second.computed, 1);
        QCOMPARE(second.fromCache, 7);
    }

    void undoRedoEveryEdit()
    {
        w().loadSeedExample();
        QUndoStack *undo = w().undoStack();
        const auto original = w().document()->workspace();
        typeInto(w().promptEditor(), "New prompt");
        QCOMPARE(QString::fromStdString(w().document()->workspace().prompt.text), QString("New prompt"));
        QTest::keyClick(&w(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w().document()->workspace().prompt.text, original.prompt.text);
        QCOMPARE(w().promptEditor()->textEdit()->toPlainText().toStdString(), original.prompt.text);
        QTest::keyClick(&w(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(QString::fromStdString(w().document()->workspace().prompt.text), QString("New prompt"));

        const int64_t thirdId = w().document()->candidateAt(2).id;
        w().selectCandidate(thirdId);
        w().action("deleteCandidate")->trigger();
        QCOMPARE(w().document()->candidateCount(), 6);
        w().action("addCandidate")->trigger();
        typeInto(w().candidateEditor(), "Brand new");
        w().action("moveUp")->trigger();
        QCOMPARE(w().document()->candidateCount(), 7);
        while (undo->canUndo())
            undo->undo();
        QCOMPARE(QString::fromStdString(workspaceToJson(w().document()->workspace()).dump()),
                 QString::fromStdString(workspaceToJson(original).dump()));
        QCOMPARE(w().document()->candidateAt(2).id, thirdId);
        while (undo->canRedo())
            undo->redo();
        QCOMPARE(w().document()->candidateCount(), 7);
        QCOMPARE(w().document()->rowOf(thirdId), -1);
    }

    void sessionRoundTrip()
    {
        w().loadSeedExample();
        w().selectCandidate(w().document()->candidateAt(0).id);
        w().action("markChosen")->trigger();
        QVERIFY(scoreAndWait(w()));
        const QString path = m_tmp.filePath("session.polar.json");
        QVERIFY(w().saveSessionTo(path));
        QVERIFY(w().undoStack()->isClean());

        MainWindow other(m_tmp.filePath("other-recovery.json"));
        QVERIFY(other.openSession(path));
        Json a = workspaceToJson(w().document()->workspace());
        Json b = workspaceToJson(other.document()->workspace());
        QCOMPARE(QString::fromStdString(b.dump()), QString::fromStdString(a.dump()));
        QCOMPARE(other.resultsModel()->rowCount(), 8); // scores came back too
        other.discardRecovery();
    }

    void sessionScoresStayOnlyBesideTheirModel()
    {
        w().loadSeedExample();
        QVERIFY(scoreAndWait(w()));
        const QString path = m_tmp.filePath("scored.polar.json");
        QVERIFY(w().saveSessionTo(path));
        Json saved = parseJson(readWholeFile(path.toStdString()), "session");
        QCOMPARE(QString::fromStdString(saved["scored_by"].get<std::string>()), QString::fromStdString(testdata::tinyModel()));
        QCOMPARE(QString::fromStdString(saved["scored_dtype"].get<std::string>()), QString("fp32"));
        QCOMPARE(QString::fromStdString(saved["model"].get<std::string>()), QString::fromStdString(testdata::tinyModel()));
        {
            // A fresh window: the session's model loads, and the saved rewards stay.
            MainWindow other(m_tmp.filePath("r1.json"));
            QSignalSpy ready(&other, &MainWindow::modelReady);
            QSignalSpy scored(&other, &MainWindow::scoringDone);
            QVERIFY(other.openSession(path));
            QVERIFY(ready.wait(30000));
            QCOMPARE(QString::fromStdString(other.engine()->modelInfo().directory), QString::fromStdString(testdata::tinyModel()));
            QVERIFY(other.document()->workspace().candidates[0].score.has_value());
            // "What the model sees" shows the saved score's encoding, derived
            // again from the cache the saved rewards primed: no model run.
            QVERIFY(!scored.isEmpty() || scored.wait(30000));
            QVERIFY2(other.statusBar()->currentMessage().contains("(8 from cache)"), qPrintable(other.statusBar()->currentMessage()));
            other.selectCandidate(other.document()->candidateAt(0).id);
            const QString seen = other.encodedView()->title();
            QVERIFY2(seen.contains("Candidate #1") && seen.contains("tokens"), qPrintable(seen));
            QVERIFY(other.encodedView()->html().contains("UNUSED_TOKEN_130"));
            QCOMPARE(other.document()->workspace().candidates[0].score->reward,
                     w().document()->workspace().candidates[0].score->reward);
            other.discardRecovery();
        }
        // Rewards another model gave are not shown beside this one's name.
        saved["scored_by"] = "/models/some-other-model";
        const QString foreign = m_tmp.filePath("foreign.polar.json");
        writeFileAtomically(foreign.toStdString(), saved.dump());
        QVERIFY(w().openSession(foreign)); // the same model is loaded already: no load follows
        QVERIFY(!w().document()->workspace().candidates[0].score.has_value());
        QVERIFY(!w().document()->workspace().referenceScore.has_value());

        // Nor rewards of this model at another precision: bf16's are not fp32's.
        saved["scored_by"] = testdata::tinyModel();
        saved["scored_dtype"] = "bf16";
        const QString otherPrecision = m_tmp.filePath("bf16.polar.json");
        writeFileAtomically(otherPrecision.toStdString(), saved.dump());
        QVERIFY(w().openSession(otherPrecision)); // its settings say "auto": the fp32 model loaded stays
        QCOMPARE(QString::fromStdString(w().engine()->modelInfo().dtype), QString("fp32"));
        QVERIFY(!w().document()->workspace().candidates[0].score.has_value());

        // A session that names its precision gets it: the model loads again in bf16 and its rewards stay.
        saved["settings"]["dtype"] = "bf16";
        const QString named = m_tmp.filePath("bf16-named.polar.json");
        writeFileAtomically(named.toStdString(), saved.dump());
        QSignalSpy ready(&w(), &MainWindow::modelReady);
        QVERIFY(w().openSession(named));
        QVERIFY(ready.wait(30000));
        QCOMPARE(QString::fromStdString(w().engine()->modelInfo().dtype), QString("bf16"));
        QVERIFY(w().document()->workspace().candidates[0].score.has_value());
        QCOMPARE(w().document()->workspace().candidates[0].score->reward, float(saved["candidates"][0]["score"]["reward"].get<double>()));
    }

    void anotherPrecisionDropsTheShownRewards()
    {
        // fp32 rewards are not shown beside the model loaded again in bf16, and a session saves which precision gave them.
        w().loadSeedExample();
        QVERIFY(scoreAndWait(w()));
        QVERIFY(w().document()->workspace().candidates[0].score.has_value());
        auto *panel = w().findChild<ModelPanel *>();
        QVERIFY(panel);
        panel->setDeviceAndDtype(QStringLiteral("cpu"), QStringLiteral("bf16"));
        QSignalSpy ready(&w(), &MainWindow::modelReady);
        w().loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(ready.wait(30000));
        QVERIFY(!w().document()->workspace().candidates[0].score.has_value());
        QCOMPARE(w().resultsModel()->index(0, ResultsModel::Reward).data().toString(), QString("–"));
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(QString::fromStdString(w().document()->workspace().scoredDtype), QString("bf16"));
        const QString path = m_tmp.filePath("bf16-scored.polar.json");
        QVERIFY(w().saveSessionTo(path));
        QCOMPARE(QString::fromStdString(parseJson(readWholeFile(path.toStdString()), "session")["scored_dtype"].get<std::string>()),
                 QString("bf16"));
    }

    void exportsPolarPairs()
    {
        w().loadSeedExample();
        const auto &doc = *w().document();
        w().selectCandidate(doc.candidateAt(0).id);
        w().action("markChosen")->trigger();
        for (int row : {5, 6}) {
            w().selectCandidate(doc.candidateAt(row).id);
            w().action("markRejected")->trigger();
        }
        const QString path = m_tmp.filePath("train.jsonl");
        QCOMPARE(w().exportPairsTo(path, false), 2);
        QVERIFY(w().lastMessage().contains("Wrote 2 pairs"));
        // A second export of the same marks adds nothing, and says so.
        QCOMPARE(w().exportPairsTo(path, false), 0);
        QVERIFY2(w().lastMessage().contains("2 already in the file"), qPrintable(w().lastMessage()));
        const auto lines = readJsonl(path.toStdString());
        QCOMPARE(lines.size(), size_t(2));
        const Json &j = lines[0].value;
        QCOMPARE(j["prompt"][0]["role"].get<std::string>(), std::string("user"));
        QCOMPARE(j["chosen"][0]["content"].get<std::string>(), doc.candidateAt(0).text.text);
        QCOMPARE(j["rejected"][0]["content"].get<std::string>(), doc.candidateAt(5).text.text);
        QCOMPARE(j["reference"][0]["role"].get<std::string>(), std::string("assistant"));

        // With no marks, the model's ranking gives every ordered pair.
        QVERIFY(scoreAndWait(w()));
        QCOMPARE(w().exportPairsTo(m_tmp.filePath("ranked.jsonl"), true), 21); // 7 distinct rewards
    }

    void badInputIsReportedAndNothingIsLost()
    {
        // Empty prompt: a message, no scoring.
        w().loadSeedExample();
        typeInto(w().promptEditor(), "");
        QTest::keyClick(w().promptEditor()->textEdit(), Qt::Key_Backspace);
        QVERIFY(!scoreAndWait(w()));
        QVERIFY2(w().lastMessage().contains("enter a prompt"), qPrintable(w().lastMessage()));
        QCOMPARE(w().document()->candidateCount(), 7);

        // An unreadable session leaves the workspace as it was.
        const Json before = workspaceToJson(w().document()->workspace());
        QVERIFY(!w().openSession(m_tmp.filePath("missing.json")));
        QVERIFY2(w().lastMessage().contains("missing.json"), qPrintable(w().lastMessage()));
        QCOMPARE(QString::fromStdString(workspaceToJson(w().document()->workspace()).dump()), QString::fromStdString(before.dump()));

        // A directory that is not a POLAR model: the error from core, and the
        // loaded model keeps working.
        QSignalSpy ready(&w(), &MainWindow::modelReady);
        w().loadModel(m_tmp.path());
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.first().first().toBool(), false);
        QVERIFY2(w().lastMessage().contains("config.json"), qPrintable(w().lastMessage()));
        typeInto(w().promptEditor(), "How many r's in strawberry?");
        QVERIFY(scoreAndWait(w()));
    }

    void everyActionHasAShortcut()
    {
        for (const char *name : {"score", "undo", "redo", "save", "openSession", "addCandidate", "deleteCandidate",
                                 "markChosen", "markRejected", "exportPairs", "shortcuts", "openModel"}) {
            QAction *a = w().action(name);
            QVERIFY2(a, name);
            QVERIFY2(!a->shortcut().isEmpty(), name);
        }
        QCOMPARE(w().action("score")->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Return));
        // No chord does two things: every action the window holds, whoever made it.
        QMap<QString, QString> owner;
        for (QAction *a : w().findChildren<QAction *>()) {
            for (const QKeySequence &k : a->shortcuts()) {
                const QString key = k.toString(QKeySequence::PortableText);
                QVERIFY2(!owner.contains(key) || owner[key] == a->text(),
                         qPrintable(QString("%1 is both '%2' and '%3'").arg(key, owner[key], a->text())));
                owner[key] = a->text();
            }
        }
        QVERIFY(owner.size() >= 20);
    }

    void twoCandidatesSideBySide()
    {
        w().loadSeedExample();
        const auto &doc = *w().document();
        DiffView *diff = w().diffView();
        w().selectCandidate(doc.candidateAt(2).id); // "...there are two 'r's, so the answer is two."
        QCOMPARE(diff->against(), 0LL);               // the reference by default
        diff->setAgainst(doc.candidateAt(1).id);      // "...there are three 'r's, so the answer is three."
        const QString left = diff->leftHtml();
        QVERIFY2(left.contains("three"), qPrintable(left.left(400)));
        QVERIFY2(left.contains("line-through"), qPrintable(left.left(400))); // the differing words are marked
        QVERIFY(w().findChild<QComboBox *>("diffAgainst")->currentText().startsWith("#2"));
        // Deleting the candidate compared with falls back to the reference.
        w().selectCandidate(doc.candidateAt(1).id);
        w().action("deleteCandidate")->trigger();
        QCOMPARE(diff->against(), 0LL);
        w().undoStack()->undo();
    }

    void referenceMatrixFromTheWorkbench()
    {
        w().loadSeedExample();
        ReferenceView *view = w().findChild<ReferenceView *>();
        QVERIFY(view);
        view->editedReference()->setPlainText("The answer is 3.");
        QSignalSpy done(view, &ReferenceView::finished);
        w().action("referenceMatrix")->trigger();
        QVERIFY(done.wait(60000));
        QVERIFY(done.first().first().toBool());
        ReferenceMatrixModel *m = view->model();
        const auto &ws = w().document()->workspace();
        QCOMPARE(m->rowCount(), int(ws.candidates.size()));
        // The cells are the core analysis's numbers, in the groups' order.
        std::vector<TextField> cands;
        for (const auto &c : ws.candidates)
            cands.push_back(c.text);
        auto model = RewardModel::load(testdata::tinyModel());
        const auto expected = referenceSensitivity(*model, ws.prompt, ws.reference, cands, ScoringSettings(ws.settings),
                                                   TextField::fromString("The answer is 3."));
        for (int r = 0; r < m->rowCount(); ++r) {
            const size_t i = m->candidateAt(r);
            QVERIFY(std::abs(*m->value(r, ReferenceMatrixModel::Given) - expected.given[i]) < 1e-4);
            QVERIFY(std::abs(*m->value(r, ReferenceMatrixModel::FIRST_OPTIONAL) - (*expected.edited)[i]) < 1e-4);
        }
        QVERIFY(view->staleReason().isEmpty());
        const QString csv = m_tmp.filePath("matrix.csv");
        QVERIFY(view->exportCsv(csv));
        QCOMPARE(QString::fromStdString(readWholeFile(csv.toStdString())).count('\n'), m->rowCount() + 1);
        const QString png = m_tmp.filePath("matrix.png");
        QVERIFY(view->exportPng(png));
        QCOMPARE(QImage(png).width(), 2000);
        // Editing a candidate marks the matrix out of date.
        w().document()->setCandidateText(ws.candidates[0].id, TextField::fromString("Three."));
        QVERIFY2(view->staleReason().contains("candidate #1"), qPrintable(view->staleReason()));
    }

    void numericsCheckFromTheWorkbench()
    {
        w().loadSeedExample();
        NumericsDialog *d = w().checkNumerics();
        QSignalSpy done(d, &NumericsDialog::finished);
        d->run();
        QVERIFY(done.wait(60000));
        QVERIFY(done.first().first().toBool());
        QVERIFY(d->report()->allWithinTolerance());
        QCOMPARE(d->report()->baseline.size(), w().document()->workspace().candidates.size() + 1); // and the reference
        QVERIFY2(d->reportText().contains("sharing the prompt+reference prefix"), qPrintable(d->reportText()));
        d->close();
    }

    void f1ListsEveryShortcutOfTheWindow()
    {
        const QStringList rows = ShortcutsDialog(&w()).rows();
        for (const char *what : {"Export contributions as PNG", "Export contributions as HTML", "Group contributions by the next unit",
                                 "Zoom in", "Zoom out", "Score", "Copy results as TSV"})
            QVERIFY2(!rows.filter(QString::fromUtf8(what)).isEmpty(), qPrintable(what + QString(" not in: ") + rows.join("; ")));
        // Each action once, with all of its keys.
        QCOMPARE(rows.filter(QStringLiteral("Zoom in")).size(), 1);
        QVERIFY(rows.filter(QStringLiteral("Zoom in")).front().contains(QKeySequence(Qt::CTRL | Qt::Key_Equal).toString(QKeySequence::NativeText)));
    }

    void zoomScalesTheTextViews()
    {
        Appearance::setZoomSteps(0);
        QWidget *prompt = w().promptEditor()->textEdit();
        const double base = prompt->font().pointSizeF();
        w().activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w()));
        QTest::keyClick(&w(), Qt::Key_Equal, Qt::ControlModifier);
        QTest::keyClick(&w(), Qt::Key_Equal, Qt::ControlModifier);
        QCOMPARE(prompt->font().pointSizeF(), base + 2);
        QCOMPARE(w().attributionView()->outputView()->font().pointSizeF(), w().attributionView()->outputView()->property("polarBasePointSize").toDouble() + 2);
        QTest::keyClick(&w(), Qt::Key_Minus, Qt::ControlModifier);
        QCOMPARE(prompt->font().pointSizeF(), base + 1);
        QCOMPARE(Appearance::zoomSteps(), 1);
        w().findChild<QAction *>("zoomReset")->trigger();
        QCOMPARE(prompt->font().pointSizeF(), base);
    }

    void darkThemeKeepsFixedColoursReadable()
    {
        Appearance::setTheme(Appearance::Theme::Dark);
        QVERIFY(Appearance::isDark());
        const QColor window = QApplication::palette().color(QPalette::Window);
        // Meaningful colours are lighter on a dark window, and far from it.
        for (auto t : {Appearance::Tone::Good, Appearance::Tone::Bad, Appearance::Tone::Warning, Appearance::Tone::Muted})
            QVERIFY(std::abs(Appearance::tone(t).lightnessF() - window.lightnessF()) > 0.35);
        // On fixed pastel backgrounds the text stays dark whatever the theme.
        w().loadSeedExample();
        QVERIFY(scoreAndWait(w()));
        const QModelIndex ref = w().resultsModel()->index(w().resultsModel()->rowCount() - 1, 0);
        QVERIFY(ref.data(ResultsModel::IsReferenceRole).toBool());
        const QColor bg = ref.data(Qt::BackgroundRole).value<QBrush>().color();
        const QColor fg = ref.data(Qt::ForegroundRole).value<QBrush>().color();
        QVERIFY(bg.lightnessF() - fg.lightnessF() > 0.6);
        Appearance::setTheme(Appearance::Theme::Light);
        QVERIFY(!Appearance::isDark());
        QVERIFY(std::abs(Appearance::tone(Appearance::Tone::Bad).lightnessF() - QApplication::palette().color(QPalette::Window).lightnessF()) > 0.35);
        Appearance::setTheme(Appearance::Theme::System);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
