// Pairs from rankings and the train.jsonl xtuner's POLAR fine-tuning reads.
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "preferences/pair_format.h"
#include "preferences/pairs.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace polar;
using Pairs = std::vector<std::pair<size_t, size_t>>;
Q_DECLARE_METATYPE(Pairs)
Q_DECLARE_METATYPE(polar::PairStrategy)

class TestPreferenceExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void strategies_data()
    {
        QTest::addColumn<std::vector<int>>("ranks");
        QTest::addColumn<polar::PairStrategy>("strategy");
        QTest::addColumn<Pairs>("expected");
        // Items 0..4 ranked 2, 1, 3, 1, 0(unranked): levels {1,3}, {0}, {2}.
        const std::vector<int> r = {2, 1, 3, 1, 0};
        QTest::newRow("all") << r << PairStrategy::AllPairs << Pairs{{1, 0}, {3, 0}, {1, 2}, {3, 2}, {0, 2}};
        QTest::newRow("best-vs-rest") << r << PairStrategy::BestVsRest << Pairs{{1, 0}, {3, 0}, {1, 2}, {3, 2}};
        QTest::newRow("adjacent") << r << PairStrategy::Adjacent << Pairs{{1, 0}, {3, 0}, {0, 2}};
        QTest::newRow("best-vs-worst") << r << PairStrategy::BestVsWorst << Pairs{{1, 2}, {3, 2}};
        QTest::newRow("all tied") << std::vector<int>{1, 1, 1} << PairStrategy::AllPairs << Pairs{};
    }

    void strategies()
    {
        QFETCH(std::vector<int>, ranks);
        QFETCH(polar::PairStrategy, strategy);
        QFETCH(Pairs, expected);
        QCOMPARE(pairsFromRanking(ranks, strategy), expected);
    }

    void ranksFromScoresTies()
    {
        QCOMPARE(ranksFromScores({0.5, 2.0, 0.5, -1.0}), (std::vector<int>{2, 1, 2, 4}));
        QCOMPARE(parsePairStrategy("adjacent"), PairStrategy::Adjacent);
        QVERIFY_THROWS_EXCEPTION(Error, parsePairStrategy("random"));
    }

    void appendsPolarFormat()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("train.jsonl").toStdString();
        PreferencePair p{TextField::fromString("Q?"), TextField::fromString("Ref."),
                         TextField::fromMessages({{"assistant", "Good."}}), TextField::fromString("Bad.")};
        QCOMPARE(appendPairs(path, {p}, PairFormat::Polar).written, size_t(1));
        PreferencePair q = p;
        q.rejected = TextField::fromString("Worse.");
        // Appends, never truncates; a pair the file holds is not written twice.
        const AppendSummary again = appendPairs(path, {p, q, q}, PairFormat::Polar);
        QCOMPARE(again.written, size_t(1));
        QCOMPARE(again.alreadyThere, size_t(2));
        QCOMPARE(appendPairs(path, {p, q}, PairFormat::Polar).written, size_t(0));
        const auto lines = readJsonl(path);
        QCOMPARE(lines.size(), size_t(2));
        const Json &j = lines[0].value;
        QCOMPARE(QString::fromStdString(j.dump()),
                 QString(R"({"prompt":[{"role":"user","content":"Q?"}],"reference":[{"role":"assistant","content":"Ref."}],)"
                         R"("chosen":[{"role":"assistant","content":"Good."}],"rejected":[{"role":"assistant","content":"Bad."}]})"));
        QCOMPARE(QString::fromStdString(pairToJson(p, PairFormat::Trl).dump()),
                 QString(R"({"prompt":[{"role":"user","content":"Q?"}],"chosen":[{"role":"assistant","content":"Good."}],)"
                         R"("rejected":[{"role":"assistant","content":"Bad."}]})"));
        QCOMPARE(QString::fromStdString(pairToJson(p, PairFormat::TrlText).dump()),
                 QString(R"({"prompt":"Q?\n","chosen":"Good.","rejected":"Bad."})"));
        QVERIFY_THROWS_EXCEPTION(Error, parsePairFormat("polar-strings")); // read by no trainer: removed
    }

    void refusesToAppendToAForeignFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("notes.txt").toStdString();
        writeFileAtomically(path, "{\"ok\": 1}\nthis is prose\n");
        PreferencePair p{TextField::fromString("Q"), TextField::fromString("R"), TextField::fromString("A"),
                         TextField::fromString("B")};
        try {
            appendPairs(path, {p}, PairFormat::Polar);
            QFAIL("appended to a non-JSONL file");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("notes.txt:2"), e.what());
        }
        QCOMPARE(QString::fromStdString(readWholeFile(path)), QString("{\"ok\": 1}\nthis is prose\n")); // untouched
    }
};

QTEST_APPLESS_MAIN(TestPreferenceExport)
#include "test_preference_export.moc"
