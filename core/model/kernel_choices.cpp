#include "model/kernel_choices.h"

#include <cstdlib>
#include <cstring>

namespace polar {

bool kernelChoiceListed(const char *name)
{
    const char *listed = std::getenv("POLAR_KERNELS");
    return listed && std::strstr(listed, name);
}

bool fusedKernel(const torch::Tensor &x, const char *compositeName)
{
    return x.is_cuda() ? !kernelChoiceListed(compositeName) : kernelChoiceListed("fused-on-cpu");
}

bool fusedInferenceKernel(const torch::Tensor &x, const char *compositeName)
{
    return !torch::GradMode::is_enabled() && fusedKernel(x, compositeName);
}

} // namespace polar
