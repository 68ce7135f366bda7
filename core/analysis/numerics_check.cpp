#include "analysis/numerics_check.h"

#include "model/reward_model.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace polar {

namespace {

std::vector<double> rewardsOf(const std::vector<CandidateScore> &scores, size_t offset = 0)
{
    std::vector<double> out;
    for (size_t k = 0; k < scores.size(); ++k) {
        if (!scores[k].ok)
            throw Error("input " + std::to_string(offset + k + 1) + ": " + scores[k].error);
        out.push_back(scores[k].reward);
    }
    return out;
}

NumericsVariant compare(const std::string &name, const std::vector<double> &base, const std::vector<double> &got,
                        const std::vector<size_t> &group, double tolerance)
{
    NumericsVariant v;
    v.name = name;
    v.tolerance = tolerance;
    std::vector<std::pair<size_t, double>> deltas;
    double sum = 0;
    for (size_t k = 0; k < base.size(); ++k) {
        const double d = got[k] - base[k];
        deltas.emplace_back(k, d);
        sum += std::abs(d);
        v.maxAbsDelta = std::max(v.maxAbsDelta, std::abs(d));
        if (std::abs(d) > tolerance * std::max(1.0, std::abs(base[k])))
            v.withinTolerance = false;
    }
    v.meanAbsDelta = base.empty() ? 0 : sum / double(base.size());
    std::sort(deltas.begin(), deltas.end(), [](auto &a, auto &b) { return std::abs(a.second) > std::abs(b.second); });
    deltas.resize(std::min<size_t>(5, deltas.size()));
    v.worst = deltas;
    for (size_t a = 0; a < base.size(); ++a)
        for (size_t b = a + 1; b < base.size(); ++b) {
            if (group[a] != group[b] || base[a] == base[b])
                continue;
            ++v.comparedPairs;
            v.flips += (base[a] > base[b]) != (got[a] > got[b]);
        }
    return v;
}

} // namespace

NumericsReport checkNumerics(const RewardModel &model, const std::vector<ScoreRequest> &requests, const std::vector<size_t> &group,
                             const ScoringSettings &settings, const RewardModel *other, const ScoreControl &control)
{
    if (group.size() != requests.size())
        throw Error("numerics check: a group for each input is needed");
    constexpr size_t never = std::numeric_limits<size_t>::max();
    auto noSharing = [](ScoreOptions &o) {
        o.sharePrefix = false;
        o.minGroupForSharing = never;
    };
    NumericsReport r;
    // Baseline: one input per forward pass, nothing shared, no padding.
    for (size_t k = 0; k < requests.size(); ++k) {
        if (control.cancel && control.cancel->load())
            throw Cancelled();
        const auto one = rewardsOf(scoreRequests(model, {requests[k]}, settings, {}, nullptr, noSharing), k);
        r.baseline.push_back(one[0]);
        if (control.progress)
            control.progress(k + 1, requests.size()); // the baseline is most of the time: one pass per input
    }
    const double same = kSamePrecisionTolerance;
    // Every input in as few passes as the budget allows, padded to the
    // longest: neighbours of other lengths share each pass.
    const auto mixed = rewardsOf(scoreRequests(model, requests, settings, {}, nullptr, [&](ScoreOptions &o) {
        noSharing(o);
        o.bucketByLength = false;
        o.maxPadding = std::numeric_limits<double>::infinity();
        o.minPassTokens = 0;
    }));
    r.variants.push_back(compare("batched with other lengths (padded)", r.baseline, mixed, group, same));
    const auto bucketed = rewardsOf(scoreRequests(model, requests, settings, {}, nullptr, noSharing));
    r.variants.push_back(compare("batched by length", r.baseline, bucketed, group, same));
    const auto shared = rewardsOf(scoreRequests(model, requests, settings, {}, nullptr, [](ScoreOptions &o) {
        o.sharePrefix = true;
        o.minGroupForSharing = 1;
    }));
    r.variants.push_back(compare("sharing the prompt+reference prefix", r.baseline, shared, group, same));
    if (other) {
        const auto low = rewardsOf(scoreRequests(*other, requests, settings));
        r.variants.push_back(compare(other->info().dtype + " (the app's default batching)", r.baseline, low, group,
                                     other->info().dtype == model.info().dtype ? same : kHalfPrecisionTolerance));
    }
    return r;
}

bool NumericsReport::allWithinTolerance() const
{
    return std::all_of(variants.begin(), variants.end(), [](const NumericsVariant &v) { return v.withinTolerance; });
}

std::string NumericsReport::describe() const
{
    std::string s = std::to_string(baseline.size()) + " inputs; baseline: each scored alone, nothing shared\n";
    char buf[256];
    for (const auto &v : variants) {
        std::snprintf(buf, sizeof buf, "%s: %s\n  max |d| %.3g, mean |d| %.3g, ranking flips %zu of %zu pairs (tolerance %.0e x max(1,|r|))\n",
                      v.name.c_str(), v.withinTolerance ? "within tolerance" : "OUT OF TOLERANCE", v.maxAbsDelta, v.meanAbsDelta,
                      v.flips, v.comparedPairs, v.tolerance);
        s += buf;
        for (const auto &[k, d] : v.worst) {
            if (d == 0)
                break;
            std::snprintf(buf, sizeof buf, "    input %zu: %.6f -> %.6f (%+.3g)\n", k + 1, baseline[k], baseline[k] + d, d);
            s += buf;
        }
    }
    return s;
}

Json NumericsReport::toJson() const
{
    Json vs = Json::array();
    for (const auto &v : variants) {
        Json worst = Json::array();
        for (const auto &[k, d] : v.worst)
            worst.push_back({{"input", k}, {"delta", d}});
        vs.push_back({{"name", v.name},
                      {"max_abs_delta", v.maxAbsDelta},
                      {"mean_abs_delta", v.meanAbsDelta},
                      {"ranking_flips", v.flips},
                      {"compared_pairs", v.comparedPairs},
                      {"tolerance", v.tolerance},
                      {"within_tolerance", v.withinTolerance},
                      {"worst", worst}});
    }
    return {{"baseline", baseline}, {"variants", vs}, {"all_within_tolerance", allWithinTolerance()}};
}

} // namespace polar
