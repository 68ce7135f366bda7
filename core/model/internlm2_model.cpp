#include "model/internlm2_model.h"

#include "model/checkpoint_schema.h"
#include "model/kernel_choices.h"

#include <torch/version.h>

#include <algorithm>
#include <cmath>

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

// applyRope in four kernels over half the head where the composite formula
// takes five over all of it, written to a new tensor laid out as the
// attention kernels read it. The tables' halves are equal (ropeCosSin repeats
// its frequencies), so rotate_half becomes: out = (x1 c - x2 s, x2 c + x1 s).
// x [B, T, n, m, D] (a view of wqkv's output); c, s [B or 1, T, 1, 1, D/2].
static torch::Tensor fusedRope(const torch::Tensor &x, const torch::Tensor &c, const torch::Tensor &s)
{
    const int64_t half = x.size(-1) / 2;
    auto out = torch::empty(x.sizes(), x.options());
    auto x1 = x.slice(-1, 0, half), x2 = x.slice(-1, half);
    auto o1 = out.slice(-1, 0, half), o2 = out.slice(-1, half);
    at::mul_out(o1, x1, c);
    o1.addcmul_(x2, s, /*value=*/-1);
    at::mul_out(o2, x2, c);
    o2.addcmul_(x1, s);
    return out;
}

// splitWqkv then applyRope on q and k, through fusedRope. cos, sin: [B or 1, 1, T, D].
static std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> ropedWqkv(const torch::Tensor &qkv, const torch::Tensor &cos,
                                                                         const torch::Tensor &sin, int64_t nKV, int64_t G,
                                                                         int64_t D)
{
    const int64_t B = qkv.size(0), T = qkv.size(1);
    auto grouped = qkv.view({B, T, nKV, G + 2, D});                                    // [B, T, nKV, G+2, D]
    auto half = [&](const torch::Tensor &table) {
        return table.squeeze(1).slice(-1, 0, D / 2).unsqueeze(2).unsqueeze(2);         // [B or 1, T, 1, 1, D/2]
    };
    const auto c = half(cos), s = half(sin);
    auto q = fusedRope(grouped.slice(3, 0, G), c, s).permute({0, 2, 3, 1, 4});         // [B, nKV, G, T, D]
    auto k = fusedRope(grouped.slice(3, G, G + 1), c, s).squeeze(3).transpose(1, 2);   // [B, nKV, T, D]
    auto v = grouped.select(3, G + 1).transpose(1, 2);                                 // [B, nKV, T, D]
    return {q, k, v};
}

// Whether the residual stream takes each block's output projection in place
// (one matrix product that adds to it, where the official code writes the
// projection, then reads it and the stream to add them).
static bool projectIntoResidual(const torch::Tensor &x)
{
    return fusedInferenceKernel(x, "composite-residual");
}

// residual + linear(h, w, bias): [B, T, H].
static torch::Tensor addProjection(torch::Tensor residual, const torch::Tensor &h, const torch::Tensor &w,
                                   const torch::Tensor &bias)
{
    if (!bias.defined() && residual.is_contiguous() && projectIntoResidual(residual)) {
        residual.view({-1, w.size(0)}).addmm_(h.reshape({-1, h.size(-1)}), w.t());
        return residual;
    }
    return residual + F::linear(h, w, bias);
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
    // One kernel instead of seven passes over the activations (on a GPU):
    // it took 12% off a 1.8B model's dataset mix on an H100. It rounds once
    // where the official module rounds before the weight: the largest bf16
    // difference from the official bf16 rewards went from 0.066 to 0.086, inside
    // the 0.125 the parity checks allow.
    if (fusedKernel(x, "composite-norm"))
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

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> AttentionImpl::rotatedQkv(const torch::Tensor &x,
                                                                                  const torch::Tensor &cos,
                                                                                  const torch::Tensor &sin)
{
    const int64_t nKV = numKvHeads, G = numHeads / numKvHeads, D = headDim;
    const auto qkv = F::linear(x, wqkv, wqkvBias);
    if (fusedInferenceKernel(x, "composite-rope"))
        return ropedWqkv(qkv, cos, sin, nKV, G, D);
    auto [q, k, v] = splitWqkv(qkv, nKV, G, D);
    return {applyRope(q, cos.unsqueeze(2), sin.unsqueeze(2)), applyRope(k, cos, sin), v};
}

torch::Tensor AttentionImpl::lastTokens(const torch::Tensor &x, torch::Tensor residual, const torch::Tensor &cos,
                                        const torch::Tensor &sin, const LayerCache *past, const torch::Tensor &last,
                                        const VarlenPass *varlen)
{
    auto [q, k, v] = rotatedQkv(x, cos, sin);
    auto out = varlen ? packedAttention(q.index_select(3, last), k, v, past, lastQueryLayout(varlen->layout), varlen->kernel)
                      : lastQueryAttention(q, k, v, past, last); // [1, nKV, G, B, D] or [B, nKV, G, 1, D]
    out = out.permute({0, 3, 1, 2, 4});
    out = out.reshape({out.size(0), out.size(1), numHeads * headDim}); // as residual: [1, B, H] or [B, 1, H]
    return addProjection(std::move(residual), out, wo, woBias);
}

LayerCache AttentionImpl::keysAndValues(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    auto [q, k, v] = rotatedQkv(x, cos, sin);
    return {k, v, {}};
}

torch::Tensor AttentionImpl::forward(const torch::Tensor &x, torch::Tensor residual, const torch::Tensor &cos,
                                     const torch::Tensor &sin, const LayerCache *past, LayerCache *cacheOut,
                                     const VarlenPass *varlen)
{
    const int64_t B = x.size(0), T = x.size(1), D = headDim;
    auto [q, k, v] = rotatedQkv(x, cos, sin);
    if (cacheOut)
        *cacheOut = {k, v, {}};
    auto out = varlen ? packedAttention(q, k, v, past, varlen->layout, varlen->kernel) : maskedAttention(q, k, v, past);
    out = out.permute({0, 3, 1, 2, 4}).reshape({B, T, numHeads * D}); // [B, T, H], head = kv * G + g
    return addProjection(std::move(residual), out, wo, woBias);
}

FeedForwardImpl::FeedForwardImpl(const WeightSource &w, const std::string &layer)
{
    w1 = registerWeight(*this, within(names::kW1, "feed_forward."), w(layer + names::kW1));
    w3 = registerWeight(*this, within(names::kW3, "feed_forward."), w(layer + names::kW3));
    w2 = registerWeight(*this, within(names::kW2, "feed_forward."), w(layer + names::kW2));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor &x, torch::Tensor residual)
{
    return addProjection(std::move(residual), torch::silu(F::linear(x, w1)) * F::linear(x, w3), w2, {});
}

DecoderLayerImpl::DecoderLayerImpl(const WeightSource &w, const std::string &layer, const ModelConfig &c)
{
    attention = register_module("attention", Attention(w, layer, c));
    feedForward = register_module("feed_forward", FeedForward(w, layer));
    attentionNorm = register_module("attention_norm", RmsNorm(w, layer + names::kAttentionNorm, c.rmsNormEps));
    ffnNorm = register_module("ffn_norm", RmsNorm(w, layer + names::kFfnNorm, c.rmsNormEps));
}

torch::Tensor DecoderLayerImpl::forward(torch::Tensor x, const torch::Tensor &cos, const torch::Tensor &sin,
                                        const LayerCache *past, LayerCache *cacheOut, const VarlenPass *varlen)
{
    x = attention(attentionNorm(x), x, cos, sin, past, cacheOut, varlen);
    x = feedForward(ffnNorm(x), x);
    return x;
}

torch::Tensor DecoderLayerImpl::lastTokens(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                                           const LayerCache *past, const torch::Tensor &last, const VarlenPass *varlen)
{
    auto residual = varlen ? x.index_select(1, last)                                              // [1, B, H]
                           : x.gather(1, last.view({-1, 1, 1}).expand({x.size(0), 1, x.size(2)})); // [B, 1, H]
    auto h = attention->lastTokens(attentionNorm(x), std::move(residual), cos, sin, past, last, varlen);
    return feedForward(ffnNorm(h), h);
}

LayerCache DecoderLayerImpl::keysAndValues(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    return attention->keysAndValues(attentionNorm(x), cos, sin);
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

// The embeddings a pass adds its blocks to: its own copy where the output
// projections add into the stream in place, so the caller's stay as they are.
static torch::Tensor residualStream(const torch::Tensor &embeddings)
{
    return projectIntoResidual(embeddings) ? embeddings.clone() : embeddings;
}

// What every layer of a padded pass shares: the rotary tables from each
// row's start, and which cache entry each row reads.
struct InternLM2RewardModelImpl::PaddedPass
{
    torch::Tensor cos, sin;      // [B or 1, 1, T, D]
    std::vector<int64_t> starts; // each row's first position, or one for all
    const PrefixCache *past = nullptr;
    torch::Tensor gather;        // [B]: each row's entry, where rows read entries of their own

    // Layer i's prefixes as the rows read them. Each row's entry is gathered a
    // layer at a time (into `gathered`), so a pass never holds every layer's copy.
    const LayerCache *layer(size_t i, LayerCache &gathered) const
    {
        if (!past)
            return nullptr;
        if (!gather.defined())
            return &past->layers[i];
        return &(gathered = rowsOf(past->layers[i], gather));
    }
};

InternLM2RewardModelImpl::PaddedPass InternLM2RewardModelImpl::paddedPass(const torch::Tensor &x,
                                                                          const std::vector<int64_t> &rowLengths,
                                                                          const PrefixCache *past,
                                                                          const std::vector<size_t> *rowPrefix) const
{
    const int64_t B = x.size(0), T = x.size(1);
    PaddedPass pass;
    pass.past = past;
    pass.starts = {0};
    if (past) {
        if (!past->starts.empty())
            throw std::invalid_argument("padded pass: a cache packed token after token is read by packedRewards");
        const auto entry = continuedEntries(*past, B, rowPrefix);
        pass.starts.clear();
        for (int64_t e : entry)
            pass.starts.push_back(past->lengths[size_t(e)]);
        if (rowPrefix)
            pass.gather = torch::tensor(entry, torch::kLong).to(x.device());
    }
    std::tie(pass.cos, pass.sin) = ropeCosSin(config, rowLengths, pass.starts, T, x.scalar_type(), x.device());
    return pass;
}

torch::Tensor InternLM2RewardModelImpl::forward(torch::Tensor x, const std::vector<int64_t> &rowLengths, const PrefixCache *past,
                                                const std::vector<size_t> *rowPrefix)
{
    const PaddedPass pass = paddedPass(x, rowLengths, past, rowPrefix);
    x = residualStream(x);
    for (size_t i = 0; i < layers.size(); ++i) {
        LayerCache gathered;
        x = layers[i](x, pass.cos, pass.sin, pass.layer(i, gathered));
    }
    return x; // [B, T, H]
}

torch::Tensor InternLM2RewardModelImpl::rewards(torch::Tensor x, const std::vector<int64_t> &rowLengths, const PrefixCache *past,
                                                const std::vector<size_t> *rowPrefix)
{
    const int64_t B = x.size(0), T = x.size(1);
    const PaddedPass pass = paddedPass(x, rowLengths, past, rowPrefix);
    std::vector<int64_t> last; // each row's last token among this call's
    for (int64_t b = 0; b < B; ++b) {
        last.push_back(rowLengths.at(size_t(b)) - pass.starts[pass.starts.size() == 1 ? 0 : size_t(b)] - 1);
        if (last.back() < 0 || last.back() >= T)
            throw std::invalid_argument("rewards: row " + std::to_string(b) + " ends outside its " + std::to_string(T) +
                                        " tokens");
    }
    x = residualStream(x);
    for (size_t i = 0; i + 1 < layers.size(); ++i) {
        LayerCache gathered;
        x = layers[i](x, pass.cos, pass.sin, pass.layer(i, gathered));
    }
    LayerCache gathered;
    const auto index = torch::tensor(last, torch::kLong).to(x.device());
    return values(layers.back()->lastTokens(x, pass.cos, pass.sin, pass.layer(layers.size() - 1, gathered), index))
        .view({B}); // [B]
}

PrefixCache InternLM2RewardModelImpl::cachePrefixes(torch::Tensor x, const std::vector<int64_t> &rowLengths)
{
    const int64_t T = x.size(1);
    auto [cos, sin] = ropeCosSin(config, rowLengths, {0}, T, x.scalar_type(), x.device());
    PrefixCache cache;
    cache.length = T;
    cache.lengths = rowLengths;
    fillCache(x, cos, sin, nullptr, cache);
    if (*std::min_element(rowLengths.begin(), rowLengths.end()) < T) {
        // Rows of different lengths were padded: a continuation must see only its own row's.
        auto visible = visiblePositions(rowLengths, T, x.device()); // [B, 1, 1, T]
        for (auto &layer : cache.layers)
            layer.visible = visible;
    }
    return cache;
}

// What every layer of a packed pass shares: each token's rotary table and
// how the rows' keys are laid out for the kernel.
struct InternLM2RewardModelImpl::PackedPass
{
    torch::Tensor cos, sin; // [1, 1, N, D]
    VarlenPass varlen;
};

InternLM2RewardModelImpl::PackedPass InternLM2RewardModelImpl::packedPass(const torch::Tensor &x, const PackedRows &rows,
                                                                          const PrefixCache *past) const
{
    const int64_t N = x.size(1);
    if (x.size(0) != 1 || !rows.kernel)
        throw std::invalid_argument("packed pass: rows packed in one row, and a kernel to attend them");
    if (rows.entry.empty() != !past || (past && rows.entry.size() != rows.lengths.size()))
        throw std::invalid_argument("packed pass: one cache entry per row with a cache, none without");
    // Each token's position, and its row's full length (dynamic NTK's base).
    std::vector<int64_t> positions, full;
    for (size_t b = 0; b < rows.lengths.size(); ++b) {
        const int64_t L = past ? past->lengths.at(size_t(rows.entry[b])) : 0;
        for (int64_t t = 0; t < rows.lengths[b]; ++t) {
            positions.push_back(L + t);
            full.push_back(L + rows.lengths[b]);
        }
    }
    if (int64_t(positions.size()) != N)
        throw std::invalid_argument("packed pass: " + std::to_string(N) + " tokens for rows of " +
                                    std::to_string(positions.size()));
    // One table per token, or one for all where every token sits at the same position.
    auto [cos, sin] = ropeCosSin(config, full, positions, 1, x.scalar_type(), x.device()); // [N or 1, 1, 1, D]
    const int64_t D = config.headDim();
    return {cos.view({1, 1, -1, D}).expand({1, 1, N, D}), sin.view({1, 1, -1, D}).expand({1, 1, N, D}),
            {rowKeyLayout(past ? past->entries() : CacheEntries{}, rows.entry, rows.lengths, x.device()), rows.kernel}};
}

torch::Tensor InternLM2RewardModelImpl::packedRewards(torch::Tensor x, const PackedRows &rows, const PrefixCache *past)
{
    const PackedPass pass = packedPass(x, rows, past);
    x = residualStream(x);
    for (size_t i = 0; i + 1 < layers.size(); ++i)
        x = layers[i](x, pass.cos, pass.sin, past ? &past->layers[i] : nullptr, nullptr, &pass.varlen);
    const auto last = segmentEnds(pass.varlen.layout); // each row's last token among the packed ones
    return values(layers.back()->lastTokens(x, pass.cos, pass.sin, past ? &past->layers.back() : nullptr, last,
                                            &pass.varlen))
        .view({-1}); // [B]
}

PrefixCache InternLM2RewardModelImpl::cachePackedPrefixes(torch::Tensor x, const PackedRows &rows)
{
    const PackedPass pass = packedPass(x, rows, nullptr);
    PrefixCache cache;
    cache.length = x.size(1);
    cache.lengths = rows.lengths;
    cache.starts.assign(pass.varlen.layout.cuQHost.begin(), pass.varlen.layout.cuQHost.end() - 1);
    fillCache(x, pass.cos, pass.sin, &pass.varlen, cache);
    return cache;
}

void InternLM2RewardModelImpl::fillCache(torch::Tensor x, const torch::Tensor &cos, const torch::Tensor &sin,
                                         const VarlenPass *varlen, PrefixCache &cache)
{
    cache.layers.assign(layers.size(), {});
    x = residualStream(x);
    for (size_t i = 0; i + 1 < layers.size(); ++i)
        x = layers[i](x, cos, sin, nullptr, &cache.layers[i], varlen);
    if (!layers.empty())
        cache.layers.back() = layers.back()->keysAndValues(x, cos, sin);
}

torch::Tensor InternLM2RewardModelImpl::values(const torch::Tensor &hidden)
{
    auto v = F::linear(norm(hidden), vHead).squeeze(-1);
    return v.to(atLeastFloat32(v.scalar_type()));
}

} // namespace polar
