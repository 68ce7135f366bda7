#pragma once

#include "attribution/attribution.h"

#include <cstdint>
#include <optional>

namespace polar {

class RewardModel;

// Token contributions for one candidate, or two to compare (what explains the
// gap between them).
struct AttributionJob
{
    TextField prompt, reference;
    int64_t id = 0;
    TextField output;
    std::optional<std::pair<int64_t, TextField>> compare;
    AttributionOptions options; // its cancel and progress are set by runAttributionJob
};

struct AttributedCandidate
{
    int64_t id = 0;
    PolarInput input;
    AttributionResult result;
};

struct AttributionJobResult
{
    AttributionOptions options;
    AttributedCandidate main;
    std::optional<AttributedCandidate> compare;
};

// Progress runs over both candidates as one total.
AttributionJobResult runAttributionJob(const RewardModel &model, const AttributionJob &job,
                                       const std::atomic_bool *cancel = nullptr,
                                       const std::function<void(size_t done, size_t total)> &progress = {});

} // namespace polar
