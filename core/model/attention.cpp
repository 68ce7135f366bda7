#include "model/attention.h"

#include "model/kernel_choices.h"

#include <torch/version.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <tuple>

#define POLAR_TORCH_AT_LEAST(major, minor) \
    (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace polar {

torch::ScalarType atLeastFloat32(torch::ScalarType t)
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

// ---- the reference formula ---------------------------------------------------

// Eager grouped-query attention, as the official eager module computes it
// (masked scores get finfo.min, softmax in float32), without copying keys or
// values per query head: each kv head's G query heads are folded into its rows.
// One prefix that every row continues (`past`, [1, nKV, P, D]) is seen by
// every query without a copy per batch row; prefixes of their own ([B, nKV,
// P, D]) are seen row by row, each only up to its real length.
[[maybe_unused]] static torch::Tensor eagerAttention(const torch::Tensor &q, const torch::Tensor &k,
                                                     const torch::Tensor &v, const LayerCache *past)
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
    if (!past)
        return torch::matmul(probs, v).view({B, nKV, G, T, D});
    // The official module multiplies by all P+T values in one product, which
    // accumulates in float32 and rounds once; two products summed in bf16 would
    // round three times. So the two halves accumulate in float32 here too.
    const auto acc = atLeastFloat32(dtype);
    auto out = torch::matmul(probs.slice(-1, P).to(acc), v.to(acc));           // [B, nKV, G*T, D]
    if (onePrefix) {
        auto p = probs.slice(-1, 0, P).permute({1, 0, 2, 3}).reshape({nKV, B * G * T, P}).to(acc);
        out = out + torch::matmul(p, past->value[0].to(acc)).view({nKV, B, G * T, D}).permute({1, 0, 2, 3});
    } else {
        out = out + torch::matmul(probs.slice(-1, 0, P).to(acc), past->value.to(acc));
    }
    return out.to(dtype).view({B, nKV, G, T, D});
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
#if POLAR_TORCH_AT_LEAST(2, 5)
    // Query head h reads kv head h / G, as repeat lays them out.
    if (!mask.defined() && !kernelChoiceListed("repeat-kv"))
        return at::scaled_dot_product_attention(heads, keys, values, {}, 0.0, /*is_causal=*/true, std::nullopt, /*enable_gqa=*/true)
            .view({B, nKV, G, T, D});
#endif
    auto out = mask.defined() ? at::scaled_dot_product_attention(heads, repeat(keys), repeat(values), mask)
                              : at::scaled_dot_product_attention(heads, repeat(keys), repeat(values), {}, 0.0, /*is_causal=*/true);
    return out.view({B, nKV, G, T, D});
}
#endif

torch::Tensor maskedAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                              const LayerCache *past)
{
#if TORCH_VERSION_MAJOR >= 2
    return sdpaAttention(q, k, v, past);
#else
    return eagerAttention(q, k, v, past);
#endif
}

torch::Tensor lastQueryAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                                 const LayerCache *past, const torch::Tensor &last)
{
    const int64_t B = q.size(0), nKV = q.size(1), G = q.size(2), T = q.size(3), D = q.size(4);
    if (last.numel() != B)
        throw std::invalid_argument("lastQueryAttention: " + std::to_string(last.numel()) + " positions for " +
                                    std::to_string(B) + " rows");
    const auto index = last.view({B, 1, 1, 1});
    auto q1 = q.gather(3, index.unsqueeze(-1).expand({B, nKV, G, 1, D}));   // [B, nKV, G, 1, D]
    auto k1 = k.gather(2, index.expand({B, nKV, 1, D}));                     // [B, nKV, 1, D]
    auto v1 = v.gather(2, index.expand({B, nKV, 1, D}));
    // The row's own keys before the query are read as a prefix it continues.
    LayerCache before{k, v, visiblePositions(last, T)}; // [B, 1, 1, T]
    if (past) {
        const int64_t P = past->key.size(2);
        auto rows = [&](const torch::Tensor &x) { return x.expand({B, -1, -1, -1}); };
        auto seen = past->visible.defined() ? rows(past->visible)
                                            : torch::ones({B, 1, 1, P}, before.visible.options());
        before = {torch::cat({rows(past->key), k}, 2), torch::cat({rows(past->value), v}, 2),
                  torch::cat({seen, before.visible}, -1)};                    // [B, nKV, P+T, D]
    }
    return maskedAttention(q1, k1, v1, &before);
}

torch::Tensor visiblePositions(const std::vector<int64_t> &lengths, int64_t P, const torch::Device &device)
{
    return visiblePositions(torch::tensor(lengths, torch::kLong).to(device), P);
}

torch::Tensor visiblePositions(const torch::Tensor &lengths, int64_t P)
{
    auto positions = torch::arange(0, P, lengths.options()).view({1, P});
    return (positions < lengths.view({-1, 1})).view({-1, 1, 1, P});
}

// ---- rows packed by segment ------------------------------------------------

RowKeyLayout rowKeyLayout(const CacheEntries &entries, const std::vector<int64_t> &rowEntry,
                          const std::vector<int64_t> &ownLengths, const torch::Device &device)
{
    if (!rowEntry.empty() && rowEntry.size() != ownLengths.size())
        throw std::invalid_argument("rowKeyLayout: " + std::to_string(rowEntry.size()) + " cache entries for " +
                                    std::to_string(ownLengths.size()) + " rows");
    if (!entries.starts.empty() && entries.starts.size() != entries.lengths.size())
        throw std::invalid_argument("rowKeyLayout: cache entries need one start each");
    std::vector<int64_t> prefixRow, prefixPos, prefixDest, ownDest;
    RowKeyLayout layout;
    layout.cuQHost = {0};
    layout.cuKHost = {0};
    for (size_t b = 0; b < ownLengths.size(); ++b) {
        int64_t L = 0, row = 0, first = 0; // the prefix: L keys from (row, first) of the cache
        if (!rowEntry.empty()) {
            const int64_t n = rowEntry[b];
            if (n < 0 || size_t(n) >= entries.lengths.size())
                throw std::invalid_argument("rowKeyLayout: a row continues entry " + std::to_string(n) + " of " +
                                            std::to_string(entries.lengths.size()));
            L = entries.lengths[size_t(n)];
            row = entries.starts.empty() ? n : 0;
            first = entries.starts.empty() ? 0 : entries.starts[size_t(n)];
        }
        const int64_t T = ownLengths[b];
        if (T < 1)
            throw std::invalid_argument("rowKeyLayout: a row without tokens");
        const int64_t start = layout.cuKHost.back();
        for (int64_t p = 0; p < L; ++p) {
            prefixRow.push_back(row);
            prefixPos.push_back(first + p);
            prefixDest.push_back(start + p);
        }
        for (int64_t t = 0; t < T; ++t)
            ownDest.push_back(start + L + t);
        layout.cuKHost.push_back(start + L + T);
        layout.cuQHost.push_back(layout.cuQHost.back() + T);
        layout.maxK = std::max(layout.maxK, L + T);
        layout.maxQ = std::max(layout.maxQ, T);
    }
    layout.totalK = layout.cuKHost.back();
    if (layout.totalK > std::numeric_limits<int32_t>::max())
        throw std::invalid_argument("rowKeyLayout: more keys than 32-bit segment offsets hold");
    auto longs = [&](const std::vector<int64_t> &x) { return torch::tensor(x, torch::kLong).to(device); };
    auto ints = [&](const std::vector<int64_t> &x) { return torch::tensor(x, torch::kLong).to(torch::kInt32).to(device); };
    layout.prefixRow = longs(prefixRow);
    layout.prefixPos = longs(prefixPos);
    layout.prefixDest = longs(prefixDest);
    layout.ownDest = longs(ownDest);
    layout.cuQ = ints(layout.cuQHost);
    layout.cuK = ints(layout.cuKHost);
    return layout;
}

RowKeyLayout lastQueryLayout(const RowKeyLayout &layout)
{
    RowKeyLayout last = layout;
    last.cuQHost.resize(layout.cuQHost.size());
    for (size_t b = 0; b < last.cuQHost.size(); ++b)
        last.cuQHost[b] = int64_t(b);
    last.cuQ = torch::tensor(last.cuQHost, torch::kLong).to(torch::kInt32).to(layout.cuQ.device());
    last.maxQ = 1;
    return last;
}

torch::Tensor segmentEnds(const RowKeyLayout &layout)
{
    std::vector<int64_t> ends;
    for (size_t b = 1; b < layout.cuQHost.size(); ++b)
        ends.push_back(layout.cuQHost[b] - 1);
    return torch::tensor(ends, torch::kLong).to(layout.cuQ.device());
}

// Row b's prefix keys (read from `cached`, if any) then its own, segment after
// segment: [B, nKV, T, D] -> [totalK, nKV, D].
static torch::Tensor packRows(const torch::Tensor *cached, const torch::Tensor &own, const RowKeyLayout &layout)
{
    const int64_t B = own.size(0), nKV = own.size(1), T = own.size(2), D = own.size(3);
    auto packed = torch::empty({layout.totalK, nKV, D}, own.options());
    if (cached && layout.prefixDest.numel() > 0)
        packed.index_copy_(0, layout.prefixDest, cached->permute({0, 2, 1, 3}).index({layout.prefixRow, layout.prefixPos}));
    packed.index_copy_(0, layout.ownDest, own.permute({0, 2, 1, 3}).reshape({B * T, nKV, D}));
    return packed;
}

torch::Tensor packedAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                              const LayerCache *past, const RowKeyLayout &layout, VarlenKernel kernel)
{
    const int64_t B = q.size(0), nKV = q.size(1), G = q.size(2), T = q.size(3), D = q.size(4);
    if (B * T != layout.cuQHost.back())
        throw std::invalid_argument("packedAttention: " + std::to_string(B * T) + " queries for a layout of " +
                                    std::to_string(layout.cuQHost.back()));
    if (!past && layout.prefixDest.numel() > 0)
        throw std::invalid_argument("packedAttention: the layout reads prefixes, but no cache was given");
    auto queries = q.permute({0, 3, 1, 2, 4}).reshape({B * T, nKV * G, D}); // [B*T, nH, D]
    auto out = kernel(queries, packRows(past ? &past->key : nullptr, k, layout),
                      packRows(past ? &past->value : nullptr, v, layout), layout);
    return out.reshape({B, T, nKV, G, D}).permute({0, 2, 3, 1, 4});         // [B, nKV, G, T, D]
}

torch::Tensor varlenReference(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                              const RowKeyLayout &layout)
{
    const int64_t G = q.size(1) / k.size(1), D = q.size(2);
    const auto dtype = q.scalar_type();
    const auto longs = torch::TensorOptions().dtype(torch::kLong).device(q.device());
    std::vector<torch::Tensor> rows;
    for (size_t b = 0; b + 1 < layout.cuQHost.size(); ++b) {
        auto qs = q.slice(0, layout.cuQHost[b], layout.cuQHost[b + 1]).transpose(0, 1);                   // [nH, Tq, D]
        auto ks = k.slice(0, layout.cuKHost[b], layout.cuKHost[b + 1]).repeat_interleave(G, 1).transpose(0, 1); // [nH, Tk, D]
        auto vs = v.slice(0, layout.cuKHost[b], layout.cuKHost[b + 1]).repeat_interleave(G, 1).transpose(0, 1);
        const int64_t Tq = qs.size(1), Tk = ks.size(1);
        auto scores = torch::matmul(qs * (1.0 / std::sqrt(double(D))), ks.transpose(1, 2));               // [nH, Tq, Tk]
        auto hidden = torch::arange(0, Tk, longs).view({1, Tk}) > torch::arange(Tk - Tq, Tk, longs).view({Tq, 1});
        scores.masked_fill_(hidden, lowest(dtype));
        auto probs = torch::softmax(scores, -1, atLeastFloat32(dtype)).to(dtype);
        rows.push_back(torch::matmul(probs, vs).transpose(0, 1));                                           // [Tq, nH, D]
    }
    return torch::cat(rows, 0);
}

// ---- FlashAttention's variable-length kernel (LibTorch 2.x on CUDA) ----------

torch::Tensor flashVarlen(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v, const RowKeyLayout &layout)
{
#if POLAR_TORCH_AT_LEAST(2, 3)
    // An ATen operator, not public API: causal here means aligned to each
    // segment's end (torch.nn.attention.bias.causal_lower_right calls it so).
    return std::get<0>(at::_flash_attention_forward(q, k, v, layout.cuQ, layout.cuK, layout.maxQ, layout.maxK,
                                                    /*dropout_p=*/0.0, /*is_causal=*/true, /*return_debug_mask=*/false));
#else
    (void)q, (void)k, (void)v, (void)layout;
    throw std::runtime_error("flashVarlen needs LibTorch 2.3 or later");
#endif
}

// The kernel against the reference formula in float32 on a small random
// batch of rows packed token after token, with prefixes of different lengths
// (one empty) read from a packed cache: a layout or alignment mistake moves
// outputs by O(1), bf16 rounding by a few hundredths.
[[maybe_unused]] static std::string flashVarlenMismatch(const torch::Device &device, torch::ScalarType dtype, int64_t D, int64_t G)
{
    const int64_t nKV = 2;
    const CacheEntries entries{{9, 4, 0}, {0, 9, 13}};
    const std::vector<int64_t> own = {5, 1, 3};
    const int64_t N = 9, S = 13;
    auto generator = at::detail::createCPUGenerator(20261128);
    auto random = [&](std::vector<int64_t> shape) {
        return at::randn(shape, generator, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
    };
    const auto q = random({1, nKV, G, N, D}), k = random({1, nKV, N, D}), v = random({1, nKV, N, D});
    const LayerCache past{random({1, nKV, S, D}), random({1, nKV, S, D}), {}};
    const auto layout = rowKeyLayout(entries, {0, 1, 2}, own, device);
    const LayerCache low{past.key.to(dtype), past.value.to(dtype), {}};
    auto differs = [&](const torch::Tensor &queries, const RowKeyLayout &l) {
        const auto want = packedAttention(queries, k, v, &past, l, varlenReference);
        const auto got = packedAttention(queries.to(dtype), k.to(dtype), v.to(dtype), &low, l, flashVarlen).to(torch::kFloat32);
        return (want - got).abs().max().item<double>();
    };
    // Every query, and each segment's last alone as a reward pass's last
    // layer asks (FlashAttention may take another path for a single query).
    const double diff = std::max(differs(q, layout), differs(q.index_select(3, segmentEnds(layout)), lastQueryLayout(layout)));
    if (!(diff <= 0.05))
        return "it differs from the reference formula by " + std::to_string(diff) + " on a check batch";
    return {};
}

bool flashVarlenUsable(const torch::Device &device, torch::ScalarType dtype, int64_t D, int64_t G, std::string *why)
{
    auto no = [&](const std::string &reason) {
        if (why)
            *why = reason;
        return false;
    };
#if POLAR_TORCH_AT_LEAST(2, 3)
    if (!device.is_cuda())
        return no("not on a CUDA device");
    if (dtype != torch::kBFloat16 && dtype != torch::kFloat16)
        return no("FlashAttention takes bf16 and fp16 only");
    if (D % 8 != 0 || D > 256)
        return no("FlashAttention takes head sizes that are multiples of 8 up to 256");
    if (kernelChoiceListed("masked-prefix"))
        return no("switched off (POLAR_KERNELS=masked-prefix)");
    using Key = std::tuple<int, int, int64_t, int64_t>;
    static std::mutex mutex;
    static std::map<Key, std::string> checked; // empty: usable; else why not
    const Key key{device.has_index() ? device.index() : -1, int(dtype), D, G};
    std::lock_guard<std::mutex> lock(mutex);
    auto found = checked.find(key);
    if (found == checked.end()) {
        std::string reason;
        try {
            reason = flashVarlenMismatch(device, dtype, D, G);
        } catch (const c10::OutOfMemoryError &) {
            throw; // the scorer splits the pass; check again on the next one
        } catch (const c10::Error &e) {
            const std::string what = e.what_without_backtrace();
            reason = "FlashAttention refused it: " + what.substr(0, what.find('\n'));
        }
        found = checked.emplace(key, reason).first;
    }
    return found->second.empty() ? true : no(found->second);
#else
    (void)device, (void)dtype, (void)D, (void)G;
    return no("needs LibTorch 2.3 or later");
#endif
}

VarlenKernel packedPrefixKernel(const torch::Device &device, torch::ScalarType dtype, int64_t D, int64_t G,
                                std::string *why)
{
    if (kernelChoiceListed("packed-reference"))
        return varlenReference;
    return flashVarlenUsable(device, dtype, D, G, why) ? flashVarlen : nullptr;
}

} // namespace polar
