#pragma once

#include "util/json.h"
#include "scoring/text_field.h"

#include <string>
#include <vector>

namespace polar {

struct PreferencePair
{
    TextField prompt, reference, chosen, rejected;
};

enum class PairFormat {
    Polar,        // xtuner POLAR train.jsonl: every field a [{"role", "content"}] list
    PolarStrings, // the same fields as plain strings
    Trl,          // {prompt, chosen, rejected}
};

Json pairToJson(const PreferencePair &pair, PairFormat format);

// Appends the pairs to `path` (created if absent) atomically: the existing
// lines and the new ones go to a temp file that replaces `path`. An existing
// file that is not valid JSONL is refused (named, with its line) so nothing is
// appended to a file this would corrupt. Returns the number of pairs written.
size_t appendPairs(const std::string &path, const std::vector<PreferencePair> &pairs, PairFormat format);

} // namespace polar
