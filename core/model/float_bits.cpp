#include "model/float_bits.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace polar {

namespace {

// Runs fn(begin, end) over [0, count) in blocks on every core; the calling
// thread takes blocks too. Small inputs stay on the calling thread.
template <typename Fn>
void forBlocks(size_t count, Fn fn)
{
    constexpr size_t kBlock = size_t(1) << 20;
    const size_t blocks = (count + kBlock - 1) / kBlock;
    const size_t threads = std::min<size_t>(blocks, std::max(1u, std::thread::hardware_concurrency()));
    if (threads <= 1) {
        fn(size_t(0), count);
        return;
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t b; (b = next.fetch_add(1)) < blocks;)
            fn(b * kBlock, std::min(count, (b + 1) * kBlock));
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto &t : pool)
        t.join();
}

uint16_t load16(const std::byte *p)
{
    uint16_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// bf16 is the top half of a float32: widening is a shift.
bool widenBf16(const std::byte *src, size_t begin, size_t end, float *dst)
{
    uint16_t bad = 0;
    for (size_t i = begin; i < end; ++i) {
        const uint16_t h = load16(src + 2 * i);
        bad |= uint16_t((h & 0x7f80u) == 0x7f80u);
        const uint32_t bits = uint32_t(h) << 16;
        std::memcpy(dst + i, &bits, sizeof bits);
    }
    return bad == 0;
}

// f16: move exponent and mantissa into float32's fields and rescale by
// 2^(127-15); the multiply also normalises f16 subnormals exactly. Branch-free
// so that the loop vectorises; NaN and infinity are reported, not converted.
bool widenF16(const std::byte *src, size_t begin, size_t end, float *dst)
{
    const float scale = 0x1p112f;
    uint16_t bad = 0;
    for (size_t i = begin; i < end; ++i) {
        const uint16_t h = load16(src + 2 * i);
        bad |= uint16_t((h & 0x7c00u) == 0x7c00u);
        const uint32_t magnitudeBits = uint32_t(h & 0x7fffu) << 13;
        float magnitude;
        std::memcpy(&magnitude, &magnitudeBits, sizeof magnitude);
        magnitude *= scale;
        uint32_t bits;
        std::memcpy(&bits, &magnitude, sizeof bits);
        bits |= uint32_t(h & 0x8000u) << 16;
        std::memcpy(dst + i, &bits, sizeof bits);
    }
    return bad == 0;
}

} // namespace

bool allFinite(const std::byte *data, size_t count, SafetensorsDType dtype)
{
    // A float is NaN or infinite exactly when its exponent bits are all ones.
    auto scan = [&](auto word, auto exponent) {
        using W = decltype(word);
        const W mask = W(exponent);
        std::atomic_bool ok{true};
        forBlocks(count, [&](size_t begin, size_t end) {
            W bad = 0;
            for (size_t i = begin; i < end; ++i) {
                W w;
                std::memcpy(&w, data + i * sizeof(W), sizeof(W));
                bad |= W((w & mask) == mask);
            }
            if (bad)
                ok = false;
        });
        return ok.load();
    };
    switch (dtype) {
    case SafetensorsDType::F32: return scan(uint32_t(0), 0x7f800000u);
    case SafetensorsDType::F16: return scan(uint16_t(0), 0x7c00u);
    case SafetensorsDType::BF16: return scan(uint16_t(0), 0x7f80u);
    case SafetensorsDType::F64: return scan(uint64_t(0), 0x7ff0000000000000ull);
    default: return true;
    }
}

bool widenToFloat32(const std::byte *src, size_t count, SafetensorsDType dtype, float *dst)
{
    if (dtype != SafetensorsDType::BF16 && dtype != SafetensorsDType::F16)
        throw Error(std::string("cannot widen ") + dtypeName(dtype) + " to float32 (only BF16 and F16)");
    std::atomic_bool ok{true};
    forBlocks(count, [&](size_t begin, size_t end) {
        const bool finite = dtype == SafetensorsDType::BF16 ? widenBf16(src, begin, end, dst) : widenF16(src, begin, end, dst);
        if (!finite)
            ok = false;
    });
    return ok.load();
}

} // namespace polar
