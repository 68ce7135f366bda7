#pragma once

#include <nlohmann/json.hpp>

namespace polar {

// Objects keep their keys in file order, so a record written back reads like
// the one that came in.
using Json = nlohmann::ordered_json;

} // namespace polar
