#include "scoring/encoding.h"

#include "util/error.h"
#include "model/tokenizer.h"

namespace polar {

namespace {

const char *const kRewardSeparator = "<|reward|>";

// Python's ids[-n:] for any integer n, as _encode uses it: n == 0 keeps all,
// n < 0 drops the first -n ids.
std::vector<int> pythonTailSlice(const std::vector<int> &ids, long n)
{
    long start;
    if (n == 0)
        start = 0;
    else if (n > 0)
        start = std::max(0L, long(ids.size()) - n);
    else
        start = std::min(long(ids.size()), -n);
    return std::vector<int>(ids.begin() + start, ids.end());
}

// Python's n // 2 (floor, also for negative n).
long floorHalf(long n)
{
    return n >= 0 ? n / 2 : -((-n + 1) / 2);
}

int cutResponse(std::vector<int> &ids, int maxLen, CutSide side)
{
    if (int(ids.size()) <= maxLen)
        return 0;
    const int dropped = int(ids.size()) - maxLen;
    if (side == CutSide::Right)
        ids.resize(size_t(maxLen));
    else
        ids.erase(ids.begin(), ids.begin() + dropped);
    return dropped;
}

// Where `decoded` sits in the original field: after a left cut it is a suffix,
// after a right cut a prefix; -1 when the round trip changed it.
long fieldShift(const std::string &original, const std::string &decoded)
{
    if (original.compare(0, decoded.size(), decoded) == 0)
        return 0;
    if (decoded.size() <= original.size()
        && original.compare(original.size() - decoded.size(), decoded.size(), decoded) == 0)
        return long(original.size() - decoded.size());
    const size_t at = original.find(decoded);
    return at == std::string::npos ? -1 : long(at);
}

} // namespace

const char *segmentName(Segment s)
{
    switch (s) {
    case Segment::Prompt: return "prompt";
    case Segment::Reference: return "reference";
    case Segment::PromptCopy: return "prompt_copy";
    case Segment::Output: return "output";
    case Segment::Special: return "special";
    }
    return "special";
}

std::string Truncation::describe() const
{
    std::string s;
    auto add = [&s](const std::string &part) { s += (s.empty() ? "" : "; ") + part; };
    if (promptDropped)
        add("prompt: " + std::to_string(promptDropped) + " tokens dropped from the left");
    if (referenceDropped)
        add("reference: " + std::to_string(referenceDropped) + " tokens cut");
    if (outputDropped)
        add("output: " + std::to_string(outputDropped) + " tokens cut");
    if (overMaxLength)
        add("the input is still longer than max_length");
    return s;
}

size_t PolarInput::outputTokenBegin() const
{
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i].segment == Segment::Output)
            return i;
    return tokens.size();
}

PolarEncoder::PolarEncoder(std::shared_ptr<const Tokenizer> tokenizer, int rewardTokenId)
    : m_tokenizer(std::move(tokenizer)), m_rewardTokenId(rewardTokenId), m_rewardSeparator(kRewardSeparator)
{
    if (!m_tokenizer->addedTokenId(m_rewardSeparator))
        throw Error(m_tokenizer->modelPath() + ": tokenizer_config.json declares no added token '"
                    + m_rewardSeparator + "'; this is not a POLAR tokenizer");
    m_rewardSuffix = m_tokenizer->piece(rewardTokenId);
    if (m_rewardSuffix.empty())
        throw Error(m_tokenizer->modelPath() + ": reward_token_id " + std::to_string(rewardTokenId)
                    + " is not in the tokenizer's vocabulary");
    const auto ids = m_tokenizer->encode(m_rewardSuffix, false);
    if (ids.size() != 1 || ids[0] != rewardTokenId)
        throw Error(m_tokenizer->modelPath() + ": the reward token's piece '" + m_rewardSuffix
                    + "' does not encode back to reward_token_id " + std::to_string(rewardTokenId));
}

PolarInput PolarEncoder::encode(const TextField &promptField, const TextField &referenceField,
                                const TextField &outputField, const EncodeOptions &options) const
{
    if (options.maxLength < 5)
        throw Error("max_length must be at least 5, got " + std::to_string(options.maxLength));
    if (options.maxResponseLength < 1)
        throw Error("max_response_length must be positive, got " + std::to_string(options.maxResponseLength));
    const Tokenizer &tok = *m_tokenizer;
    const std::string p0 = promptField.flattened();
    const std::string r10 = referenceField.flattened();
    const std::string r20 = outputField.flattened();

    std::vector<int> pIds = tok.encode(p0, true);
    std::vector<int> r1Ids = tok.encode(r10, true);
    std::vector<int> r2Ids = tok.encode(r20, true);

    PolarInput in;
    // Four ids are kept for the reward token, <|reward|> and two "\n".
    const int maxLength = options.maxLength - 4;
    in.truncation.referenceDropped = cutResponse(r1Ids, options.maxResponseLength, options.cutSide);
    in.truncation.outputDropped = cutResponse(r2Ids, options.maxResponseLength, options.cutSide);

    // Python floor division, then the prompt keeps its last `budget` ids.
    const long budget = floorHalf(long(maxLength) - long(r1Ids.size()) - long(r2Ids.size()));
    if (long(pIds.size()) > budget) {
        const size_t before = pIds.size();
        pIds = pythonTailSlice(pIds, budget);
        in.truncation.promptDropped = int(before - pIds.size());
    }

    in.prompt = tok.decode(pIds, true);
    in.reference = tok.decode(r1Ids, true);
    in.output = tok.decode(r2Ids, true);

    const std::string &p = in.prompt;
    in.segmentBegin[int(Segment::Prompt)] = 0;
    in.segmentBegin[int(Segment::Reference)] = p.size() + 1;
    in.segmentBegin[int(Segment::PromptCopy)] = p.size() + 1 + in.reference.size() + m_rewardSeparator.size();
    in.segmentBegin[int(Segment::Output)] = in.segmentBegin[int(Segment::PromptCopy)] + p.size() + 1;
    in.text = p + "\n" + in.reference + m_rewardSeparator + p + "\n" + in.output + m_rewardSuffix;

    const std::vector<TokenSpan> spans = tok.encodeWithSpans(in.text, true);
    if (spans.empty() || spans.back().id != m_rewardTokenId)
        throw Error("the encoded input does not end with reward_token_id " + std::to_string(m_rewardTokenId)
                    + "; the tokenizer and config.json disagree");
    in.truncation.overMaxLength = long(spans.size()) > long(options.maxLength);

    struct Range { Segment seg; size_t begin, end; long shift; };
    const Range ranges[4] = {
        {Segment::Prompt, in.segmentBegin[0], in.segmentBegin[0] + p.size(), fieldShift(p0, p)},
        {Segment::Reference, in.segmentBegin[1], in.segmentBegin[1] + in.reference.size(), fieldShift(r10, in.reference)},
        {Segment::PromptCopy, in.segmentBegin[2], in.segmentBegin[2] + p.size(), fieldShift(p0, p)},
        {Segment::Output, in.segmentBegin[3], in.segmentBegin[3] + in.output.size(), fieldShift(r20, in.output)},
    };
    in.ids.reserve(spans.size());
    in.tokens.reserve(spans.size());
    for (const auto &s : spans) {
        EncodedToken t;
        t.id = s.id;
        t.begin = s.begin;
        t.end = s.end;
        // A token belongs to the segment holding its first byte; separators,
        // BOS and the reward markers are Special.
        if (s.end > s.begin) {
            for (const auto &r : ranges) {
                if (s.begin >= r.begin && s.begin < r.end) {
                    t.segment = r.seg;
                    if (r.shift >= 0) {
                        t.fieldBegin = r.shift + long(s.begin - r.begin);
                        t.fieldEnd = r.shift + long(std::min(s.end, r.end) - r.begin);
                    }
                    break;
                }
            }
        }
        t.piece = tok.piece(s.id);
        in.ids.push_back(s.id);
        in.tokens.push_back(std::move(t));
    }
    return in;
}

TrainingPairIds PolarEncoder::encodePair(const TextField &promptField, const TextField &referenceField,
                                         const TextField &chosenField, const TextField &rejectedField, int maxLength,
                                         int maxResponseLength) const
{
    if (maxLength < 5)
        throw Error("max_length must be at least 5, got " + std::to_string(maxLength));
    if (maxResponseLength < 1)
        throw Error("max_response_length must be positive, got " + std::to_string(maxResponseLength));
    const Tokenizer &tok = *m_tokenizer;
    std::vector<int> p = tok.encode(promptField.flattened(), true);
    std::vector<int> r = tok.encode(referenceField.flattened(), true);
    std::vector<int> c = tok.encode(chosenField.flattened(), true);
    std::vector<int> j = tok.encode(rejectedField.flattened(), true);

    TrainingPairIds out;
    const long budgetLength = long(maxLength) - 4; // reward token, <|reward|> and two "\n"
    out.referenceDropped = cutResponse(r, maxResponseLength, CutSide::Right);
    out.chosenDropped = cutResponse(c, maxResponseLength, CutSide::Right);
    out.rejectedDropped = cutResponse(j, maxResponseLength, CutSide::Right);
    const long budget = std::min(floorHalf(budgetLength - long(r.size()) - long(c.size())),
                                 floorHalf(budgetLength - long(r.size()) - long(j.size())));
    if (long(p.size()) > budget) {
        const size_t before = p.size();
        p = pythonTailSlice(p, budget);
        out.promptDropped = int(before - p.size());
    }
    const std::string prompt = tok.decode(p, true), reference = tok.decode(r, true);
    auto joined = [&prompt](const std::string &part) { return part.empty() ? prompt : prompt + "\n" + part; };
    const std::string head = joined(reference) + m_rewardSeparator;
    for (auto [ids, into] : {std::pair{&c, &out.chosen}, std::pair{&j, &out.rejected}}) {
        *into = tok.encode(head + joined(tok.decode(*ids, true)), true);
        into->push_back(m_rewardTokenId);
    }
    return out;
}

long utf8CodepointOffset(const std::string &text, long byteOffset)
{
    if (byteOffset < 0)
        return -1;
    long cps = 0;
    for (long i = 0; i < byteOffset && i < long(text.size()); ++i)
        if ((uint8_t(text[size_t(i)]) & 0xC0) != 0x80)
            ++cps;
    return cps;
}

} // namespace polar
