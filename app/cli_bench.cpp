// polar-cli bench: throughput and latency of the engine on random models of
// real shapes, each optimisation switched off in turn, against a plain
// PyTorch (Hugging Face-style) forward run on the same token ids.
#include "cli_common.h"

#include "model/checkpoint_schema.h"
#include "model/kernel_profile.h"
#include "model/shapes.h"

#include "util/error.h"
#include "util/files.h"
#include "util/json.h"
#include "util/process_memory.h"
#include "scoring/scorer.h"
#include "model/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <unistd.h>

namespace polar::cli {

namespace {

// One word for popen's shell, whatever the path holds (an install prefix may have spaces).
std::string shellQuoted(const std::string &word)
{
    std::string out = "'";
    for (const char c : word)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct Variant
{
    std::string name;
    const RewardModel *model;
    ScoreOptions options;
};

struct Workload
{
    std::string name;
    std::vector<SequenceGroup> groups; // one per prompt
    size_t candidates = 0;
    int64_t tokens = 0;                // sum of full sequence lengths
    int repeats = 3;
    std::vector<std::vector<std::vector<int>>> pythonBatches; // the HF-style run: fixed batches in order
    int64_t pythonTokens = 0;
    size_t pythonCandidates = 0;
};

struct Row
{
    std::string workload, variant;
    double seconds = 0;
    double candidatesPerSecond = 0, tokensPerSecond = 0;
    double paddingRatio = 0;
    double tflops = 0;
    size_t sharedRows = 0;
    uint64_t peakGpuBytes = 0; // weights included
};

// FLOPs of the work actually done: matmuls per token, attention per
// (query, visible key) pair. Nothing reads the last layer's outputs but at
// each sequence's last token: there a sequence's other tokens, and a shared
// prefix (counted once), go only as far as the keys and values.
double forwardFlops(const ModelConfig &c, const Workload &w, bool shared)
{
    const double H = double(c.hiddenSize), F = double(c.intermediateSize), L = double(c.numLayers);
    const double qkv = double((c.numHeads + 2 * c.numKvHeads) * c.headDim());
    const double afterKv = 2.0 * (H * H + 3.0 * F * H); // one layer's products after wqkv, per token
    const double perToken = L * (2.0 * qkv * H + afterKv);
    const double perPair = 4.0 * H; // QK^T and AV, one layer
    double flops = 0;
    for (const auto &g : w.groups) {
        const double P = double(g.prefix.size());
        const bool share = shared && g.sequences.size() >= 2 && P > 0;
        if (share)
            flops += (perToken - afterKv) * P + perPair * (L - 1) * P * (P + 1) / 2;
        for (const auto &s : g.sequences) {
            const double T = double(s.size());
            const double own = share ? T - P : T; // the tokens this sequence's own pass runs
            const double pairs = share ? (T * (T + 1) - P * (P + 1)) / 2 : T * (T + 1) / 2;
            flops += perToken * own - afterKv * (own - 1) + perPair * ((L - 1) * pairs + T);
        }
    }
    return flops;
}

std::string pickPython(const std::string &requested)
{
    if (!requested.empty())
        return requested;
    for (const char *p : {"/usr/bin/python3", "python3"})
        if (std::system((std::string(p) + " -c 'import torch' >/dev/null 2>&1").c_str()) == 0)
            return p;
    return "none";
}

double gpuPeakTflops()
{
    FILE *f = ::popen("nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null", "r");
    if (!f)
        return 0;
    char buf[256] = {0};
    const bool got = std::fgets(buf, sizeof buf, f) != nullptr;
    ::pclose(f);
    const std::string name = got ? buf : "";
    // Dense bf16 tensor-core peaks from the vendors' data sheets.
    if (name.find("H100") != std::string::npos || name.find("H200") != std::string::npos)
        return name.find("PCIe") != std::string::npos ? 756.0 : 989.4;
    if (name.find("A100") != std::string::npos)
        return 312.0;
    if (name.find("L40S") != std::string::npos)
        return 362.0;
    return 0;
}

std::string deviceDescription(const std::string &device)
{
    if (device.rfind("cuda", 0) == 0) {
        FILE *f = ::popen("nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null", "r");
        char buf[256] = {0};
        if (f) {
            if (!std::fgets(buf, sizeof buf, f))
                buf[0] = 0;
            ::pclose(f);
        }
        std::string s = buf;
        while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
            s.pop_back();
        return s.empty() ? device : s;
    }
    return "CPU, " + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + " cores";
}

// The profile as a table: time by category, then the kernels that took most.
void printProfile(const KernelProfile &p, const std::string &what)
{
    const double busy = std::max(p.busyMs, 1e-9);
    std::printf("kernel profile of %s, one run under LibTorch's profiler: %.1f ms; %s %.1f ms (%.1f%%)\n", what.c_str(),
                p.wallMs, p.device == "cuda" ? "the GPU ran kernels or copies for" : "self time of the ops on the CPU",
                p.busyMs, 100.0 * p.busyMs / std::max(p.wallMs, 1e-9));
    std::map<std::string, std::pair<long long, double>> byCategory;
    for (const auto &k : p.kernels) {
        byCategory[k.category].first += k.calls;
        byCategory[k.category].second += k.totalMs;
    }
    std::vector<std::pair<std::string, std::pair<long long, double>>> categories(byCategory.begin(), byCategory.end());
    std::sort(categories.begin(), categories.end(), [](const auto &a, const auto &b) { return a.second.second > b.second.second; });
    std::printf("  %-24s %10s %10s %8s\n", "category", "calls", "ms", "share");
    for (const auto &[name, c] : categories)
        std::printf("  %-24s %10lld %10.1f %7.1f%%\n", name.c_str(), c.first, c.second, 100.0 * c.second / busy);
    const size_t shown = std::min<size_t>(p.kernels.size(), 25);
    int width = 6;
    for (size_t i = 0; i < shown; ++i)
        width = std::max(width, int(p.kernels[i].name.size()));
    std::printf("  %-*s %8s %9s %7s %9s\n", width, "kernel", "calls", "ms", "share", "mean us");
    for (size_t i = 0; i < shown; ++i) {
        const auto &k = p.kernels[i];
        std::printf("  %-*s %8lld %9.1f %6.1f%% %9.1f\n", width, k.name.c_str(), k.calls, k.totalMs, 100.0 * k.totalMs / busy,
                    1000.0 * k.totalMs / double(std::max(k.calls, 1LL)));
    }
}

Json profileJson(const KernelProfile &p)
{
    Json kernels = Json::array();
    for (const auto &k : p.kernels)
        kernels.push_back({{"name", k.name}, {"category", k.category}, {"calls", k.calls}, {"ms", k.totalMs}});
    return {{"device", p.device}, {"wall_ms", p.wallMs}, {"busy_ms", p.busyMs}, {"kernels", kernels}};
}

} // namespace

int runBench(const std::vector<std::string> &argv)
{
    Args args(argv, {"no-fp32-variant", "profile"},
              {"shape", "device", "dtype", "prefix", "candidate-tokens", "records", "python-records", "repeats", "python",
               "peak-tflops", "json", "tokenizer", "batch-tokens", "threads", "reference"});
    checkOutputOption(args, "json", "");
    if (args.has("threads"))
        setComputeThreads(int(args.integer("threads", 1, 1, 1024)));
    if (args.has("profile") && !kernelProfileUnavailable().empty())
        throw Error("--profile: " + kernelProfileUnavailable());
    const std::string tokenizerDir = args.value("tokenizer", defaultInternLM2TokenizerDir());
    auto tokenizer = Tokenizer::load(tokenizerDir);
    const ModelConfig config = forOption("shape", [&] { return namedShape(args.value("shape", "cpu"), *tokenizer); });

    LoadOptions lo;
    lo.device = forOption("device", [&] { return parseDevice(args.value("device", "auto")); });
    lo.dtype = forOption("dtype", [&] { return parseComputeDType(args.value("dtype", "auto")); });
    auto model = RewardModel::createRandom(config, tokenizerDir, lo, 1);
    const bool gpu = model->info().device.rfind("cuda", 0) == 0;
    std::unique_ptr<RewardModel> fp32Model;
    if (model->info().dtype != "fp32" && !args.has("no-fp32-variant")) {
        LoadOptions o32 = lo;
        o32.dtype = ComputeDType::F32;
        fp32Model = RewardModel::createRandom(config, tokenizerDir, o32, 1);
    }
    const int prefixLen = int(args.integer("prefix", gpu ? 500 : 300, 1, 1 << 20));
    const int candidateTokens = int(args.integer("candidate-tokens", 0, 0, 1 << 20)); // 0: uniform 50..400
    const int records = int(args.integer("records", gpu ? 10000 : 24, 1, 10000000));
    const int pythonRecords = int(args.integer("python-records", gpu ? 400 : 12, 0, 10000000));
    const int repeats = int(args.integer("repeats", 3, 1, 1000));
    ScoreOptions base;
    base.batchTokens = args.integer("batch-tokens", gpu ? 65536 : 8192, 1, ScoringSettings::kMaxBatchTokens);

    std::mt19937 rng(7);
    // Ordinary pieces of the tokenizer: no special or byte tokens.
    std::uniform_int_distribution<int> token(259, std::min(tokenizer->vocabSize(), int(config.vocabSize)) - 12);
    auto randomIds = [&](int n) {
        std::vector<int> ids(static_cast<size_t>(n));
        for (auto &t : ids)
            t = token(rng);
        return ids;
    };
    auto makeGroup = [&](int P, int k, Workload &w) {
        SequenceGroup g;
        g.prefix = randomIds(P);
        g.prefix[0] = tokenizer->bosId();
        for (int c = 0; c < k; ++c) {
            const int L = candidateTokens > 0 ? candidateTokens : std::uniform_int_distribution<int>(50, 400)(rng);
            auto seq = g.prefix;
            const auto tail = randomIds(L - 1);
            seq.insert(seq.end(), tail.begin(), tail.end());
            seq.push_back(int(config.rewardTokenId));
            w.tokens += int64_t(seq.size());
            g.sequences.push_back(std::move(seq));
        }
        w.candidates += size_t(k);
        w.groups.push_back(std::move(g));
    };

    std::vector<Workload> workloads;
    for (int n : {1, 8, 32}) {
        Workload w;
        w.name = "interactive N=" + std::to_string(n) + " P=" + std::to_string(prefixLen);
        w.repeats = repeats;
        makeGroup(prefixLen, n, w);
        w.pythonBatches.push_back(w.groups[0].sequences); // one padded batch
        w.pythonTokens = w.tokens;
        w.pythonCandidates = w.candidates;
        workloads.push_back(std::move(w));
    }
    {
        Workload w;
        w.name = "dataset mix " + std::to_string(records) + " records";
        w.repeats = 1;
        std::uniform_int_distribution<int> prefix(100, 1000), count(1, 8);
        for (int r = 0; r < records; ++r)
            makeGroup(prefix(rng), count(rng), w);
        // HF-style: the first records, 16 sequences per padded batch, in order.
        std::vector<std::vector<int>> batch;
        for (int r = 0; r < std::min(records, pythonRecords); ++r)
            for (const auto &s : w.groups[size_t(r)].sequences) {
                batch.push_back(s);
                w.pythonTokens += int64_t(s.size());
                ++w.pythonCandidates;
                if (batch.size() == 16) {
                    w.pythonBatches.push_back(batch);
                    batch.clear();
                }
            }
        if (!batch.empty())
            w.pythonBatches.push_back(batch);
        workloads.push_back(std::move(w));
    }

    std::vector<Variant> variants = {{"engine (all optimisations)", model.get(), base}};
    ScoreOptions noShare = base;
    noShare.sharePrefix = false;
    variants.push_back({"no prefix sharing", model.get(), noShare});
    ScoreOptions noBucket = base;
    noBucket.bucketByLength = false;
    variants.push_back({"no length bucketing", model.get(), noBucket});
    if (fp32Model)
        variants.push_back({"fp32 compute", fp32Model.get(), base});

    const double peak = args.has("peak-tflops") ? args.number("peak-tflops", 0) : (gpu ? gpuPeakTflops() : 0);
    std::vector<Row> rows;
    for (const auto &w : workloads) {
        // On a GPU the first run of a workload grows the caching allocator and
        // picks kernels for each new shape, which later runs reuse: measured on
        // an H100, that made whichever variant ran first 2-4x slower on the
        // dataset mix. One untimed run of the whole workload takes it out.
        if (gpu)
            scoreSequenceGroups(*variants[0].model, w.groups, variants[0].options);
        for (const auto &v : variants) {
            scoreSequenceGroups(*v.model, {w.groups[0]}, v.options); // warm-up
            std::vector<double> times;
            ScoreStats stats;
            resetGpuPeakAllocated();
            for (int r = 0; r < w.repeats; ++r) {
                stats = {};
                const auto t0 = std::chrono::steady_clock::now();
                const auto results = scoreSequenceGroups(*v.model, w.groups, v.options, &stats);
                times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
                for (const auto &g : results)
                    for (const auto &x : g)
                        if (!x.ok)
                            throw Error("bench: " + x.error);
            }
            std::sort(times.begin(), times.end());
            Row row;
            row.workload = w.name;
            row.variant = v.name;
            row.seconds = times[times.size() / 2];
            row.candidatesPerSecond = double(w.candidates) / row.seconds;
            row.tokensPerSecond = double(w.tokens) / row.seconds;
            row.paddingRatio = stats.paddingRatio();
            row.sharedRows = stats.sharedRows;
            row.tflops = forwardFlops(config, w, v.options.sharePrefix) / row.seconds / 1e12;
            row.peakGpuBytes = gpuPeakAllocatedBytes();
            rows.push_back(row);
            std::fprintf(stderr, "  %-34s %-28s %10.1f ms\n", w.name.c_str(), v.name.c_str(), row.seconds * 1000);
        }
    }

    // Where the engine's time goes on the dataset mix, kernel by kernel.
    std::optional<KernelProfile> profile;
    std::string profileError;
    if (args.has("profile")) {
        const Workload &mix = workloads.back();
        try {
            profile = profileKernels([&] { scoreSequenceGroups(*variants[0].model, mix.groups, variants[0].options); }, gpu);
        } catch (const Error &e) {
            profileError = e.what(); // the figures above still stand
        }
    }

    // The plain PyTorch reference on the same ids.
    const std::string python = pickPython(args.value("python"));
    std::string pythonInfo = "not run";
    if (python != "none") {
        // The engine's passes leave tens of GiB cached on a GPU; the reference
        // runs in another process and would run out of memory beside them.
        releaseCachedGpuMemory();
        char tmpl[] = "/tmp/polar-bench-XXXXXX";
        const int fd = ::mkstemp(tmpl);
        if (fd >= 0)
            ::close(fd);
        Json spec = {{"device", gpu ? "cuda" : "cpu"},
                     {"dtype", model->info().dtype},
                     {"threads", computeThreads()},
                     {"pad_id", config.padTokenId},
                     {"config",
                      {{"hidden_size", config.hiddenSize}, {"intermediate_size", config.intermediateSize},
                       {"num_attention_heads", config.numHeads}, {"num_key_value_heads", config.numKvHeads},
                       {"num_hidden_layers", config.numLayers}, {"vocab_size", config.vocabSize},
                       {"rms_norm_eps", config.rmsNormEps}, {"rope_theta", config.ropeTheta}}}};
        Json list = Json::array();
        for (const auto &w : workloads)
            list.push_back({{"name", w.name}, {"batches", w.pythonBatches}, {"repeats", w.repeats}});
        spec["workloads"] = list;
        writeFileAtomically(tmpl, spec.dump());
        const std::string script = args.value("reference", shippedPath("bench/reference_forward.py", "bench/reference_forward.py"));
        const std::string cmd = shellQuoted(python) + " " + shellQuoted(script) + " " + shellQuoted(tmpl);
        std::fprintf(stderr, "running the PyTorch reference: %s\n", cmd.c_str());
        FILE *p = ::popen(cmd.c_str(), "r");
        char line[4096];
        while (p && std::fgets(line, sizeof line, p)) {
            Json j;
            std::string why;
            if (!tryParseJson(line, j, why))
                continue; // the reference script's own log lines
            if (j.contains("torch")) {
                pythonInfo = "torch " + j["torch"].get<std::string>() + ", " + std::to_string(j["threads"].get<int>()) + " threads";
                continue;
            }
            for (const auto &w : workloads)
                if (w.name == j.value("name", "")) {
                    Row row;
                    row.workload = w.name;
                    row.variant = "PyTorch, HF-style eager";
                    row.seconds = j["seconds"].get<double>();
                    row.peakGpuBytes = j.value("peak_bytes", uint64_t(0));
                    row.candidatesPerSecond = double(w.pythonCandidates) / row.seconds;
                    row.tokensPerSecond = double(w.pythonTokens) / row.seconds;
                    rows.push_back(row);
                }
        }
        if (p)
            ::pclose(p);
        ::unlink(tmpl);
    }

    const std::string device = deviceDescription(model->info().device);
    std::printf("Polar Studio benchmark: %s shape (%.3f B parameters), %s, %s, %d threads; reference: %s\n",
                args.value("shape", "cpu").c_str(), double(parameterCount(expectedTensors(config))) / 1e9, device.c_str(),
                model->info().dtype.c_str(), computeThreads(), pythonInfo.c_str());
    std::printf("rows that continue a prefix: %s\n", model->prefixAttention().c_str());
    std::printf("%-30s %-28s %10s %10s %12s %8s %8s %10s %8s\n", "workload", "variant", "time ms", "cand/s", "tokens/s",
                "padding", "TFLOP/s", "vs PyTorch", "GPU GiB");
    Json out = Json::array();
    for (const auto &r : rows) {
        double pyRate = 0;
        for (const auto &q : rows)
            if (q.workload == r.workload && q.variant == "PyTorch, HF-style eager")
                pyRate = q.tokensPerSecond;
        char ratio[32] = "";
        if (pyRate > 0)
            std::snprintf(ratio, sizeof ratio, "%.2fx", r.tokensPerSecond / pyRate);
        const bool reference = r.variant == "PyTorch, HF-style eager";
        char padding[16] = "-", tflops[16] = "-", gpuMemory[16] = "-";
        if (!reference) {
            std::snprintf(padding, sizeof padding, "%.1f%%", 100 * r.paddingRatio);
            std::snprintf(tflops, sizeof tflops, "%.3f", r.tflops);
        }
        if (r.peakGpuBytes)
            std::snprintf(gpuMemory, sizeof gpuMemory, "%.1f", double(r.peakGpuBytes) / double(1ull << 30));
        std::printf("%-30s %-28s %10.1f %10.1f %12.0f %8s %8s %10s %8s\n", r.workload.c_str(), r.variant.c_str(),
                    r.seconds * 1000, r.candidatesPerSecond, r.tokensPerSecond, padding, tflops, ratio, gpuMemory);
        out.push_back({{"workload", r.workload}, {"variant", r.variant}, {"seconds", r.seconds},
                       {"candidates_per_s", r.candidatesPerSecond}, {"tokens_per_s", r.tokensPerSecond},
                       {"padding_ratio", r.paddingRatio}, {"tflops", r.tflops},
                       {"fraction_of_peak", peak > 0 ? r.tflops / peak : 0.0}, {"peak_gpu_bytes", r.peakGpuBytes}});
    }
    if (peak > 0)
        std::printf("peak bf16 dense: %.1f TFLOP/s; engine on the dataset mix reached %.1f%% of it\n", peak,
                    100.0 * rows[size_t(3 * variants.size())].tflops / peak);
    if (profile)
        printProfile(*profile, "the engine on the " + workloads.back().name);
    std::printf("peak host memory (max RSS): %.1f MiB; model weights on the device: %.1f MiB\n",
                double(peakResidentBytes()) / double(1 << 20), double(model->info().weightBytes) / (1024.0 * 1024.0));
    if (args.has("json")) {
        Json report = {{"device", device}, {"dtype", model->info().dtype}, {"shape", args.value("shape", "cpu")}, {"rows", out}};
        if (profile)
            report["profile"] = profileJson(*profile);
        writeFileAtomically(args.value("json"), report.dump(2));
    }
    if (!profileError.empty()) {
        std::fprintf(stderr, "polar-cli bench: --profile: %s\n", profileError.c_str());
        return 1;
    }
    return 0;
}

} // namespace polar::cli
