#include "analysis/reference_sensitivity.h"

#include "util/error.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace polar {

double consistencyDistance(const std::vector<std::vector<double>> &m, size_t i, size_t j)
{
    return ((m[j][j] - m[i][j]) + (m[i][i] - m[j][i])) / 2.0;
}

namespace {

// Average-linkage merges while the closest two groups are at most
// `threshold` apart; `heights` receives each merge's distance.
std::vector<std::vector<size_t>> agglomerate(const std::vector<std::vector<double>> &m, double threshold, std::vector<double> *heights)
{
    std::vector<std::vector<size_t>> groups;
    for (size_t i = 0; i < m.size(); ++i)
        groups.push_back({i});
    auto linkage = [&](const std::vector<size_t> &a, const std::vector<size_t> &b) {
        double sum = 0;
        for (size_t i : a)
            for (size_t j : b)
                sum += consistencyDistance(m, i, j);
        return sum / double(a.size() * b.size());
    };
    while (groups.size() > 1) {
        double best = std::numeric_limits<double>::infinity();
        size_t ba = 0, bb = 0;
        for (size_t a = 0; a < groups.size(); ++a)
            for (size_t b = a + 1; b < groups.size(); ++b)
                if (const double d = linkage(groups[a], groups[b]); d < best) {
                    best = d;
                    ba = a;
                    bb = b;
                }
        if (best > threshold)
            break;
        if (heights)
            heights->push_back(best);
        groups[ba].insert(groups[ba].end(), groups[bb].begin(), groups[bb].end());
        std::sort(groups[ba].begin(), groups[ba].end());
        groups.erase(groups.begin() + long(bb));
    }
    std::sort(groups.begin(), groups.end());
    return groups;
}

} // namespace

std::vector<std::vector<size_t>> consistentGroups(const std::vector<std::vector<double>> &m, double threshold, double *thresholdUsed)
{
    if (threshold < 0) {
        // Cut the tree in its largest gap between successive merge distances:
        // groups whose members are much closer to each other than to the rest.
        std::vector<double> heights;
        agglomerate(m, std::numeric_limits<double>::infinity(), &heights);
        threshold = 0;
        double gap = -1;
        for (size_t k = 0; k + 1 < heights.size(); ++k)
            if (heights[k + 1] - heights[k] > gap) {
                gap = heights[k + 1] - heights[k];
                threshold = (heights[k] + heights[k + 1]) / 2;
            }
    }
    if (thresholdUsed)
        *thresholdUsed = threshold;
    return agglomerate(m, threshold, nullptr);
}

ReferenceSensitivity referenceSensitivity(const RewardModel &model, const TextField &prompt, const TextField &reference,
                                          const std::vector<TextField> &candidates, const ScoringSettings &settings,
                                          const std::optional<TextField> &editedReference, double threshold,
                                          const ScoreControl &control)
{
    const size_t n = candidates.size();
    if (n == 0)
        throw Error("reference sensitivity: no candidates");
    // Reference-major order: the pipeline groups each reference's inputs and
    // runs its prefix once.
    std::vector<ScoreRequest> requests;
    std::vector<TextField> references{reference, TextField::fromString("")};
    if (editedReference)
        references.push_back(*editedReference);
    references.insert(references.end(), candidates.begin(), candidates.end());
    for (const TextField &ref : references)
        for (const TextField &c : candidates)
            requests.push_back({prompt, ref, c});
    const auto scores = scoreRequests(model, requests, settings, control);
    auto at = [&](size_t ref, size_t candidate) {
        const CandidateScore &s = scores[ref * n + candidate];
        if (!s.ok)
            throw Error("reference sensitivity: candidate " + std::to_string(candidate + 1) + ": " + s.error);
        return double(s.reward);
    };
    ReferenceSensitivity r;
    size_t ref = 0;
    for (size_t i = 0; i < n; ++i)
        r.given.push_back(at(ref, i));
    ++ref;
    for (size_t i = 0; i < n; ++i)
        r.empty.push_back(at(ref, i));
    ++ref;
    if (editedReference) {
        r.edited.emplace();
        for (size_t i = 0; i < n; ++i)
            r.edited->push_back(at(ref, i));
        ++ref;
    }
    r.matrix.assign(n, std::vector<double>(n));
    for (size_t j = 0; j < n; ++j)
        for (size_t i = 0; i < n; ++i)
            r.matrix[i][j] = at(ref + j, i);
    r.groups = consistentGroups(r.matrix, threshold, &r.threshold);
    for (const auto &g : r.groups)
        r.order.insert(r.order.end(), g.begin(), g.end());
    return r;
}

std::string ReferenceSensitivity::describe() const
{
    const size_t n = given.size();
    char buf[64];
    std::string s = "candidate  given-ref  empty-ref";
    if (edited)
        s += "  edited-ref";
    s += "  own-ref (copy ceiling)\n";
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "#%-9zu %9.3f  %9.3f", i + 1, given[i], empty[i]);
        s += buf;
        if (edited) {
            std::snprintf(buf, sizeof buf, "  %10.3f", (*edited)[i]);
            s += buf;
        }
        std::snprintf(buf, sizeof buf, "  %9.3f\n", matrix[i][i]);
        s += buf;
    }
    s += "\nreward of the row's candidate with the column's candidate as reference:\n      ";
    for (size_t j = 0; j < n; ++j) {
        std::snprintf(buf, sizeof buf, " %8s", ("#" + std::to_string(j + 1)).c_str());
        s += buf;
    }
    s += "\n";
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "%-6s", ("#" + std::to_string(i + 1)).c_str());
        s += buf;
        for (size_t j = 0; j < n; ++j) {
            std::snprintf(buf, sizeof buf, " %8.3f", matrix[i][j]);
            s += buf;
        }
        s += "\n";
    }
    std::snprintf(buf, sizeof buf, "%.3f", threshold);
    s += "\nmutually consistent groups (average distance to each other's copy ceiling at most " + std::string(buf) + "):\n";
    for (const auto &g : groups) {
        s += " ";
        for (size_t i : g)
            s += " #" + std::to_string(i + 1);
        s += "\n";
    }
    return s;
}

Json ReferenceSensitivity::toJson() const
{
    Json groupsJson = Json::array();
    for (const auto &g : groups)
        groupsJson.push_back(g);
    Json j = {{"given_reference", given}, {"empty_reference", empty}, {"matrix", matrix},
              {"groups", groupsJson},     {"order", order},           {"threshold", threshold}};
    std::vector<double> ceiling;
    for (size_t i = 0; i < matrix.size(); ++i)
        ceiling.push_back(matrix[i][i]);
    j["own_reference"] = ceiling;
    if (edited)
        j["edited_reference"] = *edited;
    return j;
}

} // namespace polar
