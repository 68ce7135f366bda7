#pragma once

#include "remote/protocol.h"
#include "remote/scoring_queue.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace polar {

class RewardModel;

struct ServeOptions
{
    std::string host = "127.0.0.1";
    int port = 8000;                 // 0: any free port (tests)
    std::string servedName;          // /v1/models and the responses' "model"; default the model's name
    std::string apiKey;              // when set, every route but /health wants "Authorization: Bearer KEY"
    PoolingShape pooling = PoolingShape::Vllm;
    size_t maxQueued = 1024;         // sequences waiting for the engine; more is answered 503
    int64_t batchTokens = 0;         // padded tokens per forward pass (0: ScoringSettings' default)
    size_t maxBodyBytes = size_t(64) << 20;
    int threads = 64;                // connections served at once
    std::function<void(const std::string &line)> log; // one line per request; optional
};

struct ServerCounters
{
    uint64_t requests = 0, badRequests = 0, busy = 0, failed = 0;
    QueueCounters queue;
};

// vLLM- and SGLang-style reward APIs over the in-process engine (cpp-httplib's
// server), so RL loops and the official client reach it unchanged:
//   POST /pooling    vLLM's shape (or LMDeploy's, by option)
//   POST /classify   SGLang's shape
//   GET  /health, /v1/models
// Texts are tokenized with BOS, as the engines do; concurrent requests are
// batched by the ScoringQueue. Bad requests get 400 with a message, a full
// queue 503 with Retry-After, a missing key 401; no request can crash it.
class RewardServer
{
public:
    RewardServer(const RewardModel &model, ServeOptions options);
    ~RewardServer();
    // Binds the address; returns the port. Throws polar::Error when it is taken.
    int bind();
    // Serves until stop(); call after bind().
    void serve();
    void stop(); // from any thread
    ServerCounters counters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace polar
