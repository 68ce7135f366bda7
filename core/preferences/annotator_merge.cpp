#include "preferences/annotator_merge.h"

#include <map>

namespace polar {

std::vector<long> matchItems(const std::vector<AnnotatedItem> &mine, const std::vector<AnnotatedItem> &theirs)
{
    std::multimap<std::string, size_t> byContent;
    for (size_t k = 0; k < theirs.size(); ++k)
        byContent.emplace(theirs[k].contentHash, k);
    std::vector<bool> used(theirs.size(), false);
    std::vector<long> out(mine.size(), -1);
    for (size_t i = 0; i < mine.size(); ++i) {
        auto [b, e] = byContent.equal_range(mine[i].contentHash);
        long pick = -1;
        for (auto it = b; it != e; ++it) {
            if (used[it->second])
                continue;
            if (pick < 0 || theirs[it->second].line == mine[i].line)
                pick = long(it->second);
        }
        if (pick >= 0) {
            used[size_t(pick)] = true;
            out[i] = pick;
        }
    }
    return out;
}

std::vector<AnnotatedItem> alignItems(const std::vector<AnnotatedItem> &mine, const std::vector<AnnotatedItem> &theirs)
{
    const auto match = matchItems(mine, theirs);
    std::vector<AnnotatedItem> out;
    out.reserve(mine.size());
    for (size_t i = 0; i < mine.size(); ++i) {
        if (match[i] >= 0) {
            out.push_back(theirs[size_t(match[i])]);
        } else {
            AnnotatedItem none = mine[i];
            none.ranks.clear();
            none.rewards.clear();
            out.push_back(std::move(none));
        }
    }
    return out;
}

std::vector<MergeChange> planMerge(const PreferenceProject &project, const std::vector<AnnotatedItem> &theirs,
                                   const std::string &source, const std::string &annotator, int64_t time)
{
    const auto mine = project.annotatedItems();
    const auto match = matchItems(mine, theirs);
    std::vector<MergeChange> out;
    for (size_t i = 0; i < mine.size(); ++i) {
        if (match[i] < 0 || project.item(i).annotation.decided)
            continue;
        const AnnotatedItem &t = theirs[size_t(match[i])];
        const auto &outputs = project.record(i).outputs;
        if (t.ranks.empty() || t.ranksFromDataset || t.candidates.size() < outputs.size() || t.ranks.size() != t.candidates.size())
            continue;
        // Their candidates must be this record's outputs as they stand, then their own answers.
        bool same = project.item(i).annotation.edits.empty() && project.item(i).annotation.humanOutputs.empty();
        for (size_t k = 0; same && k < outputs.size(); ++k)
            same = t.candidates[k] == outputs[k] && !t.humanWritten[k];
        if (!same)
            continue;
        Annotation a = project.item(i).annotation;
        a.decided = true;
        a.ranks = t.ranks;
        a.humanOutputs.assign(t.candidates.begin() + long(outputs.size()), t.candidates.end());
        a.noneAcceptable = t.noneAcceptable;
        a.annotator = annotator;
        a.time = time;
        a.note = (a.note.empty() ? "" : a.note + "\n") + "ranking merged from " + source
            + (t.annotator.empty() ? "" : " (annotator " + t.annotator + ")");
        out.push_back({i, std::move(a)});
    }
    return out;
}

} // namespace polar
