#pragma once

// Core-internal: the torch side of RewardModel, shared by the scoring and
// attribution translation units.

#include "model/internlm2_model.h"
#include "model/reward_model.h"
#include "model/safetensors_reader.h"
#include "model/tokenizer.h"
#include "scoring/remote_rewards.h"

namespace polar {

struct RewardModel::Impl
{
    ModelConfig config;
    std::shared_ptr<Tokenizer> tokenizer;
    std::unique_ptr<PolarEncoder> encoder;
    ModelInfo info;
    // Kept open while zero-copy tensors point into the mapped files.
    std::unique_ptr<SafetensorsCheckpoint> checkpoint;
    InternLM2RewardModel model{nullptr};
    torch::Device device{torch::kCPU};
    torch::Dtype dtype = torch::kFloat32;
    int64_t padId = 0;
    // Set for a model served elsewhere: then `model` is null.
    std::shared_ptr<const RemoteRewards> remote;

    // config.json and the tokenizer of a model directory, checked against each other.
    void readConfigAndTokenizer(const std::string &dir);
    // Throws, naming the server, when there are no weights here to run.
    void requireWeights() const;
    // With config and tokenizer set: the encoder, the pad id, and the device
    // and dtype the options ask for (auto: CUDA bf16 when available, else CPU fp32).
    void prepare(const LoadOptions &options);
    // Right-pads rows with the pad id (or, packed, puts them one after
    // another in one row) and moves them to the device.
    ForwardBatch makeBatch(const std::vector<std::vector<int>> &rows, bool packed = false) const;
    // The kernel inference passes over prefixes and their continuations use,
    // rows packed token after token; nullptr: padded rows (why in `why`).
    VarlenKernel continuationKernel(std::string *why = nullptr) const;
};

// Runs `fn`, turning torch's out-of-memory errors into polar::OutOfMemory and
// any other torch error into polar::Error.
template <typename Fn>
auto translateTorchErrors(Fn &&fn) -> decltype(fn())
{
    try {
        return fn();
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        const std::string what = e.what();
        if (what.find("out of memory") != std::string::npos || what.find("can't allocate memory") != std::string::npos)
            throw OutOfMemory(what.substr(0, what.find('\n')));
        throw Error("model forward failed: " + what.substr(0, what.find('\n')));
    }
}

} // namespace polar
