#pragma once

#include "scoring/pipeline.h"
#include "scoring/settings.h"
#include "scoring/text_field.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace polar {

class RewardModel;

// One row of a RewardBench file: v1 has one chosen and one rejected answer;
// v2 has lists (best-of-4: one chosen, three rejected; its Ties subset
// several chosen).
struct BenchRow
{
    size_t line = 0;
    std::string id, subset;
    TextField prompt;
    std::vector<TextField> chosen, rejected;
    std::optional<TextField> reference; // POLAR needs one: see attachReferences
    Json source;                        // the row as read, for reference columns
};

// Reads a JSONL file of RewardBench rows (prompt, chosen, rejected, subset,
// id; chosen and rejected a string or a list of strings). Throws polar::Error
// naming the line and field of the first bad row: a benchmark with a row
// silently left out would not be the benchmark.
std::vector<BenchRow> readRewardBench(const std::string &path);
// The same over lines already read (standard input); `name` is what messages call them.
std::vector<BenchRow> readRewardBench(const std::vector<JsonlLine> &lines, const std::string &name);

// Where each row's reference comes from. RewardBench has none: POLAR scores
// a candidate by its consistency with a reference, so every report says
// which source was used, and that the figures are not comparable with
// reference-free reward models' leaderboard numbers.
enum class BenchReference { Column, File, LeaveOneOut };
struct BenchReferenceOptions
{
    BenchReference source = BenchReference::LeaveOneOut;
    std::string column;   // Column: the row's field holding the reference
    std::string file;     // File: JSONL of {"id", "reference"}
    std::string describe() const;
};

// "column:NAME", "file:REFS.jsonl" or "leave-one-out" (the CLI's --reference);
// anything else is a polar::Error naming the three forms.
BenchReferenceOptions parseBenchReference(const std::string &spec);

// Sets each row's reference; returns how many rows got none (they are left
// out of the evaluation and counted in its report). LeaveOneOut takes another
// chosen answer of the same row (v2 Ties) or of another row with the same
// prompt, never one of the row's own candidates.
size_t attachReferences(std::vector<BenchRow> &rows, const BenchReferenceOptions &options);
// When attachReferences found none: "no row has a reference from SOURCE", and
// for a column the string fields the rows do have, so a misspelt name is fixed
// from the message.
std::string noReferencesMessage(const std::vector<BenchRow> &rows, const BenchReferenceOptions &options);

// The credit of one row: 1 when a chosen answer has the highest reward, 1/k
// when k answers tie for it and one of them is chosen (more chosen among them
// count as many shares), 0 otherwise. v1 rows are the k = 2 case of the same rule.
double rowCredit(const std::vector<double> &chosen, const std::vector<double> &rejected);

struct BenchReport
{
    struct Subset
    {
        size_t rows = 0;
        double credit = 0;
        double accuracy() const { return rows ? credit / double(rows) : 0.0; }
    };
    int version = 1; // 2 when any row has more than one rejected answer
    std::map<std::string, Subset> subsets;
    // RewardBench v1's leaderboard sections: each a weighted mean of its
    // subsets' accuracies, weighted by rewardbench/constants.py's
    // EXAMPLE_COUNTS (math-prm counted 984 times, not its 447 rows, to weigh
    // as much as the code subsets); the score is the mean of the sections.
    // Only v1 files with those subset names have sections.
    std::map<std::string, double> sections;
    std::optional<double> score;
    double accuracy = 0; // over every evaluated row, unweighted
    size_t evaluated = 0, withoutReference = 0;
    std::string reference; // BenchReferenceOptions::describe()

    std::string describe() const;
    Json toJson() const;
};

// Per-subset credits into the report (the part without a model, for tests).
BenchReport summarizeBench(const std::vector<BenchRow> &rows, const std::vector<double> &credits);

// Scores every row that has a reference (attachReferences with `references`
// set them) through the one scoring pipeline; the report names the source.
BenchReport evaluateRewardBench(const RewardModel &model, const std::vector<BenchRow> &rows, const BenchReferenceOptions &references,
                                const ScoringSettings &settings, const ScoreControl &control = {});

} // namespace polar
