#include "util/process_memory.h"

#include <sys/resource.h>

namespace polar {

uint64_t peakResidentBytes()
{
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    return uint64_t(ru.ru_maxrss) * 1024; // Linux reports KiB
}

} // namespace polar
