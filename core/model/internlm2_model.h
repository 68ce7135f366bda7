#pragma once

// InternLM2ForRewardModel in LibTorch. A core-internal header: it includes
// torch, so only core's .cpp files may include it (ui/ never sees torch).

#include "model/attention.h"
#include "model/config.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <tuple>
#include <vector>

namespace polar {

// Hands each module its checkpoint tensor by full name (tensor_names),
// already on the compute device and in the compute dtype.
using WeightSource = std::function<torch::Tensor(const std::string &name)>;

struct RmsNormImpl : torch::nn::Module
{
    RmsNormImpl(const WeightSource &w, const std::string &name, double eps);
    torch::Tensor forward(const torch::Tensor &x);

    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(RmsNorm);

// The keys and values of prefixes that later rows continue: each prefix runs
// once and each row attends to its own as if it were its own start.
struct PrefixCache
{
    std::vector<LayerCache> layers;
    int64_t length = 0;           // P, the padded length (packed: the total)
    std::vector<int64_t> lengths; // N real lengths (the positions a continuation starts at)
    std::vector<int64_t> starts;  // packed token after token: where each entry starts; empty: padded

    CacheEntries entries() const { return {lengths, starts}; }
};

struct AttentionImpl : torch::nn::Module
{
    AttentionImpl(const WeightSource &w, const std::string &layer, const ModelConfig &config);
    // residual + attention(x). x: [B, T, H] (normed); cos/sin: [B or 1, 1, T, D].
    // With `past`, each row of x continues a prefix whose keys/values it
    // holds; with `varlen`, rows are packed and attended as it says;
    // `cacheOut`, if given, receives this call's keys/values. The output
    // projection may add into `residual` in place (inference on a GPU).
    torch::Tensor forward(const torch::Tensor &x, torch::Tensor residual, const torch::Tensor &cos,
                          const torch::Tensor &sin, const LayerCache *past = nullptr, LayerCache *cacheOut = nullptr,
                          const VarlenPass *varlen = nullptr);
    // forward at one token per row only, the one a value head reads, every
    // token's keys and values attended: `last` [B] int64 on the device holds
    // each row's last token, its index in the row (x [B, T, H] -> [B, 1, H])
    // or, with `varlen`, among the packed tokens (x [1, N, H] -> [1, B, H]);
    // residual is the stream at those tokens, shaped as the result.
    torch::Tensor lastTokens(const torch::Tensor &x, torch::Tensor residual, const torch::Tensor &cos,
                             const torch::Tensor &sin, const LayerCache *past, const torch::Tensor &last,
                             const VarlenPass *varlen = nullptr);
    // Only the keys and values forward would keep: k, v [B, nKV, T, D].
    LayerCache keysAndValues(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin);
    // q [B, nKV, G, T, D], k and v [B, nKV, T, D], q and k rotated.
    std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> rotatedQkv(const torch::Tensor &x, const torch::Tensor &cos,
                                                                       const torch::Tensor &sin);

    torch::Tensor wqkv, wqkvBias, wo, woBias;
    int64_t numHeads, numKvHeads, headDim;
};
TORCH_MODULE(Attention);

struct FeedForwardImpl : torch::nn::Module
{
    FeedForwardImpl(const WeightSource &w, const std::string &layer);
    // residual + w2(silu(w1 x) * w3 x), maybe in place as Attention's.
    torch::Tensor forward(const torch::Tensor &x, torch::Tensor residual);

    torch::Tensor w1, w2, w3;
};
TORCH_MODULE(FeedForward);

struct DecoderLayerImpl : torch::nn::Module
{
    DecoderLayerImpl(const WeightSource &w, const std::string &layer, const ModelConfig &config);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor &cos, const torch::Tensor &sin,
                          const LayerCache *past = nullptr, LayerCache *cacheOut = nullptr,
                          const VarlenPass *varlen = nullptr);
    // forward where only each row's last token is read: [B, 1, H] (packed
    // [1, B, H]), as Attention::lastTokens.
    torch::Tensor lastTokens(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                             const LayerCache *past, const torch::Tensor &last, const VarlenPass *varlen = nullptr);
    // The keys and values this layer would keep, and nothing after them.
    LayerCache keysAndValues(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin);

    Attention attention{nullptr};
    FeedForward feedForward{nullptr};
    RmsNorm attentionNorm{nullptr}, ffnNorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

// Right-padded ids and each row's real length. Rows attend causally, so the
// padding after a row's last token never reaches it. Packed, the rows follow
// one another in one row without padding.
struct ForwardBatch
{
    torch::Tensor ids;            // [B, T] int64, on the compute device; packed: [1, sum of lengths]
    std::vector<int64_t> lengths; // B real lengths
};

// Rows packed token after token for a variable-length kernel: how many tokens
// each has, and the cache entry each continues (empty: rows without prefixes).
struct PackedRows
{
    std::vector<int64_t> lengths;
    std::vector<int64_t> entry;
    VarlenKernel kernel = nullptr;
};

struct InternLM2RewardModelImpl : torch::nn::Module
{
    InternLM2RewardModelImpl(const ModelConfig &config, const WeightSource &w);

    torch::Tensor embed(const torch::Tensor &ids); // [B, T] -> [B, T, H]
    // The decoder: input embeddings [B, T, H] of rows whose full lengths are
    // `rowLengths` (prefix included) -> hidden states [B, T, H] before the
    // final norm. With `past`, every row continues a prefix in it: entry
    // rowPrefix[b] for row b, or without rowPrefix the one entry (N = 1) or
    // entry b (N = B).
    torch::Tensor forward(torch::Tensor x, const std::vector<int64_t> &rowLengths, const PrefixCache *past = nullptr,
                          const std::vector<size_t> *rowPrefix = nullptr);
    // The keys and values of prefixes (embeddings [B, T, H], real lengths
    // `rowLengths`) for rows that continue them, and no hidden states: a
    // prefix's own outputs reach only the value head, which reads the rows'
    // last tokens, so the last layer stops at its keys and values.
    PrefixCache cachePrefixes(torch::Tensor x, const std::vector<int64_t> &rowLengths);
    // cachePrefixes for prefixes packed token after token (x [1, N, H], N the
    // sum of rows.lengths, rows.entry empty; inference only); the cache keeps
    // them packed.
    PrefixCache cachePackedPrefixes(torch::Tensor x, const PackedRows &rows);
    // The value head at every position of forward's hidden states: [B, T] float32.
    torch::Tensor values(const torch::Tensor &hidden);
    // Each row's reward, the value head at its last token: [B] float32, from
    // the arguments forward takes. Nothing else reads the last layer's
    // outputs, so it runs its attention and feed-forward at those tokens only.
    torch::Tensor rewards(torch::Tensor x, const std::vector<int64_t> &rowLengths, const PrefixCache *past = nullptr,
                          const std::vector<size_t> *rowPrefix = nullptr);
    // The same for rows packed token after token (inference only): x [1, N,
    // H], N the sum of rows.lengths; with `past` (a padded or packed cache),
    // row b continues entry rows.entry[b].
    torch::Tensor packedRewards(torch::Tensor x, const PackedRows &rows, const PrefixCache *past = nullptr);

    ModelConfig config;
    torch::Tensor tokEmbeddings, vHead;
    std::vector<DecoderLayer> layers;
    RmsNorm norm{nullptr};

private:
    struct PaddedPass;
    PaddedPass paddedPass(const torch::Tensor &x, const std::vector<int64_t> &rowLengths, const PrefixCache *past,
                          const std::vector<size_t> *rowPrefix) const;
    struct PackedPass;
    PackedPass packedPass(const torch::Tensor &x, const PackedRows &rows, const PrefixCache *past) const;
    // The prefix passes' layers: every layer's keys and values into `cache`,
    // the last one stopping there.
    void fillCache(torch::Tensor x, const torch::Tensor &cos, const torch::Tensor &sin, const VarlenPass *varlen,
                   PrefixCache &cache);
};
TORCH_MODULE(InternLM2RewardModel);

// Free functions of the block math (transformers' rotate_half & co).
torch::Tensor rotateHalf(const torch::Tensor &x);
torch::Tensor applyRope(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin);
// Rotary tables for positions [offset, offset + T) of rows whose full lengths
// are rowLengths, where `offsets` holds one start for every row or one for
// all: [B or 1, 1, T, D] each, in `dtype`.
std::pair<torch::Tensor, torch::Tensor> ropeCosSin(const ModelConfig &config, const std::vector<int64_t> &rowLengths,
                                                   const std::vector<int64_t> &offsets, int64_t T, torch::Dtype dtype,
                                                   const torch::Device &device);

} // namespace polar
