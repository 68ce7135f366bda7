#include "model/checkpoint_writer.h"

#include "model/safetensors_writer.h"
#include "util/error.h"
#include "util/files.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <sys/stat.h>
#include <thread>

namespace polar {

Json modelConfigToJson(const ModelConfig &c)
{
    Json rope = nullptr;
    if (c.ropeScaling.type != RopeScaling::Type::None)
        rope = objectFromPairs({{"type", c.ropeScaling.type == RopeScaling::Type::Linear ? "linear" : "dynamic"},
                                {"factor", c.ropeScaling.factor}});
    return objectFromPairs({
        {"architectures", Json::array({c.architecture})},
        {"auto_map", objectFromPairs({{"AutoConfig", "configuration_internlm2.InternLM2Config"},
                                      {"AutoModel", "modeling_internlm2.InternLM2ForRewardModel"}})},
        {"bias", c.bias},
        {"hidden_act", "silu"},
        {"hidden_size", c.hiddenSize},
        {"intermediate_size", c.intermediateSize},
        {"max_position_embeddings", c.maxPositionEmbeddings},
        {"model_type", c.modelType},
        {"num_attention_heads", c.numHeads},
        {"num_hidden_layers", c.numLayers},
        {"num_key_value_heads", c.numKvHeads},
        {"pad_token_id", c.padTokenId},
        {"reward_token_id", c.rewardTokenId},
        {"rms_norm_eps", c.rmsNormEps},
        {"rope_scaling", rope},
        {"rope_theta", c.ropeTheta},
        {"tie_word_embeddings", false},
        {"torch_dtype", c.torchDtype},
        {"vocab_size", c.vocabSize},
    });
}

uint16_t toBFloat16(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return uint16_t((u >> 16) | 0x40); // NaN stays NaN
    u += 0x7fff + ((u >> 16) & 1);
    return uint16_t(u >> 16);
}

namespace {

std::string shardName(size_t i, size_t n)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
    return buf;
}

} // namespace

void writeModelDirectory(const std::string &dir, const ModelConfig &config, SafetensorsDType dtype, const std::string &tokenizerDir,
                         const TensorFill &fill, uint64_t shardBytes, const std::function<void(uint64_t, uint64_t)> &progress)
{
    if (dtype != SafetensorsDType::F32 && dtype != SafetensorsDType::BF16 && dtype != SafetensorsDType::F16)
        throw Error(dir + ": weights are written as F32, BF16 or F16");
    if (!directoryExists(dir) && ::mkdir(dir.c_str(), 0755) != 0)
        throw Error(dir + ": cannot create the folder");
    for (const char *f : {"config.json", "model.safetensors", "model.safetensors.index.json"})
        if (fileExists(joinPath(dir, f)))
            throw Error(joinPath(dir, f) + ": already exists; write the model to a new folder");

    const auto tensors = expectedTensors(config);
    // Shards fill up in the schema's order until the next tensor would pass shardBytes.
    std::vector<std::vector<const ExpectedTensor *>> shards(1);
    uint64_t inShard = 0, total = 0;
    auto bytesOf = [&](const ExpectedTensor &t) {
        uint64_t n = dtypeSize(dtype);
        for (int64_t d : t.shape)
            n *= uint64_t(d);
        return n;
    };
    for (const auto &t : tensors) {
        const uint64_t b = bytesOf(t);
        if (inShard > 0 && inShard + b > shardBytes) {
            shards.emplace_back();
            inShard = 0;
        }
        shards.back().push_back(&t);
        inShard += b;
        total += b;
    }
    uint64_t done = 0;
    Json weightMap = Json::object();
    for (size_t s = 0; s < shards.size(); ++s) {
        const std::string name = shards.size() == 1 ? "model.safetensors" : shardName(s, shards.size());
        std::vector<TensorSpec> specs;
        std::map<std::string, const ExpectedTensor *> byName;
        for (const ExpectedTensor *t : shards[s]) {
            specs.push_back({t->name, dtype, t->shape});
            byName[t->name] = t;
            weightMap[t->name] = name;
        }
        writeSafetensors(joinPath(dir, name), specs, [&](const TensorSpec &spec, std::string &out) {
            fill(*byName.at(spec.name), dtype, out);
            done += out.size();
            if (progress)
                progress(done, total);
        });
    }
    if (shards.size() > 1)
        writeFileAtomically(joinPath(dir, "model.safetensors.index.json"),
                            objectFromPairs({{"metadata", objectFromPairs({{"total_size", total}})}, {"weight_map", weightMap}})
                                    .dump(2) + "\n");
    for (const char *f : {"tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"})
        if (fileExists(joinPath(tokenizerDir, f)))
            writeFileAtomically(joinPath(dir, f), readWholeFile(joinPath(tokenizerDir, f)));
    // config.json last: a folder without it is not mistaken for a finished model.
    writeFileAtomically(joinPath(dir, "config.json"), modelConfigToJson(config).dump(2) + "\n");
}

TensorFill randomWeights(uint64_t seed)
{
    return [seed](const ExpectedTensor &t, SafetensorsDType dtype, std::string &out) {
        size_t n = 1;
        for (int64_t d : t.shape)
            n *= size_t(d);
        const size_t width = dtypeSize(dtype);
        out.resize(n * width);
        const bool norm = t.shape.size() == 1 && t.name.find("norm") != std::string::npos;
        // A different stream per tensor, filled by several threads in slices.
        uint64_t tensorSeed = seed ^ 0x9e3779b97f4a7c15ull;
        for (char c : t.name)
            tensorSeed = (tensorSeed ^ uint64_t(uint8_t(c))) * 0x100000001b3ull;
        const unsigned threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
        const size_t slice = (n + threads - 1) / threads;
        auto work = [&](unsigned k) {
            uint64_t x = tensorSeed + 0x632be59bd9b4e019ull * (k + 1);
            const size_t begin = k * slice, end = std::min(n, begin + slice);
            const float scale = 0.02f * std::sqrt(3.0f) / float(1u << 23); // uniform in [-a, a], std 0.02
            for (size_t i = begin; i < end; ++i) {
                float v = 1.0f;
                if (!norm) {
                    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                    v = float(int32_t(x >> 40) - (1 << 23)) * scale;
                }
                char *dst = out.data() + i * width;
                if (dtype == SafetensorsDType::F32) {
                    std::memcpy(dst, &v, 4);
                } else if (dtype == SafetensorsDType::BF16) {
                    const uint16_t b = toBFloat16(v);
                    std::memcpy(dst, &b, 2);
                } else {
                    // fp16: the values here are tiny and normal, so the plain conversion is exact enough.
                    uint32_t u;
                    std::memcpy(&u, &v, 4);
                    const uint32_t sign = (u >> 16) & 0x8000u;
                    const int exp = int((u >> 23) & 0xff) - 127 + 15;
                    uint16_t h = uint16_t(sign);
                    if (exp > 0 && exp < 31)
                        h = uint16_t(sign | (uint32_t(exp) << 10) | ((u >> 13) & 0x3ff));
                    std::memcpy(dst, &h, 2);
                }
            }
        };
        std::vector<std::thread> pool;
        for (unsigned k = 1; k < threads; ++k)
            pool.emplace_back(work, k);
        work(0);
        for (auto &th : pool)
            th.join();
    };
}

} // namespace polar
