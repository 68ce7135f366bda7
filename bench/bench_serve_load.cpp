// A bounded loopback load test of `polar-cli serve`'s server: concurrent
// clients, each sending its own encoded texts, one client killed mid-request;
// prints throughput and p50/p99 latency, and counts lost and mismatched
// answers against the local engine's rewards (any is a failure: exit 1).
//
// usage: bench_serve_load [--model DIR] [--clients N] [--requests N] [--texts N] [--engine vllm|sglang]
//                         [--device cpu|cuda|auto] [--dtype fp32|bf16|fp16|auto] [--atol X]
// --atol: how far a served reward may be from the in-process one, times max(1, |r|)
// (1e-4 by default; in bf16 a row's reward depends on its batch by up to ~0.1).
#include "model/compute_options.h"
#include "model/demo_model.h"
#include "model/reward_model.h"
#include "remote/remote_scorer.h"
#include "remote/reward_server.h"
#include "scoring/pipeline.h"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace polar;
using Clock = std::chrono::steady_clock;

namespace {

// Connects, sends half a request and closes: a client killed mid-request.
void killedClient(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
        const std::string half = "POST /pooling HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n{\"input\": [\"How";
        (void)::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    }
    ::close(fd);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

} // namespace

int main(int argc, char **argv)
{
    std::string modelDir, engine = "vllm", device = "cpu", dtype = "auto";
    int clients = 16, requestsPerClient = 20, textsPerRequest = 8;
    double atol = 1e-4;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--model") modelDir = v;
        else if (k == "--clients") clients = std::max(1, std::stoi(v));
        else if (k == "--requests") requestsPerClient = std::max(1, std::stoi(v));
        else if (k == "--texts") textsPerRequest = std::max(1, std::stoi(v));
        else if (k == "--engine") engine = v;
        else if (k == "--device") device = v;
        else if (k == "--dtype") dtype = v;
        else if (k == "--atol") atol = std::stod(v);
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    try {
        if (modelDir.empty())
            modelDir = demoModelDirectory();
        LoadOptions lo;
        lo.device = parseDevice(device);
        lo.dtype = parseComputeDType(dtype);
        const auto model = RewardModel::load(modelDir, lo);

        // Every client asks about its own prompts: 4 candidates per prompt and reference.
        const size_t total = size_t(clients) * size_t(requestsPerClient) * size_t(textsPerRequest);
        std::vector<ScoreRequest> requests;
        for (size_t i = 0; i < total; ++i) {
            const size_t prompt = i / 4;
            requests.push_back({TextField::fromString("What is " + std::to_string(prompt) + " + " + std::to_string(prompt % 97) + "?"),
                                TextField::fromString(std::to_string(prompt + prompt % 97)),
                                TextField::fromString("The answer is " + std::to_string(prompt + i % 4) + ".")});
        }
        const auto localStart = Clock::now();
        const auto local = scoreRequests(*model, requests, {});
        const double localSeconds = std::chrono::duration<double>(Clock::now() - localStart).count();

        ServeOptions so;
        so.host = "127.0.0.1";
        so.port = 0;
        RewardServer server(*model, so);
        const int port = server.bind();
        std::thread serving([&] { server.serve(); });

        std::mutex mutex;
        std::vector<double> latencies;
        size_t mismatched = 0, lost = 0;
        std::vector<std::thread> threads;
        const auto started = Clock::now();
        for (int c = 0; c < clients; ++c)
            threads.emplace_back([&, c] {
                ServerSpec spec = parseServerSpec(engine + "=http://127.0.0.1:" + std::to_string(port));
                spec.batchSize = textsPerRequest;
                spec.concurrency = 1;
                const RemoteScorer scorer(spec);
                for (int r = 0; r < requestsPerClient; ++r) {
                    if (c == 0 && r == requestsPerClient / 2)
                        killedClient(port);
                    const size_t begin = (size_t(c) * size_t(requestsPerClient) + size_t(r)) * size_t(textsPerRequest);
                    std::vector<std::string> texts;
                    for (size_t k = 0; k < size_t(textsPerRequest); ++k)
                        texts.push_back(local[begin + k].encodedText);
                    const auto t0 = Clock::now();
                    const auto got = scorer.scoreTexts(texts, {});
                    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                    std::lock_guard<std::mutex> lock(mutex);
                    latencies.push_back(ms);
                    for (size_t k = 0; k < got.size(); ++k) {
                        if (!got[k].ok)
                            ++lost;
                        else if (std::abs(got[k].reward - local[begin + k].reward) > atol * std::max(1.0f, std::abs(local[begin + k].reward)))
                            ++mismatched;
                    }
                }
            });
        for (auto &t : threads)
            t.join();
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        server.stop();
        serving.join();
        const auto counters = server.counters();
        std::printf("model %s (%lld parameters) on %s in %s, %d clients x %d requests x %d texts, %s shape, loopback\n",
                    model->info().name.c_str(), static_cast<long long>(model->info().parameterCount),
                    model->info().device.c_str(), model->info().dtype.c_str(), clients, requestsPerClient, textsPerRequest,
                    engine.c_str());
        std::printf("throughput  %.1f texts/s, %.1f requests/s (%.2f s)\n", double(total) / seconds,
                    double(clients * requestsPerClient) / seconds, seconds);
        std::printf("in-process  %.1f texts/s (the same inputs in one scoreRequests call, no HTTP)\n", double(total) / localSeconds);
        std::printf("latency     p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", percentile(latencies, 0.5), percentile(latencies, 0.99),
                    percentile(latencies, 1.0));
        std::printf("batching    %llu passes, %.1f sequences per pass on average, largest %llu, %llu rows on a shared prefix\n",
                    static_cast<unsigned long long>(counters.queue.passes),
                    counters.queue.passes ? double(counters.queue.sequences) / double(counters.queue.passes) : 0.0,
                    static_cast<unsigned long long>(counters.queue.largestPass),
                    static_cast<unsigned long long>(counters.queue.sharedRows));
        std::printf("answers     %zu of %zu, %zu lost, %zu mismatched; server: %llu requests, %llu bad, %llu busy, %llu failed\n",
                    total - lost, total, lost, mismatched, static_cast<unsigned long long>(counters.requests),
                    static_cast<unsigned long long>(counters.badRequests), static_cast<unsigned long long>(counters.busy),
                    static_cast<unsigned long long>(counters.failed));
        return lost || mismatched ? 1 : 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_serve_load: %s\n", e.what());
        return 2;
    }
}
