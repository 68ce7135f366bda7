#include "preferences/metrics.h"

#include "util/counted.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace polar {

namespace {

int sign(double v)
{
    return (v > 0) - (v < 0);
}

// -1: a ranked better, +1: b better, 0: tie or not both ranked.
int humanOrder(const std::vector<int> &ranks, size_t a, size_t b)
{
    if (ranks[a] <= 0 || ranks[b] <= 0)
        return 0;
    return sign(double(ranks[a]) - double(ranks[b]));
}

} // namespace

PositionBias positionBias(const std::vector<AnnotatedItem> &items)
{
    PositionBias b;
    double first = 0, expected = 0;
    for (const auto &it : items) {
        if (it.skipped || it.shownOrder.size() < 2 || it.ranks.size() != it.candidates.size())
            continue;
        const size_t top = std::count(it.ranks.begin(), it.ranks.end(), 1);
        if (top == 0 || top == it.ranks.size())
            continue; // nothing ranked, or all tied: no best to locate
        ++b.items;
        first += it.ranks[it.shownOrder[0]] == 1 ? 1.0 / double(top) : 0.0;
        expected += 1.0 / double(it.shownOrder.size());
    }
    if (b.items) {
        b.bestShownFirst = first / double(b.items);
        b.expected = expected / double(b.items);
    }
    return b;
}

std::string PositionBias::describe() const
{
    if (!items)
        return {};
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "position bias: the best candidate was the one shown first in %.1f%% of %s (%.1f%% expected by chance)\n",
                  100 * bestShownFirst, counted(items, "item", "items").c_str(), 100 * expected);
    return buf;
}

std::optional<double> topTwoMargin(const std::vector<float> &rewards)
{
    if (rewards.size() < 2)
        return std::nullopt;
    std::vector<float> r = rewards;
    std::partial_sort(r.begin(), r.begin() + 2, r.end(), std::greater<float>());
    return double(r[0]) - double(r[1]);
}

std::vector<AnnotatorTime> annotatorTimes(const std::vector<AnnotatedItem> &items)
{
    std::map<std::string, std::vector<double>> per;
    for (const auto &it : items)
        for (const auto &[annotator, seconds] : it.seconds)
            if (seconds > 0)
                per[annotator].push_back(seconds);
    std::vector<AnnotatorTime> out;
    for (auto &[annotator, v] : per) {
        AnnotatorTime t;
        t.annotator = annotator;
        t.items = v.size();
        for (double s : v)
            t.total += s;
        t.mean = t.total / double(v.size());
        std::sort(v.begin(), v.end());
        t.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
        out.push_back(t);
    }
    return out;
}

std::string describeAnnotatorTimes(const std::vector<AnnotatorTime> &times)
{
    std::string s;
    char buf[200];
    for (const auto &t : times) {
        std::snprintf(buf, sizeof buf, "time spent by %s: %s, %.0f s in all, %.1f s per item (median %.1f s)\n",
                      t.annotator.empty() ? "(unnamed)" : t.annotator.c_str(), counted(t.items, "item", "items").c_str(), t.total, t.mean,
                      t.median);
        s += buf;
    }
    return s;
}

std::optional<double> kendallTauB(const std::vector<double> &x, const std::vector<double> &y)
{
    long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
    for (size_t i = 0; i < x.size(); ++i)
        for (size_t j = i + 1; j < x.size(); ++j) {
            const int sx = sign(x[i] - x[j]), sy = sign(y[i] - y[j]);
            if (sx == 0 && sy == 0)
                continue;
            if (sx == 0)
                ++tiesX;
            else if (sy == 0)
                ++tiesY;
            else if (sx == sy)
                ++concordant;
            else
                ++discordant;
        }
    const double n0 = double(concordant + discordant);
    const double denom = std::sqrt((n0 + tiesX) * (n0 + tiesY));
    if (denom == 0)
        return std::nullopt;
    return double(concordant - discordant) / denom;
}

ItemAgreement itemAgreement(const std::vector<int> &ranks, const std::vector<float> &rewards)
{
    ItemAgreement a;
    if (ranks.empty() || rewards.size() != ranks.size())
        return a;
    std::vector<double> human, model;
    for (size_t i = 0; i < ranks.size(); ++i) {
        if (ranks[i] <= 0)
            continue;
        human.push_back(-double(ranks[i])); // rank 1 is the best: negate so higher is better
        model.push_back(rewards[i]);
        for (size_t j = i + 1; j < ranks.size(); ++j) {
            const int h = humanOrder(ranks, i, j);
            if (h == 0)
                continue;
            ++a.pairs;
            // h = -1: the human puts i first; the model agrees when it scores i higher.
            a.agreeing += (h < 0 && rewards[i] > rewards[j]) || (h > 0 && rewards[j] > rewards[i]);
        }
    }
    a.kendallTau = kendallTauB(human, model);
    return a;
}

bool disagreesWithModel(const std::vector<int> &ranks, const std::vector<float> &rewards)
{
    const ItemAgreement a = itemAgreement(ranks, rewards);
    return a.agreeing < a.pairs;
}

AgreementReport agreementReport(const std::vector<AnnotatedItem> &items)
{
    AgreementReport r;
    double tauSum = 0;
    for (const auto &it : items) {
        if (it.candidates.size() == 2 && !it.skipped) {
            r.bothGood += it.ranks == std::vector<int>{1, 1} && !it.noneAcceptable;
            r.bothBad += it.noneAcceptable;
        }
        if (!it.ranks.empty() && !it.skipped && it.rewardsStale)
            ++r.staleItems;
        if (it.ranks.empty() || it.rewards.size() != it.ranks.size() || it.skipped)
            continue;
        const ItemAgreement a = itemAgreement(it.ranks, it.rewards);
        if (a.pairs == 0)
            continue;
        ++r.items;
        r.pairs += a.pairs;
        r.agreeing += a.agreeing;
        if (a.kendallTau) {
            tauSum += *a.kendallTau;
            ++r.tauItems;
        }
        if (it.kind == DatasetRecord::Kind::ChosenRejected && it.ranks.size() >= 2 && it.ranks[0] < it.ranks[1]) {
            ++r.chosenRejectedItems;
            r.chosenAboveRejected += it.rewards[0] > it.rewards[1];
        }
    }
    r.meanKendallTau = r.tauItems ? tauSum / r.tauItems : 0.0;
    return r;
}

std::string AgreementReport::describe() const
{
    char buf[512];
    std::snprintf(buf, sizeof buf, "items with a ranking and rewards: %d\n", items);
    std::string s = buf;
    if (staleItems)
        s += counted(size_t(staleItems), "ranked item", "ranked items")
             + " left out: rewards stale (edited since scoring, or another model's): score again\n";
    // No pairs is no evidence: 0.0000 would read as a model that is always wrong.
    if (pairs)
        std::snprintf(buf, sizeof buf, "pairwise accuracy: %.4f (%d of %d pairs)\n", pairwiseAccuracy(), agreeing, pairs);
    else
        std::snprintf(buf, sizeof buf, "pairwise accuracy: n/a (no ranked pairs with rewards yet)\n");
    s += buf;
    if (tauItems)
        std::snprintf(buf, sizeof buf, "mean Kendall tau-b: %.4f (over %s)\n", meanKendallTau,
                      counted(size_t(tauItems), "item", "items").c_str());
    else
        std::snprintf(buf, sizeof buf, "mean Kendall tau-b: n/a (no ranked item with rewards yet)\n");
    s += buf;
    if (chosenRejectedItems) {
        std::snprintf(buf, sizeof buf, "chosen/rejected accuracy (RewardBench-style): %.4f (%d of %d)\n",
                      rewardBenchAccuracy(), chosenAboveRejected, chosenRejectedItems);
        s += buf;
    }
    if (bothGood || bothBad) {
        std::snprintf(buf, sizeof buf, "two-candidate items judged both good: %d, both bad: %d (they give no pairs)\n", bothGood,
                      bothBad);
        s += buf;
    }
    return s;
}

AnnotatorAgreement annotatorAgreement(const std::vector<AnnotatedItem> &first, const std::vector<AnnotatedItem> &second)
{
    AnnotatorAgreement r;
    // 3x3 confusion of (first's label, second's label): 0 a better, 1 tie, 2 b better.
    double counts[3][3] = {};
    for (size_t i = 0; i < first.size() && i < second.size(); ++i) {
        const auto &x = first[i].ranks, &y = second[i].ranks;
        // Two copies of the dataset's label are no agreement between annotators.
        if (x.empty() || y.empty() || first[i].ranksFromDataset || second[i].ranksFromDataset)
            continue;
        ++r.sharedItems;
        const size_t n = std::min({x.size(), y.size(), first[i].candidates.size(), second[i].candidates.size()});
        // Only candidates that are the same text for both annotators can be compared.
        std::vector<bool> same(n);
        for (size_t k = 0; k < n; ++k)
            same[k] = first[i].candidates[k] == second[i].candidates[k];
        for (size_t a = 0; a < n; ++a)
            for (size_t b = a + 1; b < n; ++b) {
                if (!same[a] || !same[b] || x[a] <= 0 || x[b] <= 0 || y[a] <= 0 || y[b] <= 0)
                    continue;
                const int hx = humanOrder(x, a, b), hy = humanOrder(y, a, b);
                counts[hx + 1][hy + 1] += 1;
                ++r.pairs;
                if (hx != 0 && hy != 0 && hx != hy)
                    r.conflicts.push_back({i, a, b, hx});
            }
    }
    if (r.pairs == 0)
        return r;
    double rowSum[3] = {}, colSum[3] = {};
    for (int u = 0; u < 3; ++u)
        for (int v = 0; v < 3; ++v) {
            rowSum[u] += counts[u][v];
            colSum[v] += counts[u][v];
        }
    for (int u = 0; u < 3; ++u) {
        r.observed += counts[u][u] / r.pairs;
        r.expected += (rowSum[u] / r.pairs) * (colSum[u] / r.pairs);
    }
    r.kappa = r.expected < 1 ? (r.observed - r.expected) / (1 - r.expected) : 1.0;
    return r;
}

std::string AnnotatorAgreement::describe() const
{
    char buf[256];
    if (pairs == 0) {
        // Nothing compared is no evidence either way: 0.0000 would read as total disagreement.
        std::snprintf(buf, sizeof buf, "items both annotated: %d\npairs compared: 0\nobserved agreement: n/a\nCohen's kappa: n/a "
                                       "(no item ranked by both annotators)\n", sharedItems);
        return buf;
    }
    std::snprintf(buf, sizeof buf, "items both annotated: %d\npairs compared: %d\nobserved agreement: %.4f\n"
                                   "Cohen's kappa: %.4f\nconflicts (opposite orders): %zu\n",
                  sharedItems, pairs, observed, kappa, conflicts.size());
    return buf;
}

} // namespace polar
