#pragma once

#include <string>

namespace polar {

// Reads a whole file; throws polar::Error "PATH: cannot open (reason)".
std::string readWholeFile(const std::string &path);
bool fileExists(const std::string &path);
std::string joinPath(const std::string &dir, const std::string &name);

// Writes `data` to a temporary file beside `path`, flushes it to disk and
// renames it over `path`, so a reader sees either the old file or the new one.
void writeFileAtomically(const std::string &path, const std::string &data);

} // namespace polar
