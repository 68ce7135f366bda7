#include "model/kernel_profile.h"

#include "util/error.h"

#include <torch/torch.h>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR >= 2
#include <kineto/ActivityType.h>
#include <torch/csrc/autograd/profiler_kineto.h>
#endif

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <regex>

namespace polar {

std::string shortKernelName(const std::string &full)
{
    std::string name = full.rfind("void ", 0) == 0 ? full.substr(5) : full;
    for (size_t at; (at = name.find("(anonymous namespace)::")) != std::string::npos;)
        name.erase(at, 23);
    // The function itself: up to its template arguments or parameters.
    const size_t open = name.find_first_of("<(");
    std::string base = name.substr(0, open);
    while (!base.empty() && base.back() == ' ')
        base.pop_back();
    if (const size_t colon = base.rfind("::"); colon != std::string::npos)
        base = base.substr(colon + 2);
    // LibTorch's generic kernels are named for how they iterate; a functor or
    // kernel in their template arguments says what they compute (the first
    // that is not itself generic).
    if (open != std::string::npos) {
        static const std::regex what(R"([A-Za-z_][A-Za-z0-9_]*(Functor[A-Za-z0-9_]*|_kernel[A-Za-z0-9_]*|_impl))");
        auto generic = [&](const std::string &w) {
            return w == base || w.find("traits") != std::string::npos || w.rfind("gpu_kernel", 0) == 0 ||
                   w.rfind("launch_", 0) == 0 || w == "BinaryFunctor" || w == "AUnaryFunctor" || w == "BUnaryFunctor";
        };
        const std::string rest = name.substr(open);
        for (auto it = std::sregex_iterator(rest.begin(), rest.end(), what); it != std::sregex_iterator(); ++it)
            if (!generic(it->str())) {
                base += " [" + it->str() + "]";
                break;
            }
    }
    if (base.size() > 96)
        base = base.substr(0, 93) + "...";
    return base;
}

std::string kernelCategory(const std::string &name)
{
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    auto any = [&](std::initializer_list<const char *> words) {
        return std::any_of(words.begin(), words.end(), [&](const char *w) { return n.find(w) != std::string::npos; });
    };
    // Attention first: FlashAttention's kernels carry cutlass types in their arguments.
    if (any({"flash", "fmha", "attention", "attn", "softmax"}))
        return "attention";
    if (any({"gemm", "xmma", "nvjet", "cutlass", "cublas", "aten::mm", "aten::addmm", "aten::bmm", "aten::matmul",
             "aten::linear", "splitkreduce"}))
        return "matrix products";
    if (n.find("norm") != std::string::npos)
        return "norms";
    if (any({"memcpy", "memset", "copy", "cat", "index", "gather", "scatter", "contiguous", "clone"}))
        return "copies";
    return "element-wise and other";
}

namespace {

struct Interval
{
    uint64_t start, end;
};

// Time covered by at least one interval.
double unionMs(std::vector<Interval> spans)
{
    std::sort(spans.begin(), spans.end(), [](const Interval &a, const Interval &b) { return a.start < b.start; });
    uint64_t covered = 0, reach = 0;
    for (const auto &s : spans) {
        const uint64_t from = std::max(s.start, reach);
        if (s.end > from)
            covered += s.end - from;
        reach = std::max(reach, s.end);
    }
    return double(covered) / 1e6;
}

// Self time: each op's duration less that of the ops it called, which on one
// thread nest inside it. ops: one thread's, any order.
std::vector<double> selfTimesMs(std::vector<const ProfiledEvent *> &ops)
{
    std::sort(ops.begin(), ops.end(), [](const ProfiledEvent *a, const ProfiledEvent *b) {
        return a->startNs != b->startNs ? a->startNs < b->startNs : a->endNs > b->endNs; // a parent before its first child
    });
    std::vector<size_t> open;
    std::vector<double> self(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
        while (!open.empty() && ops[open.back()]->endNs <= ops[i]->startNs)
            open.pop_back();
        const double ms = double(ops[i]->endNs - ops[i]->startNs) / 1e6;
        self[i] = ms;
        if (!open.empty())
            self[open.back()] -= ms;
        open.push_back(i);
    }
    for (auto &t : self)
        t = std::max(0.0, t);
    return self;
}

} // namespace

KernelProfile summarizeProfile(const std::vector<ProfiledEvent> &events, bool gpu, double wallMs)
{
    KernelProfile profile;
    profile.device = gpu ? "cuda" : "cpu";
    profile.wallMs = wallMs;
    std::map<std::string, KernelTime> byName;
    auto add = [&](const std::string &name, double ms) {
        auto &k = byName[name];
        if (k.calls++ == 0) {
            k.name = name;
            k.category = kernelCategory(name);
        }
        k.totalMs += ms;
    };
    if (gpu) {
        std::vector<Interval> spans;
        std::map<std::string, std::string> shortNames; // tens of thousands of launches, a few dozen kernels
        for (const auto &e : events) {
            if (e.kind != ProfiledEvent::Kind::GpuWork || e.endNs <= e.startNs)
                continue;
            spans.push_back({e.startNs, e.endNs});
            auto known = shortNames.find(e.name);
            if (known == shortNames.end())
                known = shortNames.emplace(e.name, shortKernelName(e.name)).first;
            add(known->second, double(e.endNs - e.startNs) / 1e6);
        }
        if (spans.empty())
            throw Error("kernel profile: the profiler recorded no kernel on the GPU (is CUPTI, libcupti, installed "
                        "beside LibTorch?)");
        profile.busyMs = unionMs(std::move(spans));
    } else {
        std::map<uint64_t, std::vector<const ProfiledEvent *>> byThread;
        for (const auto &e : events)
            if (e.kind == ProfiledEvent::Kind::CpuOp && e.endNs >= e.startNs)
                byThread[e.thread].push_back(&e);
        for (auto &entry : byThread) {
            auto &ops = entry.second;
            const auto self = selfTimesMs(ops);
            for (size_t i = 0; i < ops.size(); ++i) {
                add(ops[i]->name, self[i]);
                profile.busyMs += self[i];
            }
        }
    }
    for (const auto &entry : byName)
        profile.kernels.push_back(entry.second);
    std::sort(profile.kernels.begin(), profile.kernels.end(),
              [](const KernelTime &a, const KernelTime &b) { return a.totalMs > b.totalMs; });
    return profile;
}

#if TORCH_VERSION_MAJOR >= 2

std::string kernelProfileUnavailable()
{
    return {};
}

namespace prof = torch::autograd::profiler;
namespace impl = torch::profiler::impl;

KernelProfile profileKernels(const std::function<void()> &work, bool gpu)
{
    if (gpu && !torch::cuda::is_available())
        throw Error("kernel profile: no GPU in this process");
    const impl::ProfilerConfig config(impl::ProfilerState::KINETO);
    std::set<impl::ActivityType> activities{impl::ActivityType::CPU};
    if (gpu) {
        activities.insert(impl::ActivityType::CUDA);
        torch::cuda::synchronize(); // earlier work stays out of the profile
    }
    prof::prepareProfiler(config, activities);
    prof::enableProfiler(config, activities);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        work();
        if (gpu)
            torch::cuda::synchronize();
    } catch (...) {
        prof::disableProfiler();
        throw;
    }
    const double wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const auto result = prof::disableProfiler();

    std::vector<ProfiledEvent> events;
    events.reserve(result->events().size());
    for (const auto &e : result->events()) {
        using libkineto::ActivityType;
        const auto type = ActivityType(e.activityType());
        ProfiledEvent::Kind kind = ProfiledEvent::Kind::Other;
        // Kernels and copies only: the GPU's other records (annotations,
        // synchronisation) span time in which it may have run nothing.
        if (e.deviceType() == c10::DeviceType::CUDA &&
            (type == ActivityType::CONCURRENT_KERNEL || type == ActivityType::GPU_MEMCPY || type == ActivityType::GPU_MEMSET))
            kind = ProfiledEvent::Kind::GpuWork;
        else if (type == ActivityType::CPU_OP && e.deviceType() == c10::DeviceType::CPU && !e.isAsync())
            kind = ProfiledEvent::Kind::CpuOp;
        if (kind != ProfiledEvent::Kind::Other)
            events.push_back({e.name(), kind, e.startThreadId(), e.startNs(), e.endNs()});
    }
    return summarizeProfile(events, gpu, wallMs);
}

#else

std::string kernelProfileUnavailable()
{
    return "kernel profile: needs LibTorch 2.x (its Kineto profiler); this build runs LibTorch " + std::string(TORCH_VERSION);
}

KernelProfile profileKernels(const std::function<void()> &, bool)
{
    throw Error(kernelProfileUnavailable());
}

#endif

} // namespace polar
