#include "model/internlm2_model.h"

#include <torch/version.h>

#include <cmath>

namespace F = torch::nn::functional;

namespace polar {

// ---- stateless block math ---------------------------------------------------

torch::Tensor rotateHalf(const torch::Tensor &x)
{
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
}

static torch::Tensor invFreq(const ModelConfig &c, double base, const torch::Device &device)
{
    const int64_t D = c.headDim();
    auto exponents = torch::arange(0, D, 2, torch::TensorOptions().dtype(torch::kFloat32).device(device)) / double(D);
    return 1.0 / torch::pow(base, exponents); // [D/2]
}

// The base a row of `len` tokens uses. Dynamic NTK scaling depends on the
// row's own length only, so a reward never depends on its batch neighbours.
static double ropeBase(const ModelConfig &c, int64_t len)
{
    const auto &rs = c.ropeScaling;
    if (rs.type != RopeScaling::Type::Dynamic || len <= c.maxPositionEmbeddings)
        return c.ropeTheta;
    const double D = double(c.headDim());
    const double ratio = rs.factor * double(len) / double(c.maxPositionEmbeddings) - (rs.factor - 1.0);
    return c.ropeTheta * std::pow(ratio, D / (D - 2.0));
}

std::pair<torch::Tensor, torch::Tensor> ropeCosSin(const ModelConfig &c, const std::vector<int64_t> &rowLengths,
                                                   int64_t offset, int64_t T, torch::Dtype dtype,
                                                   const torch::Device &device)
{
    auto t = torch::arange(offset, offset + T, torch::TensorOptions().dtype(torch::kFloat32).device(device));
    if (c.ropeScaling.type == RopeScaling::Type::Linear)
        t = t / c.ropeScaling.factor;
    auto table = [&](double base) {
        auto freqs = torch::outer(t, invFreq(c, base, device)); // [T, D/2]
        auto emb = torch::cat({freqs, freqs}, -1);              // [T, D]
        return std::make_pair(emb.cos().to(dtype), emb.sin().to(dtype));
    };
    bool perRow = false;
    for (int64_t len : rowLengths)
        perRow = perRow || ropeBase(c, len) != c.ropeTheta;
    if (!perRow) {
        auto [cos, sin] = table(c.ropeTheta);
        return {cos.view({1, 1, T, -1}), sin.view({1, 1, T, -1})};
    }
    std::vector<torch::Tensor> coss, sins;
    for (int64_t len : rowLengths) {
        auto [cos, sin] = table(ropeBase(c, len));
        coss.push_back(cos.unsqueeze(0));
        sins.push_back(sin.unsqueeze(0));
    }
    return {torch::stack(coss), torch::stack(sins)}; // [B, 1, T, D]
}

static torch::Tensor applyRope(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    return x * cos + rotateHalf(x) * sin;
}

// [B, nKV, T, D] -> [B, nKV * G, T, D], each kv head serving G query heads.
static torch::Tensor repeatKv(const torch::Tensor &x, int64_t G)
{
    if (G == 1)
        return x;
    const auto B = x.size(0), nKV = x.size(1), T = x.size(2), D = x.size(3);
    return x.unsqueeze(2).expand({B, nKV, G, T, D}).reshape({B, nKV * G, T, D});
}

static torch::Tensor project(const torch::Tensor &x, const torch::Tensor &w, const torch::Tensor &b = {})
{
    return F::linear(x, w, b);
}

// ---- blocks ----------------------------------------------------------------

// Torch forbids dots in parameter names, so "wqkv.weight" is parameter
// "weight" of a leaf module "wqkv": named_parameters() then reads exactly like
// the checkpoint keys.
struct Leaf : torch::nn::Module
{
};

static torch::Tensor registerWeight(torch::nn::Module &owner, const std::string &dottedName, torch::Tensor value)
{
    torch::nn::Module *module = &owner;
    std::string rest = dottedName;
    for (size_t dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
        const std::string child = rest.substr(0, dot);
        rest = rest.substr(dot + 1);
        auto children = module->named_children();
        if (auto *existing = children.find(child))
            module = existing->get();
        else
            module = module->register_module(child, std::make_shared<Leaf>()).get();
    }
    return module->register_parameter(rest, std::move(value), /*requires_grad=*/false);
}

RmsNormImpl::RmsNormImpl(const std::string &prefix, const WeightSource &w, double eps_) : eps(eps_)
{
    weight = registerWeight(*this, "weight", w(prefix + "weight"));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor &x)
{
    // In float32 whatever the compute dtype, as the official module does.
    auto h = x.to(torch::kFloat32);
    h = h * torch::rsqrt(h.pow(2).mean(-1, /*keepdim=*/true) + eps);
    return weight * h.to(x.scalar_type());
}

AttentionImpl::AttentionImpl(const std::string &prefix, const WeightSource &w, const ModelConfig &c)
    : numHeads(c.numHeads), numKvHeads(c.numKvHeads), headDim(c.headDim())
{
    wqkv = registerWeight(*this, "wqkv.weight", w(prefix + "wqkv.weight"));
    wo = registerWeight(*this, "wo.weight", w(prefix + "wo.weight"));
    if (c.bias) {
        wqkvBias = registerWeight(*this, "wqkv.bias", w(prefix + "wqkv.bias"));
        woBias = registerWeight(*this, "wo.bias", w(prefix + "wo.bias"));
    }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                                     const torch::Tensor &mask, const LayerCache *past, LayerCache *cacheOut)
{
    const int64_t B = x.size(0), T = x.size(1), G = numHeads / numKvHeads, D = headDim;
    // wqkv rows are grouped per kv head: G queries, then its key and value.
    auto qkv = project(x, wqkv, wqkvBias).view({B, T, numKvHeads, G + 2, D});     // [B, T, nKV, G+2, D]
    auto q = qkv.slice(3, 0, G).reshape({B, T, numHeads, D}).transpose(1, 2);     // [B, nH, T, D]
    auto k = qkv.select(3, G).transpose(1, 2);                                     // [B, nKV, T, D]
    auto v = qkv.select(3, G + 1).transpose(1, 2);                                 // [B, nKV, T, D]
    q = applyRope(q, cos, sin);
    k = applyRope(k, cos, sin);
    if (past) {
        k = torch::cat({past->key.expand({B, -1, -1, -1}), k}, 2);   // [B, nKV, P+T, D]
        v = torch::cat({past->value.expand({B, -1, -1, -1}), v}, 2); // [B, nKV, P+T, D]
    }
    if (cacheOut)
        *cacheOut = {k, v};
    k = repeatKv(k, G); // [B, nH, P+T, D]
    v = repeatKv(v, G);

    torch::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
    if (mask.defined())
        out = at::scaled_dot_product_attention(q, k, v, mask);
    else
        out = at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);
#else
    // Eager attention as the official module: masked scores get finfo.min,
    // softmax in float32.
    auto scores = torch::matmul(q, k.transpose(2, 3)) / std::sqrt(double(D)); // [B, nH, T, P+T]
    auto allowed = mask.defined() ? mask
        : torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(x.device())).tril().view({1, 1, T, T});
    const double lowest = x.scalar_type() == torch::kFloat32 ? double(std::numeric_limits<float>::lowest())
        : x.scalar_type() == torch::kBFloat16 ? -3.3895313892515355e38 : -65504.0;
    scores = scores.masked_fill(allowed.logical_not(), lowest);
    auto probs = torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type());
    out = torch::matmul(probs, v); // [B, nH, T, D]
#endif
    out = out.transpose(1, 2).reshape({B, T, numHeads * D}); // [B, T, H]
    return project(out, wo, woBias);
}

FeedForwardImpl::FeedForwardImpl(const std::string &prefix, const WeightSource &w)
{
    w1 = registerWeight(*this, "w1.weight", w(prefix + "w1.weight"));
    w3 = registerWeight(*this, "w3.weight", w(prefix + "w3.weight"));
    w2 = registerWeight(*this, "w2.weight", w(prefix + "w2.weight"));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor &x)
{
    return project(torch::silu(project(x, w1)) * project(x, w3), w2);
}

DecoderLayerImpl::DecoderLayerImpl(const std::string &prefix, const WeightSource &w, const ModelConfig &c)
{
    attention = register_module("attention", Attention(prefix + "attention.", w, c));
    feedForward = register_module("feed_forward", FeedForward(prefix + "feed_forward.", w));
    attentionNorm = register_module("attention_norm", RmsNorm(prefix + "attention_norm.", w, c.rmsNormEps));
    ffnNorm = register_module("ffn_norm", RmsNorm(prefix + "ffn_norm.", w, c.rmsNormEps));
}

torch::Tensor DecoderLayerImpl::forward(torch::Tensor x, const torch::Tensor &cos, const torch::Tensor &sin,
                                        const torch::Tensor &mask, const LayerCache *past, LayerCache *cacheOut)
{
    x = x + attention(attentionNorm(x), cos, sin, mask, past, cacheOut);
    x = x + feedForward(ffnNorm(x));
    return x;
}

// ---- the model --------------------------------------------------------------

// Registered as a submodule named "model" so named_parameters() reads exactly
// like the checkpoint keys ("model.layers.0.attention.wqkv.weight").
struct InternLM2Backbone : torch::nn::Module
{
};

InternLM2RewardModelImpl::InternLM2RewardModelImpl(const ModelConfig &c, const WeightSource &w) : config(c)
{
    auto backbone = register_module("model", std::make_shared<InternLM2Backbone>());
    tokEmbeddings = registerWeight(*backbone, "tok_embeddings.weight", w("model.tok_embeddings.weight"));
    auto layerList = backbone->register_module("layers", std::make_shared<Leaf>());
    for (int64_t i = 0; i < c.numLayers; ++i) {
        const std::string index = std::to_string(i);
        layers.push_back(layerList->register_module(index, DecoderLayer("model.layers." + index + ".", w, c)));
    }
    norm = backbone->register_module("norm", RmsNorm("model.norm.", w, c.rmsNormEps));
    vHead = registerWeight(*this, "v_head.weight", w("v_head.weight"));
}

torch::Tensor InternLM2RewardModelImpl::embed(const torch::Tensor &ids)
{
    return F::embedding(ids, tokEmbeddings); // [B, T, H]
}

torch::Tensor InternLM2RewardModelImpl::decode(torch::Tensor x, const std::vector<int64_t> &rowLengths,
                                               int64_t positionOffset, const std::vector<LayerCache> *past,
                                               std::vector<LayerCache> *cacheOut)
{
    const int64_t T = x.size(1);
    auto [cos, sin] = ropeCosSin(config, rowLengths, positionOffset, T, x.scalar_type(), x.device());

    torch::Tensor mask; // undefined: plain causal attention
    bool needMask = past != nullptr;
#if TORCH_VERSION_MAJOR < 2
    needMask = true;
#endif
    if (needMask) {
        // Query i (absolute position P + i) may see keys 0 .. P + i.
        const int64_t P = positionOffset;
        auto opts = torch::TensorOptions().dtype(torch::kLong).device(x.device());
        auto qPos = torch::arange(P, P + T, opts).view({T, 1});
        auto kPos = torch::arange(0, P + T, opts).view({1, P + T});
        mask = (kPos <= qPos).view({1, 1, T, P + T});
    }
    if (cacheOut)
        cacheOut->resize(layers.size());
    for (size_t i = 0; i < layers.size(); ++i)
        x = layers[i](x, cos, sin, mask, past ? &(*past)[i] : nullptr, cacheOut ? &(*cacheOut)[i] : nullptr);
    return x; // [B, T, H]
}

torch::Tensor InternLM2RewardModelImpl::valueHead(const torch::Tensor &hidden)
{
    return project(norm(hidden), vHead).squeeze(-1).to(torch::kFloat32);
}

torch::Tensor InternLM2RewardModelImpl::rewardsFromEmbeddings(const torch::Tensor &embeddings, const ForwardBatch &batch)
{
    auto h = decode(embeddings, batch.hostLengths);                                           // [B, T, H]
    auto rows = torch::arange(h.size(0), torch::TensorOptions().dtype(torch::kLong).device(h.device()));
    auto last = h.index({rows, batch.lengths - 1});                                           // [B, H]
    return valueHead(last);                                                                   // [B]
}

torch::Tensor InternLM2RewardModelImpl::rewards(const ForwardBatch &batch)
{
    return rewardsFromEmbeddings(embed(batch.ids), batch);
}

torch::Tensor InternLM2RewardModelImpl::rewardsWithPrefix(const torch::Tensor &prefixIds, const ForwardBatch &suffixes)
{
    const int64_t P = prefixIds.size(1);
    std::vector<LayerCache> cache;
    decode(embed(prefixIds), {P}, /*positionOffset=*/0, nullptr, &cache); // keys/values of the prefix, per layer
    std::vector<int64_t> fullLengths;
    for (int64_t len : suffixes.hostLengths)
        fullLengths.push_back(P + len);
    auto h = decode(embed(suffixes.ids), fullLengths, P, &cache); // [B, T, H]
    auto rows = torch::arange(h.size(0), torch::TensorOptions().dtype(torch::kLong).device(h.device()));
    return valueHead(h.index({rows, suffixes.lengths - 1})); // [B]
}

torch::Tensor InternLM2RewardModelImpl::perPosition(const ForwardBatch &batch)
{
    return valueHead(decode(embed(batch.ids), batch.hostLengths)); // [B, T]
}

} // namespace polar
