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

// Pieces that turn `from` into `to`: Same and Added rebuild `to` exactly;
// Same and Removed rebuild `from` up to the whitespace after shared words
// (a Same piece carries `to`'s).
std::vector<DiffPiece> wordDiff(const std::string &from, const std::string &to);

} // namespace polar
