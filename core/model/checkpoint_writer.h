#pragma once

#include "model/checkpoint_schema.h"
#include "model/config.h"
#include "model/safetensors_reader.h"
#include "util/json.h"

#include <cstdint>
#include <functional>
#include <string>

namespace polar {

// config.json for `config`, in the Hugging Face layout the official modelling
// code reads.
Json modelConfigToJson(const ModelConfig &config);

// Writes a Hugging Face model directory: config.json, the weights (one
// model.safetensors, or above `shardBytes` model-0000i-of-0000n.safetensors
// files and model.safetensors.index.json), and the tokenizer files copied from
// `tokenizerDir`. `fill` writes each tensor's bytes in `dtype`; tensors are
// produced one at a time, so a 7B checkpoint never sits in memory. Every file
// is written to a temporary name and renamed; the directory must not hold
// another model already.
using TensorFill = std::function<void(const ExpectedTensor &tensor, SafetensorsDType dtype, std::string &out)>;
void writeModelDirectory(const std::string &dir, const ModelConfig &config, SafetensorsDType dtype, const std::string &tokenizerDir,
                         const TensorFill &fill, uint64_t shardBytes = 2'000'000'000ull,
                         const std::function<void(uint64_t done, uint64_t total)> &progress = {});

// Random weights of `config`'s shape: norm weights 1, every other weight
// uniform with standard deviation 0.02 (a seeded xorshift, several threads).
TensorFill randomWeights(uint64_t seed);

// float32 -> bfloat16 bits, rounding to nearest even (as torch does).
uint16_t toBFloat16(float f);

} // namespace polar
