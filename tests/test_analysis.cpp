// The statistics behind the reward analyses, on cases small enough to work
// out by hand, and the model-backed analyses against plain scoring.
#include "analysis/length_bias.h"
#include "analysis/numerics_check.h"
#include "analysis/reference_sensitivity.h"
#include "analysis/reward_bench.h"
#include "util/files.h"
#include "analysis/statistics.h"
#include "model/reward_model.h"
#include "scoring/pipeline.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace polar;

namespace {

AnnotatedItem item(size_t line, std::vector<float> rewards, std::vector<int> ranks, size_t candidates)
{
    AnnotatedItem it;
    it.line = line;
    it.candidates.assign(candidates, TextField::fromString("x"));
    it.rewards = std::move(rewards);
    it.ranks = std::move(ranks);
    return it;
}

} // namespace

class TestAnalysis : public QObject
{
    Q_OBJECT

    std::unique_ptr<RewardModel> m_model;

private Q_SLOTS:
    void initTestCase() { m_model = RewardModel::load(testdata::tinyModel()); }

    void ranksAndCorrelations()
    {
        QCOMPARE(averageRanks({10, 20, 20, 30}), (std::vector<double>{1, 2.5, 2.5, 4}));
        QCOMPARE(*pearson({1, 2, 3}, {2, 4, 6}), 1.0);
        QCOMPARE(*pearson({1, 2, 3}, {3, 2, 1}), -1.0);
        // dx = dy' = (-1.5, -0.5, 0.5, 1.5), dy = (-1.5, 0.5, -0.5, 1.5): 4 / sqrt(5 * 5)
        QVERIFY(std::abs(*pearson({1, 2, 3, 4}, {1, 3, 2, 4}) - 0.8) < 1e-12);
        // Spearman sees only the order: 1000 is just "the largest".
        QVERIFY(std::abs(*spearman({1, 2, 3, 4}, {10, 30, 20, 1000}) - 0.8) < 1e-12);
        QVERIFY(!pearson({1, 1, 1}, {1, 2, 3})); // a constant side has no correlation
        QVERIFY(!pearson({1}, {2}));
    }

    void calibrationByHand()
    {
        // Two bins over confidence [0.5, 0.75) and [0.75, 1]:
        //   margin  2: confidence s(2) = 0.881, right      -> upper bin
        //   margin -1: confidence s(1) = 0.731, wrong      -> lower bin
        //   margin  0: confidence 0.5, half right          -> lower bin
        //   margin  3: confidence s(3) = 0.953, right      -> upper bin
        const Calibration c = calibration({2, -1, 0, 3}, 2);
        QCOMPARE(c.pairs, size_t(4));
        QCOMPARE(c.accuracy, 2.5 / 4);
        QCOMPARE(c.bins[0].count, size_t(2));
        QCOMPARE(c.bins[1].count, size_t(2));
        const double s1 = 1 / (1 + std::exp(-1.0)), s2 = 1 / (1 + std::exp(-2.0)), s3 = 1 / (1 + std::exp(-3.0));
        QVERIFY(std::abs(c.bins[0].meanConfidence - (s1 + 0.5) / 2) < 1e-12);
        QCOMPARE(c.bins[0].accuracy, 0.25);
        QVERIFY(std::abs(c.bins[1].meanConfidence - (s2 + s3) / 2) < 1e-12);
        QCOMPARE(c.bins[1].accuracy, 1.0);
        const double ece = 0.5 * std::abs(0.25 - (s1 + 0.5) / 2) + 0.5 * std::abs(1 - (s2 + s3) / 2);
        QVERIFY(std::abs(c.ece - ece) < 1e-12);
    }

    void lengthBiasByHand()
    {
        // Item A: ranked 0 > 1 > 2, the model prefers the longest.
        //   pairs (0,1) (0,2) (1,2): model 0,0,1; longer 0,0,1; shorter 1,1,0
        // Item B: a tie in length and reward: half credit to everyone.
        // Item C is unscored, item D stale (a candidate added after scoring): left out.
        std::vector<AnnotatedItem> items{item(1, {1.f, 3.f, 2.f}, {1, 2, 3}, 3), item(2, {0.5f, 0.5f}, {1, 2}, 2),
                                         item(3, {}, {1, 2}, 2), item(4, {1.f, 2.f}, {1, 2, 3}, 3)};
        const LengthBiasReport r = lengthBias(items, {{10, 50, 20}, {5, 5}, {7, 8}, {1, 2, 3}});
        QCOMPARE(r.pairs, size_t(4));
        QCOMPARE(r.modelAccuracy, 1.5 / 4);
        QCOMPARE(r.longerAccuracy, 1.5 / 4);
        QCOMPARE(r.shorterAccuracy, 2.5 / 4);
        QCOMPARE(r.points.size(), size_t(5));
        // Lengths and rewards rank alike: (5,5,10,20,50) against (.5,.5,1,2,3).
        QCOMPARE(*r.spearman, 1.0);
        // Every pair of item A is at least 2x apart in length (20 vs 10 counts).
        QCOMPARE(r.lopsided.size(), size_t(3));
        QCOMPARE(r.lopsided[0].line, size_t(1));
        QVERIFY(QString::fromStdString(r.describe()).contains("a length-only rule does as well as the model"));
        QVERIFY(QString::fromStdString(r.describe()).contains("3 pairs whose lengths differ 2.0x or more (length may decide them)"));
        QVERIFY_THROWS_EXCEPTION(Error, lengthBias(items, {{1}}));
        // Twelve lopsided pairs: ten are listed, and the rest are counted, not dropped.
        std::vector<AnnotatedItem> many;
        std::vector<std::vector<int>> lengths;
        for (int k = 0; k < 12; ++k) {
            many.push_back(item(size_t(k + 1), {2.f, 1.f}, {1, 2}, 2));
            lengths.push_back({30, 10});
        }
        const std::string text = lengthBias(many, lengths).describe();
        QVERIFY2(QString::fromStdString(text).contains("and 2 more"), text.c_str());
        QCOMPARE(QString::fromStdString(text).count("  line "), 10);
        const std::string one = lengthBias({many[0]}, {lengths[0]}).describe();
        QVERIFY2(QString::fromStdString(one).contains("1 pair whose lengths differ 2.0x or more (length may decide it)"), one.c_str());
    }

    void groupsOfMutuallyConsistentAnswers()
    {
        // Candidates 0 and 1 nearly reach each other's copy ceiling; 2 is far from both.
        const std::vector<std::vector<double>> m{{5, 4.8, -3}, {4.9, 5, -3}, {-2, -2, 5}};
        QVERIFY(std::abs(consistencyDistance(m, 0, 1) - 0.15) < 1e-12);
        QVERIFY(std::abs(consistencyDistance(m, 0, 2) - 7.5) < 1e-12);
        QCOMPARE(consistentGroups(m, 1.0), (std::vector<std::vector<size_t>>{{0, 1}, {2}}));
        QCOMPARE(consistentGroups(m, 10.0), (std::vector<std::vector<size_t>>{{0, 1, 2}}));
        QCOMPARE(consistentGroups(m, 0.1), (std::vector<std::vector<size_t>>{{0}, {1}, {2}}));
        double used = 0;
        // By default the cut falls in the largest gap, between 0.15 and 7.5.
        QCOMPARE(consistentGroups(m, -1, &used), (std::vector<std::vector<size_t>>{{0, 1}, {2}}));
        QVERIFY(used > 0.15 && used < 7.5);
    }

    void referenceSensitivityMatchesPlainScoring()
    {
        const TextField prompt = TextField::fromString("How many r's are in strawberry?");
        const TextField reference = TextField::fromString("There are 3 r's.");
        const std::vector<TextField> cands{TextField::fromString("Three."), TextField::fromString("There are 2 r's."),
                                           TextField::fromString("3")};
        const TextField edited = TextField::fromString("Three r's.");
        ScoringSettings settings;
        const auto r = referenceSensitivity(*m_model, prompt, reference, cands, settings, edited);
        // Each cell is the reward of that (prompt, reference, output) scored alone.
        auto alone = [&](const TextField &ref, const TextField &out) {
            return double(scoreRequests(*m_model, {{prompt, ref, out}}, settings)[0].reward);
        };
        for (size_t i = 0; i < cands.size(); ++i) {
            QVERIFY(std::abs(r.given[i] - alone(reference, cands[i])) < 1e-4);
            QVERIFY(std::abs(r.empty[i] - alone(TextField::fromString(""), cands[i])) < 1e-4);
            QVERIFY(std::abs((*r.edited)[i] - alone(edited, cands[i])) < 1e-4);
            for (size_t j = 0; j < cands.size(); ++j)
                QVERIFY(std::abs(r.matrix[i][j] - alone(cands[j], cands[i])) < 1e-4);
        }
        QCOMPARE(r.order.size(), cands.size());
        const Json j = r.toJson();
        QCOMPARE(j["matrix"].size(), cands.size());
        QCOMPARE(j["own_reference"][1].get<double>(), r.matrix[1][1]);
    }

    void rewardBenchCreditsAndSections()
    {
        QCOMPARE(rowCredit({2.0}, {1.0}), 1.0);
        QCOMPARE(rowCredit({1.0}, {2.0}), 0.0);
        QCOMPARE(rowCredit({1.0}, {1.0}), 0.5);                 // a v1 tie: half
        QCOMPARE(rowCredit({3.0}, {3.0, 3.0, 1.0}), 1.0 / 3);   // best-of-4, three tied at the top
        QCOMPARE(rowCredit({3.0}, {2.0, 2.0, 1.0}), 1.0);
        QCOMPARE(rowCredit({3.0, 3.0}, {3.0, 0.0}), 2.0 / 3);   // two of the three at the top are chosen
        // Sections weigh subsets by RewardBench's example counts, not by the
        // rows present: Chat = (1.0 * 100 + 0.5 * 95) / 195 here.
        std::vector<BenchRow> rows;
        auto row = [&](const char *subset) {
            BenchRow r;
            r.subset = subset;
            r.chosen = {TextField::fromString("a")};
            r.rejected = {TextField::fromString("b")};
            r.reference = TextField::fromString("ref");
            rows.push_back(r);
        };
        row("alpacaeval-easy");
        row("alpacaeval-hard");
        row("alpacaeval-hard");
        row("custom");
        rows.push_back(rows[0]);
        rows.back().reference.reset(); // no reference: left out, counted
        const BenchReport r = summarizeBench(rows, {1.0, 1.0, 0.0, 0.0, 1.0});
        QCOMPARE(r.version, 1);
        QCOMPARE(r.evaluated, size_t(4));
        QCOMPARE(r.withoutReference, size_t(1));
        QCOMPARE(r.subsets.at("alpacaeval-hard").accuracy(), 0.5);
        QVERIFY(std::abs(r.sections.at("Chat") - (1.0 * 100 + 0.5 * 95) / 195) < 1e-12);
        QVERIFY(!r.score); // three sections have no subsets here: no overall score
        QCOMPARE(r.accuracy, 2.0 / 4);
        QVERIFY(QString::fromStdString(r.describe()).contains("not comparable"));
        QCOMPARE(r.toJson()["comparable_with_reference_free_models"].get<bool>(), false);
    }

    void rewardBenchFilesAndReferences()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bench.jsonl").toStdString();
        writeFileAtomically(path, "{\"id\": 1, \"subset\": \"s\", \"prompt\": \"p\", \"chosen\": \"A\", \"rejected\": \"B\"}\n"
                                  "{\"id\": 2, \"subset\": \"s\", \"prompt\": \"p\", \"chosen\": \"C\", \"rejected\": \"A\"}\n"
                                  "{\"id\": \"x\", \"subset\": \"t\", \"prompt\": \"q\", \"chosen\": [\"D\", \"E\"], \"rejected\": [\"F\", \"G\", \"H\"]}\n");
        auto rows = readRewardBench(path);
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(QString::fromStdString(rows[2].id), QStringLiteral("x"));
        // Leave-one-out never judges a row against one of its own answers:
        // row 1 gets C (row 2's chosen), row 2 cannot take A (its own rejected)
        // and has no other, row 3 gives up one of its two chosen.
        BenchReferenceOptions loo;
        QCOMPARE(attachReferences(rows, loo), size_t(1));
        QCOMPARE(QString::fromStdString(rows[0].reference->flattened()), QStringLiteral("C"));
        QVERIFY(!rows[1].reference);
        QCOMPARE(QString::fromStdString(rows[2].reference->flattened()), QStringLiteral("E"));
        QCOMPARE(rows[2].chosen.size(), size_t(1));
        // References from a file, by id.
        const std::string refs = dir.filePath("refs.jsonl").toStdString();
        writeFileAtomically(refs, "{\"id\": \"2\", \"reference\": \"R\"}\n");
        auto again = readRewardBench(path);
        BenchReferenceOptions file;
        file.source = BenchReference::File;
        file.file = refs;
        QCOMPARE(attachReferences(again, file), size_t(2));
        QCOMPARE(QString::fromStdString(again[1].reference->flattened()), QStringLiteral("R"));
        // A bad row is an error naming its line and field, never a silent skip.
        writeFileAtomically(path, "{\"prompt\": \"p\", \"chosen\": \"A\", \"rejected\": \"B\"}\n{\"prompt\": \"p\", \"chosen\": 3, \"rejected\": \"B\"}\n");
        try {
            readRewardBench(path);
            QFAIL("a bad row was accepted");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains(":2: field 'chosen'"), e.what());
        }
    }

    void numericsAgreeAcrossBatchingAndSharing()
    {
        const TextField prompt = TextField::fromString("Name the capital of France.");
        const TextField reference = TextField::fromString("Paris is the capital of France.");
        std::vector<ScoreRequest> requests;
        std::vector<size_t> group;
        for (const char *o : {"Paris.", "It is Lyon, a large city in the south east of the country with a long history.", "paris",
                              "The capital of France is Paris, on the Seine."}) {
            requests.push_back({prompt, reference, TextField::fromString(o)});
            group.push_back(0);
        }
        requests.push_back({TextField::fromString("2+2?"), TextField::fromString("4"), TextField::fromString("4")});
        group.push_back(1);
        const NumericsReport r = checkNumerics(*m_model, requests, group, ScoringSettings{});
        QCOMPARE(r.baseline.size(), requests.size());
        QCOMPARE(r.variants.size(), size_t(3));
        for (const auto &v : r.variants) {
            QVERIFY2(v.withinTolerance, qPrintable(QString::fromStdString(v.name)));
            QVERIFY(v.maxAbsDelta < 1e-3);
            QCOMPARE(v.comparedPairs, size_t(6)); // pairs within the first prompt only
        }
        QVERIFY(r.allWithinTolerance());
        QVERIFY(r.toJson()["all_within_tolerance"].get<bool>());
        QVERIFY_THROWS_EXCEPTION(Error, checkNumerics(*m_model, requests, {0}, ScoringSettings{}));
    }
};

QTEST_MAIN(TestAnalysis)
#include "test_analysis.moc"
