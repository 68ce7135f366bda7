// polar-cli serve: the in-process engine behind vLLM- and SGLang-style reward
// APIs, for RL loops and the official client.
#include "cli_common.h"

#include "util/error.h"

#ifdef POLAR_HAVE_REMOTE
#include "remote/reward_server.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#endif

namespace polar::cli {

#ifdef POLAR_HAVE_REMOTE
namespace {

volatile std::sig_atomic_t g_stopSignal = 0;
extern "C" void onStopSignal(int signal) { g_stopSignal = signal; }

} // namespace
#endif

int runServe(const std::vector<std::string> &argv)
{
#ifdef POLAR_HAVE_REMOTE
    Args args(argv, {"quiet"},
              optionSet({kModelOptions}, {"host", "port", "served-model-name", "api-key", "max-queue", "pooling", "batch-tokens",
                                          "max-body-mb", "connections"}));
    if (!args.positional().empty())
        throw Error("usage: polar-cli serve --model DIR [--host 127.0.0.1] [--port 8000] [--served-model-name NAME] "
                    "[--api-key KEY] [--max-queue N] [--pooling vllm|lmdeploy] [--batch-tokens N] [--quiet]");
    ServeOptions o;
    o.host = args.value("host", o.host);
    o.port = int(args.integer("port", o.port, 0, 65535));
    o.servedName = args.value("served-model-name", "");
    const char *envKey = std::getenv("POLAR_API_KEY");
    o.apiKey = args.value("api-key", envKey ? envKey : "");
    o.maxQueued = size_t(args.integer("max-queue", int64_t(o.maxQueued), 1, 1 << 20));
    o.batchTokens = args.integer("batch-tokens", ScoringSettings::kDefaultBatchTokens, 1, ScoringSettings::kMaxBatchTokens);
    o.maxBodyBytes = size_t(args.integer("max-body-mb", int64_t(o.maxBodyBytes >> 20), 1, 4096)) << 20;
    o.threads = int(args.integer("connections", o.threads, 1, 4096));
    const std::string pooling = args.value("pooling", "vllm");
    if (pooling != "vllm" && pooling != "lmdeploy")
        throw Error("--pooling: expected vllm or lmdeploy, got '" + pooling + "'");
    o.pooling = pooling == "vllm" ? PoolingShape::Vllm : PoolingShape::Lmdeploy;
    if (!args.has("quiet"))
        o.log = [](const std::string &line) { std::fprintf(stderr, "%s\n", line.c_str()); };

    auto model = loadModel(args);
    RewardServer server(*model, o);
    const int port = server.bind();
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::atomic_bool done{false};
    std::thread watcher([&] {
        while (!done.load() && !g_stopSignal)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        server.stop();
    });
    std::printf("serving %s on http://%s:%d\n"
                "  POST /pooling   vLLM-style {\"input\": [text, ...]} -> data[i].data%s\n"
                "  POST /classify  SGLang-style {\"text\": [text, ...]} -> [i].embedding[0]\n"
                "  GET  /health, /v1/models%s\n",
                (o.servedName.empty() ? model->info().name : o.servedName).c_str(), o.host.c_str(), port,
                o.pooling == PoolingShape::Vllm ? "[-1][0]" : " (LMDeploy's bare number)",
                o.apiKey.empty() ? "" : "   (every other route wants \"Authorization: Bearer KEY\")");
    std::fflush(stdout);
    server.serve();
    done = true;
    watcher.join();
    const ServerCounters c = server.counters();
    std::fprintf(stderr, "stopped: %llu requests (%llu bad, %llu refused as busy, %llu failed), %llu sequences in %llu passes\n",
                 static_cast<unsigned long long>(c.requests), static_cast<unsigned long long>(c.badRequests),
                 static_cast<unsigned long long>(c.busy), static_cast<unsigned long long>(c.failed),
                 static_cast<unsigned long long>(c.queue.sequences), static_cast<unsigned long long>(c.queue.passes));
    return 0;
#else
    (void)argv;
    throw Error("serve: this build has no HTTP server (install libcpp-httplib-dev and build again)");
#endif
}

} // namespace polar::cli
