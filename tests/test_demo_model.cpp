// The embedded demo model: it unpacks once into the user's cache, and it
// behaves like a reward model on its own held-out set and on the app's seed
// example: the targets its model card reports (at least 95% of held-out pairs,
// no family far behind, every "3" above every "2" for strawberry, and, as a
// POLAR model does, the reference word for word above right answers in other
// words).
#include "model/demo_model.h"
#include "model/reward_model.h"
#include "scoring/pipeline.h"
#include "scoring/score_records.h"
#include "training/pair_evaluation.h"
#include "training/training_data.h"
#include "util/embedded_files.h"
#include "util/files.h"
#include "util/json.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <limits>
#include <optional>
#include <regex>
#include <sys/stat.h>

using namespace polar;

class TestDemoModel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_cache;
    std::unique_ptr<RewardModel> m_model;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
    }

    void unpacksOnceAndRepairsADamagedCopy()
    {
        const std::string dir = demoModelDirectory();
        QVERIFY(dir.rfind(m_cache.path().toStdString() + "/polar-studio/models/polar-demo-", 0) == 0);
        QVERIFY(isDemoModelDirectory(dir));
        QVERIFY(isDemoModelDirectory(dir + "/"));
        QVERIFY(!isDemoModelDirectory(testdata::tinyModel()));
        const std::string weights = joinPath(dir, "model.safetensors");
        struct stat before {};
        QCOMPARE(::stat(weights.c_str(), &before), 0);
        QCOMPARE(demoModelDirectory(), dir); // a second call finds it
        struct stat again {};
        QCOMPARE(::stat(weights.c_str(), &again), 0);
        QCOMPARE(again.st_ino, before.st_ino);
        // Someone truncates a file: the next call unpacks a whole copy again.
        writeFileAtomically(weights, "damaged");
        QCOMPARE(demoModelDirectory(), dir);
        QCOMPARE(uint64_t(readWholeFile(weights).size()), uint64_t(before.st_size));
        m_model = RewardModel::load(dir);
        QVERIFY(m_model->info().parameterCount < 2'000'000); // small enough to embed
    }

    void unwritableCacheIsAClearError()
    {
        qputenv("XDG_CACHE_HOME", "/proc/polar-studio-cannot-write-here");
        try {
            demoModelDirectory();
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("/proc/polar-studio-cannot-write-here"), e.what());
        }
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
    }

    void heldOutPairwiseAccuracyHoldsItsModelCard()
    {
        QVERIFY(m_model);
        std::vector<std::string> families;
        const auto pairs = readPolarPairs(testdata::sourceDir() + "/tests/data/polar-demo-heldout.jsonl", "family", &families);
        QVERIFY(pairs.size() >= 500);
        const PairAccuracy a = evaluatePairs(*m_model, pairs, ScoringSettings{}, families);
        qInfo("%s", a.describe().c_str());
        QVERIFY2(a.accuracy() >= 0.95, a.describe().c_str());
        QCOMPARE(a.byGroup.size(), size_t(4)); // all four task families are in the test
        for (const auto &[family, counts] : a.byGroup) // none of them far behind
            QVERIFY2(double(counts.first) / double(counts.second) >= 0.85, a.describe().c_str());
    }

    void heldOutReferenceWordForWordRanksAboveOtherWords()
    {
        QVERIFY(m_model);
        std::vector<std::string> families;
        const auto pairs =
            readPolarPairs(testdata::sourceDir() + "/tests/data/polar-demo-heldout-verbatim.jsonl", "family", &families);
        QVERIFY(pairs.size() >= 100);
        for (const auto &p : pairs) // the file is what its name says
            QVERIFY(p.chosen.flattened() == p.reference.flattened() && p.rejected.flattened() != p.reference.flattened());
        const PairAccuracy a = evaluatePairs(*m_model, pairs, ScoringSettings{}, families);
        qInfo("%s", a.describe().c_str());
        QVERIFY2(a.accuracy() >= 0.8, a.describe().c_str()); // 54% before it was trained for it; chance is 50%
    }

    void strawberryAnswersSaying3RankAboveThoseSaying2()
    {
        QVERIFY(m_model);
        const ScoreRecord r = strawberry();
        const auto scores = scoreStrawberry(r);
        // Which count each answer gives, read from its text: only 3/three, only 2/two, or both.
        const std::regex three("\\b(3|three)\\b"), two("\\b(2|two)\\b");
        std::vector<float> says3, says2;
        for (size_t i = 0; i < scores.size(); ++i) {
            QVERIFY(scores[i].ok);
            const std::string text = r.outputs[i].flattened();
            const bool t3 = std::regex_search(text, three), t2 = std::regex_search(text, two);
            if (t3 != t2)
                (t3 ? says3 : says2).push_back(scores[i].reward);
        }
        QVERIFY(says3.size() >= 2 && says2.size() >= 2);
        const float worst3 = *std::min_element(says3.begin(), says3.end());
        const float best2 = *std::max_element(says2.begin(), says2.end());
        // By a clear margin: a difference of rounding would be a tie, not a ranking.
        QVERIFY2(worst3 > best2 + 1.0f, qPrintable(QString("lowest '3' reward %1, highest '2' reward %2").arg(worst3).arg(best2)));
    }

    void strawberryReferenceWordForWordRanksFirst()
    {
        QVERIFY(m_model);
        const ScoreRecord r = strawberry();
        const auto scores = scoreStrawberry(r);
        std::optional<float> verbatim;
        float bestOther = -std::numeric_limits<float>::infinity();
        for (size_t i = 0; i < scores.size(); ++i) {
            QVERIFY(scores[i].ok);
            if (r.outputs[i].flattened() == r.reference.flattened())
                verbatim = scores[i].reward;
            else
                bestOther = std::max(bestOther, scores[i].reward);
        }
        QVERIFY2(verbatim, "the seed example has an answer that is its reference word for word");
        QVERIFY2(*verbatim > bestOther, qPrintable(QString("reference word for word %1, best other answer %2").arg(*verbatim).arg(bestOther)));
    }

private:
    static ScoreRecord strawberry()
    {
        const Json rec = parseJson(readWholeFile(testdata::sourceDir() + "/datasets/strawberry.jsonl"), "strawberry.jsonl");
        return parseScoreRecord(rec, "strawberry.jsonl");
    }

    std::vector<CandidateScore> scoreStrawberry(const ScoreRecord &r)
    {
        std::vector<ScoreRequest> requests;
        for (const auto &o : r.outputs)
            requests.push_back({r.prompt, r.reference, o});
        return scoreRequests(*m_model, requests, ScoringSettings{});
    }
};

QTEST_GUILESS_MAIN(TestDemoModel)
#include "test_demo_model.moc"
