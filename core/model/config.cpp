#include "model/config.h"

#include "util/error.h"
#include "util/files.h"

#include "util/json.h"

#include <cmath>

namespace polar {
namespace {

// Sizes are products of these, so each stays far below what int64 products
// can overflow at; anything larger is a corrupt file, not a model.
constexpr int64_t kMaxDimension = int64_t(1) << 24;

int64_t requirePositiveInt(const Json &j, const char *key, const std::string &path)
{
    const int64_t v = integerField(j, key, path);
    if (v <= 0 || v > kMaxDimension)
        throw Error(path + ": field '" + key + "' must be a positive integer no larger than " + std::to_string(kMaxDimension)
                    + ", found " + std::to_string(v));
    return v;
}

double requirePositiveNumber(const Json &j, const char *key, const std::string &path, double fallback, bool required)
{
    const double v = required ? numberField(j, key, path) : optionalNumber(j, key, path, fallback);
    if (!(v > 0))
        throw Error(path + ": field '" + key + "' must be a positive number, found " + std::to_string(v));
    return v;
}

RopeScaling parseRopeScaling(const Json &j, const std::string &path)
{
    RopeScaling rs;
    const Json *it = findField(j, "rope_scaling");
    if (!it || it->is_null())
        return rs;
    if (!it->is_object())
        throw Error(path + ": field 'rope_scaling' must be null or an object");
    const std::string where = path + ": field 'rope_scaling'";
    // HF has used both "type" and "rope_type" for the same thing.
    std::string type = optionalString(*it, "type", where);
    if (type.empty())
        type = optionalString(*it, "rope_type", where);
    if (type.empty())
        throw Error(path + ": field 'rope_scaling.type' is missing");
    if (type == "linear")
        rs.type = RopeScaling::Type::Linear;
    else if (type == "dynamic")
        rs.type = RopeScaling::Type::Dynamic;
    else if (type == "default")
        return rs;
    else
        throw Error(path + ": rope_scaling type '" + type + "' is not supported (linear, dynamic)");
    const Json *f = findField(*it, "factor");
    if (!f || !f->is_number() || !std::isfinite(f->get<double>()) || f->get<double>() < 1.0)
        throw Error(path + ": field 'rope_scaling.factor' must be a finite number >= 1");
    rs.factor = f->get<double>();
    return rs;
}

} // namespace

ModelConfig parseModelConfig(const std::string &jsonText, const std::string &path)
{
    const Json j = parseJson(jsonText, path);
    if (!j.is_object())
        throw Error(path + ": expected a JSON object");

    ModelConfig c;
    const Json &arch = requireField(j, "architectures", path);
    if (!arch.is_array() || arch.empty() || !arch[0].is_string())
        throw Error(path + ": field 'architectures' must be a non-empty list of strings");
    c.architecture = arch[0].get<std::string>();
    if (c.architecture != "InternLM2ForRewardModel")
        throw Error(path + ": unsupported architecture '" + c.architecture
                    + "' (Polar Studio runs InternLM2ForRewardModel, the POLAR reward models)");
    const Json &mt = requireField(j, "model_type", path);
    c.modelType = mt.is_string() ? mt.get<std::string>() : mt.dump();
    if (c.modelType != "internlm2")
        throw Error(path + ": unsupported model_type '" + c.modelType + "' (expected 'internlm2')");

    c.hiddenSize = requirePositiveInt(j, "hidden_size", path);
    c.numLayers = requirePositiveInt(j, "num_hidden_layers", path);
    c.numHeads = requirePositiveInt(j, "num_attention_heads", path);
    const Json *kv = findField(j, "num_key_value_heads");
    c.numKvHeads = kv && !kv->is_null() ? requirePositiveInt(j, "num_key_value_heads", path) : c.numHeads;
    c.intermediateSize = requirePositiveInt(j, "intermediate_size", path);
    c.vocabSize = requirePositiveInt(j, "vocab_size", path);
    c.maxPositionEmbeddings = requirePositiveInt(j, "max_position_embeddings", path);
    c.rmsNormEps = requirePositiveNumber(j, "rms_norm_eps", path, 0, /*required=*/true);
    c.ropeTheta = requirePositiveNumber(j, "rope_theta", path, 10000.0, /*required=*/false);
    c.ropeScaling = parseRopeScaling(j, path);
    c.bias = optionalBool(j, "bias", path, false);

    c.rewardTokenId = integerField(j, "reward_token_id", path);
    const Json *pad = findField(j, "pad_token_id");
    if (pad && pad->is_number_integer())
        c.padTokenId = asInteger(*pad, path + ": field 'pad_token_id'");
    const Json *dtype = findField(j, "torch_dtype");
    c.torchDtype = dtype && dtype->is_string() ? dtype->get<std::string>() : "float32";

    if (c.hiddenSize % c.numHeads != 0)
        throw Error(path + ": hidden_size " + std::to_string(c.hiddenSize)
                    + " is not divisible by num_attention_heads " + std::to_string(c.numHeads));
    if (c.numHeads % c.numKvHeads != 0)
        throw Error(path + ": num_attention_heads " + std::to_string(c.numHeads)
                    + " is not divisible by num_key_value_heads " + std::to_string(c.numKvHeads));
    if (c.headDim() % 2 != 0)
        throw Error(path + ": head dimension " + std::to_string(c.headDim()) + " must be even for rotary embeddings");
    if (c.rewardTokenId < 0 || c.rewardTokenId >= c.vocabSize)
        throw Error(path + ": reward_token_id " + std::to_string(c.rewardTokenId)
                    + " is outside the vocabulary (vocab_size " + std::to_string(c.vocabSize) + ")");
    if (c.padTokenId >= c.vocabSize)
        throw Error(path + ": pad_token_id " + std::to_string(c.padTokenId) + " is outside the vocabulary");
    return c;
}

ModelConfig loadModelConfig(const std::string &path)
{
    return parseModelConfig(readWholeFile(path), path);
}

} // namespace polar
