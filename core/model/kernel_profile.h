#pragma once

// Where a piece of work spends its time, kernel by kernel on a GPU or op by op
// on the CPU, from LibTorch's own profiler (Kineto): what `polar-cli bench
// --profile` prints, so that one run on a lent GPU says which kernels hold a
// pass back and whether the GPU waits for the host between them.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace polar {

struct KernelTime
{
    std::string name;     // shortKernelName of the kernel or op
    std::string category; // kernelCategory
    long long calls = 0;
    double totalMs = 0;   // GPU: time the kernels ran; CPU: the ops' self time
};

struct KernelProfile
{
    std::string device; // "cuda" or "cpu": what was timed
    double wallMs = 0;  // the work, start to end, under the profiler
    double busyMs = 0;  // GPU: time at least one kernel or copy ran; CPU: the ops' self time
    std::vector<KernelTime> kernels; // most time first
};

// One record of the profiler as the summary reads it.
struct ProfiledEvent
{
    enum class Kind { CpuOp, GpuWork, Other }; // GpuWork: a kernel or a copy on the GPU
    std::string name;
    Kind kind = Kind::Other;
    std::uint64_t thread = 0; // the CPU thread an op ran on
    std::uint64_t startNs = 0, endNs = 0;
};

// The profile of `events`: gpu, each kernel's and copy's time, and the time at
// least one ran; otherwise each op's self time (less the ops it called).
KernelProfile summarizeProfile(const std::vector<ProfiledEvent> &events, bool gpu, double wallMs);

// Runs `work` once under the profiler, on the calling thread. gpu: times the
// kernels and copies on the GPU; otherwise the self time of each op on this
// thread. Throws polar::Error, saying why, where this LibTorch cannot (1.13),
// or where the GPU recorded no kernel (no CUPTI).
KernelProfile profileKernels(const std::function<void()> &work, bool gpu);
// Why this build cannot profile ("" where it can), to say so before the work.
std::string kernelProfileUnavailable();

// "void at::native::vectorized_elementwise_kernel<4, at::native::silu_kernel(...)
// ::{lambda...}, ...>(int, ...)" -> "vectorized_elementwise_kernel [silu_kernel]":
// the function without namespaces or arguments, and for LibTorch's generic
// kernels the functor or kernel that says what they compute.
std::string shortKernelName(const std::string &name);
// "matrix products", "attention", "norms", "copies" or "element-wise and other",
// from the kernel's or op's name.
std::string kernelCategory(const std::string &name);

} // namespace polar
