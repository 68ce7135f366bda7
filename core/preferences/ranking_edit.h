#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace polar {

// Edits of a human ranking held as ranks per candidate (1 = best, equal
// numbers tie, 0 = unranked). Results are always dense: 1, 2, 3, ...

// Puts candidate `c` alone at rank level `n` (1-based; past the end means last).
std::vector<int> putAtRank(std::vector<int> ranks, size_t c, int n);
// Ties `c` with candidate `other` (joins its level).
std::vector<int> tieWith(std::vector<int> ranks, size_t c, size_t other);
// Takes `c` out of the ranking.
std::vector<int> unrank(std::vector<int> ranks, size_t c);
// Candidates in display order: by rank level, then the unranked; within
// each, in `shown` order (a permutation of the candidates; empty: index order).
std::vector<size_t> displayOrder(const std::vector<int> &ranks, const std::vector<size_t> &shown = {});

// The order an annotator first sees an item's n candidates in: a permutation
// drawn from a seed of (annotator, item), so each annotator sees a fixed
// order of their own and position bias averages out across annotators.
// The same on every platform (its own generator, not std::shuffle's).
std::vector<size_t> shuffledOrder(size_t n, const std::string &annotator, const std::string &itemKey);

} // namespace polar
