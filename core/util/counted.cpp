#include "util/counted.h"

namespace polar {

std::string counted(size_t n, const char *one, const char *many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

} // namespace polar
