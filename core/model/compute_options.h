#pragma once

#include <string>

namespace polar {

enum class Device { Auto, Cpu, Cuda };
enum class ComputeDType { Auto, F32, F16, BF16 };

// Parse "auto|cpu|cuda" and "auto|fp32|fp16|bf16" (also float32/float16/bfloat16);
// throw polar::Error naming the option and the value.
Device parseDevice(const std::string &s);
ComputeDType parseComputeDType(const std::string &s);
const char *deviceName(Device d);
const char *computeDTypeName(ComputeDType t);

} // namespace polar
