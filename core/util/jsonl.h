#pragma once

#include "util/json.h"

#include <string>
#include <vector>

namespace polar {

// One line of a JSONL file: its 1-based number and either a value or the reason
// it could not be parsed. Blank lines are not reported.
struct JsonlLine
{
    size_t number = 0;
    Json value;
    std::string error;
    bool ok() const { return error.empty(); }
};

// Throws polar::Error when the file cannot be read; bad lines come back with error set.
std::vector<JsonlLine> readJsonl(const std::string &path);
// The same over bytes already read.
std::vector<JsonlLine> parseJsonlLines(const std::string &data);

// One compact JSON value per line, written atomically (temp file + rename).
void writeJsonlAtomically(const std::string &path, const std::vector<Json> &values);

} // namespace polar
