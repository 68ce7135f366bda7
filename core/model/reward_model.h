#pragma once

#include "model/compute_options.h"
#include "util/error.h"
#include "scoring/encoding.h"
#include "model/config.h"
#include "model/model_directory.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace polar {

class Tokenizer;
class RemoteRewards;

// The device or host ran out of memory for one forward pass; the scorer
// catches it and retries with fewer rows.
class OutOfMemory : public Error
{
public:
    using Error::Error;
};

struct LoadOptions
{
    Device device = Device::Auto;
    ComputeDType dtype = ComputeDType::Auto;
    // Called as each tensor is placed, with the checkpoint bytes read so far
    // and in all. Optional.
    std::function<void(uint64_t doneBytes, uint64_t totalBytes)> progress;
    // Checked between tensors; raising it makes load() throw polar::Cancelled.
    const std::atomic_bool *cancel = nullptr;
    // On a GPU shared with other work: the most of its memory this process may
    // take, in (0, 1]; 0 leaves LibTorch's default (all of it). A forward that
    // would pass the cap fails as out of memory, and the scorer splits it.
    double gpuMemoryFraction = 0;
};

struct ModelInfo
{
    std::string directory;       // the folder the files were read from
    std::string picked;          // the folder as given: a hub cache folder where `directory` is its snapshot
    std::string name;            // modelNameOf(directory)
    int64_t parameterCount = 0;
    std::string device;          // "cpu", "cuda:0"
    std::string dtype;           // compute dtype: "fp32", "bf16", "fp16"
    std::string storedDtype;     // config.json torch_dtype
    uint64_t weightBytes = 0;    // as placed on the device
    bool zeroCopy = false;       // weights used straight from the mapped files
    std::vector<std::string> weightFiles;
    std::string remote;          // "vLLM at http://...": rewards come from that server; empty when in-process
    std::string remoteWarning;   // what connecting found questionable about that server (testConnection)
    double loadSeconds = 0;      // config, tokenizer, mapping, placing the weights
    uint64_t fileBytes = 0;      // weight bytes read from the safetensors files
    double loadGBps() const { return loadSeconds > 0 ? double(fileBytes) / loadSeconds / 1e9 : 0.0; }
    // What projects record rewards under: the name, with the precision when it
    // is not fp32 ("POLAR-7B (bf16)"), so that one precision's rewards are
    // never taken for another's. A server's rewards go by the name alone.
    std::string rewardsName() const;
};

// A loaded POLAR reward model: config, tokenizer, encoder and InternLM2 weights.
// Torch stays behind the pimpl. Forward calls are safe from any one thread at
// a time per call site; they take c10::InferenceMode themselves.
class RewardModel
{
public:
    // `dir` as resolveModelDirectory reads it (a hub cache folder opens its
    // snapshot; info().directory says which). Throws polar::Error naming the
    // file and the problem, or polar::Cancelled.
    static std::unique_ptr<RewardModel> load(const std::string &dir, const LoadOptions &options = {});
    // A model of `config`'s shape with random weights made on the device (for
    // benchmarks: no files), using the tokenizer in `tokenizerDir`.
    static std::unique_ptr<RewardModel> createRandom(const ModelConfig &config, const std::string &tokenizerDir,
                                                     const LoadOptions &options = {}, uint64_t seed = 0);
    // A model served elsewhere: config.json and the tokenizer from `dir` (so
    // the encoding and truncation are the served model's own; no weights are
    // read), rewards from `remote`. Scoring goes through the same pipeline;
    // forward passes (attribution, training) need the weights and throw.
    static std::unique_ptr<RewardModel> connect(const std::string &dir, std::shared_ptr<const RemoteRewards> remote);
    ~RewardModel();

    const ModelConfig &config() const;
    const Tokenizer &tokenizer() const;
    std::shared_ptr<const Tokenizer> sharedTokenizer() const;
    const PolarEncoder &encoder() const;
    const ModelInfo &info() const;
    // The server this model's rewards come from; null for weights in this process.
    const RemoteRewards *remote() const;

    // One padded forward over `rows` (no batching policy): the v_head value at
    // each row's last token. Throws OutOfMemory when the pass does not fit.
    std::vector<float> forwardRewards(const std::vector<std::vector<int>> &rows) const;
    // Rows that each continue one of `prefixes` (row i continues
    // prefixes[rowPrefix[i]]): the prefixes run once, together in one pass,
    // then each of `passes` (row indices) runs as one pass, every row
    // attending to its own prefix's keys and values; padded, or packed token
    // after token where packsPrefixContinuations. Rewards in row order, equal
    // to forwardRewards on prefix+row. `cancel` is checked between passes.
    std::vector<float> forwardRewardsWithPrefixes(const std::vector<std::vector<int>> &prefixes,
                                                  const std::vector<std::vector<int>> &rows,
                                                  const std::vector<size_t> &rowPrefix,
                                                  const std::vector<std::vector<size_t>> &passes,
                                                  const std::atomic_bool *cancel = nullptr) const;
    // Whether a sequence of `length` tokens may reuse a prefix: not when
    // dynamic rotary scaling would change the base for it.
    bool canSharePrefix(size_t length) const;
    // How rows that continue a shared prefix attend on this model's device
    // and dtype: FlashAttention's variable-length kernel or the masked one,
    // and why (printed by inspect and bench).
    std::string prefixAttention() const;
    // Whether forwardRewardsWithPrefixes runs its rows packed token after
    // token (no padding, so no reason to bucket them by length).
    bool packsPrefixContinuations() const;
    // The v_head value at every position of one sequence.
    std::vector<float> forwardPerPosition(const std::vector<int> &ids) const;

    // For core's attribution code: the torch module behind the pimpl (throws
    // for a remote model, which has none).
    struct Impl;
    Impl &impl() const;

private:
    RewardModel();
    std::unique_ptr<Impl> d;
};

bool cudaAvailable();
// Which LibTorch this build runs on, whether CUDA is compiled in (and which
// version), and how many GPUs it sees: "LibTorch 2.11.0 · CUDA 13.0 compiled in · 1 GPU".
std::string runtimeDescription();
// Threads LibTorch uses for one operation on the CPU, and setting them (n >= 1).
int computeThreads();
void setComputeThreads(int n);
// The most GPU memory LibTorch's caching allocator has handed out on GPU 0
// since the last reset, in bytes; 0 where this build has no CUDA or no GPU.
uint64_t gpuPeakAllocatedBytes();
void resetGpuPeakAllocated();
// Hands the GPU memory LibTorch's caching allocator keeps for reuse back to
// the driver, for another process on the same GPU (the bench's PyTorch reference).
void releaseCachedGpuMemory();

} // namespace polar
