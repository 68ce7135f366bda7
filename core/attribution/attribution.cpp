#include "attribution/attribution.h"

#include "attribution/methods.h"

namespace polar {

AttributionResult attribute(const RewardModel &model, const PolarInput &input, const TextField &prompt,
                            const TextField &reference, const TextField &output, const AttributionOptions &options)
{
    switch (options.method) {
    case AttributionMethod::GradientTimesInput:
        return gradientTimesInputBatch(model, {input}, options).front();
    case AttributionMethod::IntegratedGradients:
        return integratedGradients(model, input, options);
    case AttributionMethod::Occlusion:
        return occlusion(model, input, prompt, reference, output, options);
    case AttributionMethod::RewardCurve:
        return rewardCurve(model, input, options);
    }
    return {};
}

} // namespace polar
