// The reward along the output: the reward token appended after each prefix,
// all rows in batched passes over one shared run of the tokens before the output.
#include "attribution/methods.h"

#include "util/error.h"
#include "model/reward_model.h"
#include "scoring/scorer.h"

#include <chrono>

namespace polar {

AttributionResult rewardCurve(const RewardModel &model, const PolarInput &in, const AttributionOptions &options)
{
    const auto started = std::chrono::steady_clock::now();
    const int rewardId = int(model.config().rewardTokenId);
    // Output tokens are those between the prompt copy and the reward token.
    std::vector<size_t> outputTokens;
    for (size_t k = 0; k + 1 < in.tokens.size(); ++k)
        if (in.tokens[k].segment == Segment::Output)
            outputTokens.push_back(k);
    const size_t start = outputTokens.empty() ? in.ids.size() - 1 : outputTokens.front();

    std::vector<std::vector<int>> seqs;
    for (size_t k = 0; k <= outputTokens.size(); ++k) {
        const size_t end = k == outputTokens.size() ? in.ids.size() - 1 : start + k;
        std::vector<int> ids(in.ids.begin(), in.ids.begin() + long(end));
        ids.push_back(rewardId);
        seqs.push_back(std::move(ids));
    }
    ScoreOptions so;
    so.batchTokens = options.batchTokens;
    so.cancel = options.cancel;
    so.progress = options.progress;
    // Every prefix row starts with the tokens before the output: they run once.
    const std::vector<int> shared(in.ids.begin(), in.ids.begin() + long(start));
    const auto scores = scoreSharingPrefix(model, shared, seqs, so);

    AttributionResult r;
    r.method = AttributionMethod::RewardCurve;
    r.curveTokens = outputTokens;
    for (const auto &s : scores) {
        if (!s.ok)
            throw Error("reward curve: " + s.error);
        r.prefixRewards.push_back(s.reward);
    }
    r.reward = r.prefixRewards.back();
    // Each output token's value: how much adding it moved the reward.
    r.tokenValues.assign(in.tokens.size(), 0.0);
    for (size_t k = 0; k < outputTokens.size(); ++k)
        r.tokenValues[outputTokens[k]] = double(r.prefixRewards[k + 1]) - double(r.prefixRewards[k]);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
}

} // namespace polar
