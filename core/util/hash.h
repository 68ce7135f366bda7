#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace polar {

// FNV-1a, 64 bits: a fingerprint of bytes that tells "the same file" from "a
// changed file" (not a defence against someone forging a collision).
uint64_t fingerprint(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ull);
// 16 lowercase hex digits.
std::string fingerprintHex(uint64_t value);

} // namespace polar
