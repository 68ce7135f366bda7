#include "preferences/pairs.h"

#include "util/error.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace polar {

PairStrategy parsePairStrategy(const std::string &s)
{
    if (s == "all") return PairStrategy::AllPairs;
    if (s == "best-vs-rest") return PairStrategy::BestVsRest;
    if (s == "adjacent") return PairStrategy::Adjacent;
    if (s == "best-vs-worst") return PairStrategy::BestVsWorst;
    throw Error("'" + s + "' is not a pair strategy (all, best-vs-rest, adjacent, best-vs-worst)");
}

const char *pairStrategyName(PairStrategy s)
{
    switch (s) {
    case PairStrategy::AllPairs: return "all";
    case PairStrategy::BestVsRest: return "best-vs-rest";
    case PairStrategy::Adjacent: return "adjacent";
    case PairStrategy::BestVsWorst: return "best-vs-worst";
    }
    return "all";
}

std::vector<std::pair<size_t, size_t>> pairsFromRanking(const std::vector<int> &ranks, PairStrategy strategy)
{
    // Items grouped by rank level, best level first.
    std::map<int, std::vector<size_t>> byRank;
    for (size_t i = 0; i < ranks.size(); ++i)
        if (ranks[i] > 0)
            byRank[ranks[i]].push_back(i);
    std::vector<std::vector<size_t>> levels;
    for (auto &[rank, items] : byRank)
        levels.push_back(items);

    std::vector<std::pair<size_t, size_t>> out;
    auto cross = [&out](const std::vector<size_t> &better, const std::vector<size_t> &worse) {
        for (size_t a : better)
            for (size_t b : worse)
                out.emplace_back(a, b);
    };
    if (levels.size() < 2)
        return out;
    switch (strategy) {
    case PairStrategy::AllPairs:
        for (size_t i = 0; i < levels.size(); ++i)
            for (size_t j = i + 1; j < levels.size(); ++j)
                cross(levels[i], levels[j]);
        break;
    case PairStrategy::BestVsRest:
        for (size_t j = 1; j < levels.size(); ++j)
            cross(levels[0], levels[j]);
        break;
    case PairStrategy::Adjacent:
        for (size_t i = 0; i + 1 < levels.size(); ++i)
            cross(levels[i], levels[i + 1]);
        break;
    case PairStrategy::BestVsWorst:
        cross(levels.front(), levels.back());
        break;
    }
    return out;
}

std::vector<int> ranksFromScores(const std::vector<double> &scores)
{
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    std::vector<int> ranks(scores.size(), 0);
    for (size_t k = 0; k < order.size(); ++k)
        ranks[order[k]] = k > 0 && scores[order[k]] == scores[order[k - 1]] ? ranks[order[k - 1]] : int(k + 1);
    return ranks;
}

} // namespace polar
