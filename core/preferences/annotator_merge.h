#pragma once

#include "preferences/project.h"

#include <string>
#include <vector>

namespace polar {

// For each of `mine`, the index of the item of `theirs` about the same record
// (same content fingerprint, the same line preferred), or -1. Each of theirs
// is used once: two annotators' files need not list records in the same order.
std::vector<long> matchItems(const std::vector<AnnotatedItem> &mine, const std::vector<AnnotatedItem> &theirs);

// `theirs` in `mine`'s order; an item with no counterpart comes back unranked.
std::vector<AnnotatedItem> alignItems(const std::vector<AnnotatedItem> &mine, const std::vector<AnnotatedItem> &theirs);

// Taking another annotator's rankings for the items this project has not
// decided: only where their candidates are this item's outputs (unedited),
// followed by any answers they wrote, which come along. Each change is
// stamped with `annotator`, `time` and a note naming `source`.
struct MergeChange
{
    size_t item = 0;
    Annotation annotation;
};
std::vector<MergeChange> planMerge(const PreferenceProject &project, const std::vector<AnnotatedItem> &theirs,
                                   const std::string &source, const std::string &annotator, int64_t time);

} // namespace polar
