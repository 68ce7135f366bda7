#include "preferences/project_scoring.h"

#include "util/error.h"
#include "preferences/project.h"
#include "model/reward_model.h"
#include "scoring/scorer.h"

namespace polar {

size_t scoreProject(const RewardModel &model, PreferenceProject &project, const ProjectScoringOptions &o)
{
    const size_t n = project.size();
    size_t done = project.scoredCount();
    size_t scored = 0;
    size_t next = project.firstUnscored();
    while (next < n) {
        if (o.cancel && o.cancel->load())
            throw Cancelled();
        // The next chunk of items still missing rewards.
        std::vector<size_t> chunk;
        for (; next < n && chunk.size() < o.chunkItems; ++next)
            if (!project.hasRewards(next))
                chunk.push_back(next);
        if (chunk.empty())
            break;
        std::vector<std::vector<PolarInput>> groups;
        for (size_t i : chunk) {
            const DatasetRecord &r = project.record(i);
            groups.emplace_back();
            for (const auto &c : project.candidates(i))
                groups.back().push_back(model.encoder().encode(r.prompt, r.reference, c, o.encode));
        }
        ScoreOptions so;
        so.batchTokens = o.batchTokens;
        so.cancel = o.cancel;
        const auto results = scoreGroups(model, groups, so);
        std::vector<std::pair<size_t, std::vector<float>>> batch;
        for (size_t k = 0; k < chunk.size(); ++k) {
            batch.emplace_back(chunk[k], std::vector<float>{});
            for (const auto &r : results[k]) {
                if (!r.ok)
                    throw Error(project.dataset().path + ":" + std::to_string(project.record(chunk[k]).line) + ": " + r.error);
                batch.back().second.push_back(r.reward);
            }
        }
        project.setRewards(batch, model.info().name);
        scored += chunk.size();
        done += chunk.size();
        if (o.progress)
            o.progress(done, n);
    }
    return scored;
}

} // namespace polar
