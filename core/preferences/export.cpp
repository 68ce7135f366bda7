#include "preferences/export.h"

#include "util/counted.h"
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"

#include <cctype>
#include <cmath>
#include <map>
#include <set>

namespace polar {

namespace {

std::string collapseWhitespace(const std::string &s)
{
    std::string out;
    bool space = false;
    for (unsigned char c : s) {
        if (std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += char(c);
    }
    return out;
}

bool isBlank(const TextField &f)
{
    return collapseWhitespace(f.flattened()).empty();
}

bool hasMissingRole(const TextField &f)
{
    for (const auto &m : f.messages)
        if (m.role.empty())
            return true;
    return false;
}

TextField withRoles(TextField f, const char *role)
{
    for (auto &m : f.messages)
        if (m.role.empty())
            m.role = role;
    return f;
}

} // namespace

std::string normalizedText(const TextField &f)
{
    if (!f.isMessages)
        return collapseWhitespace(f.text);
    std::string key = "\x1emessages";
    for (const auto &m : f.messages)
        key += "\x1f" + m.role + "\x1d" + collapseWhitespace(m.content);
    return key;
}

std::string ExportSummary::describe() const
{
    std::string s = counted(pairs, "pair", "pairs") + " from " + std::to_string(itemsWithPairs) + " of " + counted(items, "item", "items");
    if (duplicatePairsRemoved)
        s += "; " + counted(duplicatePairsRemoved, "duplicate pair", "duplicate pairs") + " removed";
    if (duplicateOutputsMerged)
        s += "; " + counted(duplicateOutputsMerged, "repeated output", "repeated outputs") + " merged";
    if (emptyKept)
        s += "; " + counted(emptyKept, "pair", "pairs") + " with an empty output or prompt kept (--keep-empty)";
    if (rolesFilled)
        s += "; " + counted(rolesFilled, "item", "items") + " had role-less messages given a default role";
    for (const auto &[why, n] : skippedItems)
        s += "; " + counted(n, "item", "items") + " left out: " + why;
    for (const auto &[why, n] : droppedPairs)
        s += "; " + counted(n, "pair", "pairs") + " left out: " + why;
    if (staleItems)
        s += "; " + counted(staleItems, "item", "items") + " to score again for the margin and hardness filters";
    for (const auto &c : contradictions)
        s += "\n  contradiction: " + c;
    return s;
}

std::vector<PreferencePair> collectPairs(const std::vector<AnnotatedItem> &items, const ExportOptions &o, ExportSummary &s)
{
    std::vector<PreferencePair> out;
    std::set<std::string> seen;
    s.items = items.size();
    for (const auto &it : items) {
        const size_t n = it.candidates.size();
        const char *skip = it.skipped ? "skipped by the annotator"
            : it.flagged             ? "flagged"
            : it.ranks.empty()       ? "not ranked"
            : it.ranks.size() != n   ? "ranks do not match the outputs"
                                     : nullptr;
        if (!skip && it.noneAcceptable) {
            // Nothing acceptable: pairs only from an answer the annotator wrote.
            bool wrote = false;
            for (size_t k = 0; k < n; ++k)
                wrote = wrote || (it.humanWritten[k] && it.ranks[k] > 0);
            if (!wrote)
                skip = "none acceptable and no written answer";
        }
        TextField prompt = it.prompt, reference = it.reference;
        std::vector<TextField> candidates = it.candidates;
        if (!skip && isBlank(prompt) && !o.keepEmpty)
            skip = "empty prompt (--keep-empty keeps it)";
        bool missingRole = hasMissingRole(prompt) || hasMissingRole(reference);
        for (const auto &c : candidates)
            missingRole = missingRole || hasMissingRole(c);
        if (!skip && missingRole) {
            if (!o.fillMissingRoles) {
                skip = "a message without a role (--fill-roles gives it the default role)";
            } else {
                prompt = withRoles(prompt, kPromptRole);
                reference = withRoles(reference, kAnswerRole);
                for (auto &c : candidates)
                    c = withRoles(c, kAnswerRole);
                ++s.rolesFilled;
            }
        }
        if (skip) {
            ++s.skippedItems[skip];
            continue;
        }

        std::vector<int> ranks = it.ranks;
        // Empty answers: out of the ranking unless kept.
        for (size_t k = 0; k < n; ++k)
            if (ranks[k] > 0 && isBlank(candidates[k]) && !o.keepEmpty) {
                ranks[k] = 0;
                ++s.droppedPairs["an empty or whitespace-only output (left out of the ranking; --keep-empty keeps it)"];
            }
        // The same text twice: one candidate when ranked alike, none when ranked differently.
        std::map<std::string, std::vector<size_t>> groups;
        for (size_t k = 0; k < n; ++k)
            if (ranks[k] > 0)
                groups[normalizedText(candidates[k])].push_back(k);
        for (const auto &[key, members] : groups) {
            if (members.size() < 2)
                continue;
            bool alike = true;
            for (size_t m : members)
                alike = alike && ranks[m] == ranks[members[0]];
            if (alike) {
                for (size_t k = 1; k < members.size(); ++k)
                    ranks[members[k]] = 0;
                s.duplicateOutputsMerged += members.size() - 1;
                continue;
            }
            std::string c = "line " + std::to_string(it.line) + ": outputs";
            std::string r = "ranked";
            for (size_t k = 0; k < members.size(); ++k) {
                c += (k ? (k + 1 == members.size() ? " and " : ", ") : " ") + std::to_string(members[k]);
                r += (k ? (k + 1 == members.size() ? " and " : ", ") : " ") + std::to_string(ranks[members[k]]);
            }
            s.contradictions.push_back(c + " are the same text " + r + "; left out");
            for (size_t m : members)
                ranks[m] = 0;
        }

        const size_t before = out.size();
        const bool haveRewards = it.rewards.size() == n;
        bool judgedOnStaleRewards = false;
        for (const auto &[a, b] : pairsFromRanking(ranks, o.strategy)) {
            if ((o.minMargin || o.hardOnly) && !haveRewards) {
                ++s.droppedPairs[it.rewardsStale ? "rewards stale (edited since scoring, or another model's)" : "no model rewards for a margin or hardness filter"];
                judgedOnStaleRewards = judgedOnStaleRewards || it.rewardsStale;
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
            PreferencePair p{prompt, reference, candidates[a], candidates[b]};
            const std::string problem = pairFormatProblem(p, o.format);
            if (!problem.empty()) {
                ++s.droppedPairs[problem];
                continue;
            }
            if (isBlank(p.chosen) || isBlank(p.rejected) || isBlank(p.prompt))
                ++s.emptyKept;
            if (!seen.insert(pairToJson(p, o.format).dump()).second) {
                ++s.duplicatePairsRemoved;
                continue;
            }
            out.push_back(std::move(p));
        }
        if (out.size() > before)
            ++s.itemsWithPairs;
        s.staleItems += judgedOnStaleRewards;
    }
    s.pairs = out.size();
    return out;
}

ExportSummary exportPairs(const std::vector<AnnotatedItem> &items, const std::string &path, const ExportOptions &o)
{
    if (o.minMargin && !std::isfinite(*o.minMargin))
        throw Error("minimum margin must be a finite number");
    ExportSummary s;
    const auto pairs = collectPairs(items, o, s);
    if (pairs.empty())
        throw Error(path + ": no pairs to export (" + s.describe() + "); nothing was written");
    std::string data;
    for (const auto &p : pairs)
        data += pairToJson(p, o.format).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    writeFileAtomically(path, data, [&](const std::string &tmp) { validatePairsFile(tmp, o.format, pairs.size()); });
    return s;
}

} // namespace polar
