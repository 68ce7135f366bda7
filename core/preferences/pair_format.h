#pragma once

#include "scoring/text_field.h"
#include "util/json.h"

#include <string>
#include <vector>

namespace polar {

struct PreferencePair
{
    TextField prompt, reference, chosen, rejected;
};

// What a train.jsonl line looks like, each for the trainer that reads it
// (docs/dataset-formats.md, tests/consumers/):
enum class PairFormat {
    Polar,   // xtuner's POLAR reward training (tokenize_ref): prompt, reference, chosen,
             // rejected, each a [{"role", "content"}] list
    Trl,     // TRL's conversational preference format: prompt a message list, chosen and
             // rejected assistant message lists; roles and chat template survive
    TrlText, // TRL's standard (plain text) format: the prompt ends with the separator
             // "\n" that RewardTrainer's plain concatenation of prompt + chosen needs
};

PairFormat parsePairFormat(const std::string &s); // polar | trl | trl-text
const char *pairFormatName(PairFormat f);

// The roles a plain-string field takes in message formats.
constexpr const char *kPromptRole = "user";
constexpr const char *kAnswerRole = "assistant";
constexpr const char *kTrlTextSeparator = "\n";

Json pairToJson(const PreferencePair &pair, PairFormat format);

// Why `pair` cannot be written as a valid `format` record (empty when it can):
// a message without a role, a prompt whose last role TRL refuses.
std::string pairFormatProblem(const PreferencePair &pair, PairFormat format);

// Checks a written train.jsonl line by line against what `format`'s reader
// needs; throws polar::Error naming the line and field.
void validatePairsFile(const std::string &path, PairFormat format, size_t expected);

// Appends the pairs to `path` (created if absent) atomically: the existing
// lines and the new ones go to a temp file that replaces `path` once it has
// been validated. An existing file that is not valid JSONL of `format` is
// refused (named, with its line) so nothing is appended to a file this would
// corrupt. A pair the file already holds (the same record) is not written
// again, so exporting twice adds nothing: the caller says how many were
// skipped.
struct AppendSummary
{
    size_t written = 0, alreadyThere = 0;
};
AppendSummary appendPairs(const std::string &path, const std::vector<PreferencePair> &pairs, PairFormat format);

} // namespace polar
