#include "util/jsonl.h"

#include "util/files.h"

namespace polar {

std::vector<JsonlLine> readJsonl(const std::string &path)
{
    const std::string data = readWholeFile(path);
    std::vector<JsonlLine> lines;
    size_t pos = 0, number = 0;
    while (pos < data.size()) {
        size_t end = data.find('\n', pos);
        if (end == std::string::npos)
            end = data.size();
        ++number;
        std::string line = data.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        JsonlLine l;
        l.number = number;
        try {
            l.value = Json::parse(line);
        } catch (const Json::parse_error &e) {
            // nlohmann's message starts with its own error id; keep the part after it.
            std::string why = e.what();
            const size_t colon = why.find("parse error");
            l.error = "not valid JSON (" + (colon == std::string::npos ? why : why.substr(colon)) + ")";
        }
        lines.push_back(std::move(l));
    }
    return lines;
}

void writeJsonlAtomically(const std::string &path, const std::vector<Json> &values)
{
    std::string out;
    for (const auto &v : values) {
        out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
        out += '\n';
    }
    writeFileAtomically(path, out);
}

} // namespace polar
