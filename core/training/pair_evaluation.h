#pragma once

#include "preferences/pair_format.h"
#include "scoring/pipeline.h"

#include <map>
#include <string>
#include <vector>

namespace polar {

class RewardModel;

// How often a model puts chosen above rejected, scoring both as the app
// scores anything (RewardModelClient's encoding, the one pipeline). A tie
// counts as wrong. Per-group figures when `groups` names a group per pair
// (the demo corpus's task families).
struct PairAccuracy
{
    size_t pairs = 0, right = 0;
    double meanMargin = 0;           // mean of reward(chosen) - reward(rejected)
    std::vector<double> margins;     // per pair, in input order
    std::map<std::string, std::pair<size_t, size_t>> byGroup; // group -> (right, pairs)
    double accuracy() const { return pairs ? double(right) / double(pairs) : 0.0; }
    std::string describe() const;
};

PairAccuracy evaluatePairs(const RewardModel &model, const std::vector<PreferencePair> &pairs,
                           const ScoringSettings &settings, const std::vector<std::string> &groups = {},
                           const ScoreControl &control = {});

} // namespace polar
