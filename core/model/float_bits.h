#pragma once

#include "model/safetensors_reader.h"

#include <cstddef>

namespace polar {

// Whether `count` floating-point values of `dtype` at `data` are all finite
// (no NaN, no infinity): a scan of their exponent bits at memory speed.
// Integer dtypes are always finite.
bool allFinite(const std::byte *data, size_t count, SafetensorsDType dtype);

// Widens `count` bf16 or f16 values at `src` (any alignment) to float32 at
// `dst`, exactly (every bf16 and f16 value is a float32 value), on every core.
// Returns false if any input is NaN or infinite; `dst` is then unspecified.
// Throws polar::Error for any other dtype.
bool widenToFloat32(const std::byte *src, size_t count, SafetensorsDType dtype, float *dst);

} // namespace polar
