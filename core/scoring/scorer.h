#pragma once

#include "scoring/encoding.h"
#include "scoring/settings.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace polar {

class RewardModel;

struct ScoreOptions
{
    // Padded tokens (rows x longest row) one forward pass may hold.
    int64_t batchTokens = ScoringSettings::kDefaultBatchTokens;
    // Sort by length so rows of one pass have similar lengths (less padding),
    // and close a pass early rather than let padding pass maxPadding once the
    // pass holds minPassTokens real tokens (small passes stay whole, where
    // launching more of them would cost more than the padding). A negative
    // minPassTokens is chosen by the model's device: 1024 on the CPU, where
    // a pass costs its tokens; 16384 on a GPU, where a small pass costs its
    // kernel launches and splitting one to save padding made a dataset run
    // 2-4x slower (measured on an H100: BENCHMARKS.md).
    bool bucketByLength = true;
    double maxPadding = 0.25;
    int64_t minPassTokens = -1;
    // scoreCandidates: run the prompt+reference prefix once for all candidates.
    bool sharePrefix = true;
    // scoreGroups: groups smaller than this run whole, pooled and bucketed
    // across prompts. Sharing groups are batched across prompts too (their
    // prefixes in one pass, their candidates pooled, each seeing its own
    // prefix), so any group of two or more gains from running its prefix once.
    size_t minGroupForSharing = 2;
    const std::atomic_bool *cancel = nullptr;
    std::function<void(size_t done, size_t total)> progress;
};

// The reward of one token sequence (the lowest of the three result levels:
// sequence, candidate (CandidateScore), item (ItemRewards)).
struct SequenceScore
{
    bool ok = false;
    float reward = 0.f;
    std::string error;  // set when !ok
};

struct ScoreStats
{
    size_t forwardPasses = 0;
    size_t oomRetries = 0;
    int64_t realTokens = 0;
    int64_t paddedTokens = 0;
    size_t sharedRows = 0;   // rows that reused a shared prefix
    size_t fallbackRows = 0; // rows whose tokens did not start with the prefix (BPE merged across it)
    double paddingRatio() const { return paddedTokens ? 1.0 - double(realTokens) / double(paddedTokens) : 0.0; }
};

// Scores token sequences in batches sized to the token budget. A pass that runs
// out of memory is split in half and retried; a row that cannot fit alone gets
// an error and the others are still scored. Results are in input order and do
// not depend on how the rows were batched. Throws polar::Cancelled.
std::vector<SequenceScore> scoreSequences(const RewardModel &model, const std::vector<std::vector<int>> &sequences,
                                        const ScoreOptions &options = {}, ScoreStats *stats = nullptr);

// The same policy over any forward pass (rows in, one reward per row out;
// throws OutOfMemory), so the batching and retry logic can be tested alone.
using ForwardFn = std::function<std::vector<float>(const std::vector<std::vector<int>> &rows)>;
std::vector<SequenceScore> scoreSequencesWith(const ForwardFn &forward, const std::vector<std::vector<int>> &sequences,
                                            const ScoreOptions &options = {}, ScoreStats *stats = nullptr);

// Scores the candidates of one prompt and reference. With sharePrefix, the
// tokens of `{prompt}\n{reference}<|reward|>{prompt}\n` run once and each
// candidate runs only its own tokens against their keys and values; a
// candidate whose full encoding does not start with exactly those tokens
// (BPE merged across the boundary, or truncation changed the prompt) is
// scored on its full sequence. Rewards equal scoreSequences' within rounding.
std::vector<SequenceScore> scoreCandidates(const RewardModel &model, const std::vector<PolarInput> &inputs,
                                         const ScoreOptions &options = {}, ScoreStats *stats = nullptr);

// Many prompts, each with its candidates: groups of minGroupForSharing or
// more share their prefix, the others are pooled into length-bucketed passes.
// Sharing groups run together: as many prefixes as the budget holds in one
// pass, then their candidates in length-bucketed passes across prompts, each
// row against its own prefix's keys and values. Results per group, in order.
std::vector<std::vector<SequenceScore>> scoreGroups(const RewardModel &model, const std::vector<std::vector<PolarInput>> &groups,
                                                  const ScoreOptions &options = {}, ScoreStats *stats = nullptr);

// The same at the level of token ids: `sequences` that start with `prefix`
// reuse it, the others run whole.
std::vector<SequenceScore> scoreSharingPrefix(const RewardModel &model, const std::vector<int> &prefix,
                                            const std::vector<std::vector<int>> &sequences, const ScoreOptions &options = {},
                                            ScoreStats *stats = nullptr);

struct SequenceGroup
{
    std::vector<int> prefix; // may be empty: no sharing
    std::vector<std::vector<int>> sequences;
};
std::vector<std::vector<SequenceScore>> scoreSequenceGroups(const RewardModel &model, const std::vector<SequenceGroup> &groups,
                                                          const ScoreOptions &options = {}, ScoreStats *stats = nullptr);

// Rows that continue prefixes: each row's own tokens (after its prefix) and
// which prefix it continues.
struct PrefixedRows
{
    std::vector<std::vector<int>> prefixes;
    std::vector<std::vector<int>> suffixes;
    std::vector<size_t> prefixOf; // one per suffix, into prefixes
};
// RewardModel::forwardRewardsWithPrefixes' shape: one call runs its prefixes
// once and then each pass of rows against them; throws OutOfMemory.
using PrefixedForwardFn = std::function<std::vector<float>(
    const std::vector<std::vector<int>> &prefixes, const std::vector<std::vector<int>> &rows,
    const std::vector<size_t> &rowPrefix, const std::vector<std::vector<size_t>> &passes)>;
// The policy scoreSequenceGroups runs sharing groups with, over any such
// forward (so it can be tested alone): calls of as many prefixes as the budget
// holds, their rows in length-bucketed passes; out of memory splits a call by
// prefixes, then by rows, down to a single row, which gets the error. Results
// in row order, whatever the splitting. Throws polar::Cancelled. `packed`:
// the forward runs rows token after token without padding
// (RewardModel::packsPrefixContinuations), so calls and passes are filled by
// their real tokens, never closed for padding, and none is counted.
std::vector<SequenceScore> scorePrefixedRowsWith(const PrefixedForwardFn &forward, const PrefixedRows &rows,
                                               const ScoreOptions &options = {}, ScoreStats *stats = nullptr,
                                               bool packed = false);

// The ids the candidates of `input`'s prompt and reference share, when their
// encodings start with them: the template up to the output, tokenized alone.
std::vector<int> sharedPrefixIds(const RewardModel &model, const PolarInput &input);

} // namespace polar
