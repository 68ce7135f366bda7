// polar-cli make-random: a random checkpoint of a real POLAR shape, in the
// Hugging Face layout, with the real InternLM2 tokenizer: for load tests and
// benchmarks without downloading the weights.
#include "cli_common.h"

#include "model/checkpoint_writer.h"
#include "model/shapes.h"
#include "model/tokenizer.h"
#include "progress_bar.h"
#include "util/error.h"

#include <chrono>
#include <cstdio>

namespace polar::cli {

int runMakeRandom(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli make-random --shape cpu|1.8b|7b [--dtype bf16|fp32] [--tokenizer DIR] "
                        "[--seed N] [--shard-gb X] OUT_DIR";
    Args args(argv, {}, {"shape", "dtype", "tokenizer", "seed", "shard-gb"});
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string out = args.positional()[0];
    const std::string tokenizerDir = args.value("tokenizer", defaultInternLM2TokenizerDir());
    const auto tokenizer = Tokenizer::load(tokenizerDir);
    ModelConfig config = forOption("shape", [&] { return namedShape(args.required("shape", usage), *tokenizer); });
    const std::string dtype = args.value("dtype", "bf16");
    if (dtype != "bf16" && dtype != "fp32")
        throw Error("--dtype: '" + dtype + "' is not bf16 or fp32");
    config.torchDtype = dtype == "bf16" ? "bfloat16" : "float32";
    const double shardGb = args.number("shard-gb", 2.0);
    if (shardGb <= 0)
        throw Error("--shard-gb: must be positive");
    const uint64_t seed = uint64_t(args.integer("seed", 1, 0, INT64_MAX));
    const auto started = std::chrono::steady_clock::now();
    ProgressBar bar("writing weights (MB)", 0);
    uint64_t written = 0;
    writeModelDirectory(out, config, dtype == "bf16" ? SafetensorsDType::BF16 : SafetensorsDType::F32, tokenizerDir,
                        randomWeights(seed), uint64_t(shardGb * 1e9), [&](uint64_t done, uint64_t total) {
                            bar.setTotal(size_t(total >> 20));
                            bar.update(size_t(done >> 20));
                            written = done;
                        });
    bar.finish();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("wrote %s: %s shape, %.2f GB of %s weights in %.1f s\n", out.c_str(), args.value("shape").c_str(),
                double(written) / 1e9, dtype.c_str(), secs);
    return 0;
}

} // namespace polar::cli
