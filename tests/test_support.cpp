#include "test_support.h"

#include "model/safetensors_reader.h"
#include "scoring/settings.h"
#include "util/jsonl.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace testdata {

std::string sourceDir() { return POLAR_SOURCE_DIR; }
std::string tinyModel() { return sourceDir() + "/tests/data/tiny-polar"; }
std::string tinyShardedModel() { return sourceDir() + "/tests/data/tiny-polar-sharded"; }
std::string internlm2Tokenizer() { return sourceDir() + "/tests/data/internlm2"; }
std::string golden(const std::string &name) { return sourceDir() + "/tests/data/golden/" + name; }

std::vector<std::string> variantModels()
{
    std::vector<std::string> dirs;
    for (const auto &entry : std::filesystem::directory_iterator(sourceDir() + "/tests/data/variants"))
        if (entry.is_directory())
            dirs.push_back(entry.path().string());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

std::vector<polar::Json> readGoldenLines(const std::string &path)
{
    std::vector<polar::Json> out;
    for (const auto &line : polar::readJsonl(path)) {
        if (!line.ok())
            throw std::runtime_error(path + ":" + std::to_string(line.number) + ": " + line.error);
        out.push_back(line.value);
    }
    return out;
}

polar::PolarInput encodeCase(const polar::PolarEncoder &encoder, const polar::Json &c)
{
    return encoder.encode(polar::textFieldFromJson(c["prompt"], "prompt"), polar::textFieldFromJson(c["reference"], "reference"),
                          polar::textFieldFromJson(c["output"], "output"), polar::scoringSettingsFromJson(c, "golden case").encode);
}

int64_t storedParameterCount(const std::string &modelDir)
{
    int64_t total = 0;
    const auto checkpoint = polar::SafetensorsCheckpoint::openDirectory(modelDir);
    for (const auto &[name, t] : checkpoint.tensors()) {
        int64_t n = 1;
        for (int64_t d : t.shape)
            n *= d;
        total += n;
    }
    return total;
}

} // namespace testdata
