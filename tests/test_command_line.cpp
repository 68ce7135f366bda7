// polar-studio's options are split from Qt's before QApplication parses argv
// (Qt's X11 session management would otherwise swallow --session FILE); what
// Qt leaves over is a file to open or a mistake to name.
#include "workbench/command_line.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

class TestCommandLine : public QObject
{
    Q_OBJECT

    static SplitCommandLine split(std::vector<std::string> args)
    {
        std::vector<char *> argv;
        for (auto &a : args)
            argv.push_back(a.data());
        return splitCommandLine(int(argv.size()), argv.data(), {"model", "session", "dataset"}, {"score"});
    }

private Q_SLOTS:
    void ourOptionsNeverReachQt()
    {
        const SplitCommandLine s = split({"polar-studio", "--session", "work.json", "-platform", "offscreen", "-session=x.json",
                                          "--model=/m", "--score", "-style", "fusion", "--dataset", "d.jsonl"});
        QCOMPARE(s.ours, QStringList({"polar-studio", "--session", "work.json", "-session=x.json", "--model=/m", "--score",
                                      "--dataset", "d.jsonl"}));
        QCOMPARE(s.forQt, std::vector<std::string>({"polar-studio", "-platform", "offscreen", "-style", "fusion"}));
    }

    void theParserReadsWhatQtWouldHaveTaken()
    {
        SplitCommandLine s = split({"polar-studio", "--session", "work.json"});
        QCommandLineParser parser;
        QCommandLineOption session("session", "", "FILE");
        parser.addOption(session);
        QVERIFY(parser.parse(s.ours));
        QCOMPARE(parser.value(session), QString("work.json"));
        // And Qt, given the rest, has nothing of ours left to swallow.
        auto argv = s.qtArgv();
        QCOMPARE(argv.size(), size_t(2));
        QCOMPARE(QString(argv[0]), QString("polar-studio"));
        QVERIFY(argv[1] == nullptr);
    }

    void positionalArgumentsAfterDoubleDashAreOurs()
    {
        const SplitCommandLine s = split({"polar-studio", "--", "-session"});
        QCOMPARE(s.ours, QStringList({"polar-studio", "--", "-session"})); // the parser reads "--" too
        QCOMPARE(s.forQt.size(), size_t(1));
    }

    void filesNamedOnTheirOwnOpenAsWhatTheyAre()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("POLAR-7B"), session = dir.filePath("work.polar.json"),
                      dataset = dir.filePath("prefs.jsonl"), project = dir.filePath("prefs.polar-project.jsonl");
        QVERIFY(QDir().mkpath(model));
        for (const QString &file : {session, dataset, project})
            QVERIFY(QFile(file).open(QIODevice::WriteOnly));

        // As a file manager passes them (%F), and after "--" as a shell may.
        StudioCommandLine c;
        QVERIFY(c.parse({"polar-studio", "--score", "--", session}).proceed);
        QVERIFY(c.addLeftovers({model, dataset}).proceed);
        QCOMPARE(c.options().model, model);
        QCOMPARE(c.options().session, session);
        QCOMPARE(c.options().run.dataset, dataset);
        QVERIFY(c.options().run.score);

        StudioCommandLine p;
        QVERIFY(p.parse({"polar-studio"}).proceed);
        QVERIFY(p.addLeftovers({project}).proceed);
        QCOMPARE(p.options().run.dataset, project); // a project file opens its project

        // Two of a kind, an option and a file of the same kind: which one was meant is not guessed.
        StudioCommandLine two;
        QVERIFY(two.parse({"polar-studio", "--dataset", dataset}).proceed);
        const CommandLineVerdict v = two.addLeftovers({project});
        QVERIFY(!v.proceed);
        QCOMPARE(v.exitCode, 2);
        QVERIFY2(v.message.contains("two datasets given") && v.message.contains(project), qPrintable(v.message));
    }

    void mistakesAreNamedNotIgnored()
    {
        QTemporaryDir dir;
        const QString notes = dir.filePath("notes.txt");
        QVERIFY(QFile(notes).open(QIODevice::WriteOnly));
        const auto leftover = [](const QStringList &args) {
            StudioCommandLine c;
            c.parse({"polar-studio"});
            return c.addLeftovers(args);
        };
        const struct
        {
            CommandLineVerdict verdict;
            QString says;
        } cases[] = {
            {leftover({"--modle", "/m"}), "unknown option '--modle'"}, // what Qt did not take is not ours either
            {leftover({dir.filePath("missing.json")}), "missing.json: no such file or directory"},
            {leftover({notes}), "notes.txt: not a session (.json), a dataset or project file (.jsonl) or a model directory"},
            {StudioCommandLine().parse({"polar-studio", "--explain", "saliency"}), "--explain: 'saliency' is not an attribution method"},
            {StudioCommandLine().parse({"polar-studio", "--model"}), "Missing value after '--model'"},
        };
        for (const auto &c : cases) {
            QVERIFY(!c.verdict.proceed);
            QCOMPARE(c.verdict.exitCode, 2);
            QVERIFY2(c.verdict.message.contains(c.says), qPrintable(c.verdict.message));
        }
    }

    void explainScoresFirstAndHelpNeedsNoApp()
    {
        StudioCommandLine c;
        QVERIFY(c.parse({"polar-studio", "--explain", "ig"}).proceed);
        QVERIFY(c.options().run.score); // nothing to explain before a scoring
        QCOMPARE(c.options().run.explain, QString("ig"));

        const CommandLineVerdict help = StudioCommandLine().parse({"polar-studio", "--help"});
        QVERIFY(!help.proceed);
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.message.contains("[options] [FILE...]") && !help.message.contains("<executable_name>"), qPrintable(help.message));
        QVERIFY(help.message.contains("--recovery-file <FILE>"));
        QVERIFY(!help.message.contains("Qt's options"));
        // --help-all adds Qt's own options, which Qt lists only once an application exists.
        const CommandLineVerdict all = StudioCommandLine().parse({"polar-studio", "--help-all"});
        QCOMPARE(all.exitCode, 0);
        QVERIFY2(all.message.contains("--recovery-file <FILE>") && all.message.contains("-platform NAME")
                     && all.message.contains("-style NAME"), qPrintable(all.message));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "test_command_line.moc"
