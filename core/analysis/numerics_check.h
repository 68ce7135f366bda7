#pragma once

#include "scoring/pipeline.h"
#include "scoring/settings.h"
#include "util/json.h"

#include <string>
#include <vector>

namespace polar {

class RewardModel;

// Do the rewards depend on how they were computed? The same inputs scored
// alone (the baseline), batched with neighbours of other lengths, bucketed
// by length, sharing their prompt+reference prefix, and optionally by the
// same model in another precision.
struct NumericsVariant
{
    std::string name;
    double maxAbsDelta = 0, meanAbsDelta = 0;
    size_t flips = 0, comparedPairs = 0; // candidate pairs of one prompt ordered otherwise than the baseline
    std::vector<std::pair<size_t, double>> worst; // (input, reward - baseline), largest |delta| first, at most 5
    double tolerance = 0;    // |delta| <= tolerance * max(1, |baseline|)
    bool withinTolerance = true;
};

struct NumericsReport
{
    std::vector<double> baseline;
    std::vector<NumericsVariant> variants;
    bool allWithinTolerance() const;
    std::string describe() const;
    Json toJson() const;
};

// Tolerances, relative to max(1, |reward|): the same precision computed
// another way may differ by the rounding of a reordered sum; another
// precision by what its mantissa holds (bf16 keeps 8 bits, fp16 11).
constexpr double kSamePrecisionTolerance = 1e-3;
constexpr double kHalfPrecisionTolerance = 5e-2;

// `group[k]`: which prompt input k belongs to (flips are counted within a
// prompt). `other`, when given, is the same model loaded in another precision.
NumericsReport checkNumerics(const RewardModel &model, const std::vector<ScoreRequest> &requests, const std::vector<size_t> &group,
                             const ScoringSettings &settings, const RewardModel *other = nullptr, const ScoreControl &control = {});

} // namespace polar
