#pragma once

#include "preferences/pair_format.h"
#include "util/jsonl.h"

#include <cstdint>
#include <string>
#include <vector>

namespace polar {

// The pairs a fine-tuning run learns from. `path` is a POLAR train.jsonl (the
// file xtuner reads: prompt, reference, chosen, rejected on every line), or an
// annotation project / annotated JSONL, whose rankings become all their pairs
// (as `polar-cli pairs --strategy all` exports them). Throws polar::Error
// naming the file, line and field of the first bad line: nothing is skipped.
std::vector<PreferencePair> loadTrainingPairs(const std::string &path, std::string *description = nullptr);

// Reads a POLAR train.jsonl. With `groupField`, `groups` receives that
// field's string on each line ("" where a line has none).
std::vector<PreferencePair> readPolarPairs(const std::string &path, const std::string &groupField = {},
                                           std::vector<std::string> *groups = nullptr);
// The same over lines already read (standard input); `name` is what messages call them.
std::vector<PreferencePair> readPolarPairs(const std::vector<JsonlLine> &lines, const std::string &name,
                                           const std::string &groupField, std::vector<std::string> *groups);

// A held-out split by prompt, never by pair: every pair of one prompt lands on
// the same side, so validation measures prompts the model has not seen.
// About `fraction` of the distinct prompts are held out (at least one when
// fraction > 0 and there are two prompts or more); `seed` makes it repeatable.
struct PairSplit
{
    std::vector<size_t> train, validation; // indices into the pairs
    size_t trainPrompts = 0, validationPrompts = 0;
};
PairSplit splitByPrompt(const std::vector<PreferencePair> &pairs, double fraction, uint64_t seed);

} // namespace polar
