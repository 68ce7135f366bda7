// libFuzzer: any bytes as a .safetensors file. Either a valid file or one
// polar::Error; never a crash, a hang or an allocation sized by the input.
#include "model/safetensors_reader.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        polar::SafetensorsFile::fromBuffer(std::string(reinterpret_cast<const char *>(data), size), "fuzz.safetensors");
    } catch (const polar::Error &) {
    }
    return 0;
}
