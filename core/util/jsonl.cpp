#include "util/jsonl.h"

#include "util/files.h"

namespace polar {

std::vector<JsonlLine> readJsonl(const std::string &path)
{
    return parseJsonlLines(readWholeFile(path));
}

std::vector<JsonlLine> parseJsonlLines(const std::string &data)
{
    std::vector<JsonlLine> lines;
    size_t pos = 0, number = 0;
    while (pos < data.size()) {
        size_t end = data.find('\n', pos);
        if (end == std::string::npos)
            end = data.size();
        ++number;
        std::string_view line(data.data() + pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        JsonlLine l;
        l.number = number;
        if (!tryParseJson(line, l.value, l.error) && l.error.empty())
            l.error = "not valid JSON";
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
