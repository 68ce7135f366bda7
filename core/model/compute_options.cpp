#include "model/compute_options.h"

#include "util/error.h"

namespace polar {

Device parseDevice(const std::string &s)
{
    if (s == "auto") return Device::Auto;
    if (s == "cpu") return Device::Cpu;
    if (s == "cuda" || s == "gpu") return Device::Cuda;
    throw Error("'" + s + "' is not a device (auto, cpu, cuda)");
}

ComputeDType parseComputeDType(const std::string &s)
{
    if (s == "auto") return ComputeDType::Auto;
    if (s == "fp32" || s == "float32") return ComputeDType::F32;
    if (s == "fp16" || s == "float16") return ComputeDType::F16;
    if (s == "bf16" || s == "bfloat16") return ComputeDType::BF16;
    throw Error("'" + s + "' is not a dtype (auto, fp32, fp16, bf16)");
}

const char *deviceName(Device d)
{
    switch (d) {
    case Device::Auto: return "auto";
    case Device::Cpu: return "cpu";
    case Device::Cuda: return "cuda";
    }
    return "auto";
}

const char *computeDTypeName(ComputeDType t)
{
    switch (t) {
    case ComputeDType::Auto: return "auto";
    case ComputeDType::F32: return "fp32";
    case ComputeDType::F16: return "fp16";
    case ComputeDType::BF16: return "bf16";
    }
    return "auto";
}

} // namespace polar
