// libFuzzer: any bytes as a JSONL dataset or score input, line by line.
#include "preferences/dataset.h"
#include "scoring/score_records.h"
#include "util/error.h"
#include "util/jsonl.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (const auto &line : polar::parseJsonlLines(std::string(reinterpret_cast<const char *>(data), size))) {
        if (!line.ok())
            continue;
        try {
            polar::parseDatasetRecord(line.value, "fuzz.jsonl:" + std::to_string(line.number));
        } catch (const polar::Error &) {
        }
        try {
            polar::parseScoreRecord(line.value, "fuzz.jsonl:" + std::to_string(line.number));
        } catch (const polar::Error &) {
        }
    }
    return 0;
}
