#pragma once

// Inside core only (torch): the trainer and a torch-linked test.

#include "model/internlm2_model.h"

#include <vector>

namespace polar {

// Rows interleaved chosen, rejected, chosen, rejected...: the reward at each
// row's last token, then per pair -log sigmoid(r_chosen - r_rejected) and the
// margin r_chosen - r_rejected. Differentiable; losses and margins are [N].
struct PairOutputs
{
    torch::Tensor losses, margins;
};
PairOutputs pairLosses(InternLM2RewardModelImpl &model, const ForwardBatch &batch);

} // namespace polar
