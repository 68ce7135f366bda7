// libFuzzer: any bytes as config.json.
#include "model/checkpoint_schema.h"
#include "model/config.h"
#include "util/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        const polar::ModelConfig c = polar::parseModelConfig(std::string(reinterpret_cast<const char *>(data), size), "config.json");
        // What the loader does next, before it sees a checkpoint: count, never allocate.
        (void)polar::expectedTensorCount(c);
    } catch (const polar::Error &) {
    }
    return 0;
}
