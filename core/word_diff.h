#pragma once

#include <string>
#include <vector>

namespace polar {

// A word-level diff (LCS over whitespace-separated words, keeping the spaces).
struct DiffPiece
{
    enum class Kind { Same, Removed, Added };
    Kind kind;
    std::string text;
};

// Pieces that turn `from` into `to`: Same and Removed rebuild `from`, Same and
// Added rebuild `to`.
std::vector<DiffPiece> wordDiff(const std::string &from, const std::string &to);

} // namespace polar
