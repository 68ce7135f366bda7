#pragma once

#include <cstddef>
#include <string>

namespace polar {

// "1 pair", "3 pairs": every summary the CLI and the windows print counts
// things the same way, so a count of one never reads "1 pairs".
std::string counted(size_t n, const char *one, const char *many);

} // namespace polar
