#pragma once

#include "model/safetensors_reader.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace polar {

struct TensorSpec
{
    std::string name;
    SafetensorsDType dtype = SafetensorsDType::F32;
    std::vector<int64_t> shape;
    size_t nbytes() const;
};

// Writes a .safetensors file to the published layout (8-byte little-endian
// header length, JSON header padded with spaces to a multiple of 8, tensors
// contiguous in name order), one tensor in memory at a time: `fill` writes
// exactly spec.nbytes() bytes for each tensor into `out`. Written to a
// temporary file, flushed, and renamed over `path`.
void writeSafetensors(const std::string &path, std::vector<TensorSpec> specs,
                      const std::function<void(const TensorSpec &spec, std::string &out)> &fill,
                      const std::map<std::string, std::string> &metadata = {{"format", "pt"}});

} // namespace polar
