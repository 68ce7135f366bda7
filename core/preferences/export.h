#pragma once

#include "preferences/pair_format.h"
#include "preferences/pairs.h"
#include "preferences/project.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace polar {

struct ExportOptions
{
    PairStrategy strategy = PairStrategy::AllPairs;
    PairFormat format = PairFormat::Polar;
    std::optional<double> minMargin; // model reward of chosen minus rejected at least this
    bool hardOnly = false;           // only pairs the model orders the other way (or ties)
};

struct ExportSummary
{
    size_t items = 0;
    size_t itemsWithPairs = 0;
    size_t pairs = 0;
    size_t duplicatesRemoved = 0;
    std::map<std::string, size_t> skippedItems; // reason -> count
    std::map<std::string, size_t> droppedPairs; // reason -> count
    std::string describe() const;
};

// The (chosen, rejected) pairs of the items under the options, duplicates removed.
std::vector<PreferencePair> collectPairs(const std::vector<AnnotatedItem> &items, const ExportOptions &options,
                                         ExportSummary &summary);

// Writes the pairs atomically (replacing `path`), reads the file back and
// checks every line against the format before reporting success.
ExportSummary exportPairs(const std::vector<AnnotatedItem> &items, const std::string &path, const ExportOptions &options);

PairFormat parsePairFormat(const std::string &s); // polar|polar-strings|trl

// Checks that a written train.jsonl holds `expected` records of `format`;
// throws polar::Error naming the line and field.
void validatePairsFile(const std::string &path, PairFormat format, size_t expected);

} // namespace polar
