#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace polar {

// How a ranking becomes (chosen, rejected) pairs. Ties never give a pair.
enum class PairStrategy {
    AllPairs,    // every (better, worse) pair the ranking implies
    BestVsRest,  // the top rank against every lower rank
    Adjacent,    // each rank level against the next one
    BestVsWorst, // the top rank against the bottom rank
};

PairStrategy parsePairStrategy(const std::string &s); // all|best-vs-rest|adjacent|best-vs-worst
const char *pairStrategyName(PairStrategy s);

// ranks[i] is item i's rank (1 = best, equal numbers tie, 0 = not ranked and
// left out). Returns (chosen index, rejected index) pairs, best pairs first.
std::vector<std::pair<size_t, size_t>> pairsFromRanking(const std::vector<int> &ranks, PairStrategy strategy);

// Ranks by score, highest first: equal scores share a rank (1, 2, 2, 4).
std::vector<int> ranksFromScores(const std::vector<double> &scores);

} // namespace polar
