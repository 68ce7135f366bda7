#include "workbench/workspace_pairs.h"

#include "preferences/pairs.h"

#include <algorithm>

namespace polar {

std::vector<PreferencePair> markedPairs(const Workspace &ws)
{
    std::vector<PreferencePair> pairs;
    for (const auto &chosen : ws.candidates)
        if (chosen.mark == Candidate::Mark::Chosen)
            for (const auto &rejected : ws.candidates)
                if (rejected.mark == Candidate::Mark::Rejected)
                    pairs.push_back({ws.prompt, ws.reference, chosen.text, rejected.text});
    return pairs;
}

std::vector<PreferencePair> rankingPairs(const Workspace &ws)
{
    std::vector<double> rewards;
    std::vector<const Candidate *> scored;
    for (const auto &c : ws.candidates)
        if (c.score) {
            scored.push_back(&c);
            rewards.push_back(c.score->reward);
        }
    std::vector<PreferencePair> pairs;
    for (const auto &[a, b] : pairsFromRanking(ranksFromScores(rewards), PairStrategy::AllPairs))
        pairs.push_back({ws.prompt, ws.reference, scored[a]->text, scored[b]->text});
    return pairs;
}

std::vector<std::pair<int64_t, Candidate::Mark>> marksFromScores(const Workspace &ws)
{
    double best = -1e300;
    for (const auto &c : ws.candidates)
        if (c.score)
            best = std::max(best, double(c.score->reward));
    std::vector<std::pair<int64_t, Candidate::Mark>> marks;
    for (const auto &c : ws.candidates)
        if (c.score)
            marks.emplace_back(c.id, double(c.score->reward) == best ? Candidate::Mark::Chosen : Candidate::Mark::Rejected);
    return marks;
}

bool hasMarks(const Workspace &ws)
{
    return std::any_of(ws.candidates.begin(), ws.candidates.end(), [](const Candidate &c) { return c.mark != Candidate::Mark::None; });
}

ScoreRecord importRecord(Json j, const std::string &where)
{
    // A chosen/rejected record imports both as candidates.
    if (j.is_object() && !j.contains("output") && !j.contains("outputs") && j.contains("chosen")) {
        j["outputs"] = Json::array({j["chosen"]});
        if (j.contains("rejected"))
            j["outputs"].push_back(j["rejected"]);
    }
    return parseScoreRecord(j, where);
}

} // namespace polar
