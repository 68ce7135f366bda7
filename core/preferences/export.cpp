#include "preferences/export.h"

#include "util/error.h"
#include "util/jsonl.h"

#include <set>

namespace polar {

PairFormat parsePairFormat(const std::string &s)
{
    if (s == "polar") return PairFormat::Polar;
    if (s == "polar-strings") return PairFormat::PolarStrings;
    if (s == "trl") return PairFormat::Trl;
    throw Error("--format: '" + s + "' is not one of polar, polar-strings, trl");
}

std::string ExportSummary::describe() const
{
    std::string s = std::to_string(pairs) + " pairs from " + std::to_string(itemsWithPairs) + " of " + std::to_string(items)
        + " items";
    if (duplicatesRemoved)
        s += "; " + std::to_string(duplicatesRemoved) + " duplicate pairs removed";
    for (const auto &[why, n] : skippedItems)
        s += "; " + std::to_string(n) + " items skipped: " + why;
    for (const auto &[why, n] : droppedPairs)
        s += "; " + std::to_string(n) + " pairs dropped: " + why;
    return s;
}

std::vector<PreferencePair> collectPairs(const std::vector<AnnotatedItem> &items, const ExportOptions &o, ExportSummary &s)
{
    std::vector<PreferencePair> out;
    std::set<std::string> seen;
    s.items = items.size();
    for (const auto &it : items) {
        const char *skip = it.skipped ? "skipped by the annotator"
            : it.flagged             ? "flagged"
            : it.ranks.empty()       ? "not ranked"
                                     : nullptr;
        if (!skip && it.noneAcceptable) {
            // Nothing acceptable: pairs only from an answer the annotator wrote.
            bool wrote = false;
            for (size_t k = 0; k < it.humanWritten.size(); ++k)
                wrote = wrote || (it.humanWritten[k] && it.ranks[k] > 0);
            if (!wrote)
                skip = "none acceptable and no written answer";
        }
        if (skip) {
            ++s.skippedItems[skip];
            continue;
        }
        size_t before = out.size();
        for (const auto &[a, b] : pairsFromRanking(it.ranks, o.strategy)) {
            const bool haveRewards = it.rewards.size() == it.candidates.size();
            if ((o.minMargin || o.hardOnly) && !haveRewards) {
                ++s.droppedPairs["no model rewards for a margin or hardness filter"];
                continue;
            }
            if (o.minMargin && double(it.rewards[a]) - double(it.rewards[b]) < *o.minMargin) {
                ++s.droppedPairs["reward margin below the minimum"];
                continue;
            }
            if (o.hardOnly && it.rewards[a] > it.rewards[b]) {
                ++s.droppedPairs["the model already agrees (not hard)"];
                continue;
            }
            PreferencePair p{it.prompt, it.reference, it.candidates[a], it.candidates[b]};
            if (!seen.insert(pairToJson(p, o.format).dump()).second) {
                ++s.duplicatesRemoved;
                continue;
            }
            out.push_back(std::move(p));
        }
        if (out.size() > before)
            ++s.itemsWithPairs;
    }
    s.pairs = out.size();
    return out;
}

void validatePairsFile(const std::string &path, PairFormat format, size_t expected)
{
    const auto lines = readJsonl(path);
    if (lines.size() != expected)
        throw Error(path + ": holds " + std::to_string(lines.size()) + " records after writing, expected "
                    + std::to_string(expected));
    const std::vector<const char *> fields = format == PairFormat::Trl
        ? std::vector<const char *>{"prompt", "chosen", "rejected"}
        : std::vector<const char *>{"prompt", "reference", "chosen", "rejected"};
    for (const auto &l : lines) {
        const std::string where = path + ":" + std::to_string(l.number);
        if (!l.ok())
            throw Error(where + ": " + l.error);
        for (const char *f : fields) {
            if (!l.value.contains(f))
                throw Error(where + ": field '" + f + "' is missing");
            const Json &v = l.value[f];
            if (format == PairFormat::Polar) {
                if (!v.is_array() || v.empty())
                    throw Error(where + ": field '" + f + "' must be a non-empty message list");
                for (const auto &m : v)
                    if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string()
                        || !m["content"].is_string())
                        throw Error(where + ": field '" + f + "' has a message without string role and content");
            } else if (!v.is_string()) {
                throw Error(where + ": field '" + f + "' must be a string");
            }
        }
    }
}

ExportSummary exportPairs(const std::vector<AnnotatedItem> &items, const std::string &path, const ExportOptions &o)
{
    ExportSummary s;
    const auto pairs = collectPairs(items, o, s);
    std::vector<Json> lines;
    lines.reserve(pairs.size());
    for (const auto &p : pairs)
        lines.push_back(pairToJson(p, o.format));
    writeJsonlAtomically(path, lines);
    validatePairsFile(path, o.format, pairs.size());
    return s;
}

} // namespace polar
