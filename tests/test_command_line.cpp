// polar-studio's options are split from Qt's before QApplication parses argv:
// Qt's X11 session management would otherwise swallow --session FILE.
#include "workbench/command_line.h"

#include <QApplication>
#include <QCommandLineParser>
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
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "test_command_line.moc"
