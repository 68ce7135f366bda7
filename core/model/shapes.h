#pragma once

#include "model/config.h"

#include <string>
#include <vector>

namespace polar {

class Tokenizer;

// The published shapes of the POLAR reward models, for random checkpoints
// (benchmarks, load tests) when the real weights are not at hand: "1.8b"
// (POLAR-1.8B), "7b" (POLAR-7B), "cpu" (hidden 512, 8 layers: the size CPU
// benchmarks use) and "demo" (hidden 96, 4 layers: the embedded demo model). The reward token is the tokenizer's [UNUSED_TOKEN_130], as
// in POLAR; the pad token its </s>. Throws polar::Error for other names.
ModelConfig namedShape(const std::string &name, const Tokenizer &tokenizer);
std::vector<std::string> shapeNames();

} // namespace polar
