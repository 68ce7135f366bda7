#pragma once

#include "preferences/project.h"

#include <optional>
#include <string>
#include <vector>

namespace polar {

// Agreement of the model's rewards with one item's human ranking. Pairs the
// human tied are left out; a pair the model ties counts as a disagreement.
struct ItemAgreement
{
    int pairs = 0;
    int agreeing = 0;
    std::optional<double> kendallTau; // tau-b over candidates ranked by both
    double accuracy() const { return pairs ? double(agreeing) / pairs : 0.0; }
};

ItemAgreement itemAgreement(const std::vector<int> &ranks, const std::vector<float> &rewards);

// How sure the model is of its best candidate: the gap between its two
// highest rewards (none with fewer than two). The annotation queue puts the
// smallest first: a human ranking decides most where the model hesitates.
std::optional<double> topTwoMargin(const std::vector<float> &rewards);
// True when some pair is in opposite order for the human and the model.
bool disagreesWithModel(const std::vector<int> &ranks, const std::vector<float> &rewards);

struct AgreementReport
{
    int items = 0;          // items with both a ranking and rewards
    int pairs = 0, agreeing = 0;
    double meanKendallTau = 0;
    int tauItems = 0;
    int chosenRejectedItems = 0, chosenAboveRejected = 0; // RewardBench-style accuracy
    int bothGood = 0, bothBad = 0; // two-candidate items judged alike: no pair, counted here
    int staleItems = 0;     // ranked items left out: stale rewards (candidates edited since, or another model's)
    double pairwiseAccuracy() const { return pairs ? double(agreeing) / pairs : 0.0; }
    double rewardBenchAccuracy() const { return chosenRejectedItems ? double(chosenAboveRejected) / chosenRejectedItems : 0.0; }
    std::string describe() const;
};

AgreementReport agreementReport(const std::vector<AnnotatedItem> &items);

// Two annotators on the same dataset: Cohen's kappa over their pairwise
// preferences (better / worse / tie) and the pairs they order oppositely.
struct Conflict
{
    size_t item;     // index in the item lists
    size_t a, b;     // candidate indices
    int firstSays;   // -1: a better, +1: b better
};
struct AnnotatorAgreement
{
    int sharedItems = 0;
    int pairs = 0;
    double observed = 0, expected = 0, kappa = 0;
    std::vector<Conflict> conflicts;
    std::string describe() const;
};
// `second` aligned to `first` (alignItems); pairs are compared only between
// candidates that are the same text for both.
AnnotatorAgreement annotatorAgreement(const std::vector<AnnotatedItem> &first, const std::vector<AnnotatedItem> &second);

// Position bias: how often the candidate ranked best was the one shown first,
// against the 1/n a position-blind annotator would give.
struct PositionBias
{
    size_t items = 0;          // decided items whose shown order was recorded
    double bestShownFirst = 0; // share of them (ties at the top share the credit)
    double expected = 0;       // mean of 1/n over them
    std::string describe() const; // "" when no item counts
};
PositionBias positionBias(const std::vector<AnnotatedItem> &items);

// Time spent per annotator, over the items they spent any on.
struct AnnotatorTime
{
    std::string annotator; // "" when unnamed
    size_t items = 0;
    double total = 0, mean = 0, median = 0; // seconds
};
std::vector<AnnotatorTime> annotatorTimes(const std::vector<AnnotatedItem> &items);
std::string describeAnnotatorTimes(const std::vector<AnnotatorTime> &times); // "" when no time was recorded

// Kendall's tau-b of two score lists (higher = better in both).
std::optional<double> kendallTauB(const std::vector<double> &x, const std::vector<double> &y);

} // namespace polar
