#pragma once

// InternLM2ForRewardModel in LibTorch. A core-internal header: it includes
// torch, so only core's .cpp files may include it (ui/ never sees torch).

#include "model/config.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace polar {

// Hands each module its checkpoint tensor by full name, already on the
// compute device and in the compute dtype.
using WeightSource = std::function<torch::Tensor(const std::string &name)>;

struct RmsNormImpl : torch::nn::Module
{
    RmsNormImpl(const std::string &prefix, const WeightSource &w, double eps);
    torch::Tensor forward(const torch::Tensor &x);

    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(RmsNorm);

// Keys and values of a shared prefix, one pair per layer.
struct LayerCache
{
    torch::Tensor key;   // [B, nKV, P, D]
    torch::Tensor value; // [B, nKV, P, D]
};

struct AttentionImpl : torch::nn::Module
{
    AttentionImpl(const std::string &prefix, const WeightSource &w, const ModelConfig &config);
    // x: [B, T, H]; cos/sin: [B or 1, 1, T, D]; mask: undefined for plain
    // causal attention, else bool [1, 1, T, P + T] (true = may attend). With
    // `past`, x continues a prefix whose keys/values are in `past`;
    // `cacheOut`, if given, receives this call's keys/values.
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                          const torch::Tensor &mask, const LayerCache *past = nullptr, LayerCache *cacheOut = nullptr);

    torch::Tensor wqkv, wqkvBias, wo, woBias;
    int64_t numHeads, numKvHeads, headDim;
};
TORCH_MODULE(Attention);

struct FeedForwardImpl : torch::nn::Module
{
    FeedForwardImpl(const std::string &prefix, const WeightSource &w);
    torch::Tensor forward(const torch::Tensor &x);

    torch::Tensor w1, w2, w3;
};
TORCH_MODULE(FeedForward);

struct DecoderLayerImpl : torch::nn::Module
{
    DecoderLayerImpl(const std::string &prefix, const WeightSource &w, const ModelConfig &config);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor &cos, const torch::Tensor &sin, const torch::Tensor &mask,
                          const LayerCache *past = nullptr, LayerCache *cacheOut = nullptr);

    Attention attention{nullptr};
    FeedForward feedForward{nullptr};
    RmsNorm attentionNorm{nullptr}, ffnNorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

// Inputs of one forward pass: right-padded ids and each row's real length.
struct ForwardBatch
{
    torch::Tensor ids;     // [B, T] int64
    torch::Tensor lengths; // [B] int64, on the compute device
    std::vector<int64_t> hostLengths;
};

struct InternLM2RewardModelImpl : torch::nn::Module
{
    InternLM2RewardModelImpl(const ModelConfig &config, const WeightSource &w);

    torch::Tensor embed(const torch::Tensor &ids);
    // Final hidden states before the norm: [B, T, H]. `positionOffset` is the
    // prefix length when `past` holds a shared prefix.
    torch::Tensor decode(torch::Tensor hidden, const std::vector<int64_t> &rowLengths, int64_t positionOffset = 0,
                         const std::vector<LayerCache> *past = nullptr, std::vector<LayerCache> *cacheOut = nullptr);
    // v_head on the last real token of each row: [B] float32.
    torch::Tensor rewards(const ForwardBatch &batch);
    // Same from given input embeddings (attribution differentiates through them).
    torch::Tensor rewardsFromEmbeddings(const torch::Tensor &embeddings, const ForwardBatch &batch);
    // Rewards of rows that continue one shared prefix [1, P]: the prefix runs
    // once and its keys/values serve every row. Rows are right-padded.
    torch::Tensor rewardsWithPrefix(const torch::Tensor &prefixIds, const ForwardBatch &suffixes);
    // v_head at every position: [B, T] float32.
    torch::Tensor perPosition(const ForwardBatch &batch);
    torch::Tensor valueHead(const torch::Tensor &hidden);

    ModelConfig config;
    torch::Tensor tokEmbeddings, vHead;
    std::vector<DecoderLayer> layers;
    RmsNorm norm{nullptr};
};
TORCH_MODULE(InternLM2RewardModel);

// Free functions of the block math (transformers' rotate_half & co).
torch::Tensor rotateHalf(const torch::Tensor &x);
// Rotary tables for positions [offset, offset + T) of rows whose full lengths
// are rowLengths: [B or 1, 1, T, D] each, in `dtype`.
std::pair<torch::Tensor, torch::Tensor> ropeCosSin(const ModelConfig &config, const std::vector<int64_t> &rowLengths,
                                                   int64_t offset, int64_t T, torch::Dtype dtype,
                                                   const torch::Device &device);

} // namespace polar
