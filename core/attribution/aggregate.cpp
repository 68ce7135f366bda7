// Units of text, and sums of token values over them.
#include "attribution/attribution.h"

#include "util/error.h"

#include <cctype>

namespace polar {

namespace {

bool isSpace(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Ends a sentence: ASCII . ! ? and the CJK full stops (as UTF-8 tails).
bool endsSentence(const std::string &t, size_t i)
{
    const char c = t[i];
    if (c == '.' || c == '!' || c == '?')
        return true;
    static const char *const cjk[] = {"\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F", "\xE2\x80\xA6"}; // 。！？…
    for (const char *m : cjk)
        if (i >= 2 && t.compare(i - 2, 3, m) == 0)
            return true;
    return false;
}

} // namespace

AttributionMethod parseAttributionMethod(const std::string &s)
{
    if (s == "grad") return AttributionMethod::GradientTimesInput;
    if (s == "ig") return AttributionMethod::IntegratedGradients;
    if (s == "occlusion") return AttributionMethod::Occlusion;
    if (s == "curve") return AttributionMethod::RewardCurve;
    throw Error("'" + s + "' is not an attribution method (grad, ig, occlusion, curve)");
}

Granularity parseGranularity(const std::string &s)
{
    if (s == "token") return Granularity::Token;
    if (s == "word") return Granularity::Word;
    if (s == "sentence") return Granularity::Sentence;
    if (s == "line") return Granularity::Line;
    throw Error("'" + s + "' is not a granularity (token, word, sentence, line)");
}

const char *attributionMethodName(AttributionMethod m)
{
    switch (m) {
    case AttributionMethod::GradientTimesInput: return "grad";
    case AttributionMethod::IntegratedGradients: return "ig";
    case AttributionMethod::Occlusion: return "occlusion";
    case AttributionMethod::RewardCurve: return "curve";
    }
    return "grad";
}

const char *granularityName(Granularity g)
{
    switch (g) {
    case Granularity::Token: return "token";
    case Granularity::Word: return "word";
    case Granularity::Sentence: return "sentence";
    case Granularity::Line: return "line";
    }
    return "token";
}

std::vector<std::pair<size_t, size_t>> textUnits(const std::string &t, Granularity g)
{
    std::vector<std::pair<size_t, size_t>> units;
    size_t i = 0;
    const size_t n = t.size();
    while (i < n) {
        while (i < n && isSpace(t[i]))
            ++i;
        if (i >= n)
            break;
        size_t j = i;
        switch (g) {
        case Granularity::Token:
        case Granularity::Word:
            while (j < n && !isSpace(t[j]))
                ++j;
            break;
        case Granularity::Sentence:
            while (j < n && t[j] != '\n' && !(endsSentence(t, j) && (j + 1 == n || isSpace(t[j + 1]))))
                ++j;
            if (j < n && t[j] != '\n')
                ++j; // keep the full stop
            break;
        case Granularity::Line:
            while (j < n && t[j] != '\n')
                ++j;
            while (j > i && isSpace(t[j - 1]))
                --j;
            break;
        }
        units.emplace_back(i, j);
        i = std::max(j, i + 1);
    }
    return units;
}

std::vector<AttributionSpan> aggregateAttribution(const PolarInput &in, const std::vector<double> &values, Granularity g)
{
    if (values.size() != in.tokens.size())
        throw Error("attribution has " + std::to_string(values.size()) + " values for " + std::to_string(in.tokens.size())
                    + " tokens");
    std::vector<AttributionSpan> spans;
    auto tokenSpan = [&](size_t k) {
        const EncodedToken &t = in.tokens[k];
        AttributionSpan s;
        s.segment = t.segment;
        s.begin = t.begin;
        s.end = t.end;
        s.fieldBegin = t.fieldBegin;
        s.fieldEnd = t.fieldEnd;
        s.firstToken = s.lastToken = k;
        s.text = in.text.substr(t.begin, t.end - t.begin);
        s.value = values[k];
        return s;
    };
    if (g == Granularity::Token) {
        for (size_t k = 0; k < in.tokens.size(); ++k)
            if (in.tokens[k].end > in.tokens[k].begin)
                spans.push_back(tokenSpan(k));
        return spans;
    }

    const std::string *segmentText[4] = {&in.prompt, &in.reference, &in.prompt, &in.output};
    // Units of each segment, in text coordinates, and the field shift found on its tokens.
    struct Unit { size_t begin, end; int span; };
    std::vector<Unit> units[4];
    long shift[4] = {-1, -1, -1, -1};
    for (const auto &t : in.tokens)
        if (t.segment != Segment::Special && t.fieldBegin >= 0 && shift[int(t.segment)] < 0)
            shift[int(t.segment)] = t.fieldBegin - long(t.begin - in.segmentBegin[int(t.segment)]);
    for (int s = 0; s < 4; ++s)
        for (const auto &[b, e] : textUnits(*segmentText[s], g))
            units[s].push_back({in.segmentBegin[s] + b, in.segmentBegin[s] + e, -1});

    for (size_t k = 0; k < in.tokens.size(); ++k) {
        const EncodedToken &t = in.tokens[k];
        if (t.end == t.begin)
            continue;
        if (t.segment == Segment::Special) {
            spans.push_back(tokenSpan(k));
            continue;
        }
        // The unit holding the token's first visible byte; a token of pure
        // whitespace joins the unit before it.
        size_t p = t.begin;
        while (p < t.end && isSpace(in.text[p]))
            ++p;
        auto &segUnits = units[int(t.segment)];
        Unit *unit = nullptr;
        for (auto &u : segUnits) {
            if (p < t.end && p >= u.begin && p < u.end) {
                unit = &u;
                break;
            }
            if (p == t.end && u.begin <= t.begin)
                unit = &u;
        }
        if (!unit) {
            // Whitespace before the first unit, or no unit at all: its own span.
            spans.push_back(tokenSpan(k));
            continue;
        }
        if (unit->span < 0) {
            unit->span = int(spans.size());
            AttributionSpan s;
            s.segment = t.segment;
            s.begin = unit->begin;
            s.end = unit->end;
            const long sh = shift[int(t.segment)];
            if (sh >= 0) {
                s.fieldBegin = sh + long(unit->begin - in.segmentBegin[int(t.segment)]);
                s.fieldEnd = sh + long(unit->end - in.segmentBegin[int(t.segment)]);
            }
            s.firstToken = k;
            s.text = in.text.substr(unit->begin, unit->end - unit->begin);
            spans.push_back(s);
        }
        AttributionSpan &s = spans[size_t(unit->span)];
        s.lastToken = k;
        s.value += values[k];
    }
    return spans;
}

std::string AttributionCost::describe() const
{
    std::string s = std::to_string(forwardRows) + " forward";
    if (backwardRows)
        s += " + " + std::to_string(backwardRows) + " backward";
    s += " passes, " + std::to_string(tokens) + " tokens";
    return s;
}

AttributionCost estimateAttributionCost(const PolarInput &in, const AttributionOptions &o)
{
    const int64_t T = int64_t(in.ids.size());
    size_t outputTokens = 0;
    for (const auto &t : in.tokens)
        outputTokens += t.segment == Segment::Output;
    AttributionCost c;
    switch (o.method) {
    case AttributionMethod::GradientTimesInput:
        c = {1, 1, T};
        break;
    case AttributionMethod::IntegratedGradients:
        c = {o.steps + 2, o.steps, (o.steps + 2) * T};
        break;
    case AttributionMethod::Occlusion: {
        const int64_t units = o.occlusionUnit == Granularity::Token ? int64_t(outputTokens)
                                                                    : int64_t(textUnits(in.output, o.occlusionUnit).size());
        c = {units + 1, 0, (units + 1) * T};
        break;
    }
    case AttributionMethod::RewardCurve: {
        // The tokens before the output run once; row k adds k output tokens and the reward token.
        const int64_t prefix = T - 1 - int64_t(outputTokens);
        const int64_t n = int64_t(outputTokens);
        c = {n + 1, 0, prefix + (n + 1) + n * (n + 1) / 2};
        break;
    }
    }
    return c;
}

} // namespace polar
