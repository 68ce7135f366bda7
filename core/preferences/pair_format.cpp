#include "preferences/pair_format.h"

#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"

namespace polar {

Json pairToJson(const PreferencePair &p, PairFormat format)
{
    switch (format) {
    case PairFormat::Polar:
        return {{"prompt", textFieldToMessages(p.prompt, "user")},
                {"reference", textFieldToMessages(p.reference, "assistant")},
                {"chosen", textFieldToMessages(p.chosen, "assistant")},
                {"rejected", textFieldToMessages(p.rejected, "assistant")}};
    case PairFormat::PolarStrings:
        return {{"prompt", p.prompt.flattened()},
                {"reference", p.reference.flattened()},
                {"chosen", p.chosen.flattened()},
                {"rejected", p.rejected.flattened()}};
    case PairFormat::Trl:
        return {{"prompt", p.prompt.flattened()}, {"chosen", p.chosen.flattened()}, {"rejected", p.rejected.flattened()}};
    }
    return {};
}

size_t appendPairs(const std::string &path, const std::vector<PreferencePair> &pairs, PairFormat format)
{
    std::string existing;
    if (fileExists(path)) {
        for (const auto &line : readJsonl(path))
            if (!line.ok())
                throw Error(path + ":" + std::to_string(line.number) + ": " + line.error
                            + "; not appending to a file that is not JSONL");
        existing = readWholeFile(path);
        if (!existing.empty() && existing.back() != '\n')
            existing += '\n';
    }
    for (const auto &p : pairs)
        existing += pairToJson(p, format).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    writeFileAtomically(path, existing);
    return pairs.size();
}

} // namespace polar
