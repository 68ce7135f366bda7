#pragma once

// Core-internal: one function per attribution method, dispatched by attribute().

#include "attribution/attribution.h"

namespace polar {

AttributionResult integratedGradients(const RewardModel &model, const PolarInput &input, const AttributionOptions &options);
AttributionResult occlusion(const RewardModel &model, const PolarInput &input, const TextField &prompt,
                            const TextField &reference, const TextField &output, const AttributionOptions &options);
AttributionResult rewardCurve(const RewardModel &model, const PolarInput &input, const AttributionOptions &options);

} // namespace polar
