// polar-cli inspect: what a model directory holds, without running it.
#include "cli_common.h"
#ifdef POLAR_HAVE_REMOTE
#include "remote/remote_scorer.h"
#endif

#include "util/error.h"
#include "model/tokenizer.h"
#include "util/process_memory.h"

#include <cstdio>

namespace polar::cli {

namespace {

const char *ropeName(RopeScaling::Type t)
{
    switch (t) {
    case RopeScaling::Type::Linear: return "linear";
    case RopeScaling::Type::Dynamic: return "dynamic";
    default: return "none";
    }
}

std::string tokenLabel(const Tokenizer &tok, int id)
{
    return id < 0 ? std::string("(none)") : std::to_string(id) + " " + tok.piece(id);
}

} // namespace

int runInspect(const std::vector<std::string> &argv)
{
    Args args(argv, {}, optionSet({kModelOptions, kServerOptions}));
    auto model = loadModel(args);
#ifdef POLAR_HAVE_REMOTE
    if (model->remote()) {
        const ServerCheck check = testConnection(*model);
        std::printf("model           %s (config and tokenizer)\nserver          %s\n", model->info().directory.c_str(),
                    check.summary.c_str());
        if (!check.warning.empty())
            std::printf("warning         %s\n", check.warning.c_str());
        return 0;
    }
#endif
    const ModelConfig &c = model->config();
    const ModelInfo &info = model->info();
    const Tokenizer &tok = model->tokenizer();

    std::printf("model           %s\n", info.directory.c_str());
    std::printf("architecture    %s (model_type %s)\n", c.architecture.c_str(), c.modelType.c_str());
    std::printf("hidden_size     %lld\n", (long long)c.hiddenSize);
    std::printf("layers          %lld\n", (long long)c.numLayers);
    std::printf("heads           %lld query, %lld key/value (head_dim %lld)\n", (long long)c.numHeads,
                (long long)c.numKvHeads, (long long)c.headDim());
    std::printf("intermediate    %lld\n", (long long)c.intermediateSize);
    std::printf("vocab_size      %lld (tokenizer: %d pieces)\n", (long long)c.vocabSize, tok.vocabSize());
    std::printf("max_positions   %lld\n", (long long)c.maxPositionEmbeddings);
    std::printf("rope            theta %g, scaling %s x%g\n", c.ropeTheta, ropeName(c.ropeScaling.type), c.ropeScaling.factor);
    std::printf("rms_norm_eps    %g\n", c.rmsNormEps);
    std::printf("bias            %s\n", c.bias ? "yes" : "no");
    std::printf("parameters      %lld (%.3f B)\n", (long long)info.parameterCount, double(info.parameterCount) / 1e9);
    std::printf("stored dtype    %s\n", info.storedDtype.c_str());
    std::printf("compute         %s on %s\n", info.dtype.c_str(), info.device.c_str());
    std::printf("weight memory   %.2f MiB%s\n", double(info.weightBytes) / (1024.0 * 1024.0),
                info.zeroCopy ? " (mapped from the files, no copy)" : "");
    std::printf("load            %.3f s, %.2f GB/s of checkpoint files (%.2f GB)\n", info.loadSeconds, info.loadGBps(),
                double(info.fileBytes) / 1e9);
    const uint64_t rss = peakResidentBytes();
    std::printf("peak host RSS   %.2f GiB (%.2fx the weights %s)\n", double(rss) / double(1ull << 30),
                info.weightBytes ? double(rss) / double(info.weightBytes) : 0.0,
                info.device == "cpu" ? "in memory" : "on the GPU");
    if (const uint64_t gpu = gpuPeakAllocatedBytes())
        std::printf("peak GPU memory %.2f GiB allocated\n", double(gpu) / double(1ull << 30));
    std::printf("runtime         %s\n", runtimeDescription().c_str());
    std::printf("prefix attention %s\n", model->prefixAttention().c_str());
    std::printf("weight files    ");
    for (size_t i = 0; i < info.weightFiles.size(); ++i)
        std::printf("%s%s", i ? ", " : "", info.weightFiles[i].c_str());
    std::printf("\n");
    std::printf("special tokens  bos %s, eos %s, unk %s, pad %s\n", tokenLabel(tok, tok.bosId()).c_str(),
                tokenLabel(tok, tok.eosId()).c_str(), tokenLabel(tok, tok.unkId()).c_str(),
                tokenLabel(tok, tok.padId()).c_str());
    std::printf("tokenizer       %s (module %s)\n", tok.modelPath().c_str(), tokenizerModulePath().c_str());
    std::printf("reward token    %s (reward_token_id)\n", tokenLabel(tok, int(c.rewardTokenId)).c_str());
    std::printf("added tokens   ");
    for (const auto &t : tok.addedTokens())
        std::printf(" %s=%d", t.content.c_str(), t.id);
    std::printf("\n");
    return 0;
}

} // namespace polar::cli
