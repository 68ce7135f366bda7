#include "preferences/pair_format.h"

#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"

#include <set>

namespace polar {

namespace {

Json answerMessages(const TextField &f)
{
    return textFieldToMessages(f, kAnswerRole);
}

bool validTrlPromptRole(const std::string &role)
{
    // trl.data_utils.apply_chat_template: the prompt's last message decides
    // between add_generation_prompt and continue_final_message.
    return role == "user" || role == "tool" || role == "assistant";
}

// A non-empty list of {"role": non-empty string, "content": string}.
void checkMessages(const Json &v, const std::string &at)
{
    if (!v.is_array() || v.empty())
        throw Error(at + " must be a non-empty message list");
    for (size_t k = 0; k < v.size(); ++k) {
        const Json &m = v[k];
        const std::string mat = at + "[" + std::to_string(k) + "]";
        if (!m.is_object())
            throw Error(mat + " is not a message object");
        const Json *role = findField(m, "role"), *content = findField(m, "content");
        if (!role || !role->is_string() || role->get<std::string>().empty())
            throw Error(mat + " has no role (a non-empty string)");
        if (!content || !content->is_string())
            throw Error(mat + " has no string content");
    }
}

} // namespace

PairFormat parsePairFormat(const std::string &s)
{
    if (s == "polar")
        return PairFormat::Polar;
    if (s == "trl")
        return PairFormat::Trl;
    if (s == "trl-text")
        return PairFormat::TrlText;
    if (s == "polar-strings")
        throw Error("'polar-strings' was removed: no trainer reads it (xtuner's POLAR reader needs message "
                    "lists); use polar, trl or trl-text");
    throw Error("'" + s + "' is not a pair format (polar, trl, trl-text)");
}

const char *pairFormatName(PairFormat f)
{
    switch (f) {
    case PairFormat::Polar: return "polar";
    case PairFormat::Trl: return "trl";
    case PairFormat::TrlText: return "trl-text";
    }
    return "polar";
}

Json pairToJson(const PreferencePair &p, PairFormat format)
{
    switch (format) {
    case PairFormat::Polar:
        return objectFromPairs({{"prompt", textFieldToMessages(p.prompt, kPromptRole)},
                                {"reference", answerMessages(p.reference)},
                                {"chosen", answerMessages(p.chosen)},
                                {"rejected", answerMessages(p.rejected)}});
    case PairFormat::Trl:
        return objectFromPairs({{"prompt", textFieldToMessages(p.prompt, kPromptRole)},
                                {"chosen", answerMessages(p.chosen)},
                                {"rejected", answerMessages(p.rejected)}});
    case PairFormat::TrlText:
        return objectFromPairs({{"prompt", p.prompt.flattened() + kTrlTextSeparator},
                                {"chosen", p.chosen.flattened()},
                                {"rejected", p.rejected.flattened()}});
    }
    return {};
}

std::string pairFormatProblem(const PreferencePair &p, PairFormat format)
{
    if (format == PairFormat::TrlText)
        return {};
    const std::pair<const char *, const TextField *> fields[] = {
        {"prompt", &p.prompt}, {"reference", &p.reference}, {"chosen", &p.chosen}, {"rejected", &p.rejected}};
    for (const auto &[name, f] : fields) {
        if (format == PairFormat::Trl && std::string(name) == "reference")
            continue;
        if (f->isMessages && f->messages.empty())
            return std::string("the ") + name + " is an empty message list";
        for (const auto &m : f->messages)
            if (m.role.empty())
                return std::string("a message of the ") + name + " has no role";
    }
    if (format == PairFormat::Trl && p.prompt.isMessages && !validTrlPromptRole(p.prompt.messages.back().role))
        return "the prompt's last message has role '" + p.prompt.messages.back().role
            + "'; TRL needs user, tool or assistant there";
    return {};
}

void validatePairsFile(const std::string &path, PairFormat format, size_t expected)
{
    const auto lines = readJsonl(path);
    if (lines.size() != expected)
        throw Error(path + ": holds " + std::to_string(lines.size()) + " records after writing, expected " + std::to_string(expected));
    const std::vector<const char *> fields = format == PairFormat::Polar
        ? std::vector<const char *>{"prompt", "reference", "chosen", "rejected"}
        : std::vector<const char *>{"prompt", "chosen", "rejected"};
    for (const auto &l : lines) {
        const std::string where = path + ":" + std::to_string(l.number);
        if (!l.ok())
            throw Error(where + ": " + l.error);
        if (!l.value.is_object())
            throw Error(where + ": not a JSON object");
        for (const char *f : fields) {
            const Json *v = findField(l.value, f);
            const std::string at = where + ": field '" + f + "'";
            if (!v)
                throw Error(at + " is missing");
            if (format == PairFormat::TrlText) {
                if (!v->is_string() || v->get<std::string>().empty())
                    throw Error(at + " must be a non-empty string");
            } else {
                checkMessages(*v, at);
            }
        }
        if (format == PairFormat::Trl && !validTrlPromptRole(l.value["prompt"].back()["role"].get<std::string>()))
            throw Error(where + ": the prompt's last message must have role user, tool or assistant");
        if (format == PairFormat::TrlText && l.value["prompt"].get<std::string>().back() != kTrlTextSeparator[0])
            throw Error(where + ": field 'prompt' must end with the separator (a newline)");
        if (l.value["chosen"] == l.value["rejected"])
            throw Error(where + ": chosen and rejected are the same text");
    }
}

AppendSummary appendPairs(const std::string &path, const std::vector<PreferencePair> &pairs, PairFormat format)
{
    std::string existing;
    size_t existingCount = 0;
    std::set<std::string> present; // records already in the file, compact JSON
    if (fileExists(path) || directoryExists(path)) {
        existing = readWholeFile(path);
        const auto lines = parseJsonlLines(existing);
        for (const auto &line : lines) {
            if (!line.ok())
                throw Error(path + ":" + std::to_string(line.number) + ": " + line.error
                            + "; not appending to a file that is not JSONL");
            present.insert(line.value.dump(-1, ' ', false, Json::error_handler_t::replace));
        }
        existingCount = lines.size();
        validatePairsFile(path, format, existingCount); // refuses a file of another format
        if (!existing.empty() && existing.back() != '\n')
            existing += '\n';
    }
    AppendSummary summary;
    for (const auto &p : pairs) {
        const std::string problem = pairFormatProblem(p, format);
        if (!problem.empty())
            throw Error(path + ": cannot write a pair: " + problem + "; nothing was written");
        const std::string line = pairToJson(p, format).dump(-1, ' ', false, Json::error_handler_t::replace);
        if (!present.insert(line).second) {
            ++summary.alreadyThere;
            continue;
        }
        existing += line + "\n";
        ++summary.written;
    }
    if (summary.written == 0)
        return summary; // nothing new: the file stays as it is
    writeFileAtomically(path, existing,
                        [&](const std::string &tmp) { validatePairsFile(tmp, format, existingCount + summary.written); });
    return summary;
}

} // namespace polar
