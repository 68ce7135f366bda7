#include "model/checkpoint_schema.h"

#include "util/error.h"
#include "model/safetensors_reader.h"

#include <set>

namespace polar {

std::string shapeString(const std::vector<int64_t> &shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::vector<ExpectedTensor> expectedTensors(const ModelConfig &c)
{
    const int64_t H = c.hiddenSize, F = c.intermediateSize;
    const int64_t qkvRows = (c.numHeads + 2 * c.numKvHeads) * c.headDim();
    std::vector<ExpectedTensor> out;
    out.push_back({"model.tok_embeddings.weight", {c.vocabSize, H}});
    for (int64_t i = 0; i < c.numLayers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        out.push_back({p + "attention.wqkv.weight", {qkvRows, H}});
        out.push_back({p + "attention.wo.weight", {H, H}});
        if (c.bias) {
            out.push_back({p + "attention.wqkv.bias", {qkvRows}});
            out.push_back({p + "attention.wo.bias", {H}});
        }
        out.push_back({p + "attention_norm.weight", {H}});
        out.push_back({p + "ffn_norm.weight", {H}});
        out.push_back({p + "feed_forward.w1.weight", {F, H}});
        out.push_back({p + "feed_forward.w3.weight", {F, H}});
        out.push_back({p + "feed_forward.w2.weight", {H, F}});
    }
    out.push_back({"model.norm.weight", {H}});
    out.push_back({"v_head.weight", {1, H}});
    return out;
}

void validateCheckpoint(const SafetensorsCheckpoint &ck, const ModelConfig &config)
{
    const auto expected = expectedTensors(config);
    std::set<std::string> names;
    for (const auto &e : expected) {
        names.insert(e.name);
        auto it = ck.tensors().find(e.name);
        if (it == ck.tensors().end()) {
            const std::string where = ck.files().size() == 1 ? ck.files().front() : "the checkpoint shards";
            throw Error(where + ": tensor '" + e.name + "' is missing (expected shape " + shapeString(e.shape) + ")");
        }
        const TensorView &t = it->second;
        if (t.shape != e.shape)
            throw Error(t.file + ": '" + e.name + "' has shape " + shapeString(t.shape) + ", expected "
                        + shapeString(e.shape));
        if (t.dtype != SafetensorsDType::F32 && t.dtype != SafetensorsDType::F16 && t.dtype != SafetensorsDType::BF16)
            throw Error(t.file + ": '" + e.name + "' has dtype " + dtypeName(t.dtype) + ", expected F32, F16 or BF16");
    }
    for (const auto &[name, t] : ck.tensors()) {
        // Some exporters save the rotary frequencies; they are recomputed from the config.
        if (name.find("rotary_emb.inv_freq") != std::string::npos)
            continue;
        if (!names.count(name))
            throw Error(t.file + ": unexpected tensor '" + name + "' (not part of an InternLM2ForRewardModel with this config.json)");
    }
}

} // namespace polar
