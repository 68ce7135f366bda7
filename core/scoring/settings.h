#pragma once

#include "scoring/encoding.h"
#include "util/json.h"

#include <cstdint>
#include <string>

namespace polar {

// How inputs are built and batched: RewardModelClient's encoding knobs and the
// token budget of one forward pass. One definition of each default and each
// bound, used by the CLI, both windows and saved sessions.
struct ScoringSettings
{
    static constexpr int kMinMaxLength = 5;                 // BOS, the reward token and two separators, plus one
    static constexpr int kMaxMaxLength = 1 << 24;
    static constexpr int64_t kDefaultBatchTokens = 16384;
    static constexpr int64_t kMaxBatchTokens = int64_t(1) << 40;

    EncodeOptions encode;
    int64_t batchTokens = kDefaultBatchTokens;

    // Throws polar::Error naming the setting by its JSON field name.
    void validate() const;
};

CutSide parseCutSide(const std::string &s); // left | right
const char *cutSideName(CutSide side);

// Fields max_length, max_response_length, response_cut_side (RewardModelClient's
// names) and batch_tokens; defaults where absent; validated. Throws
// polar::Error naming `where` and the field.
ScoringSettings scoringSettingsFromJson(const Json &j, const std::string &where);
Json scoringSettingsToJson(const ScoringSettings &s);

} // namespace polar
