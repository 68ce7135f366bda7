// The batching policy alone, over a fake forward pass that runs out of memory
// above a token budget.
#include "model/reward_model.h"
#include "scoring/scorer.h"
#include "test_support.h"

#include <QtTest>

#include <algorithm>

using namespace polar;

namespace {

std::vector<std::vector<int>> sequences(std::initializer_list<int> lengths)
{
    std::vector<std::vector<int>> out;
    for (int n : lengths)
        out.push_back(std::vector<int>(size_t(n), n)); // reward = length, so results are checkable
    return out;
}

struct FakeForward
{
    int64_t memory;          // padded tokens one pass can hold
    std::vector<size_t> passSizes;
    std::vector<float> operator()(const std::vector<std::vector<int>> &rows)
    {
        size_t longest = 0;
        for (const auto &r : rows)
            longest = std::max(longest, r.size());
        if (int64_t(longest * rows.size()) > memory)
            throw OutOfMemory("fake: out of memory");
        passSizes.push_back(rows.size());
        std::vector<float> out;
        for (const auto &r : rows)
            out.push_back(float(r.size()));
        return out;
    }
};

} // namespace

class TestScorer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void budgetLimitsPaddedTokens()
    {
        FakeForward fake{1000000, {}};
        ScoreOptions o;
        o.batchTokens = 100;
        ScoreStats stats;
        const auto seqs = sequences({10, 50, 20, 30, 40, 10, 10});
        const auto r = scoreSequencesWith(std::ref(fake), seqs, o, &stats);
        for (size_t i = 0; i < seqs.size(); ++i) {
            QVERIFY(r[i].ok);
            QCOMPARE(r[i].reward, float(seqs[i].size())); // back in input order
        }
        // Longest first, greedy within 100 padded tokens: [50, 40] (100), [30, 20, 10] (90), [10, 10] (20).
        QCOMPARE(fake.passSizes, (std::vector<size_t>{2, 3, 2}));
        QCOMPARE(stats.forwardPasses, size_t(3));
        QCOMPARE(stats.paddedTokens, int64_t(100 + 90 + 20));
        QCOMPARE(stats.oomRetries, size_t(0));
        QCOMPARE(stats.realTokens, int64_t(170));
    }

    void outOfMemorySplitsAndIsolatesTheRowThatCannotFit()
    {
        FakeForward fake{120, {}};
        ScoreOptions o;
        o.batchTokens = 10000; // far more than fits: the scorer must discover it
        ScoreStats stats;
        size_t lastDone = 0;
        o.progress = [&](size_t done, size_t total) {
            QVERIFY(done >= lastDone && done <= total);
            lastDone = done;
        };
        const auto seqs = sequences({30, 500, 20, 40, 30, 10});
        const auto r = scoreSequencesWith(std::ref(fake), seqs, o, &stats);
        QVERIFY(!r[1].ok);
        QVERIFY2(QString::fromStdString(r[1].error).contains("single input of 500 tokens"), r[1].error.c_str());
        for (size_t i : {0, 2, 3, 4, 5}) {
            QVERIFY(r[i].ok);
            QCOMPARE(r[i].reward, float(seqs[i].size()));
        }
        QVERIFY(stats.oomRetries > 0);
        QCOMPARE(lastDone, seqs.size());
    }

    void otherErrorsFailTheirPassOnly()
    {
        int calls = 0;
        ForwardFn flaky = [&](const std::vector<std::vector<int>> &rows) {
            if (++calls == 1)
                throw Error("device lost");
            return std::vector<float>(rows.size(), 1.f);
        };
        ScoreOptions o;
        o.batchTokens = 20; // two rows of 10 per pass
        const auto r = scoreSequencesWith(flaky, sequences({10, 10, 10, 10}), o);
        QCOMPARE(int(std::count_if(r.begin(), r.end(), [](const SequenceScore &x) { return !x.ok; })), 2);
        QCOMPARE(int(std::count_if(r.begin(), r.end(), [](const SequenceScore &x) { return x.ok; })), 2);
    }

    void progressOnlyMovesForwardUnderPrefixSharing()
    {
        // Rows that continue the prefix and rows that do not run in two kinds
        // of pass; the progress they report is one running total.
        auto model = RewardModel::load(testdata::tinyModel());
        const std::vector<int> prefix = {1, 5, 6, 7, 8};
        std::vector<std::vector<int>> seqs;
        for (int i = 0; i < 6; ++i) {
            std::vector<int> s = i % 3 == 2 ? std::vector<int>{1, 9, 9} : prefix;
            for (int k = 0; k <= i; ++k)
                s.push_back(10 + k);
            seqs.push_back(s);
        }
        ScoreOptions o;
        o.batchTokens = 12; // several passes of each kind
        std::vector<std::pair<size_t, size_t>> calls;
        o.progress = [&](size_t done, size_t total) { calls.emplace_back(done, total); };
        ScoreStats stats;
        const auto r = scoreSharingPrefix(*model, prefix, seqs, o, &stats);
        QCOMPARE(stats.sharedRows, size_t(4));
        QCOMPARE(stats.fallbackRows, size_t(2));
        QVERIFY(calls.size() >= 3);
        size_t last = 0;
        for (const auto &[done, total] : calls) {
            QCOMPARE(total, seqs.size());
            QVERIFY2(done >= last, "progress went back");
            last = done;
        }
        QCOMPARE(last, seqs.size());
        for (const auto &x : r)
            QVERIFY(x.ok);
    }

    void prefixedRowsSurviveSplittingWithoutTradingRewards()
    {
        // Five prompts' prefixes of different lengths, 1-4 rows each, and a fake
        // forward that holds two prefixes and 100 padded row tokens a pass at
        // most: the first call (all five prefixes) runs out of memory and is
        // split by prefixes, then by rows. A reward encodes its prefix and row,
        // so a row given another's result shows.
        PrefixedRows c;
        const std::vector<size_t> prefixLengths = {30, 12, 50, 7, 20};
        const std::vector<std::vector<size_t>> suffixLengths = {{5, 40}, {9}, {3, 30, 60, 8}, {200, 4}, {25, 11, 2}};
        std::vector<float> expected;
        for (size_t p = 0; p < prefixLengths.size(); ++p) {
            c.prefixes.push_back(std::vector<int>(prefixLengths[p], int(p)));
            for (size_t n : suffixLengths[p]) {
                c.suffixes.push_back(std::vector<int>(n, 7));
                c.prefixOf.push_back(p);
                expected.push_back(float(1000 * prefixLengths[p] + n));
            }
        }
        int calls = 0;
        bool everyRowOnce = true;
        auto forward = [&](const std::vector<std::vector<int>> &prefixes, const std::vector<std::vector<int>> &rows,
                           const std::vector<size_t> &rowPrefix, const std::vector<std::vector<size_t>> &passes) {
            ++calls;
            std::vector<int> seen(rows.size(), 0);
            for (const auto &pass : passes) {
                size_t longest = 0;
                for (size_t k : pass) {
                    ++seen[k];
                    longest = std::max(longest, rows[k].size());
                }
                if (prefixes.size() > 2 || longest * pass.size() > 100)
                    throw OutOfMemory("fake: out of memory");
            }
            everyRowOnce = everyRowOnce && std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; });
            std::vector<float> out;
            for (size_t k = 0; k < rows.size(); ++k)
                out.push_back(float(1000 * prefixes[rowPrefix[k]].size() + rows[k].size()));
            return out;
        };
        ScoreOptions o;
        o.batchTokens = 1000;
        size_t last = 0;
        o.progress = [&](size_t done, size_t total) {
            QCOMPARE(total, c.suffixes.size());
            QVERIFY2(done >= last, "progress went back");
            last = done;
        };
        ScoreStats stats;
        const auto r = scorePrefixedRowsWith(forward, c, o, &stats);
        QVERIFY(everyRowOnce);
        QVERIFY(stats.oomRetries >= 3);
        QCOMPARE(last, c.suffixes.size());
        for (size_t k = 0; k < r.size(); ++k) {
            if (c.suffixes[k].size() == 200) { // 200 tokens: no pass can hold it
                QVERIFY(!r[k].ok);
                QVERIFY2(QString::fromStdString(r[k].error).contains("single input of 207 tokens"), r[k].error.c_str());
                continue;
            }
            QVERIFY2(r[k].ok, r[k].error.c_str());
            QCOMPARE(r[k].reward, expected[k]);
        }
        QVERIFY(calls > 5);
    }

    // Rows that run packed token after token take room by their own tokens
    // (and the prefix each gathers), not by the longest row's: the passes fill
    // the budget, none is closed for padding, and no padding is counted.
    void packedRowsFillPassesByTheirRealTokens()
    {
        PrefixedRows c;
        c.prefixes = {std::vector<int>(10, 1), std::vector<int>(6, 2)};
        for (size_t n : {100, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10}) {
            c.suffixes.push_back(std::vector<int>(n, 7));
            c.prefixOf.push_back(c.suffixes.size() % 2);
        }
        std::vector<std::vector<size_t>> passSizes; // tokens of each pass's rows
        auto forward = [&](const std::vector<std::vector<int>> &, const std::vector<std::vector<int>> &rows,
                           const std::vector<size_t> &, const std::vector<std::vector<size_t>> &passes) {
            for (const auto &pass : passes) {
                passSizes.emplace_back();
                for (size_t k : pass)
                    passSizes.back().push_back(rows[k].size());
            }
            return std::vector<float>(rows.size(), 1.f);
        };
        ScoreOptions o;
        o.batchTokens = 300;
        o.minPassTokens = 0;
        ScoreStats packed;
        for (const auto &r : scorePrefixedRowsWith(forward, c, o, &packed, /*packed=*/true))
            QVERIFY(r.ok);
        QCOMPARE(passSizes.size(), size_t(2)); // 10 rows (290 tokens with their prefixes), then 1
        QCOMPARE(passSizes.front().size(), size_t(10));
        for (const auto &pass : passSizes) {
            size_t held = 0;
            for (size_t n : pass)
                held += n + 10;
            QVERIFY2(held <= 300, qPrintable(QString("a pass holds %1 tokens").arg(held)));
        }
        QCOMPARE(packed.paddedTokens, packed.realTokens);

        passSizes.clear();
        ScoreStats padded;
        scorePrefixedRowsWith(forward, c, o, &padded);
        QCOMPARE(passSizes.front(), std::vector<size_t>{100}); // ten short rows padded to 100 would waste 90%
        QVERIFY(padded.paddedTokens > padded.realTokens);
    }

    void cancelStopsBetweenPasses()
    {
        std::atomic_bool cancel{false};
        ForwardFn forward = [&](const std::vector<std::vector<int>> &rows) {
            cancel = true; // raised during the first pass
            return std::vector<float>(rows.size(), 0.f);
        };
        ScoreOptions o;
        o.batchTokens = 10;
        o.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, scoreSequencesWith(forward, sequences({10, 10, 10}), o));
    }
};

QTEST_APPLESS_MAIN(TestScorer)
#include "test_scorer.moc"
