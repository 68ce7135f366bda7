#include "model/config.h"

#include "util/error.h"
#include "util/files.h"

#include "util/json.h"

namespace polar {
namespace {



const Json &require(const Json &j, const char *key, const std::string &path)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        throw Error(path + ": missing field '" + key + "'");
    return *it;
}

int64_t requirePositiveInt(const Json &j, const char *key, const std::string &path)
{
    const Json &v = require(j, key, path);
    if (!v.is_number_integer() || v.get<int64_t>() <= 0)
        throw Error(path + ": field '" + key + "' must be a positive integer, found " + v.dump());
    return v.get<int64_t>();
}

double requireNumber(const Json &j, const char *key, const std::string &path)
{
    const Json &v = require(j, key, path);
    if (!v.is_number())
        throw Error(path + ": field '" + key + "' must be a number, found " + v.dump());
    return v.get<double>();
}

RopeScaling parseRopeScaling(const Json &j, const std::string &path)
{
    RopeScaling rs;
    auto it = j.find("rope_scaling");
    if (it == j.end() || it->is_null())
        return rs;
    if (!it->is_object())
        throw Error(path + ": field 'rope_scaling' must be null or an object");
    // HF has used both "type" and "rope_type" for the same thing.
    std::string type;
    if (it->contains("type") && (*it)["type"].is_string())
        type = (*it)["type"].get<std::string>();
    else if (it->contains("rope_type") && (*it)["rope_type"].is_string())
        type = (*it)["rope_type"].get<std::string>();
    else
        throw Error(path + ": field 'rope_scaling.type' is missing");
    if (type == "linear")
        rs.type = RopeScaling::Type::Linear;
    else if (type == "dynamic")
        rs.type = RopeScaling::Type::Dynamic;
    else if (type == "default")
        return rs;
    else
        throw Error(path + ": rope_scaling type '" + type + "' is not supported (linear, dynamic)");
    auto f = it->find("factor");
    if (f == it->end() || !f->is_number() || f->get<double>() < 1.0)
        throw Error(path + ": field 'rope_scaling.factor' must be a number >= 1");
    rs.factor = f->get<double>();
    return rs;
}

} // namespace

int64_t ModelConfig::parameterCount() const
{
    const int64_t qkvRows = (numHeads + 2 * numKvHeads) * headDim();
    int64_t perLayer = qkvRows * hiddenSize + hiddenSize * hiddenSize   // wqkv, wo
        + 3 * intermediateSize * hiddenSize                             // w1, w3, w2
        + 2 * hiddenSize;                                               // two norms
    if (bias)
        perLayer += qkvRows + hiddenSize;
    return vocabSize * hiddenSize + numLayers * perLayer + hiddenSize + hiddenSize;
}

ModelConfig parseModelConfig(const std::string &jsonText, const std::string &path)
{
    Json j;
    try {
        j = Json::parse(jsonText);
    } catch (const Json::parse_error &e) {
        throw Error(path + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object())
        throw Error(path + ": expected a JSON object");

    ModelConfig c;
    const Json &arch = require(j, "architectures", path);
    if (!arch.is_array() || arch.empty() || !arch[0].is_string())
        throw Error(path + ": field 'architectures' must be a non-empty list of strings");
    c.architecture = arch[0].get<std::string>();
    if (c.architecture != "InternLM2ForRewardModel")
        throw Error(path + ": unsupported architecture '" + c.architecture
                    + "' (Polar Studio runs InternLM2ForRewardModel, the POLAR reward models)");
    const Json &mt = require(j, "model_type", path);
    c.modelType = mt.is_string() ? mt.get<std::string>() : mt.dump();
    if (c.modelType != "internlm2")
        throw Error(path + ": unsupported model_type '" + c.modelType + "' (expected 'internlm2')");

    c.hiddenSize = requirePositiveInt(j, "hidden_size", path);
    c.numLayers = requirePositiveInt(j, "num_hidden_layers", path);
    c.numHeads = requirePositiveInt(j, "num_attention_heads", path);
    c.numKvHeads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
        ? requirePositiveInt(j, "num_key_value_heads", path) : c.numHeads;
    c.intermediateSize = requirePositiveInt(j, "intermediate_size", path);
    c.vocabSize = requirePositiveInt(j, "vocab_size", path);
    c.maxPositionEmbeddings = requirePositiveInt(j, "max_position_embeddings", path);
    c.rmsNormEps = requireNumber(j, "rms_norm_eps", path);
    c.ropeTheta = j.contains("rope_theta") ? requireNumber(j, "rope_theta", path) : 10000.0;
    c.ropeScaling = parseRopeScaling(j, path);
    c.bias = j.value("bias", false);

    const Json &rt = require(j, "reward_token_id", path);
    if (!rt.is_number_integer())
        throw Error(path + ": field 'reward_token_id' must be an integer");
    c.rewardTokenId = rt.get<int64_t>();
    if (j.contains("pad_token_id") && j["pad_token_id"].is_number_integer())
        c.padTokenId = j["pad_token_id"].get<int64_t>();
    c.torchDtype = j.contains("torch_dtype") && j["torch_dtype"].is_string()
        ? j["torch_dtype"].get<std::string>() : "float32";

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
