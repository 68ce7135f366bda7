#pragma once

#include <cstdint>
#include <string>

namespace polar {

// How rotary frequencies are stretched past the trained context.
struct RopeScaling
{
    enum class Type { None, Linear, Dynamic };
    Type type = Type::None;
    double factor = 1.0;
};

// The InternLM2 fields of a Hugging Face config.json that the reward model needs.
struct ModelConfig
{
    std::string architecture;
    std::string modelType;
    int64_t hiddenSize = 0;
    int64_t numLayers = 0;
    int64_t numHeads = 0;
    int64_t numKvHeads = 0;
    int64_t intermediateSize = 0;
    int64_t vocabSize = 0;
    int64_t maxPositionEmbeddings = 0;
    int64_t rewardTokenId = -1;
    int64_t padTokenId = -1;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling;
    std::string torchDtype; // as written: "float32", "bfloat16", ...
    bool bias = false;

    int64_t headDim() const { return hiddenSize / numHeads; }
    int64_t groupSize() const { return numHeads / numKvHeads; }
};

// Reads and validates `path` (a config.json); throws polar::Error naming the file and field.
ModelConfig loadModelConfig(const std::string &path);
ModelConfig parseModelConfig(const std::string &jsonText, const std::string &path);

} // namespace polar
