// polar-cli train: Bradley-Terry fine-tuning of a POLAR model on preference
// pairs, as xtuner's POLAR configs run it, with checkpoints and resume.
#include "cli_common.h"
#include "progress_bar.h"

#include "model/demo_model.h"
#include "training/pair_evaluation.h"
#include "training/trainer.h"
#include "training/training_data.h"
#include "util/error.h"
#include "util/files.h"

#include <atomic>
#include <csignal>
#include <cstdio>

namespace polar::cli {

namespace {

std::atomic_bool interrupted{false};

extern "C" void onInterrupt(int)
{
    interrupted = true;
}

std::string evalLine(const EvalResult &r)
{
    char buf[160];
    std::snprintf(buf, sizeof buf, "loss %.4f, pairwise accuracy %.1f%%, mean margin %+.3f (%zu pairs)", r.loss,
                  100 * r.accuracy, r.meanMargin, r.pairs);
    return buf;
}

} // namespace

int runTrain(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli train --model DIR --pairs (train.jsonl | PROJECT | ANNOTATED.jsonl) -o OUT_DIR "
                        "[--epochs N] [--lr X] [--batch-tokens N] [--micro-batch-tokens N] [--max-length N] "
                        "[--max-response-length N] [--freeze-layers K] [--val-fraction X] [--seed N] [--eval-every N] "
                        "[--checkpoint-every N] [--warmup-ratio X] [--resume] [--device cpu|cuda|auto] [--dtype fp32|bf16|auto]";
    Args args(argv, {"resume"},
              optionSet({kModelOptions}, {"pairs", "output", "epochs", "lr", "batch-tokens", "micro-batch-tokens", "max-length",
                                          "max-response-length", "freeze-layers", "val-fraction", "seed", "eval-every",
                                          "checkpoint-every", "warmup-ratio"}));
    if (!args.positional().empty())
        throw Error(usage);
    std::string modelDir = args.value("model", "");
    if (modelDir.empty()) {
        modelDir = demoModelDirectory();
        std::fprintf(stderr, "no --model: fine-tuning the embedded demo model (%s)\n", modelDir.c_str());
    }
    const std::string pairsPath = args.required("pairs", usage);
    const std::string out = args.required("output", usage);
    if (args.has("threads"))
        setComputeThreads(int(args.integer("threads", 1, 1, 1024)));

    TrainOptions o;
    o.epochs = int(args.integer("epochs", o.epochs, 1, 100000));
    o.learningRate = args.number("lr", o.learningRate);
    o.batchTokens = args.integer("batch-tokens", o.batchTokens, 1, int64_t(1) << 40);
    o.microBatchTokens = args.integer("micro-batch-tokens", std::min(o.microBatchTokens, o.batchTokens), 1, int64_t(1) << 40);
    o.maxLength = int(args.integer("max-length", o.maxLength, 5, 1 << 24));
    o.maxResponseLength = int(args.integer("max-response-length", o.maxResponseLength, 1, 1 << 24));
    o.freezeLayers = int(args.integer("freeze-layers", o.freezeLayers, -1, 1 << 20));
    o.validationFraction = args.number("val-fraction", o.validationFraction);
    o.seed = uint64_t(args.integer("seed", int64_t(o.seed), 0, int64_t(1) << 62));
    o.evalEvery = int(args.integer("eval-every", o.evalEvery, 0, 1 << 30));
    o.checkpointEvery = int(args.integer("checkpoint-every", o.checkpointEvery, 0, 1 << 30));
    o.warmupRatio = args.number("warmup-ratio", o.warmupRatio);
    o.resume = args.has("resume");
    o.device = forOption("device", [&] { return parseDevice(args.value("device", "auto")); });
    o.dtype = forOption("dtype", [&] { return parseComputeDType(args.value("dtype", "auto")); });
    o.validate();

    std::string description;
    const auto pairs = loadTrainingPairs(pairsPath, &description);
    std::fprintf(stderr, "%s\n", description.c_str());

    ProgressBar bar("training (steps)", 0);
    TrainControl control;
    control.cancel = &interrupted;
    control.log = [&](const std::string &line) {
        bar.finish();
        std::fprintf(stderr, "%s\n", line.c_str());
    };
    std::string lastVal = "-";
    control.progress = [&](const TrainProgress &p) {
        if (p.validation) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.1f%%", 100 * p.validation->accuracy);
            lastVal = buf;
        }
        char detail[160];
        std::snprintf(detail, sizeof detail, "loss %.4f  val acc %s  %.1f pairs/s", p.loss, lastVal.c_str(), p.pairsPerSecond);
        bar.setTotal(size_t(p.totalSteps));
        bar.setDetail(detail);
        bar.update(size_t(p.step));
    };
    // Ctrl+C stops at the next micro-batch with a checkpoint, never mid-write.
    struct sigaction sa {};
    sa.sa_handler = onInterrupt;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    TrainReport report;
    try {
        report = trainRewardModel(modelDir, pairs, out, o, control);
    } catch (const Cancelled &) {
        bar.finish();
        std::fprintf(stderr, "stopped; the checkpoint is in %s/training/state: run the same command with --resume to continue\n",
                     out.c_str());
        return 1;
    }
    bar.finish();
    if (report.before)
        std::fprintf(stderr, "held-out before: %s\n", evalLine(*report.before).c_str());
    if (report.after)
        std::fprintf(stderr, "held-out after:  %s\n", evalLine(*report.after).c_str());
    std::fprintf(stderr, "wrote %s: %lld steps in %.1f s (%.2f pairs/s, %.0f tokens/s); curves in %s/training/log.jsonl\n",
                 report.outputDir.c_str(), (long long)report.steps, report.seconds, report.pairsPerSecond, report.tokensPerSecond,
                 out.c_str());
    if (const uint64_t gpuPeak = gpuPeakAllocatedBytes())
        std::fprintf(stderr, "peak GPU memory %.2f GiB allocated (weights, gradients, AdamW state and activations)\n",
                     double(gpuPeak) / double(1ull << 30));
    return 0;
}

int runEvalPairs(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli eval-pairs --model DIR (PAIRS.jsonl | -) [--group-by FIELD] [scoring options]";
    Args args(argv, {}, optionSet({kModelOptions, kScoringOptions, kServerOptions}, {"group-by"}));
    if (args.positional().size() != 1)
        throw Error(usage);
    std::vector<std::string> groups;
    const std::string input = args.positional()[0];
    const auto pairs = readPolarPairs(readInputLines(input), inputName(input), args.value("group-by", ""), &groups);
    if (!args.has("group-by"))
        groups.clear();
    auto model = loadModel(args);
    ProgressBar bar("scoring pairs (outputs)", 2 * pairs.size());
    ScoreControl control;
    control.progress = [&bar](size_t done, size_t) { bar.update(done); };
    const PairAccuracy a = evaluatePairs(*model, pairs, scoringSettings(args), groups, control);
    bar.finish();
    std::printf("%s", a.describe().c_str());
    return 0;
}

} // namespace polar::cli
