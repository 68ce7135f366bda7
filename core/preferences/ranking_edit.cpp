#include "preferences/ranking_edit.h"

#include <algorithm>
#include <map>

namespace polar {

namespace {

using Levels = std::vector<std::vector<size_t>>;

Levels levelsOf(const std::vector<int> &ranks)
{
    std::map<int, std::vector<size_t>> byRank;
    for (size_t i = 0; i < ranks.size(); ++i)
        if (ranks[i] > 0)
            byRank[ranks[i]].push_back(i);
    Levels out;
    for (auto &[r, items] : byRank)
        out.push_back(items);
    return out;
}

std::vector<int> ranksOf(const Levels &levels, size_t n)
{
    std::vector<int> ranks(n, 0);
    int level = 0;
    for (const auto &l : levels) {
        if (l.empty())
            continue;
        ++level;
        for (size_t c : l)
            ranks[c] = level;
    }
    return ranks;
}

void remove(Levels &levels, size_t c)
{
    for (auto &l : levels)
        l.erase(std::remove(l.begin(), l.end(), c), l.end());
    levels.erase(std::remove_if(levels.begin(), levels.end(), [](const auto &l) { return l.empty(); }), levels.end());
}

} // namespace

std::vector<int> putAtRank(std::vector<int> ranks, size_t c, int n)
{
    if (c >= ranks.size() || n < 1)
        return ranks;
    Levels levels = levelsOf(ranks);
    remove(levels, c);
    const size_t at = std::min(size_t(n - 1), levels.size());
    levels.insert(levels.begin() + long(at), std::vector<size_t>{c});
    return ranksOf(levels, ranks.size());
}

std::vector<int> tieWith(std::vector<int> ranks, size_t c, size_t other)
{
    if (c >= ranks.size() || other >= ranks.size() || c == other || ranks[other] <= 0)
        return ranks;
    ranks[c] = ranks[other];
    return ranksOf(levelsOf(ranks), ranks.size());
}

std::vector<int> unrank(std::vector<int> ranks, size_t c)
{
    if (c < ranks.size())
        ranks[c] = 0;
    return ranksOf(levelsOf(ranks), ranks.size());
}

std::vector<size_t> displayOrder(const std::vector<int> &ranks)
{
    std::vector<size_t> order;
    for (const auto &l : levelsOf(ranks))
        order.insert(order.end(), l.begin(), l.end());
    for (size_t i = 0; i < ranks.size(); ++i)
        if (ranks[i] <= 0)
            order.push_back(i);
    return order;
}

} // namespace polar
