#pragma once

#include "scoring/candidate_score.h"
#include "scoring/pipeline.h"
#include "scoring/settings.h"
#include "scoring/text_field.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace polar {

class RewardModel;

// The workbench's question: these candidates (by id) against this prompt and
// reference. The reference is scored too, as the anchor row.
struct CandidatesJob
{
    TextField prompt, reference;
    std::vector<std::pair<int64_t, TextField>> candidates;
    ScoringSettings settings;
};

struct CandidatesResult
{
    std::vector<std::pair<int64_t, CandidateScore>> candidates; // in the job's order
    CandidateScore reference;
    int fromCache = 0, computed = 0;
    double seconds = 0;
};

// Rewards by the exact encoded text, for one model: an edit re-scores only the
// inputs whose encoding changed.
class RewardCache
{
public:
    std::optional<float> find(const std::string &encodedText) const;
    void put(const std::string &encodedText, float reward) { m_rewards[encodedText] = reward; }
    void clear() { m_rewards.clear(); }
    size_t size() const { return m_rewards.size(); }

private:
    std::unordered_map<std::string, float> m_rewards;
};

CandidatesResult scoreCandidatesJob(const RewardModel &model, const CandidatesJob &job, RewardCache &cache,
                                    const ScoreControl &control = {});

} // namespace polar
