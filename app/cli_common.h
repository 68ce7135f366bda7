#pragma once

#include "cli_args.h"
#include "scoring/encoding.h"
#include "util/json.h"
#include "model/reward_model.h"

#include <memory>
#include <string>

namespace polar::cli {

// --model DIR --device --dtype, with a message on stderr while loading.
std::unique_ptr<RewardModel> loadModel(const Args &args);
// --max-length --max-response-length --cut-side
EncodeOptions encodeOptions(const Args &args);
CutSide parseCutSide(const std::string &s);
// The records to -o (written atomically) or to stdout, one JSON value per line.
void writeRecords(const Args &args, const std::vector<Json> &records);
// Reports a failed record on stderr, prefixed with `where` unless the message
// already names it, and returns the record (wrapped when not an object) with "error" set.
Json failedRecord(const Json &record, const std::string &where, const std::string &message);

int runScore(const std::vector<std::string> &argv);
int runInspect(const std::vector<std::string> &argv);
int runParity(const std::vector<std::string> &argv);
int runAttribute(const std::vector<std::string> &argv);
int runPairs(const std::vector<std::string> &argv);
int runEval(const std::vector<std::string> &argv);
int runScoreDataset(const std::vector<std::string> &argv);
int runExportAnnotated(const std::vector<std::string> &argv);
int runBench(const std::vector<std::string> &argv);

} // namespace polar::cli
