// Occlusion: remove one unit of the output, re-encode, re-score; the
// contribution is the reward drop.
#include "attribution/methods.h"

#include "util/error.h"
#include "model/reward_model.h"
#include "scoring/scorer.h"

#include <cctype>
#include <chrono>

namespace polar {

AttributionResult occlusion(const RewardModel &model, const PolarInput &in, const TextField &prompt,
                            const TextField &reference, const TextField &output, const AttributionOptions &options)
{
    const auto started = std::chrono::steady_clock::now();
    const std::string text = output.flattened();

    // Units as byte ranges of the output field.
    std::vector<std::pair<size_t, size_t>> units;
    if (options.occlusionUnit == Granularity::Token) {
        for (const auto &t : in.tokens)
            if (t.segment == Segment::Output && t.fieldBegin >= 0 && t.fieldEnd > t.fieldBegin)
                units.emplace_back(size_t(t.fieldBegin), size_t(t.fieldEnd));
    } else {
        units = textUnits(text, options.occlusionUnit);
    }

    // The full input first, then the output without each unit (and the
    // whitespace after it, or before it for the last unit, so words do not fuse).
    std::vector<std::vector<int>> seqs{in.ids};
    for (const auto &[b, e] : units) {
        size_t cutBegin = b, cutEnd = e;
        if (options.occlusionUnit != Granularity::Token) {
            while (cutEnd < text.size() && std::isspace(static_cast<unsigned char>(text[cutEnd])))
                ++cutEnd;
            if (cutEnd == text.size())
                while (cutBegin > 0 && std::isspace(static_cast<unsigned char>(text[cutBegin - 1])))
                    --cutBegin;
        }
        const std::string shorter = text.substr(0, cutBegin) + text.substr(cutEnd);
        seqs.push_back(model.encoder().encode(prompt, reference, TextField::fromString(shorter), options.encode).ids);
    }
    ScoreOptions so;
    so.batchTokens = options.batchTokens;
    so.cancel = options.cancel;
    so.progress = options.progress;
    const auto scores = scoreSequences(model, seqs, so);
    for (const auto &s : scores)
        if (!s.ok)
            throw Error("occlusion: " + s.error);

    AttributionResult r;
    r.method = AttributionMethod::Occlusion;
    r.reward = scores[0].reward;
    r.tokenValues.assign(in.tokens.size(), 0.0);
    for (size_t u = 0; u < units.size(); ++u) {
        AttributionSpan span;
        span.segment = Segment::Output;
        span.fieldBegin = long(units[u].first);
        span.fieldEnd = long(units[u].second);
        span.text = text.substr(units[u].first, units[u].second - units[u].first);
        span.value = double(scores[0].reward) - double(scores[u + 1].reward);
        // Map back onto the encoded text through the output tokens' field offsets.
        bool first = true;
        for (size_t k = 0; k < in.tokens.size(); ++k) {
            const EncodedToken &t = in.tokens[k];
            if (t.segment != Segment::Output || t.fieldBegin < 0)
                continue;
            size_t p = size_t(t.fieldBegin);
            while (p < size_t(t.fieldEnd) && std::isspace(static_cast<unsigned char>(text[p])))
                ++p;
            if (p >= units[u].first && p < units[u].second) {
                r.tokenValues[k] = span.value;
                if (first) {
                    span.firstToken = k;
                    span.begin = t.begin + (p - size_t(t.fieldBegin));
                    first = false;
                }
                span.lastToken = k;
                span.end = t.end;
            }
        }
        r.occludedUnits.push_back(span);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
}

} // namespace polar
