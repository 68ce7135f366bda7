#pragma once

#include "preferences/project.h"

#include <string>
#include <vector>

namespace polar {

// Annotated JSONL (docs/dataset-formats.md): per record the original fields,
// "outputs", the model's "rewards" (null when unscored or stale, with
// "rewards_stale": true in the latter case), "human_rank" (equal numbers tie,
// 0 unranked), "human_written", "flags", "note", "annotator". What
// export-annotated writes, pairs and eval read.
Json annotatedItemToJson(const AnnotatedItem &item);
// Every line is checked (types, counts, ranges) and a bad one is an error
// naming the file, line and field; a file with no records is an error.
std::vector<AnnotatedItem> readAnnotatedJsonl(const std::string &path);
// Atomic, and read back with readAnnotatedJsonl before it replaces `path`.
void writeAnnotatedJsonl(const std::string &path, const std::vector<AnnotatedItem> &items);

// A project file (read-only) or an annotated JSONL, told apart by the name.
std::vector<AnnotatedItem> loadAnnotatedItems(const std::string &path);

} // namespace polar
