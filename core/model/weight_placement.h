#pragma once

// Inside core only (torch): reward_model.cpp and a torch-linked test.

#include "model/safetensors_reader.h"

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace polar {

// Turns a checkpoint's mapped tensors into tensors of the compute dtype on the
// device, one tensor at a time, never holding a second copy of the checkpoint:
//   CPU, stored dtype = compute dtype: the mapped bytes themselves, no copy;
//   CPU, bf16/f16 stored, fp32 compute: widened on every core, then the file's
//     pages are given back, so peak memory is the fp32 weights plus one tensor;
//   CUDA: the stored bytes stream through two pinned staging buffers (one
//     fills while the other's DMA runs) and are converted on the GPU; host
//     memory holds the staging buffers and one tensor's file pages, whatever
//     the model's size.
// Every tensor's values are checked finite, so a damaged checkpoint is named by
// its tensor at load instead of surfacing later as a NaN reward.
class WeightPlacer
{
public:
    static constexpr size_t kStagingBytes = size_t(64) << 20;

    // `staged` sends host tensors through the staging path too (tests use it on
    // the CPU with tiny buffers to cover chunking without a GPU).
    WeightPlacer(torch::Device device, torch::Dtype dtype, size_t stagingBytes = kStagingBytes, bool staged = false);

    torch::Tensor place(const TensorView &v);
    // Waits for the transfers and checks the values checked on the device;
    // throws polar::Error naming the first tensor that was not finite.
    void finish();

    uint64_t fileBytes() const { return m_fileBytes; }   // stored bytes consumed so far
    uint64_t placedBytes() const { return m_placedBytes; }
    bool allZeroCopy() const { return m_allZeroCopy; }
    bool anyZeroCopy() const { return m_anyZeroCopy; }

private:
    torch::Tensor onHost(const TensorView &v);
    torch::Tensor throughStaging(const TensorView &v);
    torch::Tensor &stagingBuffer();

    torch::Device m_device;
    torch::Dtype m_dtype;
    size_t m_stagingBytes;
    bool m_staged;
    torch::Tensor m_staging[2];
    int m_nextBuffer = 0;
    std::vector<std::pair<std::string, torch::Tensor>> m_deviceChecks; // (what, bool on the device)
    uint64_t m_fileBytes = 0, m_placedBytes = 0;
    bool m_allZeroCopy = true, m_anyZeroCopy = false;
};

torch::Dtype torchDtype(SafetensorsDType t);

} // namespace polar
