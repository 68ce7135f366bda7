// libFuzzer: any bytes as a request to `polar-cli serve` (/pooling, /classify)
// and as an engine's answer to our client (vLLM, SGLang, LMDeploy). Bad input
// must end as polar::Error (a 400, or an error on the items), never a crash.
#include "remote/protocol.h"
#include "util/error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view body(reinterpret_cast<const char *>(data), size);
    for (auto parse : {polar::parsePoolingQuery, polar::parseClassifyQuery}) {
        try {
            parse(body);
        } catch (const polar::Error &) {
        }
    }
    for (auto engine : {polar::ServerEngine::Vllm, polar::ServerEngine::Sglang, polar::ServerEngine::Lmdeploy}) {
        for (size_t expected : {size_t(1), size_t(2)}) {
            try {
                polar::parseRewardResponse(engine, body, expected);
            } catch (const polar::Error &) {
            }
        }
    }
    polar::errorMessageOf(body);
    return 0;
}
