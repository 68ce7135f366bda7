#pragma once

#include "model/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace polar {

class SafetensorsCheckpoint;

struct ExpectedTensor
{
    std::string name; // checkpoint spelling, e.g. "model.layers.0.attention.wqkv.weight"
    std::vector<int64_t> shape;
};

// Every tensor an InternLM2ForRewardModel checkpoint holds, sized from the config
// (llama.cpp's load_arch_tensors, as a list).
// Throws polar::Error when the config's sizes overflow.
std::vector<ExpectedTensor> expectedTensors(const ModelConfig &config);
// How many tensors that list holds, without building it.
uint64_t expectedTensorCount(const ModelConfig &config);
// The number of weights, summed over the tensors' shapes.
int64_t parameterCount(const std::vector<ExpectedTensor> &tensors);

// Checks the checkpoint against the list: a missing, unexpected, misshapen or
// non-float tensor throws polar::Error naming the file and the tensor.
void validateCheckpoint(const SafetensorsCheckpoint &checkpoint, const ModelConfig &config);

std::string shapeString(const std::vector<int64_t> &shape);

} // namespace polar
