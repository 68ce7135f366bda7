#pragma once

#include "scoring/scorer.h"
#include "util/error.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace polar {

class RewardModel;

// The queue would hold more texts than its limit: the server answers 503.
class QueueFull : public Error
{
public:
    using Error::Error;
};

struct QueueCounters
{
    uint64_t passes = 0;        // batches run
    uint64_t sequences = 0;     // sequences scored
    uint64_t largestPass = 0;   // sequences in the largest batch
    uint64_t sharedRows = 0;    // sequences that reused a shared prefix
    uint64_t refused = 0;       // submissions refused as over the limit
};

// The server's one engine thread: requests from many connections wait here;
// each pass takes everything queued, so concurrent requests are batched
// together, and sequences with the same group key (the text before
// "<|reward|>": one prompt and reference) share their common token prefix
// across requests. The model runs on this thread only.
class ScoringQueue
{
public:
    ScoringQueue(const RewardModel &model, int64_t batchTokens, size_t maxQueuedSequences);
    ~ScoringQueue(); // fails what is still queued with "server shutting down"

    // `keys[i]` groups sequence i with others ("" = no group). Throws QueueFull.
    std::future<std::vector<SequenceScore>> submit(std::vector<std::vector<int>> sequences, std::vector<std::string> keys);
    QueueCounters counters() const;

private:
    struct Job
    {
        std::vector<std::vector<int>> sequences;
        std::vector<std::string> keys;
        std::promise<std::vector<SequenceScore>> done;
    };
    void run();
    void scorePass(std::vector<Job> &jobs);

    const RewardModel &m_model;
    const int64_t m_batchTokens;
    const size_t m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_jobs;
    size_t m_queuedSequences = 0;
    std::atomic_bool m_stopping{false};
    QueueCounters m_counters;
    std::thread m_thread;
};

// The longest run of ids every sequence starts with, leaving each at least its last id.
std::vector<int> commonPrefix(const std::vector<const std::vector<int> *> &sequences);

} // namespace polar
