#pragma once

// Attention of one decoder layer, with or without prefixes: the kernels the
// model chooses between. A core-internal header (it includes torch).
//
// Layouts: queries q [B, nKV, G, T, D] (each kv head's G query heads, head
// h = kv * G + g), keys and values k, v [B, nKV, T, D]; every function returns
// [B, nKV, G, T, D].

#include <torch/torch.h>

#include <string>
#include <vector>

namespace polar {

// Keys and values of N prefixes in one layer, padded to the longest. The
// masked kernel takes one that every row continues (N = 1) or one per row
// (N = B); a packed layout names any entry for each row.
struct LayerCache
{
    torch::Tensor key;     // [N, nKV, P, D]
    torch::Tensor value;   // [N, nKV, P, D]
    torch::Tensor visible; // [N, 1, 1, P] bool: the positions inside each row's prefix; undefined: all P
};

// LayerCache::visible for prefixes of `lengths` real positions padded to P:
// [N, 1, 1, P] bool, true inside each one.
torch::Tensor visiblePositions(const std::vector<int64_t> &lengths, int64_t P, const torch::Device &device);
// The same from lengths already on the device ([N] int64).
torch::Tensor visiblePositions(const torch::Tensor &lengths, int64_t P);

// Where each row's keys sit when rows attend through a variable-length
// kernel: row b's segment is the first L_b keys of the cache entry it
// continues (none for rows without a prefix), then its own T_b keys, with
// nothing of other rows in between. Built once per forward pass; every layer
// packs its keys and values by it.
struct RowKeyLayout
{
    torch::Tensor prefixRow, prefixPos, prefixDest; // [sum L_b] int64: cache row, position in it, packed row
    torch::Tensor ownDest;                          // [sum T_b] int64: packed row of each own key, row after row
    torch::Tensor cuQ, cuK;                         // [B+1] int32 segment starts, on the device
    std::vector<int64_t> cuQHost, cuKHost;          // the same, on the host
    int64_t maxQ = 0, maxK = 0, totalK = 0;
};

// The entries of a prefix cache, as a layout reads them: entry e holds
// lengths[e] keys, in row e of a padded cache ([N, nKV, P, D], `starts`
// empty) or from position starts[e] of a packed one ([1, nKV, sum, D]).
struct CacheEntries
{
    std::vector<int64_t> lengths;
    std::vector<int64_t> starts;
};

// Rows of ownLengths[b] tokens, row b continuing entry rowEntry[b] of
// `entries` (rowEntry empty: rows without prefixes). Padded rows count their
// padding as their own keys: it comes after every real query's keys.
RowKeyLayout rowKeyLayout(const CacheEntries &entries, const std::vector<int64_t> &rowEntry,
                          const std::vector<int64_t> &ownLengths, const torch::Device &device);

// A kernel over packed rows: q [sum T_b, nH, D], k and v [totalK, nKV, D] ->
// [sum T_b, nH, D]. Query t of a segment sees the segment's keys up to L_b + t
// (causal, aligned to the segment's end).
using VarlenKernel = torch::Tensor (*)(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                                       const RowKeyLayout &layout);

// The yardstick: the eager formula segment by segment, on any device.
torch::Tensor varlenReference(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                              const RowKeyLayout &layout);

// Rows packed segment by segment and attended by `kernel`: q [B, nKV, G, T,
// D] (B*T = sum T_b: B = 1 for rows packed token after token, or rows padded
// to T), each row's prefix read from `past` where the layout says (not copied
// per row first; none without `past`). Over padded rows, the same result as
// maskedAttention over the entries the layout names.
torch::Tensor packedAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                              const LayerCache *past, const RowKeyLayout &layout, VarlenKernel kernel);

// Attention as the reference code computes it: causal within the rows, each
// row seeing all of its prefix (only its real part where prefixes were padded).
// LibTorch 2.x: scaled_dot_product_attention, through a boolean mask where
// there are prefixes; 1.13: the eager formula.
torch::Tensor maskedAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                              const LayerCache *past);

// Attention of one query per row: row b's at own position last[b] ([B] int64
// on the device), seeing its prefix and its own keys up to that one (the
// query a value head reads). q [B, nKV, G, T, D] -> [B, nKV, G, 1, D]; past
// as maskedAttention's.
torch::Tensor lastQueryAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                                 const LayerCache *past, const torch::Tensor &last);
// The same keys as `layout`, and one query per segment: its last. With it,
// packedAttention over each row's last query (q [1, nKV, G, B, D]) gives
// what it gives for that query over all of them.
RowKeyLayout lastQueryLayout(const RowKeyLayout &layout);
// Where each segment's last query sits among a layout's packed queries:
// [B] int64 on the layout's device (the queries lastQueryLayout keeps).
torch::Tensor segmentEnds(const RowKeyLayout &layout);
// Whether rows that continue prefixes can attend through FlashAttention's
// variable-length kernel on `device` in `dtype`, with head size D and G query
// heads per kv head: LibTorch 2.x, a CUDA device and kernel that take this
// dtype and head size, not switched off (POLAR_KERNELS=masked-prefix), and,
// checked once per device, dtype and shape, the same result as the reference
// formula in float32 on a small random batch of packed rows. Why not, if not,
// in `why`.
bool flashVarlenUsable(const torch::Device &device, torch::ScalarType dtype, int64_t D, int64_t G,
                       std::string *why = nullptr);
torch::Tensor flashVarlen(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v, const RowKeyLayout &layout);

// The precision the official code keeps norms and softmax in: float32, or
// float64 when the model runs in float64 (the gradient tests do).
torch::ScalarType atLeastFloat32(torch::ScalarType t);

// The kernel that inference passes over prefixes and the rows that continue
// them use on `device` in `dtype` (head size D, G query heads per kv head),
// with rows packed token after token: flashVarlen where flashVarlenUsable,
// varlenReference where POLAR_KERNELS lists packed-reference; nullptr: rows
// padded and maskedAttention, and why in `why`.
VarlenKernel packedPrefixKernel(const torch::Device &device, torch::ScalarType dtype, int64_t D, int64_t G,
                                std::string *why = nullptr);

// A forward pass over packed rows: where each row's keys go and the kernel
// that attends them.
struct VarlenPass
{
    RowKeyLayout layout;
    VarlenKernel kernel = nullptr;
};

} // namespace polar
