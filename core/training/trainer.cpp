#include "training/trainer.h"

#include "model/checkpoint_schema.h"
#include "model/checkpoint_writer.h"
#include "model/reward_model.h"
#include "model/reward_model_impl.h"
#include "model/safetensors_writer.h"
#include "model/weight_placement.h"
#include "training/pair_loss.h"
#include "training/training_data.h"
#include "util/counted.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <sys/stat.h>

namespace polar {

// ---- options and schedule ---------------------------------------------------

void TrainOptions::validate() const
{
    auto need = [](bool ok, const std::string &what) {
        if (!ok)
            throw Error(what);
    };
    need(epochs >= 1, "epochs must be at least 1, got " + std::to_string(epochs));
    need(std::isfinite(learningRate) && learningRate > 0, "the learning rate must be positive, got " + std::to_string(learningRate));
    need(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "AdamW betas must be in [0, 1)");
    need(weightDecay >= 0, "weight decay must not be negative");
    need(warmupRatio >= 0 && warmupRatio < 1, "the warm-up ratio must be in [0, 1)");
    need(minLearningRateRatio >= 0 && minLearningRateRatio <= 1, "the final learning-rate ratio must be in [0, 1]");
    need(maxGradNorm > 0, "the gradient clipping norm must be positive");
    need(batchTokens >= 1 && microBatchTokens >= 1, "batch tokens must be positive");
    need(maxLength >= 5, "max_length must be at least 5, got " + std::to_string(maxLength));
    need(maxResponseLength >= 1, "max_response_length must be positive");
    need(freezeLayers >= -1, "freeze-layers must be -1 (nothing frozen) or a layer count");
    need(validationFraction >= 0 && validationFraction < 1, "the validation fraction must be in [0, 1)");
    need(evalEvery >= 0 && checkpointEvery >= 0, "eval and checkpoint intervals must not be negative");
}

double learningRateAt(const TrainOptions &o, int64_t step, int64_t totalSteps)
{
    const double peak = o.learningRate, floor = peak * o.minLearningRateRatio;
    const int64_t warmup = int64_t(std::ceil(o.warmupRatio * double(totalSteps)));
    if (step < warmup)
        return peak * double(step + 1) / double(warmup);
    const int64_t span = std::max<int64_t>(1, totalSteps - warmup);
    const double t = std::min(1.0, double(step - warmup) / double(span));
    return floor + (peak - floor) * 0.5 * (1.0 + std::cos(M_PI * t));
}

std::string MemoryEstimate::describe() const
{
    auto gib = [](uint64_t b) { return std::to_string(double(b) / double(1ull << 30)).substr(0, 5) + " GiB"; };
    return "about " + gib(total()) + ": weights " + gib(weights) + ", gradients " + gib(gradients) + ", AdamW state "
        + gib(optimizer) + ", activations " + gib(activations) + " (" + std::to_string(trainableParameters)
        + " trainable parameters, " + std::to_string(frozenParameters) + " frozen)";
}

// ---- the loss ---------------------------------------------------------------

PairOutputs pairLosses(InternLM2RewardModelImpl &model, const ForwardBatch &batch)
{
    auto rewards = model.rewards(model.embed(batch.ids), batch.lengths); // [2N]
    auto pairs = rewards.view({-1, 2});
    auto margins = pairs.select(1, 0) - pairs.select(1, 1);   // [N]
    return {-torch::nn::functional::logsigmoid(margins), margins};
}

namespace {

// bf16 autocast on CUDA for the forward and backward of one micro-batch; the
// weights and the optimizer stay fp32. The API moved in LibTorch 2.4.
struct CudaAutocast
{
    explicit CudaAutocast(bool enable) : on(enable)
    {
        if (!on)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, true);
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
#else
        at::autocast::set_enabled(true);
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
#endif
    }
    ~CudaAutocast()
    {
        if (!on)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
        at::autocast::set_enabled(false);
#endif
        at::autocast::clear_cache();
    }
    CudaAutocast(const CudaAutocast &) = delete;
    CudaAutocast &operator=(const CudaAutocast &) = delete;
    bool on;
};

struct EncodedPair
{
    std::vector<int> chosen, rejected;
    size_t tokens() const { return chosen.size() + rejected.size(); }
    size_t longest() const { return std::max(chosen.size(), rejected.size()); }
};

// One optimizer step: micro-batches of pair indices.
using MicroBatch = std::vector<size_t>;
using Step = std::vector<MicroBatch>;

// Steps of one epoch: a seeded shuffle, then pairs taken in order until a step
// holds batchTokens; inside a step, pairs sorted by length and cut into
// micro-batches of at most microBatchTokens padded tokens (two rows a pair).
std::vector<Step> planEpoch(const std::vector<EncodedPair> &pairs, std::vector<size_t> order, const TrainOptions &o,
                            uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<Step> steps;
    std::vector<size_t> current;
    int64_t tokens = 0;
    auto close = [&] {
        if (current.empty())
            return;
        std::sort(current.begin(), current.end(), [&](size_t a, size_t b) { return pairs[a].longest() > pairs[b].longest(); });
        Step step;
        MicroBatch micro;
        int64_t longest = 0;
        for (size_t i : current) {
            const int64_t L = std::max<int64_t>(longest, int64_t(pairs[i].longest()));
            if (!micro.empty() && L * int64_t(2 * (micro.size() + 1)) > o.microBatchTokens) {
                step.push_back(std::move(micro));
                micro = {};
                longest = 0;
            }
            micro.push_back(i);
            longest = std::max<int64_t>(longest, int64_t(pairs[i].longest()));
        }
        step.push_back(std::move(micro));
        steps.push_back(std::move(step));
        current.clear();
        tokens = 0;
    };
    for (size_t i : order) {
        current.push_back(i);
        tokens += int64_t(pairs[i].tokens());
        if (tokens >= o.batchTokens)
            close();
    }
    close();
    return steps;
}

std::vector<std::vector<int>> rowsOf(const std::vector<EncodedPair> &pairs, const MicroBatch &micro)
{
    std::vector<std::vector<int>> rows;
    for (size_t i : micro) {
        rows.push_back(pairs[i].chosen);
        rows.push_back(pairs[i].rejected);
    }
    return rows;
}

SafetensorsDType storedDtypeOf(const std::string &modelDir)
{
    const auto ck = SafetensorsCheckpoint::openDirectory(modelDir);
    return ck.tensors().at(tensor_names::kEmbeddings).dtype;
}

// The bytes of `t` in `dtype`, as safetensors stores them.
std::string tensorBytes(const torch::Tensor &t, SafetensorsDType dtype)
{
    auto c = t.detach().to(torch::kCPU, torchDtype(dtype)).contiguous();
    return std::string(static_cast<const char *>(c.data_ptr()), size_t(c.numel()) * c.element_size());
}

uint64_t fingerprintOf(const std::vector<EncodedPair> &pairs, const std::string &modelDir)
{
    std::string s = modelDir;
    for (const auto &p : pairs) {
        for (int id : p.chosen)
            s.append(reinterpret_cast<const char *>(&id), sizeof id);
        s.push_back('|');
        for (int id : p.rejected)
            s.append(reinterpret_cast<const char *>(&id), sizeof id);
        s.push_back('#');
    }
    return fingerprint(s);
}

// The state a run resumes from, saved atomically: a sibling folder is
// written completely, then swapped in by rename.
struct Checkpointer
{
    std::string dir; // OUT/training/state

    void save(const std::vector<std::pair<std::string, torch::Tensor>> &trainable, torch::optim::Optimizer &optimizer,
              const Json &state) const
    {
        const std::string tmp = dir + ".tmp", old = dir + ".old";
        removeTree(tmp);
        ::mkdir(tmp.c_str(), 0755);
        std::vector<TensorSpec> specs;
        std::map<std::string, torch::Tensor> byName;
        for (const auto &[name, t] : trainable) {
            specs.push_back({name, SafetensorsDType::F32, t.sizes().vec()});
            byName[name] = t;
        }
        writeSafetensors(joinPath(tmp, "trainable.safetensors"), specs, [&](const TensorSpec &s, std::string &out) {
            out = tensorBytes(byName.at(s.name), SafetensorsDType::F32);
        });
        torch::save(optimizer, joinPath(tmp, "optimizer.pt"));
        writeFileAtomically(joinPath(tmp, "state.json"), state.dump(2) + "\n");
        removeTree(old);
        if (directoryExists(dir) && std::rename(dir.c_str(), old.c_str()) != 0)
            throw Error(dir + ": cannot replace the previous checkpoint");
        if (std::rename(tmp.c_str(), dir.c_str()) != 0)
            throw Error(dir + ": cannot move the new checkpoint into place");
        removeTree(old);
    }

    Json load(const std::vector<std::pair<std::string, torch::Tensor>> &trainable, torch::optim::Optimizer &optimizer) const
    {
        const std::string statePath = joinPath(dir, "state.json");
        if (!fileExists(statePath))
            throw Error(dir + ": no checkpoint to resume from (state.json missing)");
        Json state = parseJson(readWholeFile(statePath), statePath);
        auto file = SafetensorsFile::open(joinPath(dir, "trainable.safetensors"));
        torch::NoGradGuard noGrad;
        for (const auto &[name, t] : trainable) {
            const auto it = file->tensors().find(name);
            if (it == file->tensors().end())
                throw Error(file->path() + ": has no tensor '" + name + "'; the checkpoint belongs to another run");
            const TensorView &v = it->second;
            auto saved = torch::from_blob(const_cast<std::byte *>(v.data), v.shape, torchDtype(v.dtype));
            if (saved.sizes() != t.sizes())
                throw Error(file->path() + ": tensor '" + name + "' has another shape; the checkpoint belongs to another run");
            t.copy_(saved);
        }
        torch::load(optimizer, joinPath(dir, "optimizer.pt"));
        return state;
    }

    static void removeTree(const std::string &path)
    {
        removeFolder(path, {"trainable.safetensors", "optimizer.pt", "state.json"});
    }
};

} // namespace

// ---- memory -----------------------------------------------------------------

namespace {

MemoryEstimate estimateFor(const ModelConfig &c, const TrainOptions &o, bool cuda)
{
    MemoryEstimate m;
    const int64_t frozenLayers = o.freezeLayers < 0 ? 0 : std::min<int64_t>(o.freezeLayers, c.numLayers);
    for (const auto &t : expectedTensors(c)) {
        int64_t n = 1;
        for (int64_t d : t.shape)
            n *= d;
        bool frozen = false;
        if (o.freezeLayers >= 0) {
            frozen = t.name == tensor_names::kEmbeddings;
            for (int64_t i = 0; i < frozenLayers && !frozen; ++i)
                frozen = t.name.rfind(tensor_names::layer(i), 0) == 0;
        }
        (frozen ? m.frozenParameters : m.trainableParameters) += n;
    }
    const uint64_t all = uint64_t(m.trainableParameters + m.frozenParameters);
    m.weights = all * 4;
    m.gradients = uint64_t(m.trainableParameters) * 4;
    m.optimizer = uint64_t(m.trainableParameters) * 8;
    // Saved activations per token and trained layer: the layer's inputs,
    // norms, q/k/v, attention output, and the MLP's three intermediates.
    const double H = double(c.hiddenSize), F = double(c.intermediateSize);
    const double qkv = double((c.numHeads + 2 * c.numKvHeads) * c.headDim());
    const double perTokenLayer = (6 * H + qkv + 3 * F) * (cuda ? 2.0 : 4.0);
    m.activations = uint64_t(double(o.microBatchTokens) * double(c.numLayers - frozenLayers) * perTokenLayer);
    return m;
}

} // namespace

MemoryEstimate estimateTrainingMemory(const std::string &modelDir, const TrainOptions &options)
{
    const ModelConfig c = loadModelConfig(joinPath(modelDir, "config.json"));
    const bool cuda = options.device == Device::Cuda || (options.device == Device::Auto && cudaAvailable());
    return estimateFor(c, options, cuda);
}

// ---- the run ----------------------------------------------------------------

TrainReport trainRewardModel(const std::string &modelDir, const std::vector<PreferencePair> &inputPairs,
                             const std::string &outputDir, const TrainOptions &o, const TrainControl &control)
{
    o.validate();
    const auto started = std::chrono::steady_clock::now();
    auto say = [&](const std::string &line) {
        if (control.log)
            control.log(line);
    };
    auto cancelled = [&] { return control.cancel && control.cancel->load(); };

    if (fileExists(outputDir))
        throw Error(outputDir + ": is a file; the output is a folder for the trained model (nothing was written)");
    if (directoryExists(outputDir) && sameFile(outputDir, modelDir))
        throw Error(outputDir + ": is the model being trained; write the result to another folder");
    if (fileExists(joinPath(outputDir, "config.json")))
        throw Error(outputDir + ": already holds a model; choose another folder");
    const std::string trainingDir = joinPath(outputDir, "training");
    const Checkpointer checkpointer{joinPath(trainingDir, "state")};
    if (o.resume && !directoryExists(checkpointer.dir))
        throw Error(checkpointer.dir + ": no checkpoint to resume from");
    if (!o.resume && directoryExists(checkpointer.dir))
        throw Error(outputDir + ": holds a stopped run; resume it, or choose another folder");

    // The model, in fp32 (the master weights), on the device.
    LoadOptions lo;
    lo.device = o.device;
    lo.dtype = ComputeDType::F32;
    lo.cancel = control.cancel;
    auto model = RewardModel::load(modelDir, lo);
    auto &impl = model->impl();
    auto &net = *impl.model;
    const bool cuda = impl.device.is_cuda();
    const bool autocast = cuda && o.dtype != ComputeDType::F32;
    const ModelConfig &config = model->config();
    const SafetensorsDType storedDtype = storedDtypeOf(modelDir);

    // Trainable tensors get memory of their own (they may be the mapped file).
    const MemoryEstimate memory = estimateFor(config, o, cuda);
    say("memory needed: " + memory.describe());
    std::vector<std::pair<std::string, torch::Tensor>> trainable;
    {
        torch::NoGradGuard noGrad;
        const int64_t frozenLayers = o.freezeLayers < 0 ? 0 : std::min<int64_t>(o.freezeLayers, config.numLayers);
        for (auto &p : net.named_parameters()) {
            bool frozen = false;
            if (o.freezeLayers >= 0) {
                frozen = p.key() == tensor_names::kEmbeddings;
                for (int64_t i = 0; i < frozenLayers && !frozen; ++i)
                    frozen = p.key().rfind(tensor_names::layer(i), 0) == 0;
            }
            if (frozen)
                continue;
            torch::Tensor t = p.value();
            t.set_data(t.detach().clone());
            t.requires_grad_(true);
            trainable.emplace_back(p.key(), t);
        }
    }
    if (trainable.empty())
        throw Error("--freeze-layers " + std::to_string(o.freezeLayers) + " leaves nothing to train");

    // Inputs exactly as xtuner's tokenize_ref builds them.
    std::vector<EncodedPair> pairs;
    std::vector<size_t> kept; // index into inputPairs
    TrainReport report;
    for (size_t i = 0; i < inputPairs.size(); ++i) {
        const auto &p = inputPairs[i];
        auto ids = model->encoder().encodePair(p.prompt, p.reference, p.chosen, p.rejected, o.maxLength, o.maxResponseLength);
        if (ids.chosen == ids.rejected) {
            ++report.skippedPairs; // identical once truncated: no signal
            continue;
        }
        pairs.push_back({std::move(ids.chosen), std::move(ids.rejected)});
        kept.push_back(i);
    }
    if (report.skippedPairs)
        say(counted(report.skippedPairs, "pair", "pairs") + " left out: chosen and rejected are the same tokens once truncated");
    std::vector<PreferencePair> keptPairs;
    for (size_t i : kept)
        keptPairs.push_back(inputPairs[i]);
    const PairSplit split = splitByPrompt(keptPairs, o.validationFraction, o.seed);
    if (split.train.empty())
        throw Error("no pairs left to train on after holding out the validation prompts");
    report.trainPairs = split.train.size();
    report.validationPairs = split.validation.size();
    say(counted(split.train.size(), "training pair", "training pairs") + " (" + counted(split.trainPrompts, "prompt", "prompts") + "), "
        + std::to_string(split.validation.size()) + " held out (" + counted(split.validationPrompts, "prompt", "prompts") + ")");

    std::vector<std::vector<Step>> epochs;
    int64_t totalSteps = 0;
    for (int e = 0; e < o.epochs; ++e) {
        epochs.push_back(planEpoch(pairs, split.train, o, o.seed + uint64_t(e) + 1));
        totalSteps += int64_t(epochs.back().size());
    }

    std::vector<torch::Tensor> params;
    for (const auto &[name, t] : trainable)
        params.push_back(t);
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o.learningRate)
                                              .betas({o.beta1, o.beta2})
                                              .weight_decay(o.weightDecay));

    auto evaluate = [&]() -> std::optional<EvalResult> {
        if (split.validation.empty())
            return std::nullopt;
        torch::NoGradGuard noGrad;
        CudaAutocast ac(autocast);
        EvalResult r;
        double lossSum = 0, marginSum = 0, right = 0;
        std::vector<size_t> order = split.validation;
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pairs[a].longest() > pairs[b].longest(); });
        for (size_t at = 0; at < order.size();) {
            MicroBatch micro;
            int64_t longest = 0;
            while (at < order.size()) {
                const int64_t L = std::max<int64_t>(longest, int64_t(pairs[order[at]].longest()));
                if (!micro.empty() && L * int64_t(2 * (micro.size() + 1)) > o.microBatchTokens)
                    break;
                micro.push_back(order[at++]);
                longest = L;
            }
            const auto out = translateTorchErrors([&] { return pairLosses(net, impl.makeBatch(rowsOf(pairs, micro))); });
            lossSum += out.losses.sum().item<double>();
            marginSum += out.margins.sum().item<double>();
            right += (out.margins > 0).sum().item<double>();
        }
        r.pairs = split.validation.size();
        r.loss = lossSum / double(r.pairs);
        r.meanMargin = marginSum / double(r.pairs);
        r.accuracy = right / double(r.pairs);
        return r;
    };

    // The log of the curves, one JSON line per step and per validation.
    ::mkdir(outputDir.c_str(), 0755);
    ::mkdir(trainingDir.c_str(), 0755);
    const std::string logPath = joinPath(trainingDir, "log.jsonl");
    const uint64_t dataFingerprint = fingerprintOf(pairs, modelDir);
    auto stateJson = [&](int64_t step) {
        return Json{{"step", step}, {"total_steps", totalSteps}, {"seed", o.seed}, {"fingerprint", std::to_string(dataFingerprint)},
                    {"base_model", modelDir}, {"epochs", o.epochs}, {"batch_tokens", o.batchTokens},
                    {"micro_batch_tokens", o.microBatchTokens}, {"learning_rate", o.learningRate},
                    {"freeze_layers", o.freezeLayers}, {"max_length", o.maxLength},
                    {"max_response_length", o.maxResponseLength}, {"validation_fraction", o.validationFraction}};
    };

    int64_t done = 0;
    if (o.resume) {
        const Json state = checkpointer.load(trainable, optimizer);
        const Json now = stateJson(0);
        for (const char *key : {"fingerprint", "seed", "epochs", "batch_tokens", "micro_batch_tokens", "freeze_layers",
                                "max_length", "max_response_length", "validation_fraction", "learning_rate"})
            if (state.value(key, Json()) != now[key])
                throw Error(checkpointer.dir + ": was saved with another " + key + " (" + state.value(key, Json()).dump()
                            + ", now " + now[key].dump() + "); resume with the same pairs and settings");
        done = state.at("step").get<int64_t>();
        report.resumed = true;
        // The curves after the checkpoint are replayed: drop them from the log.
        std::string kept;
        if (fileExists(logPath))
            for (const JsonlLine &l : readJsonl(logPath))
                if (l.ok() && l.value.is_object() && l.value.value("step", int64_t(0)) <= done)
                    kept += l.value.dump() + "\n";
        writeFileAtomically(logPath, kept);
        say("resumed at step " + std::to_string(done) + " of " + std::to_string(totalSteps));
    } else {
        writeFileAtomically(logPath, "");
        report.before = evaluate();
        if (report.before) {
            writeFileAtomically(logPath, Json{{"step", 0}, {"val_loss", report.before->loss}, {"val_accuracy", report.before->accuracy},
                                              {"val_margin", report.before->meanMargin}}.dump() + "\n");
        }
    }
    std::ofstream log(logPath, std::ios::app);
    auto appendLog = [&](const Json &j) {
        log << j.dump() << "\n";
        log.flush();
        if (!log)
            throw Error(logPath + ": cannot append to the training log");
    };

    torch::manual_seed(o.seed);
    int64_t stepIndex = 0, pairsSeen = 0, tokensSeen = 0;
    const auto loopStarted = std::chrono::steady_clock::now();
    auto saveCheckpoint = [&](int64_t step) {
        checkpointer.save(trainable, optimizer, stateJson(step));
        say("checkpoint saved at step " + std::to_string(step));
    };
    for (int e = 0; e < o.epochs; ++e) {
        for (const Step &step : epochs[size_t(e)]) {
            if (stepIndex++ < done)
                continue; // finished before the checkpoint
            const double lr = learningRateAt(o, stepIndex - 1, totalSteps);
            for (auto &group : optimizer.param_groups())
                static_cast<torch::optim::AdamWOptions &>(group.options()).lr(lr);
            optimizer.zero_grad();
            size_t stepPairs = 0;
            for (const auto &micro : step)
                stepPairs += micro.size();
            double lossSum = 0;
            for (const auto &micro : step) {
                if (cancelled()) {
                    saveCheckpoint(stepIndex - 1);
                    throw Cancelled();
                }
                translateTorchErrors([&] {
                    CudaAutocast ac(autocast);
                    const auto out = pairLosses(net, impl.makeBatch(rowsOf(pairs, micro)));
                    // The step's loss is the mean over its pairs: each micro-batch adds its share.
                    (out.losses.sum() / double(stepPairs)).backward();
                    lossSum += out.losses.sum().item<double>();
                    return 0;
                });
                for (size_t i : micro)
                    tokensSeen += int64_t(pairs[i].tokens());
            }
            const double gradNorm = torch::nn::utils::clip_grad_norm_(params, o.maxGradNorm);
            optimizer.step();
            done = stepIndex;
            pairsSeen += int64_t(stepPairs);

            TrainProgress progress;
            progress.step = done;
            progress.totalSteps = totalSteps;
            progress.epoch = e + 1;
            progress.loss = lossSum / double(stepPairs);
            progress.learningRate = lr;
            progress.gradNorm = gradNorm;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - loopStarted).count();
            progress.pairsPerSecond = elapsed > 0 ? double(pairsSeen) / elapsed : 0;
            progress.tokensPerSecond = elapsed > 0 ? double(tokensSeen) / elapsed : 0;
            appendLog({{"step", done}, {"epoch", e + 1}, {"loss", progress.loss}, {"lr", lr}, {"grad_norm", gradNorm},
                       {"pairs", stepPairs}, {"seconds", elapsed}});
            const bool last = done == totalSteps;
            if ((o.evalEvery > 0 && done % o.evalEvery == 0) || last) {
                progress.validation = evaluate();
                if (progress.validation)
                    appendLog({{"step", done}, {"val_loss", progress.validation->loss},
                               {"val_accuracy", progress.validation->accuracy}, {"val_margin", progress.validation->meanMargin}});
                if (last)
                    report.after = progress.validation;
            }
            if (control.progress)
                control.progress(progress);
            if (o.checkpointEvery > 0 && done % o.checkpointEvery == 0 && !last)
                saveCheckpoint(done);
        }
    }
    log.close();

    // The result: the input's layout and stored dtype, tokenizer files copied,
    // config.json byte for byte (it names the same architecture and sizes).
    say("writing " + outputDir);
    std::map<std::string, torch::Tensor> byName;
    for (auto &p : net.named_parameters())
        byName[p.key()] = p.value();
    const std::string configText = readWholeFile(joinPath(modelDir, "config.json"));
    writeModelDirectory(outputDir, config, storedDtype, modelDir, [&](const ExpectedTensor &t, SafetensorsDType dtype, std::string &out) {
        out = tensorBytes(byName.at(t.name), dtype);
    });
    writeFileAtomically(joinPath(outputDir, "config.json"), configText);
    Checkpointer::removeTree(checkpointer.dir); // finished: nothing to resume

    report.outputDir = outputDir;
    report.steps = done;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double loopSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - loopStarted).count();
    report.pairsPerSecond = loopSeconds > 0 ? double(pairsSeen) / loopSeconds : 0;
    report.tokensPerSecond = loopSeconds > 0 ? double(tokensSeen) / loopSeconds : 0;
    return report;
}

} // namespace polar
