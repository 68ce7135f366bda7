#include "scoring/scorer.h"

#include "util/error.h"
#include "model/reward_model.h"
#include "model/tokenizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

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

// Greedy batches over rows (of `lengths` tokens) in the given order: a pass is
// closed when one more row would push rows x (longest row + extraPerRow) past
// the budget, or (with bucketing) its padding past the limit once it is big
// enough. extraPerRow counts tokens each row holds besides its own (a prefix
// of its own). Packed rows (no padding) count their own tokens, not the
// longest's, and never close a pass for padding.
std::vector<Pass> planPasses(const std::vector<int64_t> &lengths, const std::vector<size_t> &order, const ScoreOptions &o,
                             int64_t budgetTokens, int64_t extraPerRow = 0, bool packed = false)
{
    const int64_t budget = std::max<int64_t>(1, budgetTokens);
    const int64_t minPass = o.minPassTokens < 0 ? kCpuMinPassTokens : o.minPassTokens;
    std::vector<Pass> passes;
    Pass current;
    int64_t longest = 0, real = 0;
    for (size_t idx : order) {
        const int64_t len = lengths[idx];
        const int64_t newLongest = std::max(longest, len);
        const int64_t rows = int64_t(current.rows.size() + 1);
        const int64_t padded = newLongest * rows;
        const bool overBudget = packed ? real + len + extraPerRow * rows > budget : (newLongest + extraPerRow) * rows > budget;
        const bool tooPadded = !packed && o.bucketByLength && real >= minPass
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

std::vector<int64_t> lengthsOf(const std::vector<std::vector<int>> &seqs)
{
    std::vector<int64_t> lengths;
    for (const auto &s : seqs)
        lengths.push_back(int64_t(s.size()));
    return lengths;
}

// Indices 0..n-1, longest first when bucketing (stable, so equal lengths keep their order).
std::vector<size_t> passOrder(const std::vector<int64_t> &lengths, bool longestFirst)
{
    std::vector<size_t> order(lengths.size());
    std::iota(order.begin(), order.end(), 0);
    if (longestFirst)
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
    return order;
}

SequenceScore scoreOf(float reward)
{
    if (std::isfinite(reward))
        return {true, reward, {}};
    // Never a silent NaN: in fp16 this is usually an overflow.
    return {false, 0.f, "the model gave a non-finite reward (" + std::to_string(reward)
                            + ") for this input; with fp16 weights, try bf16 or fp32"};
}

// Runs planned work (passes, or calls of prefixes and their rows; each
// lists its input rows in `rows`) from a stack, first item on top: `run`
// scores an item into `results`. Out of memory splits it in two (`split`,
// nullopt where it cannot be split) and runs the halves next; what still does
// not fit, and any other error, fails the item's rows with the message (a
// single input's names its `tokens`). Progress counts rows out of `total`.
template <typename Item, typename Run, typename Split, typename Tokens>
void runSplittingOnOom(std::vector<Item> work, size_t total, const ScoreOptions &o, ScoreStats &st,
                       std::vector<SequenceScore> &results, Run run, Split split, Tokens tokens)
{
    std::reverse(work.begin(), work.end());
    size_t done = 0;
    while (!work.empty()) {
        if (o.cancel && o.cancel->load())
            throw Cancelled();
        Item item = std::move(work.back());
        work.pop_back();
        try {
            run(item);
        } catch (const OutOfMemory &e) {
            ++st.oomRetries;
            if (auto halves = split(item)) {
                work.push_back(std::move(halves->second));
                work.push_back(std::move(halves->first));
                continue;
            }
            for (size_t r : item.rows)
                results[r] = {false, 0.f, "out of memory for a single input of " + std::to_string(tokens(item)) + " tokens ("
                                              + e.what() + ")"};
        } catch (const Cancelled &) {
            throw;
        } catch (const Error &e) {
            for (size_t r : item.rows)
                results[r] = {false, 0.f, e.what()};
        }
        done += item.rows.size();
        if (o.progress)
            o.progress(done, total);
    }
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

    const std::vector<int64_t> lengths = lengthsOf(seqs);
    auto run = [&](const Pass &pass) {
        std::vector<std::vector<int>> rows;
        int64_t longest = 0, real = 0;
        for (size_t idx : pass.rows) {
            rows.push_back(seqs[idx]);
            longest = std::max(longest, lengths[idx]);
            real += lengths[idx];
        }
        const std::vector<float> rewards = forward(rows);
        for (size_t i = 0; i < pass.rows.size(); ++i)
            results[pass.rows[i]] = scoreOf(rewards[i]);
        ++st.forwardPasses;
        st.realTokens += real;
        st.paddedTokens += longest * int64_t(rows.size());
    };
    auto split = [](const Pass &pass) -> std::optional<std::pair<Pass, Pass>> {
        if (pass.rows.size() < 2)
            return std::nullopt;
        const auto half = pass.rows.begin() + long(pass.rows.size() / 2);
        return std::make_pair(Pass{{pass.rows.begin(), half}}, Pass{{half, pass.rows.end()}});
    };
    runSplittingOnOom(planPasses(lengths, passOrder(lengths, options.bucketByLength), options, options.batchTokens),
                      seqs.size(), options, st, results, run, split, [&](const Pass &pass) { return lengths[pass.rows[0]]; });
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

namespace {

// Whether `ids` continues `prefix` in a way its keys and values can serve.
bool continues(const RewardModel &model, const std::vector<int> &prefix, const std::vector<int> &ids)
{
    return !prefix.empty() && ids.size() > prefix.size() && model.canSharePrefix(ids.size())
        && std::equal(prefix.begin(), prefix.end(), ids.begin());
}

// Prefixes and the rows that continue them, run by one forwardRewardsWithPrefixes.
struct SharedJob
{
    std::vector<size_t> prefixes; // into PrefixedRows::prefixes
    std::vector<size_t> rows;     // into PrefixedRows::suffixes
};

// Jobs are planned like passes over the prefixes (longest first when
// bucketing, as many as the budget holds padded to the longest, closed early
// when their padding grows): one pass runs all of a job's prefixes, and their
// rows are pooled into passes across prompts, so small groups no longer mean
// small passes.
std::vector<SharedJob> planSharedJobs(const PrefixedRows &c, const ScoreOptions &o, bool packed)
{
    std::vector<std::vector<size_t>> rowsOf(c.prefixes.size());
    for (size_t r = 0; r < c.suffixes.size(); ++r)
        rowsOf[c.prefixOf[r]].push_back(r);
    const std::vector<int64_t> lengths = lengthsOf(c.prefixes);
    std::vector<SharedJob> jobs;
    for (const Pass &pass : planPasses(lengths, passOrder(lengths, o.bucketByLength), o, o.batchTokens, 0, packed)) {
        SharedJob job;
        for (size_t p : pass.rows) {
            job.prefixes.push_back(p);
            job.rows.insert(job.rows.end(), rowsOf[p].begin(), rowsOf[p].end());
        }
        jobs.push_back(std::move(job));
    }
    return jobs;
}

// A job cut in two after running out of memory: by prefixes while it has
// several, else by rows (each half runs the prefix again).
std::pair<SharedJob, SharedJob> splitJob(const SharedJob &job, const PrefixedRows &c)
{
    SharedJob a, b;
    if (job.prefixes.size() > 1) {
        const size_t half = job.prefixes.size() / 2;
        a.prefixes.assign(job.prefixes.begin(), job.prefixes.begin() + long(half));
        b.prefixes.assign(job.prefixes.begin() + long(half), job.prefixes.end());
        for (size_t r : job.rows)
            (std::find(a.prefixes.begin(), a.prefixes.end(), c.prefixOf[r]) != a.prefixes.end() ? a : b).rows.push_back(r);
    } else {
        const size_t half = job.rows.size() / 2;
        a = {job.prefixes, {job.rows.begin(), job.rows.begin() + long(half)}};
        b = {job.prefixes, {job.rows.begin() + long(half), job.rows.end()}};
    }
    return {a, b};
}

} // namespace

std::vector<SequenceScore> scorePrefixedRowsWith(const PrefixedForwardFn &forward, const PrefixedRows &c, const ScoreOptions &o,
                                               ScoreStats *stats, bool packed)
{
    if (c.prefixOf.size() != c.suffixes.size()
        || std::any_of(c.prefixOf.begin(), c.prefixOf.end(), [&](size_t p) { return p >= c.prefixes.size(); }))
        throw Error("scorePrefixedRowsWith: every row needs the index of one of the prefixes");
    ScoreStats local;
    ScoreStats &st = stats ? *stats : local;
    std::vector<SequenceScore> results(c.suffixes.size());
    auto run = [&](const SharedJob &job) {
        std::vector<std::vector<int>> prefixes, rows;
        std::vector<size_t> rowPrefix;
        std::vector<int64_t> rowLengths;
        int64_t longestPrefix = 0, real = 0;
        for (size_t p : job.prefixes) {
            prefixes.push_back(c.prefixes[p]);
            longestPrefix = std::max<int64_t>(longestPrefix, int64_t(c.prefixes[p].size()));
            real += int64_t(c.prefixes[p].size());
        }
        for (size_t r : job.rows) {
            rows.push_back(c.suffixes[r]);
            rowPrefix.push_back(size_t(std::find(job.prefixes.begin(), job.prefixes.end(), c.prefixOf[r]) - job.prefixes.begin()));
            rowLengths.push_back(int64_t(c.suffixes[r].size()));
            real += rowLengths.back();
        }
        // A pass holds its rows' tokens and the prefix keys they see: one
        // prefix is held once, several are gathered once per row (a layer at
        // a time).
        const bool several = prefixes.size() > 1;
        const std::vector<Pass> passes = planPasses(rowLengths, passOrder(rowLengths, o.bucketByLength && !packed), o,
                                                    several ? o.batchTokens : o.batchTokens - longestPrefix,
                                                    several ? longestPrefix : 0, packed);
        std::vector<std::vector<size_t>> passRows;
        int64_t padded = packed ? real : longestPrefix * int64_t(prefixes.size());
        for (const auto &pass : passes) {
            passRows.push_back(pass.rows);
            int64_t longest = 0;
            for (size_t k : pass.rows)
                longest = std::max(longest, rowLengths[k]);
            if (!packed)
                padded += longest * int64_t(pass.rows.size());
        }
        const std::vector<float> rewards = forward(prefixes, rows, rowPrefix, passRows);
        for (size_t k = 0; k < job.rows.size(); ++k)
            results[job.rows[k]] = scoreOf(rewards[k]);
        st.forwardPasses += 1 + passes.size();
        st.realTokens += real;
        st.paddedTokens += padded;
    };
    auto split = [&](const SharedJob &job) -> std::optional<std::pair<SharedJob, SharedJob>> {
        if (job.prefixes.size() < 2 && job.rows.size() < 2)
            return std::nullopt;
        return splitJob(job, c);
    };
    auto tokens = [&](const SharedJob &job) {
        return int64_t(c.prefixes[c.prefixOf[job.rows[0]]].size() + c.suffixes[job.rows[0]].size());
    };
    runSplittingOnOom(planSharedJobs(c, o, packed), c.suffixes.size(), o, st, results, run, split, tokens);
    return results;
}

std::vector<SequenceScore> scoreSharingPrefix(const RewardModel &model, const std::vector<int> &prefix,
                                            const std::vector<std::vector<int>> &sequences, const ScoreOptions &options,
                                            ScoreStats *stats)
{
    return scoreSequenceGroups(model, {SequenceGroup{prefix, sequences}}, [&] {
        ScoreOptions o = options;
        o.minGroupForSharing = 1; // the caller asked for this prefix to be shared, however few its rows
        return o;
    }(), stats).front();
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
                                                          const ScoreOptions &givenOptions, ScoreStats *stats)
{
    const ScoreOptions options = forDevice(model, givenOptions);
    ScoreStats local;
    ScoreStats &st = stats ? *stats : local;
    std::vector<std::vector<SequenceScore>> out(groups.size());
    // Rows of sharing groups that continue their prefix are continuations;
    // every other row (small groups, rows whose tokens merged across the
    // prefix's end) is pooled and runs whole, bucketed across prompts.
    PrefixedRows shared;
    std::vector<std::pair<size_t, size_t>> sharedAt, pooledAt; // (group, sequence)
    std::vector<std::vector<int>> pooled;
    size_t total = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        const auto &group = groups[g];
        out[g].resize(group.sequences.size());
        total += group.sequences.size();
        const bool sharing = !group.prefix.empty() && groupSharesPrefix(options, group.sequences.size());
        bool used = false;
        for (size_t s = 0; s < group.sequences.size(); ++s) {
            const auto &ids = group.sequences[s];
            if (sharing && continues(model, group.prefix, ids)) {
                if (!used)
                    shared.prefixes.push_back(group.prefix);
                used = true;
                shared.suffixes.emplace_back(ids.begin() + long(group.prefix.size()), ids.end());
                shared.prefixOf.push_back(shared.prefixes.size() - 1);
                sharedAt.emplace_back(g, s);
            } else {
                pooled.push_back(ids);
                pooledAt.emplace_back(g, s);
                if (sharing)
                    ++st.fallbackRows;
            }
        }
    }
    st.sharedRows += shared.suffixes.size();
    // One running total over both kinds of pass, so a progress bar only moves forward.
    ScoreOptions sharedOptions = options;
    sharedOptions.progress = [&](size_t d, size_t) {
        if (options.progress)
            options.progress(d, total);
    };
    const auto sharedResults = scorePrefixedRowsWith(
        [&](const std::vector<std::vector<int>> &prefixes, const std::vector<std::vector<int>> &rows,
            const std::vector<size_t> &rowPrefix, const std::vector<std::vector<size_t>> &passes) {
            return model.forwardRewardsWithPrefixes(prefixes, rows, rowPrefix, passes, options.cancel);
        },
        shared, sharedOptions, &st, !shared.suffixes.empty() && model.packsPrefixContinuations());
    for (size_t k = 0; k < sharedResults.size(); ++k)
        out[sharedAt[k].first][sharedAt[k].second] = sharedResults[k];
    ScoreOptions pooledOptions = options;
    pooledOptions.progress = [&](size_t d, size_t) {
        if (options.progress)
            options.progress(sharedResults.size() + d, total);
    };
    const auto results = scoreSequences(model, pooled, pooledOptions, &st);
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
