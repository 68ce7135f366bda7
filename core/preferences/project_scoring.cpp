#include "preferences/project_scoring.h"

#include "model/reward_model.h"
#include "preferences/project.h"
#include "scoring/pipeline.h"
#include "util/error.h"

namespace polar {

std::vector<size_t> nextUnscoredChunk(const PreferenceProject &project, size_t &cursor, size_t max)
{
    std::vector<size_t> chunk;
    for (; cursor < project.size() && chunk.size() < max; ++cursor)
        if (!project.hasRewards(cursor))
            chunk.push_back(cursor);
    return chunk;
}

ItemScoreRequest scoringRequest(const PreferenceProject &project, const std::vector<size_t> &items)
{
    ItemScoreRequest r;
    r.datasetPath = project.dataset().path;
    for (size_t i : items) {
        r.items.push_back(i);
        r.lines.push_back(project.record(i).line);
        r.prompts.push_back(project.record(i).prompt);
        r.references.push_back(project.record(i).reference);
        r.candidates.push_back(project.candidates(i));
    }
    return r;
}

std::vector<ItemRewards> scoreItems(const RewardModel &model, const ItemScoreRequest &request, const ScoringSettings &settings,
                                    const std::atomic_bool *cancel)
{
    // Every candidate of every item in one call: items that share a prompt and
    // reference share their prefix too, wherever they are in the dataset.
    std::vector<ScoreRequest> requests;
    for (size_t k = 0; k < request.items.size(); ++k)
        for (const auto &c : request.candidates[k])
            requests.push_back({request.prompts[k], request.references[k], c});
    ScoreControl control;
    control.cancel = cancel;
    const auto scores = scoreRequests(model, requests, settings, control);
    std::vector<ItemRewards> out;
    size_t next = 0;
    for (size_t k = 0; k < request.items.size(); ++k) {
        ItemRewards r{request.items[k], {}, candidatesHash(request.candidates[k]), {}};
        for (size_t c = 0; c < request.candidates[k].size(); ++c, ++next) {
            if (!scores[next].ok && r.error.empty())
                r.error = request.datasetPath + ":" + std::to_string(request.lines[k]) + ": candidate " + std::to_string(c)
                          + ": " + scores[next].error;
            r.rewards.push_back(scores[next].reward);
        }
        if (!r.error.empty())
            r.rewards.clear();
        out.push_back(std::move(r));
    }
    return out;
}

size_t scoreProject(const RewardModel &model, PreferenceProject &project, const ProjectScoringOptions &o)
{
    o.settings.validate();
    project.setScoringModel(model.info().rewardsName()); // another model's (or precision's) rewards are scored again
    const size_t n = project.size();
    size_t done = project.scoredCount(), scored = 0, cursor = 0;
    for (;;) {
        if (o.cancel && o.cancel->load())
            throw Cancelled();
        const auto chunk = nextUnscoredChunk(project, cursor, std::max<size_t>(1, o.chunkItems));
        if (chunk.empty())
            break;
        const auto rewards = scoreItems(model, scoringRequest(project, chunk), o.settings, o.cancel);
        project.setRewards(rewards, model.info().rewardsName());
        for (const auto &r : rewards) {
            if (r.error.empty())
                ++scored, ++done;
            else if (o.failed)
                o.failed(r.error);
        }
        if (o.progress)
            o.progress(done, n);
    }
    return scored;
}

} // namespace polar
