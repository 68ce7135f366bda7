#include "model/weight_placement.h"

#include "model/float_bits.h"

#include <torch/cuda.h>

#include <cstring>

namespace polar {

torch::Dtype torchDtype(SafetensorsDType t)
{
    switch (t) {
    case SafetensorsDType::F32: return torch::kFloat32;
    case SafetensorsDType::F16: return torch::kFloat16;
    case SafetensorsDType::BF16: return torch::kBFloat16;
    case SafetensorsDType::F64: return torch::kFloat64;
    case SafetensorsDType::I64: return torch::kInt64;
    case SafetensorsDType::I32: return torch::kInt32;
    case SafetensorsDType::I16: return torch::kInt16;
    case SafetensorsDType::I8: return torch::kInt8;
    case SafetensorsDType::U8: return torch::kUInt8;
    case SafetensorsDType::Bool: return torch::kBool;
    }
    return torch::kFloat32;
}

namespace {

[[noreturn]] void notFinite(const TensorView &v)
{
    throw Error(v.file + ": tensor '" + v.name + "' holds NaN or infinite values; the checkpoint is damaged");
}

bool widens(SafetensorsDType stored, torch::Dtype compute)
{
    return compute == torch::kFloat32 && (stored == SafetensorsDType::BF16 || stored == SafetensorsDType::F16);
}

} // namespace

WeightPlacer::WeightPlacer(torch::Device device, torch::Dtype dtype, size_t stagingBytes, bool staged)
    : m_device(device), m_dtype(dtype), m_stagingBytes(std::max<size_t>(8, stagingBytes & ~size_t(7))),
      m_staged(staged || device.is_cuda())
{
}

torch::Tensor WeightPlacer::place(const TensorView &v)
{
    torch::NoGradGuard noGrad;
    prefetchPages(v);
    torch::Tensor t = m_staged ? throughStaging(v) : onHost(v);
    m_fileBytes += v.nbytes;
    m_placedBytes += uint64_t(t.numel()) * t.element_size();
    return t;
}

torch::Tensor WeightPlacer::onHost(const TensorView &v)
{
    const size_t count = v.nbytes / dtypeSize(v.dtype);
    const bool aligned = reinterpret_cast<uintptr_t>(v.data) % dtypeSize(v.dtype) == 0;
    if (widens(v.dtype, m_dtype)) {
        auto out = torch::empty(v.shape, torch::TensorOptions().dtype(torch::kFloat32));
        if (!widenToFloat32(v.data, count, v.dtype, out.data_ptr<float>()))
            notFinite(v);
        releasePages(v);
        m_allZeroCopy = false;
        return out;
    }
    if (!allFinite(v.data, count, v.dtype))
        notFinite(v);
    // The mapping is read-only and outlives the model; these tensors are never written.
    auto mapped = torch::from_blob(const_cast<std::byte *>(v.data), v.shape, torch::TensorOptions().dtype(torchDtype(v.dtype)));
    if (aligned && mapped.scalar_type() == m_dtype) {
        m_anyZeroCopy = true;
        return mapped;
    }
    auto out = mapped.to(m_dtype, /*non_blocking=*/false, /*copy=*/true);
    releasePages(v);
    m_allZeroCopy = false;
    return out;
}

torch::Tensor &WeightPlacer::stagingBuffer()
{
    torch::Tensor &b = m_staging[m_nextBuffer];
    m_nextBuffer ^= 1;
    if (!b.defined())
        b = torch::empty({int64_t(m_stagingBytes)}, torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(m_device.is_cuda()));
    return b;
}

torch::Tensor WeightPlacer::throughStaging(const TensorView &v)
{
    m_allZeroCopy = false;
    auto bytes = torch::empty({int64_t(v.nbytes)}, torch::TensorOptions().dtype(torch::kUInt8).device(m_device));
    for (size_t offset = 0; offset < v.nbytes;) {
        const size_t n = std::min(m_stagingBytes, v.nbytes - offset);
        torch::Tensor &buffer = stagingBuffer();
        // The DMA from this buffer was issued two chunks ago and waited for
        // before the previous chunk was sent, so it is free to fill.
        std::memcpy(buffer.data_ptr(), v.data + offset, n);
        if (m_device.is_cuda())
            torch::cuda::synchronize(); // the other buffer's DMA: done before it is refilled
        bytes.narrow(0, int64_t(offset), int64_t(n)).copy_(buffer.narrow(0, 0, int64_t(n)), /*non_blocking=*/true);
        offset += n;
    }
    releasePages(v);
    // Reinterpret as the stored dtype and shape, then convert where it lives.
    auto stored = bytes.view(torchDtype(v.dtype)).view(v.shape);
    auto out = stored.is_floating_point() ? stored.to(m_dtype) : stored;
    // Checked where the values now are, read back once in finish(): no second
    // pass over host memory and no wait per tensor.
    m_deviceChecks.emplace_back(v.file + ": tensor '" + v.name + "'", torch::isfinite(stored).all());
    return out;
}

void WeightPlacer::finish()
{
    if (m_device.is_cuda())
        torch::cuda::synchronize();
    for (const auto &[what, ok] : m_deviceChecks)
        if (!ok.item<bool>())
            throw Error(what + " holds NaN or infinite values; the checkpoint is damaged");
    m_deviceChecks.clear();
}

} // namespace polar
