#pragma once

#include "scoring/encoding.h"
#include "util/json.h"

#include <string>
#include <vector>

// Paths of the shipped model and the golden fixtures (copies of ../shared/fixtures).
namespace testdata {

std::string sourceDir();
std::string tinyModel();         // tests/data/tiny-polar (the golden fixture)
std::string tinyShardedModel();  // tests/data/tiny-polar-sharded
std::string internlm2Tokenizer(); // tests/data/internlm2
std::string golden(const std::string &name); // tests/data/golden/NAME
// tests/data/variants/*: models of other configs (tests/reference/make_variants.py),
// each a directory beside its golden file DIR.jsonl.
std::vector<std::string> variantModels();
std::vector<polar::Json> readGoldenLines(const std::string &path);
// A golden case encoded with its own max_length / max_response_length / cut side.
polar::PolarInput encodeCase(const polar::PolarEncoder &encoder, const polar::Json &c);
// The number of weights the safetensors files of `modelDir` hold, counted from their headers.
int64_t storedParameterCount(const std::string &modelDir);

} // namespace testdata
