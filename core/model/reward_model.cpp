#include "model/reward_model.h"

#include "model/attention.h"
#include "model/checkpoint_schema.h"
#include "util/files.h"
#include "model/reward_model_impl.h"
#include "model/weight_placement.h"

#include <torch/cuda.h>
#include <torch/version.h>
#ifdef POLAR_TORCH_CUDA_VERSION
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <chrono>
#include <dlfcn.h>
#include <malloc.h>
#include <mutex>
#include <thread>
#include <map>

namespace polar {

namespace {

const char *computeDtypeName(torch::Dtype t)
{
    return t == torch::kBFloat16 ? "bf16" : t == torch::kFloat16 ? "fp16" : "fp32";
}

} // namespace

std::string ModelInfo::rewardsName() const
{
    return !remote.empty() || dtype.empty() || dtype == "fp32" ? name : name + " (" + dtype + ")";
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

namespace {

std::atomic_bool threadsChosen{false};

// Once per process, before the first model runs on the CPU.
void configureCpuRuntime()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Every forward allocates and frees the same large activations; glibc
        // would map and unmap each one, and the page faults cost a quarter of
        // a CPU forward (measured). Keep them on the heap for reuse instead.
        ::mallopt(M_MMAP_THRESHOLD, 256 << 20);
        ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
        if (threadsChosen)
            return;
        // Where LibTorch does its products through its own MKL (PyPI builds),
        // its intra-op threads run them: use every core. Where it calls the
        // system BLAS (Debian's: OpenBLAS, with threads of its own), one
        // LibTorch thread beside OpenBLAS's is faster than two fighting for
        // the same cores (measured: BENCHMARKS.md).
        at::set_num_threads(at::hasMKL() ? int(std::max(1u, std::thread::hardware_concurrency())) : 1);
    });
}

} // namespace

std::string runtimeDescription()
{
    std::string s = std::string("LibTorch ") + TORCH_VERSION;
#ifdef POLAR_TORCH_CUDA_VERSION
    s += std::string(" · CUDA ") + POLAR_TORCH_CUDA_VERSION + " compiled in";
#else
    s += " · CPU only (no CUDA compiled in)";
#endif
    const int gpus = torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
    s += gpus ? " · " + std::to_string(gpus) + (gpus == 1 ? " GPU" : " GPUs") : std::string(" · no GPU found");
    s += " · " + std::to_string(at::get_num_threads()) + " CPU threads";
    return s;
}

int computeThreads()
{
    return at::get_num_threads();
}

void setComputeThreads(int n)
{
    if (n < 1)
        throw Error("threads must be at least 1, got " + std::to_string(n));
    threadsChosen = true;
    at::set_num_threads(n);
    // Debian's LibTorch does its products through the system OpenBLAS, whose
    // own thread pool at::set_num_threads does not reach: two runs of one
    // thread each would otherwise oversubscribe the cores (seen: half the CPU
    // time spent spinning in the kernel).
    using SetBlasThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetBlasThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(n);
}

uint64_t gpuPeakAllocatedBytes()
{
#ifdef POLAR_TORCH_CUDA_VERSION
    try {
        if (torch::cuda::is_available()) {
            const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
            return uint64_t(stats.allocated_bytes[0].peak); // [0]: all pools together
        }
    } catch (const std::exception &) {
        // The allocator starts with the first tensor on the GPU: none yet.
    }
#endif
    return 0;
}

void resetGpuPeakAllocated()
{
#ifdef POLAR_TORCH_CUDA_VERSION
    try {
        if (torch::cuda::is_available())
            c10::cuda::CUDACachingAllocator::resetPeakStats(0);
    } catch (const std::exception &) {
        // Nothing allocated on the GPU yet: nothing to reset.
    }
#endif
}

void releaseCachedGpuMemory()
{
#ifdef POLAR_TORCH_CUDA_VERSION
    try {
        if (torch::cuda::is_available())
            c10::cuda::CUDACachingAllocator::emptyCache();
    } catch (const std::exception &) {
        // Nothing allocated on the GPU yet: nothing cached.
    }
#endif
}

void RewardModel::Impl::prepare(const LoadOptions &options)
{
    configureCpuRuntime();
    encoder = std::make_unique<PolarEncoder>(tokenizer, int(config.rewardTokenId));
    padId = config.padTokenId >= 0 ? config.padTokenId : std::max(0, tokenizer->padId());
    const bool cuda = torch::cuda::is_available();
    if (options.device == Device::Cuda && !cuda)
        throw Error("device cuda: no CUDA device is available (this LibTorch has or sees no GPU)");
    const bool useCuda = options.device == Device::Cuda || (options.device == Device::Auto && cuda);
    device = useCuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (!(options.gpuMemoryFraction >= 0 && options.gpuMemoryFraction <= 1))
        throw Error("gpu memory fraction must be in (0, 1], got " + std::to_string(options.gpuMemoryFraction));
#ifdef POLAR_TORCH_CUDA_VERSION
    if (useCuda && options.gpuMemoryFraction > 0) {
        torch::empty({1}, torch::TensorOptions().device(device)); // the allocator starts with a first tensor
        c10::cuda::CUDACachingAllocator::setMemoryFraction(options.gpuMemoryFraction, 0);
    }
#endif
    switch (options.dtype) {
    case ComputeDType::F32: dtype = torch::kFloat32; break;
    case ComputeDType::F16: dtype = torch::kFloat16; break;
    case ComputeDType::BF16: dtype = torch::kBFloat16; break;
    case ComputeDType::Auto: dtype = useCuda ? torch::kBFloat16 : torch::kFloat32; break;
    }
}

void RewardModel::Impl::readConfigAndTokenizer(const std::string &dir)
{
    const std::string configPath = joinPath(dir, "config.json");
    if (!fileExists(configPath))
        throw Error(configPath + ": missing; " + dir + " is not a Hugging Face model directory");
    config = loadModelConfig(configPath);
    tokenizer = Tokenizer::load(dir);
    if (tokenizer->vocabSize() > config.vocabSize)
        throw Error(joinPath(dir, "tokenizer.model") + ": has " + std::to_string(tokenizer->vocabSize())
                    + " pieces but config.json vocab_size is " + std::to_string(config.vocabSize));
}

void RewardModel::Impl::requireWeights() const
{
    if (remote)
        throw Error("this needs the model's weights in this process, but its rewards come from " + remote->describe()
                    + ": open the model directory itself (attribution, training and numerics checks run locally)");
}

ForwardBatch RewardModel::Impl::makeBatch(const std::vector<std::vector<int>> &rows, bool packed) const
{
    if (rows.empty())
        throw Error("cannot score an empty batch");
    int64_t T = 0, N = 0;
    for (const auto &r : rows) {
        if (r.empty())
            throw Error("cannot score an empty token sequence");
        T = std::max<int64_t>(T, int64_t(r.size()));
        N += int64_t(r.size());
    }
    const int64_t B = int64_t(rows.size());
    auto ids = packed ? torch::empty({1, N}, torch::kLong) : torch::full({B, T}, padId, torch::kLong);
    int64_t *out = ids.data_ptr<int64_t>();
    ForwardBatch batch;
    for (int64_t b = 0; b < B; ++b) {
        const auto &r = rows[size_t(b)];
        for (int id : r) {
            if (id < 0 || id >= config.vocabSize)
                throw Error("token id " + std::to_string(id) + " is outside the vocabulary (vocab_size "
                            + std::to_string(config.vocabSize) + ")");
            *out++ = id;
        }
        if (!packed)
            out += T - int64_t(r.size()); // the row's padding
        batch.lengths.push_back(int64_t(r.size()));
    }
    batch.ids = ids.to(device);
    return batch;
}

VarlenKernel RewardModel::Impl::continuationKernel(std::string *why) const
{
    return packedPrefixKernel(device, dtype, config.headDim(), config.numHeads / config.numKvHeads, why);
}

RewardModel::RewardModel() : d(std::make_unique<Impl>()) {}
RewardModel::~RewardModel() = default;

std::unique_ptr<RewardModel> RewardModel::load(const std::string &picked, const LoadOptions &options)
{
    const std::string dir = resolveModelDirectory(picked);
    const auto started = std::chrono::steady_clock::now();
    std::unique_ptr<RewardModel> rm(new RewardModel);
    Impl &d = *rm->d;

    d.readConfigAndTokenizer(dir);
    d.prepare(options);

    d.checkpoint = std::make_unique<SafetensorsCheckpoint>(SafetensorsCheckpoint::openDirectory(dir));
    validateCheckpoint(*d.checkpoint, d.config);

    const auto &tensors = d.checkpoint->tensors();
    uint64_t totalBytes = 0;
    for (const auto &e : expectedTensors(d.config))
        totalBytes += tensors.at(e.name).nbytes;
    WeightPlacer placer(d.device, d.dtype);

    torch::NoGradGuard noGrad; // not InferenceMode: attribution differentiates through these weights
    WeightSource weights = [&](const std::string &name) {
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        torch::Tensor t = placer.place(tensors.at(name));
        if (options.progress)
            options.progress(placer.fileBytes(), totalBytes);
        return t;
    };
    try {
        d.model = InternLM2RewardModel(d.config, weights);
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        const std::string what = e.what();
        throw Error(dir + ": cannot place the weights on " + d.device.str() + ": " + what.substr(0, what.find('\n')));
    }
    placer.finish();
    d.model->eval();
    d.info.weightFiles = d.checkpoint->files();
    d.info.fileBytes = d.checkpoint->totalBytes();
    // The mapped files stay while any tensor points into them (a mixed-dtype
    // checkpoint copies some tensors and maps others); a file rewritten in place
    // under a running model is a documented limit, as in llama.cpp.
    if (!placer.anyZeroCopy())
        d.checkpoint.reset();

    d.info.directory = dir;
    d.info.picked = picked;
    d.info.name = modelNameOf(dir);
    d.info.parameterCount = parameterCount(expectedTensors(d.config));
    d.info.device = d.device.str();
    d.info.dtype = computeDtypeName(d.dtype);
    d.info.storedDtype = d.config.torchDtype;
    d.info.weightBytes = placer.placedBytes();
    d.info.zeroCopy = placer.allZeroCopy();
    d.info.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return rm;
}

std::unique_ptr<RewardModel> RewardModel::connect(const std::string &picked, std::shared_ptr<const RemoteRewards> remote)
{
    const std::string dir = resolveModelDirectory(picked);
    if (!remote)
        throw Error("no server to connect to");
    const auto started = std::chrono::steady_clock::now();
    std::unique_ptr<RewardModel> rm(new RewardModel);
    Impl &d = *rm->d;
    d.readConfigAndTokenizer(dir);
    d.encoder = std::make_unique<PolarEncoder>(d.tokenizer, int(d.config.rewardTokenId));
    d.remote = std::move(remote);
    d.info.directory = dir;
    d.info.picked = picked;
    d.info.name = modelNameOf(dir);
    d.info.parameterCount = parameterCount(expectedTensors(d.config));
    d.info.device = "remote";
    d.info.dtype = "server's";
    d.info.storedDtype = d.config.torchDtype;
    d.info.remote = d.remote->describe();
    d.info.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return rm;
}

RewardModel::Impl &RewardModel::impl() const
{
    d->requireWeights();
    return *d;
}

const RemoteRewards *RewardModel::remote() const { return d->remote.get(); }
const ModelConfig &RewardModel::config() const { return d->config; }
const Tokenizer &RewardModel::tokenizer() const { return *d->tokenizer; }
std::shared_ptr<const Tokenizer> RewardModel::sharedTokenizer() const { return d->tokenizer; }
const PolarEncoder &RewardModel::encoder() const { return *d->encoder; }
const ModelInfo &RewardModel::info() const { return d->info; }

std::vector<float> RewardModel::forwardRewards(const std::vector<std::vector<int>> &rows) const
{
    d->requireWeights();
    return translateTorchErrors([&] {
        c10::InferenceMode guard;
        const ForwardBatch b = d->makeBatch(rows);
        auto &m = *d->model;
        auto r = m.rewards(m.embed(b.ids), b.lengths).to(torch::kCPU).contiguous();
        return std::vector<float>(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
    });
}

std::vector<float> RewardModel::forwardPerPosition(const std::vector<int> &ids) const
{
    d->requireWeights();
    return translateTorchErrors([&] {
        c10::InferenceMode guard;
        const ForwardBatch b = d->makeBatch({ids});
        auto &m = *d->model;
        auto v = m.values(m.forward(m.embed(b.ids), b.lengths)).to(torch::kCPU).contiguous();
        return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
    });
}

std::vector<float> RewardModel::forwardRewardsWithPrefixes(const std::vector<std::vector<int>> &prefixes,
                                                           const std::vector<std::vector<int>> &rows,
                                                           const std::vector<size_t> &rowPrefix,
                                                           const std::vector<std::vector<size_t>> &passes,
                                                           const std::atomic_bool *cancel) const
{
    d->requireWeights();
    if (rowPrefix.size() != rows.size())
        throw Error("forwardRewardsWithPrefixes: one prefix index per row");
    return translateTorchErrors([&] {
        c10::InferenceMode guard;
        auto &m = *d->model;
        // Where a variable-length kernel serves, the prefixes and then each
        // pass's rows run packed token after token: no padding anywhere.
        const VarlenKernel kernel = d->continuationKernel();
        const ForwardBatch head = d->makeBatch(prefixes, kernel != nullptr);
        // Each prefix runs once; its keys and values serve its rows.
        const PrefixCache cache = kernel ? m.cachePackedPrefixes(m.embed(head.ids), {head.lengths, {}, kernel})
                                         : m.cachePrefixes(m.embed(head.ids), head.lengths);
        std::vector<float> rewards(rows.size());
        for (const auto &pass : passes) {
            if (cancel && cancel->load())
                throw Cancelled();
            std::vector<std::vector<int>> passRows;
            std::vector<size_t> passPrefix;
            for (size_t i : pass) {
                passRows.push_back(rows.at(i));
                passPrefix.push_back(rowPrefix[i]);
            }
            const ForwardBatch rest = d->makeBatch(passRows, kernel != nullptr);
            torch::Tensor r;
            if (kernel) {
                const std::vector<int64_t> entry(passPrefix.begin(), passPrefix.end());
                r = m.packedRewards(m.embed(rest.ids), {rest.lengths, entry, kernel}, &cache);
            } else {
                std::vector<int64_t> full;
                for (size_t k = 0; k < pass.size(); ++k)
                    full.push_back(cache.lengths.at(passPrefix[k]) + rest.lengths[k]);
                // Each row reads its own prefix from the cache (one for all is seen as it is).
                const auto *rowPrefixes = prefixes.size() > 1 ? &passPrefix : nullptr;
                r = m.rewards(m.embed(rest.ids), full, &cache, rowPrefixes);
            }
            r = r.to(torch::kCPU).contiguous();
            for (size_t k = 0; k < pass.size(); ++k)
                rewards[pass[k]] = r.data_ptr<float>()[k];
        }
        return rewards;
    });
}

bool RewardModel::packsPrefixContinuations() const
{
    if (d->remote)
        return false;
    d->requireWeights();
    return translateTorchErrors([&] {
        c10::InferenceMode guard;
        return d->continuationKernel() != nullptr;
    });
}

bool RewardModel::canSharePrefix(size_t length) const
{
    return d->config.ropeScaling.type != RopeScaling::Type::Dynamic || int64_t(length) <= d->config.maxPositionEmbeddings;
}

std::string RewardModel::prefixAttention() const
{
    if (d->remote)
        return "on the server";
    d->requireWeights();
    return translateTorchErrors([&] {
        c10::InferenceMode guard;
        std::string why;
        const VarlenKernel kernel = d->continuationKernel(&why);
        if (kernel == &varlenReference)
            return std::string("rows packed token after token, reference formula (POLAR_KERNELS=packed-reference)");
        if (kernel == &flashVarlen)
            return std::string("FlashAttention's variable-length kernel, rows packed token after token (it matched the "
                               "reference formula on a check batch)");
        return "rows padded, the masked kernel (FlashAttention's variable-length kernel: " + why + ")";
    });
}

std::unique_ptr<RewardModel> RewardModel::createRandom(const ModelConfig &config, const std::string &tokenizerDir,
                                                       const LoadOptions &options, uint64_t seed)
{
    const auto started = std::chrono::steady_clock::now();
    std::unique_ptr<RewardModel> rm(new RewardModel);
    Impl &d = *rm->d;
    d.config = config;
    d.tokenizer = Tokenizer::load(tokenizerDir);
    d.prepare(options);
    torch::manual_seed(seed);
    torch::NoGradGuard noGrad;
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto &e : expectedTensors(config))
        shapes[e.name] = e.shape;
    uint64_t bytes = 0;
    WeightSource weights = [&](const std::string &name) {
        const auto &shape = shapes.at(name);
        auto opts = torch::TensorOptions().dtype(d.dtype).device(d.device);
        // Norm weights near 1, everything else small: activations stay finite in bf16.
        auto t = shape.size() == 1 ? torch::ones(shape, opts) : torch::randn(shape, opts) * 0.02;
        bytes += uint64_t(t.numel()) * t.element_size();
        return t;
    };
    d.model = InternLM2RewardModel(d.config, weights);
    d.model->eval();
    if (d.device.is_cuda())
        torch::cuda::synchronize();
    d.info.name = "random";
    d.info.parameterCount = parameterCount(expectedTensors(config));
    d.info.device = d.device.str();
    d.info.dtype = computeDtypeName(d.dtype);
    d.info.weightBytes = bytes;
    d.info.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return rm;
}

} // namespace polar
