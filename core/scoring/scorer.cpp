#include "scoring/scorer.h"

#include "util/error.h"
#include "model/reward_model.h"
#include "model/tokenizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace polar {

namespace {

constexpr int64_t kCpuMinPassTokens = 1024, kGpuMinPassTokens = 16384;

// Options with the device-dependent defaults filled in for `model`.
ScoreOptions forDevice(const RewardModel &model, ScoreOptions o)
{
    if (o.minPassTokens < 0)
        o.minPassTokens = model.info().device.rfind("cuda", 0) == 0 ? kGpuMinPassTokens : kCpuMinPassTokens;
    return o;
}

struct Pass
{
    std::vector<size_t> rows; // indices into the input
};

// Greedy batches over rows in the given order: a pass is closed when one more
// row would push rows x longest row past the budget, or (with bucketing) its
// padding past the limit once it is big enough.
std::vector<Pass> planPasses(const std::vector<std::vector<int>> &seqs, const std::vector<size_t> &order,
                             const ScoreOptions &o)
{
    const int64_t budget = std::max<int64_t>(1, o.batchTokens);
    std::vector<Pass> passes;
    Pass current;
    int64_t longest = 0, real = 0;
    for (size_t idx : order) {
        const int64_t len = int64_t(seqs[idx].size());
        const int64_t newLongest = std::max(longest, len);
        const int64_t padded = newLongest * int64_t(current.rows.size() + 1);
        const bool overBudget = padded > budget;
        const bool tooPadded = o.bucketByLength && real >= (o.minPassTokens < 0 ? kCpuMinPassTokens : o.minPassTokens)
            && double(padded - real - len) > o.maxPadding * double(padded);
        if (!current.rows.empty() && (overBudget || tooPadded)) {
            passes.push_back(std::move(current));
            current = {};
            longest = 0;
            real = 0;
        }
        current.rows.push_back(idx);
        longest = std::max(longest, len);
        real += len;
    }
    if (!current.rows.empty())
        passes.push_back(std::move(current));
    return passes;
}

} // namespace

std::vector<SequenceScore> scoreSequences(const RewardModel &model, const std::vector<std::vector<int>> &seqs,
                                        const ScoreOptions &options, ScoreStats *stats)
{
    return scoreSequencesWith([&model](const std::vector<std::vector<int>> &rows) { return model.forwardRewards(rows); },
                              seqs, forDevice(model, options), stats);
}

std::vector<SequenceScore> scoreSequencesWith(const ForwardFn &forward, const std::vector<std::vector<int>> &seqs,
                                            const ScoreOptions &options, ScoreStats *stats)
{
    std::vector<SequenceScore> results(seqs.size());
    ScoreStats local;
    ScoreStats &st = stats ? *stats : local;

    std::vector<size_t> order(seqs.size());
    std::iota(order.begin(), order.end(), 0);
    if (options.bucketByLength)
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return seqs[a].size() > seqs[b].size(); });

    std::vector<Pass> work = planPasses(seqs, order, options);
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
                results[pass.rows[i]] = std::isfinite(rewards[i])
                    ? SequenceScore{true, rewards[i], {}}
                    // Never a silent NaN: in fp16 this is usually an overflow.
                    : SequenceScore{false, 0.f, "the model gave a non-finite reward (" + std::to_string(rewards[i])
                                                  + ") for this input; with fp16 weights, try bf16 or fp32"};
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

// Whether a group of `n` candidates runs on a shared prefix or joins the pool.
static bool groupSharesPrefix(const ScoreOptions &options, size_t n)
{
    return options.sharePrefix && n >= std::max<size_t>(2, options.minGroupForSharing);
}

std::vector<int> sharedPrefixIds(const RewardModel &model, const PolarInput &input)
{
    const std::string prefixText = input.text.substr(0, input.segmentBegin[int(Segment::Output)]);
    return model.tokenizer().encode(prefixText, true);
}

std::vector<SequenceScore> scoreSharingPrefix(const RewardModel &model, const std::vector<int> &prefix,
                                            const std::vector<std::vector<int>> &sequences, const ScoreOptions &givenOptions,
                                            ScoreStats *stats)
{
    const ScoreOptions options = forDevice(model, givenOptions);
    ScoreStats local;
    ScoreStats &st = stats ? *stats : local;
    std::vector<SequenceScore> results(sequences.size());
    std::vector<std::vector<int>> full, suffixes;
    std::vector<size_t> fullIndex, suffixIndex;
    for (size_t i = 0; i < sequences.size(); ++i) {
        const auto &ids = sequences[i];
        const bool shares = options.sharePrefix && !prefix.empty() && ids.size() > prefix.size()
            && model.canSharePrefix(ids.size()) && std::equal(prefix.begin(), prefix.end(), ids.begin());
        if (shares) {
            suffixes.emplace_back(ids.begin() + long(prefix.size()), ids.end());
            suffixIndex.push_back(i);
        } else {
            full.push_back(ids);
            fullIndex.push_back(i);
        }
    }
    if (options.sharePrefix && !prefix.empty())
        st.fallbackRows += full.size();
    st.sharedRows += suffixes.size();
    // One running total over both kinds of pass, so a progress bar only moves forward.
    const size_t total = sequences.size();
    ScoreOptions sharedOptions = options, fullOptions = options;
    sharedOptions.progress = [&](size_t d, size_t) {
        if (options.progress)
            options.progress(d, total);
    };
    fullOptions.progress = [&](size_t d, size_t) {
        if (options.progress)
            options.progress(suffixes.size() + d, total);
    };
    // A shared pass is a batch of suffixes; its budget counts the prefix once per pass.
    sharedOptions.batchTokens = std::max<int64_t>(1, options.batchTokens - int64_t(prefix.size()));
    const auto shared = scoreSequencesWith(
        [&](const std::vector<std::vector<int>> &rows) { return model.forwardRewardsWithPrefix(prefix, rows); }, suffixes,
        sharedOptions, &st);
    for (size_t k = 0; k < shared.size(); ++k)
        results[suffixIndex[k]] = shared[k];
    const auto plain = scoreSequences(model, full, fullOptions, &st);
    for (size_t k = 0; k < plain.size(); ++k)
        results[fullIndex[k]] = plain[k];
    return results;
}

std::vector<SequenceScore> scoreCandidates(const RewardModel &model, const std::vector<PolarInput> &inputs,
                                         const ScoreOptions &options, ScoreStats *stats)
{
    std::vector<std::vector<int>> seqs;
    for (const auto &in : inputs)
        seqs.push_back(in.ids);
    const std::vector<int> prefix = options.sharePrefix && inputs.size() > 1 ? sharedPrefixIds(model, inputs[0]) : std::vector<int>{};
    return scoreSharingPrefix(model, prefix, seqs, options, stats);
}

std::vector<std::vector<SequenceScore>> scoreSequenceGroups(const RewardModel &model, const std::vector<SequenceGroup> &groups,
                                                          const ScoreOptions &options, ScoreStats *stats)
{
    std::vector<std::vector<SequenceScore>> out(groups.size());
    std::vector<std::vector<int>> pooled;
    std::vector<std::pair<size_t, size_t>> pooledAt; // (group, sequence)
    size_t done = 0, total = 0;
    for (const auto &g : groups)
        total += g.sequences.size();
    // Progress counts sequences over all groups: each group's own counts are offset by what came before.
    ScoreOptions inGroup = options;
    inGroup.progress = [&](size_t d, size_t) {
        if (options.progress)
            options.progress(done + d, total);
    };
    for (size_t g = 0; g < groups.size(); ++g) {
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        const auto &group = groups[g];
        if (!group.prefix.empty() && groupSharesPrefix(options, group.sequences.size())) {
            out[g] = scoreSharingPrefix(model, group.prefix, group.sequences, inGroup, stats);
            done += group.sequences.size();
        } else {
            out[g].resize(group.sequences.size());
            for (size_t c = 0; c < group.sequences.size(); ++c) {
                pooled.push_back(group.sequences[c]);
                pooledAt.emplace_back(g, c);
            }
        }
    }
    ScoreOptions pooledOptions = options;
    pooledOptions.progress = [&](size_t d, size_t) {
        if (options.progress)
            options.progress(done + d, total);
    };
    const auto results = scoreSequences(model, pooled, pooledOptions, stats);
    for (size_t k = 0; k < results.size(); ++k)
        out[pooledAt[k].first][pooledAt[k].second] = results[k];
    return out;
}

std::vector<std::vector<SequenceScore>> scoreGroups(const RewardModel &model, const std::vector<std::vector<PolarInput>> &groups,
                                                  const ScoreOptions &options, ScoreStats *stats)
{
    std::vector<SequenceGroup> seqGroups(groups.size());
    for (size_t g = 0; g < groups.size(); ++g) {
        if (groupSharesPrefix(options, groups[g].size()))
            seqGroups[g].prefix = sharedPrefixIds(model, groups[g][0]);
        for (const auto &in : groups[g])
            seqGroups[g].sequences.push_back(in.ids);
    }
    return scoreSequenceGroups(model, seqGroups, options, stats);
}

} // namespace polar
