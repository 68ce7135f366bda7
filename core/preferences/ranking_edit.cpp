#include "preferences/ranking_edit.h"

#include <algorithm>
#include <cstdint>
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

std::vector<size_t> displayOrder(const std::vector<int> &ranks, const std::vector<size_t> &shown)
{
    // Position of each candidate in the shown order (index order by default).
    std::vector<size_t> position(ranks.size());
    for (size_t i = 0; i < ranks.size(); ++i)
        position[i] = i;
    if (shown.size() == ranks.size())
        for (size_t p = 0; p < shown.size(); ++p)
            if (shown[p] < ranks.size())
                position[shown[p]] = p;
    auto byShown = [&](size_t a, size_t b) { return position[a] < position[b]; };
    std::vector<size_t> order;
    for (auto l : levelsOf(ranks)) {
        std::sort(l.begin(), l.end(), byShown);
        order.insert(order.end(), l.begin(), l.end());
    }
    std::vector<size_t> unranked;
    for (size_t i = 0; i < ranks.size(); ++i)
        if (ranks[i] <= 0)
            unranked.push_back(i);
    std::sort(unranked.begin(), unranked.end(), byShown);
    order.insert(order.end(), unranked.begin(), unranked.end());
    return order;
}

std::vector<size_t> shuffledOrder(size_t n, const std::string &annotator, const std::string &itemKey)
{
    // FNV-1a of the key, then splitmix64 steps: Fisher-Yates, portable.
    uint64_t state = 1469598103934665603ull;
    for (char ch : annotator + '\n' + itemKey) {
        state ^= uint8_t(ch);
        state *= 1099511628211ull;
    }
    auto next = [&state] {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i)
        order[i] = i;
    for (size_t i = n; i > 1; --i)
        std::swap(order[i - 1], order[size_t(next() % i)]);
    return order;
}

} // namespace polar
