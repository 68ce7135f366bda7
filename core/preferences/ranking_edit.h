#pragma once

#include <cstddef>
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
// Candidates in display order: by rank level, then the unranked, each in index order.
std::vector<size_t> displayOrder(const std::vector<int> &ranks);

} // namespace polar
