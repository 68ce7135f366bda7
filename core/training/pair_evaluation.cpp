#include "training/pair_evaluation.h"

#include "util/error.h"

#include <cstdio>

namespace polar {

std::string PairAccuracy::describe() const
{
    char buf[200];
    std::snprintf(buf, sizeof buf, "pairwise accuracy %.2f%% (%zu of %zu pairs), mean margin %+.3f\n", 100 * accuracy(), right,
                  pairs, meanMargin);
    std::string s = buf;
    for (const auto &[group, counts] : byGroup) {
        std::snprintf(buf, sizeof buf, "  %-16s %.2f%% (%zu of %zu)\n", group.c_str(),
                      100.0 * double(counts.first) / double(counts.second), counts.first, counts.second);
        s += buf;
    }
    return s;
}

PairAccuracy evaluatePairs(const RewardModel &model, const std::vector<PreferencePair> &pairs,
                           const ScoringSettings &settings, const std::vector<std::string> &groups,
                           const ScoreControl &control)
{
    if (!groups.empty() && groups.size() != pairs.size())
        throw Error("evaluatePairs: one group per pair, or none");
    std::vector<ScoreRequest> requests;
    requests.reserve(2 * pairs.size());
    for (const auto &p : pairs) {
        requests.push_back({p.prompt, p.reference, p.chosen});
        requests.push_back({p.prompt, p.reference, p.rejected});
    }
    const auto scores = scoreRequests(model, requests, settings, control);
    PairAccuracy a;
    double sum = 0;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const auto &c = scores[2 * i], &r = scores[2 * i + 1];
        if (!c.ok || !r.ok)
            throw Error("pair " + std::to_string(i + 1) + ": " + (c.ok ? r.error : c.error));
        const double margin = double(c.reward) - double(r.reward);
        const bool right = margin > 0;
        a.margins.push_back(margin);
        sum += margin;
        a.right += right;
        if (!groups.empty()) {
            auto &g = a.byGroup[groups[i]];
            g.first += right;
            ++g.second;
        }
    }
    a.pairs = pairs.size();
    a.meanMargin = pairs.empty() ? 0.0 : sum / double(pairs.size());
    return a;
}

} // namespace polar
