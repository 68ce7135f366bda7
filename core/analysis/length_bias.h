#pragma once

#include "preferences/project.h"
#include "util/json.h"

#include <optional>
#include <string>
#include <vector>

namespace polar {

class Tokenizer;

// Is the model rewarding length? Rewards against output lengths, and on the
// human pairs the model against the two length-only baselines (always the
// longer, always the shorter: RewardBench's length-bias check).
struct LengthBiasReport
{
    struct Point
    {
        size_t item, candidate;
        int tokens;
        double reward;
    };
    struct LopsidedPair // chosen and rejected of very different lengths
    {
        size_t line, chosen, rejected;
        int chosenTokens, rejectedTokens;
    };
    std::vector<Point> points; // every scored candidate
    std::optional<double> pearson, spearman;
    size_t pairs = 0;           // human pairs with fresh rewards
    double modelAccuracy = 0;   // reward(chosen) > reward(rejected); a tie counts half
    double longerAccuracy = 0;  // the longer one is chosen; equal lengths count half
    double shorterAccuracy = 0; // the shorter one is chosen; equal lengths count half
    std::vector<LopsidedPair> lopsided;
    double lopsidedRatio = 2.0;

    std::string describe() const;
    Json toJson() const;
};

// `tokens[i][k]`: the length of item i's candidate k (tokens of the output
// alone). Items whose rewards are missing or stale add no points and no pairs.
// A pair is lopsided when one side is at least `lopsidedRatio` times the other.
LengthBiasReport lengthBias(const std::vector<AnnotatedItem> &items, const std::vector<std::vector<int>> &tokens,
                            double lopsidedRatio = 2.0);

// The same with each output measured by `tokenizer` (the output alone, no BOS).
LengthBiasReport lengthBias(const std::vector<AnnotatedItem> &items, const Tokenizer &tokenizer, double lopsidedRatio = 2.0);

} // namespace polar
