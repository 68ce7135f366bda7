#pragma once

#include "model/compute_options.h"
#include "preferences/pair_format.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace polar {

// POLAR fine-tuning as xtuner runs it (configs/reward_model/polar): the
// ranking loss -log sigmoid(r_chosen - r_rejected) averaged over the pairs of
// an optimizer step, no penalty; AdamW (betas 0.9/0.95, no weight decay);
// linear warm-up over 3% of the steps, then cosine down to 10% of the rate;
// gradients clipped to norm 1.
struct TrainOptions
{
    int epochs = 1;
    double learningRate = 2e-5;
    double beta1 = 0.9, beta2 = 0.95, weightDecay = 0.0;
    double warmupRatio = 0.03;
    double minLearningRateRatio = 0.1;
    double maxGradNorm = 1.0;
    // Tokens (chosen + rejected, both counted) per optimizer step: gradients
    // accumulate over micro-batches until the step holds this many.
    int64_t batchTokens = 16384;
    // Padded tokens one forward/backward pass may hold.
    int64_t microBatchTokens = 4096;
    // How inputs are built (xtuner's tokenize_ref).
    int maxLength = 16384;
    int maxResponseLength = 4096;
    // Embeddings and the first K decoder layers get no gradient (a 7B then
    // fits one 80 GB GPU); -1 trains everything, embeddings included.
    int freezeLayers = -1;
    double validationFraction = 0.1;
    uint64_t seed = 42;
    int evalEvery = 50;         // optimizer steps between validations (0: only at the end)
    int checkpointEvery = 200;  // optimizer steps between checkpoints (0: only when stopped)
    bool resume = false;        // continue from OUT_DIR/training/state
    Device device = Device::Auto;
    // Compute on CUDA: bf16 autocast over fp32 master weights (Auto); on the
    // CPU always fp32.
    ComputeDType dtype = ComputeDType::Auto;

    void validate() const; // throws polar::Error naming the option
};

// The learning rate at optimizer step `step` (0-based) of `totalSteps`.
double learningRateAt(const TrainOptions &options, int64_t step, int64_t totalSteps);

struct EvalResult
{
    double loss = 0, accuracy = 0, meanMargin = 0;
    size_t pairs = 0;
};

struct TrainProgress
{
    int64_t step = 0, totalSteps = 0; // steps done
    int epoch = 0;
    double loss = 0, learningRate = 0, gradNorm = 0;
    double pairsPerSecond = 0, tokensPerSecond = 0; // over the run so far
    std::optional<EvalResult> validation;           // set on the steps that validated
};

struct MemoryEstimate
{
    uint64_t weights = 0, gradients = 0, optimizer = 0, activations = 0;
    int64_t trainableParameters = 0, frozenParameters = 0;
    uint64_t total() const { return weights + gradients + optimizer + activations; }
    std::string describe() const;
};

struct TrainReport
{
    std::string outputDir;
    int64_t steps = 0;
    size_t trainPairs = 0, validationPairs = 0, skippedPairs = 0;
    std::optional<EvalResult> before, after; // validation before the first step and at the end
    double seconds = 0, pairsPerSecond = 0, tokensPerSecond = 0;
    bool resumed = false;
};

struct TrainControl
{
    const std::atomic_bool *cancel = nullptr;          // checked between micro-batches
    std::function<void(const TrainProgress &)> progress;
    std::function<void(const std::string &)> log;     // one line of plain-text news
};

// Fine-tunes the model in `modelDir` on `pairs` and writes a model directory
// in the same Hugging Face layout to `outputDir` (config, safetensors sharded
// above 2 GB, tokenizer files), with `training/` inside holding the curves
// (log.jsonl), the split and the latest checkpoint. Cancelling saves a
// checkpoint and throws polar::Cancelled; run again with resume to continue.
// Throws polar::Error for bad input, naming the file or option.
TrainReport trainRewardModel(const std::string &modelDir, const std::vector<PreferencePair> &pairs,
                             const std::string &outputDir, const TrainOptions &options, const TrainControl &control = {});

// What a run will need, before it starts (weights, gradients and AdamW's two
// moments in fp32 for the trainable part, activations for one micro-batch).
MemoryEstimate estimateTrainingMemory(const std::string &modelDir, const TrainOptions &options);

} // namespace polar
