#include "scorer.h"

#include "error.h"
#include "reward_model.h"

#include <algorithm>
#include <numeric>

namespace polar {

namespace {

struct Pass
{
    std::vector<size_t> rows; // indices into the input
};

// Greedy batches over rows in the given order: a pass is closed when one more
// row would push rows x longest row past the budget.
std::vector<Pass> planPasses(const std::vector<std::vector<int>> &seqs, const std::vector<size_t> &order, int64_t budget)
{
    std::vector<Pass> passes;
    Pass current;
    int64_t longest = 0;
    for (size_t idx : order) {
        const int64_t len = int64_t(seqs[idx].size());
        const int64_t newLongest = std::max(longest, len);
        if (!current.rows.empty() && newLongest * int64_t(current.rows.size() + 1) > budget) {
            passes.push_back(std::move(current));
            current = {};
            longest = 0;
        }
        current.rows.push_back(idx);
        longest = std::max(longest, len);
    }
    if (!current.rows.empty())
        passes.push_back(std::move(current));
    return passes;
}

} // namespace

std::vector<ScoreResult> scoreSequences(const RewardModel &model, const std::vector<std::vector<int>> &seqs,
                                        const ScoreOptions &options, ScoreStats *stats)
{
    return scoreSequencesWith([&model](const std::vector<std::vector<int>> &rows) { return model.forwardRewards(rows); },
                              seqs, options, stats);
}

std::vector<ScoreResult> scoreSequencesWith(const ForwardFn &forward, const std::vector<std::vector<int>> &seqs,
                                            const ScoreOptions &options, ScoreStats *stats)
{
    std::vector<ScoreResult> results(seqs.size());
    ScoreStats local;
    ScoreStats &st = stats ? *stats : local;

    std::vector<size_t> order(seqs.size());
    std::iota(order.begin(), order.end(), 0);
    if (options.bucketByLength)
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return seqs[a].size() > seqs[b].size(); });

    std::vector<Pass> work = planPasses(seqs, order, std::max<int64_t>(1, options.batchTokens));
    std::reverse(work.begin(), work.end()); // used as a stack, first pass on top
    size_t done = 0;
    while (!work.empty()) {
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        Pass pass = std::move(work.back());
        work.pop_back();
        std::vector<std::vector<int>> rows;
        int64_t longest = 0, real = 0;
        for (size_t idx : pass.rows) {
            rows.push_back(seqs[idx]);
            longest = std::max<int64_t>(longest, int64_t(seqs[idx].size()));
            real += int64_t(seqs[idx].size());
        }
        try {
            const std::vector<float> rewards = forward(rows);
            for (size_t i = 0; i < pass.rows.size(); ++i)
                results[pass.rows[i]] = {true, rewards[i], {}};
            ++st.forwardPasses;
            st.realTokens += real;
            st.paddedTokens += longest * int64_t(rows.size());
        } catch (const OutOfMemory &e) {
            ++st.oomRetries;
            if (pass.rows.size() == 1) {
                results[pass.rows[0]] = {false, 0.f, "out of memory for a single input of " + std::to_string(longest)
                                                         + " tokens (" + e.what() + ")"};
            } else {
                const size_t half = pass.rows.size() / 2;
                Pass a{std::vector<size_t>(pass.rows.begin(), pass.rows.begin() + long(half))};
                Pass b{std::vector<size_t>(pass.rows.begin() + long(half), pass.rows.end())};
                work.push_back(std::move(b));
                work.push_back(std::move(a));
                continue;
            }
        } catch (const Cancelled &) {
            throw;
        } catch (const Error &e) {
            for (size_t idx : pass.rows)
                results[idx] = {false, 0.f, e.what()};
        }
        done += pass.rows.size();
        if (options.progress)
            options.progress(done, seqs.size());
    }
    return results;
}

std::vector<PolarInput> encodeRequests(const RewardModel &model, const std::vector<ScoreRequest> &requests,
                                       const EncodeOptions &encodeOptions)
{
    std::vector<PolarInput> out;
    out.reserve(requests.size());
    for (const auto &r : requests)
        out.push_back(model.encoder().encode(r.prompt, r.reference, r.output, encodeOptions));
    return out;
}

} // namespace polar
