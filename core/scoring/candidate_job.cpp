#include "scoring/candidate_job.h"

#include "model/reward_model.h"

#include <chrono>

namespace polar {

std::optional<float> RewardCache::find(const std::string &encodedText) const
{
    auto it = m_rewards.find(encodedText);
    return it == m_rewards.end() ? std::nullopt : std::optional<float>(it->second);
}

CandidatesResult scoreCandidatesJob(const RewardModel &model, const CandidatesJob &job, RewardCache &cache,
                                    const ScoreControl &control)
{
    const auto started = std::chrono::steady_clock::now();
    job.settings.validate();
    // Every candidate, then the reference as one more: the anchor row.
    std::vector<const TextField *> texts;
    for (const auto &c : job.candidates)
        texts.push_back(&c.second);
    texts.push_back(&job.reference);

    std::vector<CandidateScore> scores(texts.size());
    std::vector<PolarInput> todo;
    std::vector<size_t> todoAt;
    CandidatesResult out;
    for (size_t i = 0; i < texts.size(); ++i) {
        PolarInput in = model.encoder().encode(job.prompt, job.reference, *texts[i], job.settings.encode);
        if (const auto hit = cache.find(in.text)) {
            CandidateScore &s = scores[i];
            s.reward = *hit;
            s.tokens = int(in.ids.size());
            s.truncation = in.truncation.describe();
            s.encodedText = in.text;
            s.input = std::make_shared<const PolarInput>(std::move(in));
            ++out.fromCache;
        } else {
            todo.push_back(std::move(in));
            todoAt.push_back(i);
        }
    }
    out.computed = int(todo.size());
    const auto computed = scoreInputs(model, std::move(todo), job.settings, control);
    for (size_t k = 0; k < computed.size(); ++k) {
        if (computed[k].ok)
            cache.put(computed[k].encodedText, computed[k].reward);
        scores[todoAt[k]] = computed[k];
    }
    out.reference = scores.back();
    for (size_t i = 0; i < job.candidates.size(); ++i)
        out.candidates.emplace_back(job.candidates[i].first, std::move(scores[i]));
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

} // namespace polar
