#include "attribution/job.h"

#include "model/reward_model.h"

namespace polar {

AttributionJobResult runAttributionJob(const RewardModel &model, const AttributionJob &job, const std::atomic_bool *cancel,
                                       const std::function<void(size_t, size_t)> &progress)
{
    AttributionJobResult out;
    out.options = job.options;
    out.options.cancel = nullptr;
    out.options.progress = nullptr;
    AttributionOptions o = job.options;
    o.cancel = cancel;
    const size_t parts = job.compare ? 2 : 1;
    auto run = [&](int64_t id, const TextField &output, size_t part) {
        o.progress = [&progress, part, parts](size_t done, size_t total) {
            if (progress)
                progress(part * total + done, parts * total);
        };
        AttributedCandidate c;
        c.id = id;
        c.input = model.encoder().encode(job.prompt, job.reference, output, o.encode);
        c.result = attribute(model, c.input, job.prompt, job.reference, output, o);
        return c;
    };
    out.main = run(job.id, job.output, 0);
    if (job.compare)
        out.compare = run(job.compare->first, job.compare->second, 1);
    return out;
}

} // namespace polar
