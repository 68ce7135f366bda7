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
    bool keepEmpty = false;          // keep empty or whitespace-only outputs and prompts (reported either way)
    bool fillMissingRoles = false;   // give role-less messages the field's default role (else the item is left out)
};

struct ExportSummary
{
    size_t items = 0;
    size_t itemsWithPairs = 0;
    size_t pairs = 0;
    size_t duplicatePairsRemoved = 0;   // the same pair from two items
    size_t duplicateOutputsMerged = 0;  // the same text twice in one item, ranked alike
    size_t emptyKept = 0;               // pairs written with an empty output or prompt (keepEmpty)
    size_t rolesFilled = 0;             // items whose role-less messages got a default role
    size_t staleItems = 0;              // items whose pairs a margin or hardness filter could not judge: stale rewards
    std::map<std::string, size_t> skippedItems; // reason -> count
    std::map<std::string, size_t> droppedPairs; // reason -> count
    std::vector<std::string> contradictions;    // "LINE: outputs 0 and 2 are the same text ranked 1 and 3"
    std::string describe() const;
};

// The (chosen, rejected) pairs of the items under the options. Pairs are only
// ever made between different texts: outputs that are the same once
// whitespace is normalised are merged when ranked alike, and left out (and
// reported) when ranked differently. Every item or pair left out is counted
// under its reason.
std::vector<PreferencePair> collectPairs(const std::vector<AnnotatedItem> &items, const ExportOptions &options,
                                         ExportSummary &summary);

// Writes the pairs to `path` atomically: a temp file in the same folder is
// written, read back and validated against the format, flushed, and only then
// renamed over `path`. No pairs at all is an error (nothing written); a
// failure leaves an existing `path` byte-identical.
ExportSummary exportPairs(const std::vector<AnnotatedItem> &items, const std::string &path, const ExportOptions &options);

// The key two texts share when they are the same answer: roles and contents,
// runs of whitespace as one space, trimmed.
std::string normalizedText(const TextField &f);

} // namespace polar
