#pragma once

#include "preferences/pair_format.h"
#include "scoring/score_records.h"
#include "workbench/workspace.h"

#include <utility>
#include <vector>

namespace polar {

// The workbench's own preference data, from its marks or its scores.

// Every (chosen, rejected) pair the marks imply.
std::vector<PreferencePair> markedPairs(const Workspace &ws);
// Every pair the rewards' ranking implies (ties give none).
std::vector<PreferencePair> rankingPairs(const Workspace &ws);
// The marks "accept the model's ranking" sets: the best-scored candidates
// chosen, every other scored one rejected.
std::vector<std::pair<int64_t, Candidate::Mark>> marksFromScores(const Workspace &ws);
// Whether any candidate carries a mark (accepting the ranking would overwrite it).
bool hasMarks(const Workspace &ws);

// A JSONL record to load into the workbench: {prompt, reference, output(s)},
// and a chosen/rejected record as its two candidates. Throws polar::Error.
ScoreRecord importRecord(Json record, const std::string &where);

} // namespace polar
