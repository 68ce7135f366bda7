#pragma once

#include "cli_args.h"
#include "model/reward_model.h"
#include "scoring/settings.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <memory>
#include <string>

namespace polar::cli {

// The options every model-running command takes, named once.
inline const std::set<std::string> kModelOptions = {"model", "device", "dtype", "threads", "gpu-memory-fraction"};
// Scoring on a vLLM / SGLang / LMDeploy server instead (score, score-dataset,
// eval-pairs, bench-rm): --server TYPE=URL, the key from --api-key or $POLAR_API_KEY.
inline const std::set<std::string> kServerOptions = {"server", "api-key", "server-model", "concurrency",
                                                     "request-batch", "timeout", "retries", "ca-file"};
inline const std::set<std::string> kScoringOptions = {"batch-tokens", "max-length", "max-response-length", "cut-side"};
std::set<std::string> optionSet(std::initializer_list<std::set<std::string>> parts, std::set<std::string> extra = {});

// --model DIR --device --dtype --threads, with a message on stderr while
// loading; with --server, a connection that encodes with DIR's tokenizer.
std::unique_ptr<RewardModel> loadModel(const Args &args);
// --max-length --max-response-length --cut-side --batch-tokens, validated.
ScoringSettings scoringSettings(const Args &args);
// The lines of IN.jsonl, or of standard input when the path is "-", for
// commands that read records once and write them back (score, attribute).
std::vector<JsonlLine> readInputLines(const std::string &path);
// How messages name that input: "<stdin>" for "-".
std::string inputName(const std::string &path);
// Whether the records go to standard output: no -o, or -o -.
bool writesToStdout(const Args &args);
// Before any work: the file option `option` (-o, --json), when given and not
// standard output, is neither `inputPath` nor unwritable, so an hour of
// scoring never ends in "cannot write".
void checkOutputOption(const Args &args, const std::string &option, const std::string &inputPath);
// The records to -o (written atomically; refused when it names `inputPath`)
// or to stdout, one JSON value per line.
void writeRecords(const Args &args, const std::vector<Json> &records, const std::string &inputPath);
// Reports a failed record on stderr, prefixed with `where` unless the message
// already names it, and returns the record (wrapped when not an object) with "error" set.
Json failedRecord(const Json &record, const std::string &where, const std::string &message);

// A file the CLI ships (the InternLM2 tokenizer, bench's PyTorch reference):
// `installed` under share/polar-studio/ of the tree this binary is installed in,
// else `inSource` in the source tree it was built from.
std::string shippedPath(const std::string &installed, const std::string &inSource);
inline std::string defaultInternLM2TokenizerDir()
{
    return shippedPath("tokenizers/internlm2", "tests/data/internlm2");
}

int runScore(const std::vector<std::string> &argv);
int runInspect(const std::vector<std::string> &argv);
int runParity(const std::vector<std::string> &argv);
int runAttribute(const std::vector<std::string> &argv);
int runPairs(const std::vector<std::string> &argv);
int runEval(const std::vector<std::string> &argv);
int runScoreDataset(const std::vector<std::string> &argv);
int runExportAnnotated(const std::vector<std::string> &argv);
int runReattach(const std::vector<std::string> &argv);
int runRepairProject(const std::vector<std::string> &argv);
int runMakeRandom(const std::vector<std::string> &argv);
int runBench(const std::vector<std::string> &argv);
int runTrain(const std::vector<std::string> &argv);
int runEvalPairs(const std::vector<std::string> &argv);
int runAnalyze(const std::vector<std::string> &argv);
int runMatrix(const std::vector<std::string> &argv);
int runCheck(const std::vector<std::string> &argv);
int runBenchRm(const std::vector<std::string> &argv);
int runServe(const std::vector<std::string> &argv);

} // namespace polar::cli
