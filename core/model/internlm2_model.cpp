#include "model/internlm2_model.h"

#include "model/checkpoint_schema.h"

#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace F = torch::nn::functional;
namespace names = polar::tensor_names;

namespace polar {

#if TORCH_VERSION_MAJOR >= 2
// LibTorch 2.x kernels that the reference code spells out in plain ops, on by
// default (measured on an H100: BENCHMARKS.md). POLAR_KERNELS switches them
// off for comparison: "repeat-kv" copies each kv head to its query heads
// instead of scaled_dot_product_attention's grouped-query mode; "composite-norm"
// computes RMSNorm op by op instead of the fused kernel. Read once.
static bool kernelSwitchedOff(const char *name)
{
    static const std::string off = [] {
        const char *v = std::getenv("POLAR_KERNELS");
        return std::string(v ? v : "");
    }();
    return off.find(name) != std::string::npos;
}
#endif

// ---- stateless block math ---------------------------------------------------

torch::Tensor rotateHalf(const torch::Tensor &x)
{
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
}

torch::Tensor applyRope(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    return x * cos + rotateHalf(x) * sin;
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
                                                   const std::vector<int64_t> &offsets, int64_t T, torch::Dtype dtype,
                                                   const torch::Device &device)
{
    // One table serves every row unless their starts or (dynamic NTK) bases differ.
    bool perRow = false;
    for (int64_t start : offsets)
        perRow = perRow || start != offsets.front();
    for (int64_t len : rowLengths)
        perRow = perRow || ropeBase(c, len) != c.ropeTheta;
    const size_t N = perRow ? rowLengths.size() : 1;
    std::vector<float> starts(N), bases(N);
    for (size_t b = 0; b < N; ++b) {
        starts[b] = float(offsets.size() == 1 ? offsets[0] : offsets[b]);
        bases[b] = float(perRow ? ropeBase(c, rowLengths[b]) : c.ropeTheta);
    }
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    const int64_t D = c.headDim(), n = int64_t(N);
    auto exponents = torch::arange(0, D, 2, f32.device(device)) / double(D);                  // [D/2]
    auto inv = 1.0 / torch::pow(torch::tensor(bases, f32).to(device).view({n, 1}), exponents); // [N, D/2]
    auto t = torch::tensor(starts, f32).to(device).view({n, 1}) + torch::arange(0, T, f32.device(device)); // [N, T]
    if (c.ropeScaling.type == RopeScaling::Type::Linear)
        t = t / c.ropeScaling.factor;
    auto freqs = t.unsqueeze(-1) * inv.unsqueeze(1); // [N, T, D/2]
    auto emb = torch::cat({freqs, freqs}, -1);       // [N, T, D]
    return {emb.cos().to(dtype).view({n, 1, T, D}), emb.sin().to(dtype).view({n, 1, T, D})};
}

// wqkv's output rows are grouped per kv head: G queries, then its key and
// value. [B, T, nKV*(G+2)*D] -> q [B, nKV, G, T, D], k and v [B, nKV, T, D].
static std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> splitWqkv(const torch::Tensor &qkv, int64_t nKV, int64_t G,
                                                                         int64_t D)
{
    const int64_t B = qkv.size(0), T = qkv.size(1);
    auto grouped = qkv.view({B, T, nKV, G + 2, D});                           // [B, T, nKV, G+2, D]
    auto q = grouped.slice(3, 0, G).permute({0, 2, 3, 1, 4});                 // [B, nKV, G, T, D]
    auto k = grouped.select(3, G).transpose(1, 2);                            // [B, nKV, T, D]
    auto v = grouped.select(3, G + 1).transpose(1, 2);                        // [B, nKV, T, D]
    return {q, k, v};
}

// The precision the official code keeps norms and softmax in: float32, or
// float64 when the model runs in float64 (the gradient tests do).
static torch::ScalarType atLeastFloat32(torch::ScalarType t)
{
    return t == torch::kFloat64 ? t : torch::kFloat32;
}

static double lowest(torch::ScalarType t)
{
    return t == torch::kFloat64 ? std::numeric_limits<double>::lowest()
        : t == torch::kFloat32 ? double(std::numeric_limits<float>::lowest())
        : t == torch::kBFloat16  ? -3.3895313892515355e38
                                 : -65504.0;
}

// Eager grouped-query attention, as the official eager module computes it
// (masked scores get finfo.min, softmax in float32), without copying keys or
// values per query head: each kv head's G query heads are folded into its rows.
// One prefix that every row continues (`past`, [1, nKV, P, D]) is seen by
// every query without a copy per batch row; prefixes of their own ([B, nKV,
// P, D]) are seen row by row, each only up to its real length.
// q: [B, nKV, G, T, D]; k, v: [B, nKV, T, D] -> [B, nKV, G, T, D].
static torch::Tensor eagerAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                                    const LayerCache *past)
{
    const int64_t B = q.size(0), nKV = q.size(1), G = q.size(2), T = q.size(3), D = q.size(4);
    const int64_t P = past ? past->key.size(2) : 0;
    const bool onePrefix = past && past->key.size(0) == 1;
    const auto dtype = q.scalar_type();
    auto qs = (q * (1.0 / std::sqrt(double(D)))).reshape({B, nKV, G * T, D}); // [B, nKV, G*T, D]
    auto own = torch::matmul(qs, k.transpose(2, 3));                           // [B, nKV, G*T, T]
    auto causal = torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(q.device())).tril();
    own.masked_fill_(causal.logical_not().repeat({G, 1}), lowest(dtype));      // row (g, t) sees keys <= t
    torch::Tensor scores = own;
    if (past) {
        torch::Tensor shared;
        if (onePrefix) {
            // All rows against the one prefix: [nKV, B*G*T, D] x [nKV, D, P].
            auto folded = qs.permute({1, 0, 2, 3}).reshape({nKV, B * G * T, D});
            shared = torch::matmul(folded, past->key[0].transpose(1, 2));       // [nKV, B*G*T, P]
            shared = shared.view({nKV, B, G * T, P}).permute({1, 0, 2, 3});    // [B, nKV, G*T, P]
        } else {
            shared = torch::matmul(qs, past->key.transpose(2, 3));             // [B, nKV, G*T, P]
        }
        if (past->visible.defined())
            shared = shared.masked_fill(past->visible.logical_not(), lowest(dtype)); // a shorter prefix's padding
        scores = torch::cat({shared, own}, -1);                                // [B, nKV, G*T, P+T]
    }
    auto probs = torch::softmax(scores, -1, atLeastFloat32(dtype)).to(dtype);
    auto out = torch::matmul(probs.slice(-1, P), v);                           // [B, nKV, G*T, D]
    if (past && onePrefix) {
        auto p = probs.slice(-1, 0, P).permute({1, 0, 2, 3}).reshape({nKV, B * G * T, P});
        out = out + torch::matmul(p, past->value[0]).view({nKV, B, G * T, D}).permute({1, 0, 2, 3});
    } else if (past) {
        out = out + torch::matmul(probs.slice(-1, 0, P), past->value);
    }
    return out.view({B, nKV, G, T, D});
}

#if TORCH_VERSION_MAJOR >= 2
// scaled_dot_product_attention over heads laid out [B, nH, T, D], each row's
// prefix keys/values prepended to it. Same arguments and result as eagerAttention.
static torch::Tensor sdpaAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                                   const LayerCache *past)
{
    const int64_t B = q.size(0), nKV = q.size(1), G = q.size(2), T = q.size(3), D = q.size(4);
    auto heads = q.reshape({B, nKV * G, T, D});                                // [B, nH, T, D]
    auto keys = k, values = v;
    torch::Tensor mask; // undefined: plain causal attention
    if (past) {
        const int64_t P = past->key.size(2);
        keys = torch::cat({past->key.expand({B, -1, -1, -1}), k}, 2);           // [B, nKV, P+T, D]
        values = torch::cat({past->value.expand({B, -1, -1, -1}), v}, 2);
        // Query i (absolute position P + i) may see keys 0 .. P + i ...
        auto opts = torch::TensorOptions().dtype(torch::kLong).device(q.device());
        mask = (torch::arange(0, P + T, opts).view({1, P + T}) <= torch::arange(P, P + T, opts).view({T, 1})).view({1, 1, T, P + T});
        // ... of which, where prefixes were padded to P, only its own prefix's.
        if (past->visible.defined())
            mask = torch::cat({past->visible.expand({B, 1, T, P}), mask.slice(-1, P).expand({B, 1, T, T})}, -1);
    }
    // [B, nKV, S, D] -> [B, nH, S, D], each kv head serving G query heads.
    auto repeat = [&](const torch::Tensor &x) {
        return x.unsqueeze(2).expand({B, nKV, G, x.size(2), D}).reshape({B, nKV * G, x.size(2), D});
    };
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
    // Query head h reads kv head h / G, as repeat lays them out.
    if (!mask.defined() && !kernelSwitchedOff("repeat-kv"))
        return at::scaled_dot_product_attention(heads, keys, values, {}, 0.0, /*is_causal=*/true, std::nullopt, /*enable_gqa=*/true)
            .view({B, nKV, G, T, D});
#endif
    auto out = mask.defined() ? at::scaled_dot_product_attention(heads, repeat(keys), repeat(values), mask)
                              : at::scaled_dot_product_attention(heads, repeat(keys), repeat(values), {}, 0.0, /*is_causal=*/true);
    return out.view({B, nKV, G, T, D});
}
#endif

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

// The part of a checkpoint name after a module's own prefix ("attention.wqkv.weight" -> "wqkv.weight").
static std::string within(const std::string &name, const std::string &modulePrefix)
{
    return name.substr(modulePrefix.size());
}

RmsNormImpl::RmsNormImpl(const WeightSource &w, const std::string &name, double eps_) : eps(eps_)
{
    weight = registerWeight(*this, "weight", w(name));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor &x)
{
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    // One kernel instead of seven passes over the activations, on a GPU only:
    // it took 12% off a 1.8B model's dataset mix on an H100. It rounds once
    // where the official module rounds before the weight: the largest bf16
    // difference from the official bf16 rewards went from 0.066 to 0.086, inside
    // the 0.125 the parity checks allow.
    if (x.is_cuda() && !kernelSwitchedOff("composite-norm"))
        return at::rms_norm(x, {x.size(-1)}, weight, eps);
#endif
    // In float32 whatever the compute dtype, as the official module does.
    auto h = x.to(atLeastFloat32(x.scalar_type()));
    h = h * torch::rsqrt(h.pow(2).mean(-1, /*keepdim=*/true) + eps);
    return weight * h.to(x.scalar_type());
}

AttentionImpl::AttentionImpl(const WeightSource &w, const std::string &layer, const ModelConfig &c)
    : numHeads(c.numHeads), numKvHeads(c.numKvHeads), headDim(c.headDim())
{
    wqkv = registerWeight(*this, within(names::kWqkv, "attention."), w(layer + names::kWqkv));
    wo = registerWeight(*this, within(names::kWo, "attention."), w(layer + names::kWo));
    if (c.bias) {
        wqkvBias = registerWeight(*this, within(names::kWqkvBias, "attention."), w(layer + names::kWqkvBias));
        woBias = registerWeight(*this, within(names::kWoBias, "attention."), w(layer + names::kWoBias));
    }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                                     const LayerCache *past, LayerCache *cacheOut)
{
    const int64_t B = x.size(0), T = x.size(1), nKV = numKvHeads, G = numHeads / numKvHeads, D = headDim;
    auto [q, k, v] = splitWqkv(F::linear(x, wqkv, wqkvBias), nKV, G, D);
    q = applyRope(q, cos.unsqueeze(2), sin.unsqueeze(2)); // [B, nKV, G, T, D]
    k = applyRope(k, cos, sin);                           // [B, nKV, T, D]
    if (cacheOut)
        *cacheOut = {k, v, {}};
#if TORCH_VERSION_MAJOR >= 2
    auto out = sdpaAttention(q, k, v, past);
#else
    auto out = eagerAttention(q, k, v, past);
#endif
    out = out.permute({0, 3, 1, 2, 4}).reshape({B, T, numHeads * D}); // [B, T, H], head = kv * G + g
    return F::linear(out, wo, woBias);
}

FeedForwardImpl::FeedForwardImpl(const WeightSource &w, const std::string &layer)
{
    w1 = registerWeight(*this, within(names::kW1, "feed_forward."), w(layer + names::kW1));
    w3 = registerWeight(*this, within(names::kW3, "feed_forward."), w(layer + names::kW3));
    w2 = registerWeight(*this, within(names::kW2, "feed_forward."), w(layer + names::kW2));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor &x)
{
    return F::linear(torch::silu(F::linear(x, w1)) * F::linear(x, w3), w2);
}

DecoderLayerImpl::DecoderLayerImpl(const WeightSource &w, const std::string &layer, const ModelConfig &c)
{
    attention = register_module("attention", Attention(w, layer, c));
    feedForward = register_module("feed_forward", FeedForward(w, layer));
    attentionNorm = register_module("attention_norm", RmsNorm(w, layer + names::kAttentionNorm, c.rmsNormEps));
    ffnNorm = register_module("ffn_norm", RmsNorm(w, layer + names::kFfnNorm, c.rmsNormEps));
}

torch::Tensor DecoderLayerImpl::forward(torch::Tensor x, const torch::Tensor &cos, const torch::Tensor &sin,
                                        const LayerCache *past, LayerCache *cacheOut)
{
    x = x + attention(attentionNorm(x), cos, sin, past, cacheOut);
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
    tokEmbeddings = registerWeight(*backbone, within(names::kEmbeddings, "model."), w(names::kEmbeddings));
    auto layerList = backbone->register_module("layers", std::make_shared<Leaf>());
    for (int64_t i = 0; i < c.numLayers; ++i)
        layers.push_back(layerList->register_module(std::to_string(i), DecoderLayer(w, names::layer(i), c)));
    norm = backbone->register_module("norm", RmsNorm(w, names::kFinalNorm, c.rmsNormEps));
    vHead = registerWeight(*this, names::kValueHead, w(names::kValueHead));
}

torch::Tensor InternLM2RewardModelImpl::embed(const torch::Tensor &ids)
{
    return F::embedding(ids, tokEmbeddings); // [B, T, H]
}

torch::Tensor InternLM2RewardModelImpl::forward(torch::Tensor x, const std::vector<int64_t> &rowLengths, const PrefixCache *past,
                                                PrefixCache *cacheOut)
{
    const int64_t T = x.size(1), P = past ? past->length : 0;
    auto [cos, sin] = ropeCosSin(config, rowLengths, past ? past->lengths : std::vector<int64_t>{0}, T, x.scalar_type(), x.device());
    if (cacheOut) {
        cacheOut->layers.assign(layers.size(), {});
        cacheOut->length = P + T;
        cacheOut->lengths = rowLengths;
    }
    for (size_t i = 0; i < layers.size(); ++i)
        x = layers[i](x, cos, sin, past ? &past->layers[i] : nullptr, cacheOut ? &cacheOut->layers[i] : nullptr);
    if (cacheOut && *std::min_element(rowLengths.begin(), rowLengths.end()) < P + T) {
        // Rows of different lengths were padded: a continuation must see only its own row's.
        auto opts = torch::TensorOptions().dtype(torch::kLong).device(x.device());
        auto visible = (torch::arange(0, P + T, opts).view({1, P + T}) < torch::tensor(rowLengths, torch::kLong).to(x.device()).view({-1, 1}))
                           .view({-1, 1, 1, P + T}); // [B, 1, 1, P+T]
        for (auto &layer : cacheOut->layers)
            layer.visible = visible;
    }
    return x; // [B, T, H]
}

PrefixCache selectPrefixes(const PrefixCache &cache, const std::vector<size_t> &rowPrefix)
{
    PrefixCache rows;
    rows.length = cache.length;
    std::vector<int64_t> index;
    for (size_t p : rowPrefix) {
        index.push_back(int64_t(p));
        rows.lengths.push_back(cache.lengths.at(p));
    }
    const auto device = cache.layers.empty() ? torch::Device(torch::kCPU) : cache.layers[0].key.device();
    const auto idx = torch::tensor(index, torch::kLong).to(device);
    for (const auto &layer : cache.layers)
        rows.layers.push_back({layer.key.index_select(0, idx), layer.value.index_select(0, idx),
                               layer.visible.defined() ? layer.visible.index_select(0, idx) : torch::Tensor()});
    return rows;
}

torch::Tensor InternLM2RewardModelImpl::values(const torch::Tensor &hidden)
{
    auto v = F::linear(norm(hidden), vHead).squeeze(-1);
    return v.to(atLeastFloat32(v.scalar_type()));
}

torch::Tensor InternLM2RewardModelImpl::lastTokenRewards(const torch::Tensor &hidden, const std::vector<int64_t> &lengths)
{
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(hidden.device());
    auto rows = torch::arange(hidden.size(0), opts);
    auto last = torch::tensor(lengths, torch::kLong).to(hidden.device()) - 1;
    return values(hidden.index({rows, last})); // [B]
}

} // namespace polar
