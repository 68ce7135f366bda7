// Autosave: a window process is SIGKILLed between edits; a new window finds
// the recovery file and restores every edit it had reported.
#include "workbench/commands.h"
#include "workbench/main_window.h"
#include "workbench/workspace_document.h"

#include <QProcess>
#include <QUndoStack>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

class TestAutosaveRecovery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
    }

    void killedProcessLosesNothing()
    {
        QTemporaryDir dir;
        const QString recovery = dir.filePath("recovery.json");
        QProcess child;
        child.setProgram(POLAR_AUTOSAVE_CHILD);
        child.setArguments({recovery});
        child.start();
        QVERIFY(child.waitForStarted());
        QByteArray out;
        while (!out.contains("edit 4\n")) {
            QVERIFY2(child.waitForReadyRead(30000), "the child stopped reporting edits");
            out += child.readAllStandardOutput();
        }
        ::kill(pid_t(child.processId()), SIGKILL); // no clean shutdown, no chance to flush
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        MainWindow restored(recovery);
        QVERIFY(restored.hasRecovery());
        QVERIFY(restored.restoreRecovery());
        const auto &ws = restored.document()->workspace();
        QCOMPARE(QString::fromStdString(ws.prompt.text), QString("Prompt after a crash"));
        QCOMPARE(QString::fromStdString(ws.reference.text), QString("The reference"));
        QCOMPARE(ws.candidates.size(), size_t(1));
        QCOMPARE(QString::fromStdString(ws.candidates[0].text.text), QString("A candidate typed before the crash"));
        QCOMPARE(ws.candidates[0].mark, polar::Candidate::Mark::Chosen);
        restored.discardRecovery();
        QVERIFY(!restored.hasRecovery());
    }

    void cleanCloseLeavesNoRecovery()
    {
        QTemporaryDir dir;
        const QString recovery = dir.filePath("recovery.json");
        {
            MainWindow window(recovery);
            window.loadSeedExample();
            QVERIFY(!window.hasRecovery()); // nothing edited: nothing to recover after a crash
            window.undoStack()->push(new EditFieldCommand(window.document(), WorkspaceDocument::Field::Prompt, {},
                                                          polar::TextField::fromString("An edit worth keeping")));
            QVERIFY(window.hasRecovery()); // written on the first edit
            QVERIFY2(window.recoverySummary().contains("1 candidates") || window.recoverySummary().contains("7 candidates"),
                     qPrintable(window.recoverySummary()));
            QVERIFY(window.recoverySummary().contains("An edit worth keeping"));
            window.undoStack()->undo();
            QVERIFY(!window.hasRecovery()); // back to clean: gone
            window.undoStack()->redo();
            QVERIFY(window.hasRecovery());
            window.undoStack()->setClean();
            QVERIFY(window.close());
        }
        QVERIFY(!QFile::exists(recovery));
    }
};

QTEST_MAIN(TestAutosaveRecovery)
#include "test_autosave_recovery.moc"
