#include "scoring/settings.h"

#include "util/error.h"

namespace polar {

void ScoringSettings::validate() const
{
    if (encode.maxLength < kMinMaxLength || encode.maxLength > kMaxMaxLength)
        throw Error("max_length must be between " + std::to_string(kMinMaxLength) + " and " + std::to_string(kMaxMaxLength)
                    + ", got " + std::to_string(encode.maxLength));
    if (encode.maxResponseLength < 1 || encode.maxResponseLength > kMaxMaxLength)
        throw Error("max_response_length must be between 1 and " + std::to_string(kMaxMaxLength) + ", got "
                    + std::to_string(encode.maxResponseLength));
    if (batchTokens < 1 || batchTokens > kMaxBatchTokens)
        throw Error("batch_tokens must be between 1 and " + std::to_string(kMaxBatchTokens) + ", got " + std::to_string(batchTokens));
}

CutSide parseCutSide(const std::string &s)
{
    if (s == "left")
        return CutSide::Left;
    if (s == "right")
        return CutSide::Right;
    throw Error("'" + s + "' is not a cut side (left, right)");
}

const char *cutSideName(CutSide side)
{
    return side == CutSide::Left ? "left" : "right";
}

ScoringSettings scoringSettingsFromJson(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": expected an object, found " + std::string(jsonTypeName(j)));
    ScoringSettings s;
    auto bounded = [&](const char *key, int64_t fallback, int64_t lo, int64_t hi) {
        const int64_t v = optionalInteger(j, key, where, fallback);
        if (v < lo || v > hi)
            throw Error(where + ": field '" + key + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi)
                        + ", got " + std::to_string(v));
        return v;
    };
    s.encode.maxLength = int(bounded("max_length", s.encode.maxLength, ScoringSettings::kMinMaxLength, ScoringSettings::kMaxMaxLength));
    s.encode.maxResponseLength = int(bounded("max_response_length", s.encode.maxResponseLength, 1, ScoringSettings::kMaxMaxLength));
    s.batchTokens = bounded("batch_tokens", s.batchTokens, 1, ScoringSettings::kMaxBatchTokens);
    try {
        s.encode.cutSide = parseCutSide(optionalString(j, "response_cut_side", where, "left"));
    } catch (const Error &e) {
        throw Error(where + ": field 'response_cut_side': " + std::string(e.what()));
    }
    return s;
}

Json scoringSettingsToJson(const ScoringSettings &s)
{
    return objectFromPairs({{"max_length", s.encode.maxLength},
                            {"max_response_length", s.encode.maxResponseLength},
                            {"response_cut_side", cutSideName(s.encode.cutSide)},
                            {"batch_tokens", s.batchTokens}});
}

} // namespace polar
