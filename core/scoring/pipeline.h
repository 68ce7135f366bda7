#pragma once

#include "scoring/candidate_score.h"
#include "scoring/scorer.h"
#include "scoring/settings.h"
#include "scoring/text_field.h"

#include <atomic>
#include <functional>
#include <vector>

namespace polar {

class RewardModel;

// One (prompt, reference, output) to score.
struct ScoreRequest
{
    TextField prompt, reference, output;
};

// What a caller can do while a long job runs.
struct ScoreControl
{
    const std::atomic_bool *cancel = nullptr;
    std::function<void(size_t done, size_t total)> progress; // inputs scored, of all; only ever grows
};

// The one scoring pipeline (the CLI, the workbench and dataset scoring all
// come through here): encodes every request as RewardModelClient does, groups
// the requests whose template prefix `{prompt}\n{reference}<|reward|>{prompt}\n`
// is the same text, whether they came as one record with many outputs or as
// separate records (the official client sends separate items), runs each
// shared prefix once for its group, pools small groups into length-bucketed
// passes, and returns one CandidateScore per request, in request order.
// `tune` may adjust the low-level options (the benchmark switches
// optimisations off). Throws polar::Cancelled.
std::vector<CandidateScore> scoreRequests(const RewardModel &model, const std::vector<ScoreRequest> &requests,
                                          const ScoringSettings &settings, const ScoreControl &control = {},
                                          ScoreStats *stats = nullptr,
                                          const std::function<void(ScoreOptions &)> &tune = {});

// The same over inputs already encoded.
std::vector<CandidateScore> scoreInputs(const RewardModel &model, std::vector<PolarInput> inputs,
                                        const ScoringSettings &settings, const ScoreControl &control = {},
                                        ScoreStats *stats = nullptr, const std::function<void(ScoreOptions &)> &tune = {});

} // namespace polar
