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

DType parseDType(const std::string &s)
{
    if (s == "auto") return DType::Auto;
    if (s == "fp32" || s == "float32") return DType::F32;
    if (s == "fp16" || s == "float16") return DType::F16;
    if (s == "bf16" || s == "bfloat16") return DType::BF16;
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

const char *dtypeName(DType t)
{
    switch (t) {
    case DType::Auto: return "auto";
    case DType::F32: return "fp32";
    case DType::F16: return "fp16";
    case DType::BF16: return "bf16";
    }
    return "auto";
}

} // namespace polar
