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

enum class AttributionMethod {
    GradientTimesInput,  // one forward + one backward: grad of the reward w.r.t. each token's embedding, dot the embedding
    IntegratedGradients, // gradients averaged along a straight path from a baseline, times (input - baseline)
    Occlusion,           // reward drop when one unit of the output is removed and the rest re-scored
    RewardCurve,         // the reward the model gives to each prefix of the output
};
enum class Granularity { Token, Word, Sentence, Line };
enum class IgBaseline { Zero, PadEmbedding };

AttributionMethod parseAttributionMethod(const std::string &s); // grad|ig|occlusion|curve
Granularity parseGranularity(const std::string &s);             // token|word|sentence|line
const char *attributionMethodName(AttributionMethod m);
const char *granularityName(Granularity g);

struct AttributionOptions
{
    AttributionMethod method = AttributionMethod::GradientTimesInput;
    int steps = 32;                        // integrated gradients
    // The pad token's embedding keeps the path away from zero, where RMSNorm
    // is singular; it converges in fewer steps than the zero baseline.
    IgBaseline baseline = IgBaseline::PadEmbedding;
    Granularity occlusionUnit = Granularity::Word;
    int64_t batchTokens = ScoringSettings::kDefaultBatchTokens;
    EncodeOptions encode;                  // occlusion re-encodes the shortened outputs
    const std::atomic_bool *cancel = nullptr;
    std::function<void(size_t done, size_t total)> progress;
};

// What a method will cost before it runs: passes over the model and tokens.
struct AttributionCost
{
    int64_t forwardRows = 0;   // sequences run forward
    int64_t backwardRows = 0;  // of which also backward
    int64_t tokens = 0;        // tokens processed in all
    std::string describe() const;
};
AttributionCost estimateAttributionCost(const PolarInput &input, const AttributionOptions &options);

// A stretch of the encoded text (one token, word, sentence or line) and its value.
struct AttributionSpan
{
    Segment segment = Segment::Special;
    size_t begin = 0, end = 0;           // bytes in PolarInput::text
    long fieldBegin = -1, fieldEnd = -1; // bytes in the original field, -1 when unknown
    size_t firstToken = 0, lastToken = 0; // token indices covered, inclusive
    std::string text;
    double value = 0;
};

struct AttributionResult
{
    AttributionMethod method = AttributionMethod::GradientTimesInput;
    float reward = 0;
    // Gradient and IG: one value per token of the input (special tokens included).
    // Occlusion: the drop of the unit holding each output token (0 elsewhere).
    std::vector<double> tokenValues;
    // Occlusion: the units removed, with their drops.
    std::vector<AttributionSpan> occludedUnits;
    // Integrated gradients: the completeness check.
    float baselineReward = 0;
    double contributionSum = 0;
    double completenessError = 0; // |sum - (reward - baselineReward)| / |reward - baselineReward|
    // Reward curve: prefixRewards[k] is the reward with the first k output
    // tokens (k = 0 .. n); curveTokens[k] the index of the k-th output token.
    std::vector<float> prefixRewards;
    std::vector<size_t> curveTokens;
    double seconds = 0;
};

// Runs one method on one encoded input. `output` is the candidate's text as
// the user gave it (occlusion removes units from it and re-encodes).
// Throws polar::Cancelled or polar::Error.
AttributionResult attribute(const RewardModel &model, const PolarInput &input, const TextField &prompt,
                            const TextField &reference, const TextField &output, const AttributionOptions &options);

// Gradient x input for several inputs in one padded forward and backward.
std::vector<AttributionResult> gradientTimesInputBatch(const RewardModel &model, const std::vector<PolarInput> &inputs,
                                                       const AttributionOptions &options);

// The reward with one token's input embedding multiplied by `scale`: a
// what-if probe, and the finite-difference check of gradient x input.
float rewardWithTokenScaled(const RewardModel &model, const std::vector<int> &ids, size_t token, double scale);

// Sums token values into tokens, words, sentences or lines, per segment.
std::vector<AttributionSpan> aggregateAttribution(const PolarInput &input, const std::vector<double> &tokenValues,
                                                  Granularity granularity);

// The units occlusion removes from a text: [begin, end) byte ranges.
std::vector<std::pair<size_t, size_t>> textUnits(const std::string &text, Granularity granularity);

} // namespace polar
