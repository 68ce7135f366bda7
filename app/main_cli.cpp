// polar-cli: the headless entry point over the same core as the app.
#include "cli_common.h"
#include "model/reward_model.h"
#include "polar_version.h"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

const char *const kUsage =
    "usage: polar-cli COMMAND [options]     (polar-cli --version: the version and its LibTorch)\n"
    "\n"
    "commands:\n"
    "  score    --model DIR [--device cpu|cuda|auto] [--dtype fp32|fp16|bf16|auto] [--batch-tokens N]\n"
    "           [--max-length N --max-response-length N --cut-side left|right] [--explain] (IN.jsonl | -) [-o OUT.jsonl]\n"
    "  inspect  --model DIR [--device ...] [--dtype ...]\n"
    "  attribute --model DIR --method grad|ig|occlusion|curve [--steps N] [--baseline zero|pad]\n"
    "           [--granularity token|word|sentence|line] (IN.jsonl | -) [-o OUT.jsonl]\n"
    "  score-dataset --model DIR (DATASET.jsonl | PROJECT)   rewards into the dataset's project (resumable)\n"
    "  pairs    (PROJECT | ANNOTATED.jsonl) -o train.jsonl --strategy all|best-vs-rest|adjacent|best-vs-worst\n"
    "           [--format polar|trl|trl-text] [--min-margin X] [--hard-only] [--keep-empty] [--fill-roles]\n"
    "  eval     (PROJECT | ANNOTATED.jsonl) [--second OTHER]   agreement with the model (and between annotators)\n"
    "  export-annotated PROJECT -o ANNOTATED.jsonl\n"
    "  reattach PROJECT --dataset EDITED.jsonl [-o NEW_PROJECT]   carry annotations over to an edited dataset\n"
    "  repair-project DAMAGED_PROJECT -o NEW_PROJECT               salvage a project with damaged lines\n"
    "  train    --model DIR --pairs (train.jsonl | PROJECT) -o OUT_DIR [--epochs N] [--lr X] [--batch-tokens N]\n"
    "           [--max-length N] [--max-response-length N] [--freeze-layers K] [--val-fraction X] [--seed N] [--resume]\n"
    "           Bradley-Terry fine-tuning as xtuner's POLAR configs run it; Ctrl+C saves a checkpoint\n"
    "  eval-pairs --model DIR (PAIRS.jsonl | -) [--group-by FIELD]   pairwise accuracy on chosen/rejected pairs\n"
    "  analyze  length (PROJECT | ANNOTATED.jsonl) [--model DIR] [--json OUT]   reward vs output length, and the\n"
    "           always-longer / always-shorter baselines against the model on the human pairs\n"
    "  analyze  calibration (PROJECT | ANNOTATED.jsonl) [--bins N] [--json OUT]   reliability diagram and ECE\n"
    "  matrix   --model DIR (IN.jsonl | -) [--line N] [--edited-reference TEXT] [-o OUT.jsonl]   each candidate under the\n"
    "           given, an empty, an edited and every other candidate as reference; mutually consistent groups\n"
    "  check    --model DIR (IN.jsonl | -) [--compare-dtype bf16|fp16|fp32] [--json OUT]   rewards alone vs batched vs shared\n"
    "           prefix (vs another precision): max |delta| and ranking flips against documented tolerances\n"
    "  bench-rm --model DIR (BENCH.jsonl | -) --reference (column:NAME | file:REFS.jsonl | leave-one-out) [--json OUT]\n"
    "           RewardBench v1/v2 files: accuracy per subset, v1's weighted sections; says where references came from\n"
    "  serve    --model DIR [--host 127.0.0.1] [--port 8000] [--served-model-name NAME] [--api-key KEY]\n"
    "           [--max-queue N] [--pooling vllm|lmdeploy]   vLLM-style /pooling and SGLang-style /classify over\n"
    "           this engine (batched, prefixes shared), plus /health and /v1/models, for RL loops\n"
    "  make-random --shape cpu|1.8b|7b [--dtype bf16|fp32] OUT_DIR   a random checkpoint of a real shape\n"
    "  bench    [--shape cpu|1.8b|7b] [--device] [--dtype] [--prefix N] [--candidate-tokens N] [--records N]\n"
    "           [--python PATH|none] [--json OUT.json]   random model of a real shape, every optimisation on/off,\n"
    "           against a plain PyTorch forward; --profile: where the dataset mix's time goes, kernel by kernel\n"
    "           (LibTorch 2.x)\n"
    "  parity   --model DIR --golden CASES.jsonl [--field reward] [--atol X] [--batch BATCH.json]\n"
    "\n"
    "Every command that runs the model also takes --threads N (LibTorch intra-op threads on the CPU).\n"
    "score, score-dataset, eval-pairs and bench-rm can score on a running server instead (inspect tests it):\n"
    "  --server vllm|sglang|lmdeploy=URL [--api-key KEY (or $POLAR_API_KEY)] [--concurrency N] [--request-batch N]\n"
    "  [--timeout S] [--retries N] [--ca-file PEM] [--server-model NAME]; --model DIR then only gives the tokenizer.\n"
    "Without --model, commands use the embedded demo model (synthetic tasks only; not a POLAR model).\n"
    "\n"
    "Exit status: 0 all went well, 1 some records or checks failed, 2 bad usage or unusable input.\n";

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (std::string(argv[1]) == "--version") {
        std::printf("polar-cli (Polar Studio) %s\n%s\n", POLAR_STUDIO_VERSION, polar::runtimeDescription().c_str());
        return 0;
    }
    const std::string command = argv[1];
    const std::vector<std::string> rest(argv + 2, argv + argc);
    try {
        if (command == "score")
            return polar::cli::runScore(rest);
        if (command == "train")
            return polar::cli::runTrain(rest);
        if (command == "eval-pairs")
            return polar::cli::runEvalPairs(rest);
        if (command == "inspect")
            return polar::cli::runInspect(rest);
        if (command == "parity")
            return polar::cli::runParity(rest);
        if (command == "attribute")
            return polar::cli::runAttribute(rest);
        if (command == "score-dataset")
            return polar::cli::runScoreDataset(rest);
        if (command == "pairs")
            return polar::cli::runPairs(rest);
        if (command == "eval")
            return polar::cli::runEval(rest);
        if (command == "bench")
            return polar::cli::runBench(rest);
        if (command == "export-annotated")
            return polar::cli::runExportAnnotated(rest);
        if (command == "analyze")
            return polar::cli::runAnalyze(rest);
        if (command == "matrix")
            return polar::cli::runMatrix(rest);
        if (command == "bench-rm")
            return polar::cli::runBenchRm(rest);
        if (command == "serve")
            return polar::cli::runServe(rest);
        if (command == "check")
            return polar::cli::runCheck(rest);
        if (command == "make-random")
            return polar::cli::runMakeRandom(rest);
        if (command == "reattach")
            return polar::cli::runReattach(rest);
        if (command == "repair-project")
            return polar::cli::runRepairProject(rest);
        std::fprintf(stderr, "polar-cli: unknown command '%s'\n\n%s", command.c_str(), kUsage);
        return 2;
    } catch (const std::exception &e) {
        // The one place errors from core (and torch) end up.
        std::fprintf(stderr, "polar-cli %s: error: %s\n", command.c_str(), e.what());
        return 2;
    }
}
