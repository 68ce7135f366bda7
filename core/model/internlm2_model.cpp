#include "model/internlm2_model.h"

#include "model/checkpoint_schema.h"

#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace F = torch::nn::functional;
namespace names = polar::tensor_names;

namespace polar {

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
    if (x.is_cuda() && !kernelChoiceListed("composite-norm"))
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
                                     const LayerCache *past, LayerCache *cacheOut, const PackedPrefixes *packing)
{
    const int64_t B = x.size(0), T = x.size(1), nKV = numKvHeads, G = numHeads / numKvHeads, D = headDim;
    auto [q, k, v] = splitWqkv(F::linear(x, wqkv, wqkvBias), nKV, G, D);
    q = applyRope(q, cos.unsqueeze(2), sin.unsqueeze(2)); // [B, nKV, G, T, D]
    k = applyRope(k, cos, sin);                           // [B, nKV, T, D]
    if (cacheOut)
        *cacheOut = {k, v, {}};
    auto out = past && packing ? packedAttention(q, k, v, *past, packing->layout, packing->kernel) : maskedAttention(q, k, v, past);
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
                                        const LayerCache *past, LayerCache *cacheOut, const PackedPrefixes *packing)
{
    x = x + attention(attentionNorm(x), cos, sin, past, cacheOut, packing);
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

// The cache entry each of B rows continues: rowPrefix's, or the one entry
// for all, or entry b for row b.
static std::vector<int64_t> continuedEntries(const PrefixCache &past, int64_t B, const std::vector<size_t> *rowPrefix)
{
    std::vector<int64_t> entry(size_t(B), 0);
    for (int64_t b = 0; b < B; ++b) {
        const size_t e = rowPrefix ? rowPrefix->at(size_t(b)) : past.lengths.size() == 1 ? 0 : size_t(b);
        if (e >= past.lengths.size())
            throw std::invalid_argument("forward: row " + std::to_string(b) + " continues prefix " + std::to_string(e) +
                                        " of " + std::to_string(past.lengths.size()));
        entry[size_t(b)] = int64_t(e);
    }
    return entry;
}

// One layer of the cache with an entry per row: row b's is entry index[b].
static LayerCache rowsOf(const LayerCache &layer, const torch::Tensor &index)
{
    return {layer.key.index_select(0, index), layer.value.index_select(0, index),
            layer.visible.defined() ? layer.visible.index_select(0, index) : torch::Tensor()};
}

torch::Tensor InternLM2RewardModelImpl::forward(torch::Tensor x, const std::vector<int64_t> &rowLengths, const PrefixCache *past,
                                                PrefixCache *cacheOut, const std::vector<size_t> *rowPrefix)
{
    const int64_t B = x.size(0), T = x.size(1), P = past ? past->length : 0;
    std::vector<int64_t> entry, starts{0}; // each row's cache entry, and the position it starts at
    if (past) {
        entry = continuedEntries(*past, B, rowPrefix);
        starts.clear();
        for (int64_t e : entry)
            starts.push_back(past->lengths[size_t(e)]);
    }
    auto [cos, sin] = ropeCosSin(config, rowLengths, starts, T, x.scalar_type(), x.device());
    if (cacheOut) {
        cacheOut->layers.assign(layers.size(), {});
        cacheOut->length = P + T;
        cacheOut->lengths = rowLengths;
    }
    // Rows that continue prefixes attend through FlashAttention's
    // variable-length kernel where it serves (inference on a GPU): no boolean
    // mask, no kv head copied per query head, no padding between a row and its
    // prefix, and each row's prefix read straight from the cache. Gradients
    // keep to the masked kernel that training and attribution were checked with.
    std::optional<PackedPrefixes> packing;
    if (past && !torch::GradMode::is_enabled()) {
        const int64_t G = config.numHeads / config.numKvHeads;
        if (auto kernel = packedPrefixKernel(x.device(), x.scalar_type(), config.headDim(), G))
            packing = PackedPrefixes{rowKeyLayout(past->lengths, entry, T, x.device()), kernel};
    }
    // The masked kernel takes one entry per row: gathered a layer at a time,
    // so a pass never holds every layer's copy.
    torch::Tensor gather;
    if (past && rowPrefix && !packing)
        gather = torch::tensor(entry, torch::kLong).to(x.device());
    for (size_t i = 0; i < layers.size(); ++i) {
        LayerCache gathered;
        const LayerCache *layerPast = past ? &past->layers[i] : nullptr;
        if (gather.defined())
            layerPast = &(gathered = rowsOf(past->layers[i], gather));
        x = layers[i](x, cos, sin, layerPast, cacheOut ? &cacheOut->layers[i] : nullptr, packing ? &*packing : nullptr);
    }
    if (cacheOut && *std::min_element(rowLengths.begin(), rowLengths.end()) < P + T) {
        // Rows of different lengths were padded: a continuation must see only its own row's.
        auto visible = visiblePositions(rowLengths, P + T, x.device()); // [B, 1, 1, P+T]
        for (auto &layer : cacheOut->layers)
            layer.visible = visible;
    }
    return x; // [B, T, H]
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
