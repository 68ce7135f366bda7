#pragma once

#include <cstdint>

namespace polar {

// The most resident memory this process has held (getrusage's max RSS), in bytes.
uint64_t peakResidentBytes();

} // namespace polar
