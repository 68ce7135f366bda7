#pragma once

#include "util/json.h"
#include "scoring/text_field.h"

#include <memory>
#include <string>
#include <vector>

namespace polar {

class Tokenizer;

// Which part of the POLAR template a token belongs to.
enum class Segment { Prompt, Reference, PromptCopy, Output, Special };
const char *segmentName(Segment s);

enum class CutSide { Left, Right };

// RewardModelClient's knobs, with its defaults.
struct EncodeOptions
{
    int maxLength = 16384;
    int maxResponseLength = 4096;
    CutSide cutSide = CutSide::Left;
};

// What _encode cut away, in tokens (BOS counted, as the official code counts it).
struct Truncation
{
    int promptDropped = 0;
    int referenceDropped = 0;
    int outputDropped = 0;
    bool overMaxLength = false; // the final input is longer than max_length anyway
    bool any() const { return promptDropped || referenceDropped || outputDropped || overMaxLength; }
    std::string describe() const;
};

struct EncodedToken
{
    int id = 0;
    Segment segment = Segment::Special;
    size_t begin = 0, end = 0;            // bytes in PolarInput::text
    long fieldBegin = -1, fieldEnd = -1;  // bytes in the original (flattened) field, -1 if none
    std::string piece;                    // the sentencepiece piece, for display ("▁the", "<0x0A>")
};

// The model's input for one (prompt, reference, output) triple.
struct PolarInput
{
    std::string text;                    // exactly what _encode returns
    std::vector<int> ids;                // encode(text) with BOS; ends with reward_token_id
    std::vector<EncodedToken> tokens;    // one per id
    std::string prompt, reference, output; // each part after the encode/truncate/decode round trip
    size_t segmentBegin[4] = {0, 0, 0, 0}; // byte offset of each non-special segment in text
    Truncation truncation;

    size_t outputTokenBegin() const;     // index of the first output token
};

// One preference pair as POLAR fine-tuning feeds it to the model.
struct TrainingPairIds
{
    std::vector<int> chosen, rejected; // each ends with reward_token_id
    int promptDropped = 0, referenceDropped = 0, chosenDropped = 0, rejectedDropped = 0;
};

// A faithful port of xtuner's RewardModelClient._encode (wrapper "sft").
class PolarEncoder
{
public:
    // rewardTokenId comes from config.json; its piece ends every input.
    PolarEncoder(std::shared_ptr<const Tokenizer> tokenizer, int rewardTokenId);

    PolarInput encode(const TextField &prompt, const TextField &reference, const TextField &output,
                      const EncodeOptions &options = {}) const;
    // xtuner's tokenize_ref (wrapper "sft"), the training-time twin of
    // encode(): each response keeps its first maxResponseLength ids; the prompt
    // keeps its last ids within the budget both candidates leave; "\n" joins
    // only non-empty parts; the reward token id is appended after encoding.
    TrainingPairIds encodePair(const TextField &prompt, const TextField &reference, const TextField &chosen,
                               const TextField &rejected, int maxLength, int maxResponseLength) const;
    const Tokenizer &tokenizer() const { return *m_tokenizer; }
    const std::string &rewardSeparator() const { return m_rewardSeparator; }
    const std::string &rewardSuffix() const { return m_rewardSuffix; }

private:
    std::shared_ptr<const Tokenizer> m_tokenizer;
    int m_rewardTokenId;
    std::string m_rewardSeparator; // "<|reward|>"
    std::string m_rewardSuffix;    // the reward token's piece, "[UNUSED_TOKEN_130]"
};

// Converts a byte offset in UTF-8 text to a code point offset.
long utf8CodepointOffset(const std::string &text, long byteOffset);

} // namespace polar
