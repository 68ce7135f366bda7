#include "util/word_diff.h"

#include <algorithm>
#include <cctype>

namespace polar {

namespace {

// Words with their trailing whitespace, so that joining them gives the text back.
std::vector<std::string> splitWords(const std::string &s)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])))
            ++j;
        while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j])))
            ++j;
        out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::string trimmed(const std::string &w)
{
    size_t e = w.size();
    while (e > 0 && std::isspace(static_cast<unsigned char>(w[e - 1])))
        --e;
    return w.substr(0, e);
}

void push(std::vector<DiffPiece> &out, DiffPiece::Kind kind, const std::string &text)
{
    if (!out.empty() && out.back().kind == kind)
        out.back().text += text;
    else
        out.push_back({kind, text});
}

} // namespace

std::vector<DiffPiece> wordDiff(const std::string &from, const std::string &to)
{
    const auto a = splitWords(from), b = splitWords(to);
    const size_t n = a.size(), m = b.size();
    // lcs[i][j]: longest common subsequence of a[i..] and b[j..], words compared without their spaces.
    std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            lcs[i][j] = trimmed(a[i]) == trimmed(b[j]) ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::vector<DiffPiece> out;
    size_t i = 0, j = 0;
    while (i < n && j < m) {
        if (trimmed(a[i]) == trimmed(b[j])) {
            push(out, DiffPiece::Kind::Same, b[j]);
            ++i;
            ++j;
        } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
            push(out, DiffPiece::Kind::Removed, a[i++]);
        } else {
            push(out, DiffPiece::Kind::Added, b[j++]);
        }
    }
    while (i < n)
        push(out, DiffPiece::Kind::Removed, a[i++]);
    while (j < m)
        push(out, DiffPiece::Kind::Added, b[j++]);
    return out;
}

} // namespace polar
