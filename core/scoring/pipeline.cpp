#include "scoring/pipeline.h"

#include "model/reward_model.h"
#include "scoring/remote_rewards.h"
#include "util/error.h"

#include <unordered_map>

namespace polar {

namespace {

// Each input with its sequence's score, in input order.
template <typename ScoreOf>
std::vector<CandidateScore> toCandidateScores(std::vector<PolarInput> inputs, ScoreOf scoreOf)
{
    std::vector<CandidateScore> out(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        const SequenceScore &r = scoreOf(i);
        CandidateScore &c = out[i];
        c.ok = r.ok;
        c.error = r.error;
        c.reward = r.reward;
        c.tokens = int(inputs[i].ids.size());
        c.truncation = inputs[i].truncation.describe();
        c.encodedText = inputs[i].text;
        c.input = std::make_shared<const PolarInput>(std::move(inputs[i]));
    }
    return out;
}

} // namespace

std::vector<CandidateScore> scoreRequests(const RewardModel &model, const std::vector<ScoreRequest> &requests,
                                          const ScoringSettings &settings, const ScoreControl &control, ScoreStats *stats,
                                          const std::function<void(ScoreOptions &)> &tune)
{
    settings.validate();
    std::vector<PolarInput> inputs;
    inputs.reserve(requests.size());
    for (const auto &r : requests)
        inputs.push_back(model.encoder().encode(r.prompt, r.reference, r.output, settings.encode));
    return scoreInputs(model, std::move(inputs), settings, control, stats, tune);
}

std::vector<CandidateScore> scoreInputs(const RewardModel &model, std::vector<PolarInput> inputs,
                                        const ScoringSettings &settings, const ScoreControl &control, ScoreStats *stats,
                                        const std::function<void(ScoreOptions &)> &tune)
{
    std::vector<SequenceScore> remoteResults;
    if (const RemoteRewards *remote = model.remote()) {
        // The server batches and shares prefixes itself; it gets the texts the
        // official client would send.
        std::vector<std::string> texts;
        texts.reserve(inputs.size());
        for (const auto &in : inputs)
            texts.push_back(in.text);
        remoteResults = remote->scoreTexts(texts, control);
        if (remoteResults.size() != inputs.size())
            throw Error(remote->describe() + ": answered " + std::to_string(remoteResults.size()) + " scores for "
                        + std::to_string(inputs.size()) + " inputs");
        return toCandidateScores(std::move(inputs), [&](size_t i) { return remoteResults[i]; });
    }
    // Groups of inputs with the same template prefix, in order of first appearance.
    std::vector<std::vector<PolarInput>> groups;
    std::vector<std::pair<size_t, size_t>> at(inputs.size()); // input -> (group, position)
    std::unordered_map<std::string, size_t> groupOf;
    for (size_t i = 0; i < inputs.size(); ++i) {
        const std::string prefix = inputs[i].text.substr(0, inputs[i].segmentBegin[int(Segment::Output)]);
        auto [it, added] = groupOf.emplace(prefix, groups.size());
        if (added)
            groups.emplace_back();
        at[i] = {it->second, groups[it->second].size()};
        groups[it->second].push_back(inputs[i]);
    }
    ScoreOptions options;
    options.batchTokens = settings.batchTokens;
    options.cancel = control.cancel;
    options.progress = control.progress;
    if (tune)
        tune(options);
    const auto results = scoreGroups(model, groups, options, stats);
    return toCandidateScores(std::move(inputs), [&](size_t i) { return results[at[i].first][at[i].second]; });
}

} // namespace polar
