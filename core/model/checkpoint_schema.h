#pragma once

#include "model/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace polar {

class SafetensorsCheckpoint;

// The checkpoint's tensor names, declared once: the modules register their
// weights under these and the schema lists them, so the two cannot drift.
namespace tensor_names {
constexpr const char *kEmbeddings = "model.tok_embeddings.weight";
constexpr const char *kFinalNorm = "model.norm.weight";
constexpr const char *kValueHead = "v_head.weight";
std::string layer(int64_t i); // "model.layers.{i}."
// Relative to a layer:
constexpr const char *kAttentionNorm = "attention_norm.weight";
constexpr const char *kWqkv = "attention.wqkv.weight";
constexpr const char *kWqkvBias = "attention.wqkv.bias";
constexpr const char *kWo = "attention.wo.weight";
constexpr const char *kWoBias = "attention.wo.bias";
constexpr const char *kFfnNorm = "ffn_norm.weight";
constexpr const char *kW1 = "feed_forward.w1.weight"; // gate
constexpr const char *kW3 = "feed_forward.w3.weight"; // up
constexpr const char *kW2 = "feed_forward.w2.weight"; // down
} // namespace tensor_names

struct ExpectedTensor
{
    std::string name; // checkpoint spelling, e.g. "model.layers.0.attention.wqkv.weight"
    std::vector<int64_t> shape;
};

// Every tensor an InternLM2ForRewardModel checkpoint holds, sized from the config
// (llama.cpp's load_arch_tensors, as a list). Throws polar::Error when the
// config's sizes overflow.
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
