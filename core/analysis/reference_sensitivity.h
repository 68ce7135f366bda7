#pragma once

#include "scoring/pipeline.h"
#include "scoring/settings.h"
#include "scoring/text_field.h"
#include "util/json.h"

#include <optional>
#include <string>
#include <vector>

namespace polar {

class RewardModel;

// How a POLAR reward depends on its reference, for one prompt's candidates:
// each candidate under the given reference, under an empty one, under a
// user-edited one, and under every candidate as reference (the diagonal, the
// candidate as its own reference, is its copy ceiling).
struct ReferenceSensitivity
{
    std::vector<double> given, empty;
    std::optional<std::vector<double>> edited;
    std::vector<std::vector<double>> matrix; // [i][j]: candidate i scored with candidate j as the reference
    // Groups of mutually consistent answers (see consistentGroups), and an
    // order that puts each group's members next to each other.
    std::vector<std::vector<size_t>> groups;
    std::vector<size_t> order;
    double threshold = 0;

    std::string describe() const;
    Json toJson() const;
};

// Distance between candidates i and j: how far each falls short of the
// other's copy ceiling under the other as reference, averaged:
//   d(i, j) = ((M[j][j] - M[i][j]) + (M[i][i] - M[j][i])) / 2.
double consistencyDistance(const std::vector<std::vector<double>> &matrix, size_t i, size_t j);

// Average-linkage clustering on consistencyDistance, merging while the two
// closest groups are at most `threshold` apart. A negative threshold cuts in
// the largest gap between successive merge distances (with two candidates or
// fewer: each its own group unless identical). Groups and members in
// ascending order of their first member.
std::vector<std::vector<size_t>> consistentGroups(const std::vector<std::vector<double>> &matrix, double threshold,
                                                  double *thresholdUsed = nullptr);

// One scoring run: n x (n + 2 (+1)) inputs, the candidates sharing each reference's prefix.
ReferenceSensitivity referenceSensitivity(const RewardModel &model, const TextField &prompt, const TextField &reference,
                                          const std::vector<TextField> &candidates, const ScoringSettings &settings,
                                          const std::optional<TextField> &editedReference = std::nullopt,
                                          double threshold = -1, const ScoreControl &control = {});

} // namespace polar
