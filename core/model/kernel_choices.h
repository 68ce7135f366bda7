#pragma once

// Which kernel a forward pass takes where there is more than one way to
// compute the same thing, and the switches that override the default
// (POLAR_KERNELS, read on every call, so a benchmark or test can flip them).
// A core-internal header (it includes torch).

#include <torch/torch.h>

namespace polar {

// Whether POLAR_KERNELS lists `name`, a kernel choice other than the default,
// for comparison: "repeat-kv", "composite-norm", "composite-rope",
// "composite-residual" and "masked-prefix" switch a GPU kernel off;
// "packed-reference" packs rows on any device and attends them by the
// reference formula, and "fused-on-cpu" takes the fused kernels on the CPU
// too (both slow or unusual there: they let the tests check those paths
// where there is no GPU).
bool kernelChoiceListed(const char *name);

// Whether a step over activations like `x` takes its fused kernel (fewer
// passes over memory, one rounding where the official code rounds after each
// operation) rather than the composite one the official code spells out: for
// a GPU unless POLAR_KERNELS lists `compositeName`, and on the CPU only when
// it lists fused-on-cpu.
bool fusedKernel(const torch::Tensor &x, const char *compositeName);
// The same for fused kernels that write in place or through out= views:
// never while gradients are recorded.
bool fusedInferenceKernel(const torch::Tensor &x, const char *compositeName);

} // namespace polar
