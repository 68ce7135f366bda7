#include "model/checkpoint_schema.h"

#include "model/safetensors_reader.h"
#include "util/error.h"

#include <set>

namespace polar {

namespace {

int64_t checkedMul(int64_t a, int64_t b, const char *what)
{
    int64_t out = 0;
    if (__builtin_mul_overflow(a, b, &out))
        throw Error(std::string("config.json: the sizes overflow computing ") + what);
    return out;
}

bool isRecomputed(const std::string &name)
{
    // Some exporters save the rotary frequencies; they are recomputed from the config.
    return name.find("rotary_emb.inv_freq") != std::string::npos;
}

} // namespace

std::string shapeString(const std::vector<int64_t> &shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

uint64_t expectedTensorCount(const ModelConfig &c)
{
    const uint64_t perLayer = c.bias ? 9 : 7;
    return 3 + uint64_t(c.numLayers) * perLayer; // embeddings, final norm, v_head
}

std::string tensor_names::layer(int64_t i)
{
    return "model.layers." + std::to_string(i) + ".";
}

std::vector<ExpectedTensor> expectedTensors(const ModelConfig &c)
{
    namespace n = tensor_names;
    const int64_t H = c.hiddenSize, F = c.intermediateSize;
    const int64_t qkvRows = checkedMul(c.numHeads + 2 * c.numKvHeads, c.headDim(), "the wqkv rows");
    std::vector<ExpectedTensor> out;
    out.reserve(size_t(expectedTensorCount(c)));
    out.push_back({n::kEmbeddings, {c.vocabSize, H}});
    for (int64_t i = 0; i < c.numLayers; ++i) {
        const std::string p = n::layer(i);
        out.push_back({p + n::kWqkv, {qkvRows, H}});
        out.push_back({p + n::kWo, {H, H}});
        if (c.bias) {
            out.push_back({p + n::kWqkvBias, {qkvRows}});
            out.push_back({p + n::kWoBias, {H}});
        }
        out.push_back({p + n::kAttentionNorm, {H}});
        out.push_back({p + n::kFfnNorm, {H}});
        out.push_back({p + n::kW1, {F, H}});
        out.push_back({p + n::kW3, {F, H}});
        out.push_back({p + n::kW2, {H, F}});
    }
    out.push_back({n::kFinalNorm, {H}});
    out.push_back({n::kValueHead, {1, H}});
    return out;
}

int64_t parameterCount(const std::vector<ExpectedTensor> &tensors)
{
    int64_t total = 0;
    for (const auto &t : tensors) {
        int64_t n = 1;
        for (int64_t d : t.shape)
            n = checkedMul(n, d, "the parameter count");
        if (__builtin_add_overflow(total, n, &total))
            throw Error("config.json: the sizes overflow computing the parameter count");
    }
    return total;
}

void validateCheckpoint(const SafetensorsCheckpoint &ck, const ModelConfig &config)
{
    const std::string where = ck.files().size() == 1 ? ck.files().front() : "the checkpoint shards";
    // Compared before anything is sized from the config: a config that claims
    // a trillion layers fails here, not after allocating their names.
    uint64_t present = 0;
    for (const auto &[name, t] : ck.tensors())
        present += !isRecomputed(name);
    const uint64_t expectedCount = expectedTensorCount(config);
    // Close counts get the precise message below (which tensor is missing or extra).
    if (expectedCount > 2 * present + 16 || present > 2 * expectedCount + 16)
        throw Error(where + ": holds " + std::to_string(present) + " tensors, but config.json (num_hidden_layers "
                    + std::to_string(config.numLayers) + (config.bias ? ", bias" : "") + ") describes "
                    + std::to_string(expectedCount) + "; the config does not belong to these weights");
    const auto expected = expectedTensors(config);
    std::set<std::string> names;
    for (const auto &e : expected) {
        names.insert(e.name);
        auto it = ck.tensors().find(e.name);
        if (it == ck.tensors().end())
            throw Error(where + ": tensor '" + e.name + "' is missing (expected shape " + shapeString(e.shape) + ")");
        const TensorView &t = it->second;
        if (t.shape != e.shape)
            throw Error(t.file + ": '" + e.name + "' has shape " + shapeString(t.shape) + ", expected " + shapeString(e.shape));
        if (t.dtype != SafetensorsDType::F32 && t.dtype != SafetensorsDType::F16 && t.dtype != SafetensorsDType::BF16)
            throw Error(t.file + ": '" + e.name + "' has dtype " + dtypeName(t.dtype) + ", expected F32, F16 or BF16");
    }
    for (const auto &[name, t] : ck.tensors())
        if (!isRecomputed(name) && !names.count(name))
            throw Error(t.file + ": unexpected tensor '" + name + "' (not part of an InternLM2ForRewardModel with this config.json)");
}

} // namespace polar
