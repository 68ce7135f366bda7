#include "remote/scoring_queue.h"

#include "model/reward_model.h"

#include <algorithm>
#include <map>

namespace polar {

std::vector<int> commonPrefix(const std::vector<const std::vector<int> *> &sequences)
{
    if (sequences.size() < 2)
        return {};
    size_t n = sequences[0]->size();
    for (const auto *s : sequences)
        n = std::min(n, s->size());
    n = n > 0 ? n - 1 : 0;
    const auto &first = *sequences[0];
    for (const auto *s : sequences)
        n = size_t(std::mismatch(first.begin(), first.begin() + long(n), s->begin()).first - first.begin());
    return std::vector<int>(first.begin(), first.begin() + long(n));
}

ScoringQueue::ScoringQueue(const RewardModel &model, int64_t batchTokens, size_t maxQueuedSequences)
    : m_model(model), m_batchTokens(batchTokens), m_maxQueued(maxQueuedSequences), m_thread([this] { run(); })
{
}

ScoringQueue::~ScoringQueue()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    for (auto &job : m_jobs)
        job.done.set_exception(std::make_exception_ptr(Error("server shutting down")));
}

std::future<std::vector<SequenceScore>> ScoringQueue::submit(std::vector<std::vector<int>> sequences, std::vector<std::string> keys)
{
    Job job;
    job.sequences = std::move(sequences);
    job.keys = std::move(keys);
    job.keys.resize(job.sequences.size());
    auto future = job.done.get_future();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_stopping)
            throw QueueFull("server shutting down");
        if (m_queuedSequences + job.sequences.size() > m_maxQueued) {
            ++m_counters.refused;
            throw QueueFull("the server's queue is full (" + std::to_string(m_queuedSequences) + " of "
                            + std::to_string(m_maxQueued) + " sequences waiting); try again shortly");
        }
        m_queuedSequences += job.sequences.size();
        m_jobs.push_back(std::move(job));
    }
    m_wake.notify_one();
    return future;
}

QueueCounters ScoringQueue::counters() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_counters;
}

void ScoringQueue::run()
{
    for (;;) {
        std::vector<Job> jobs;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_stopping)
                return;
            // Everything that waits now forms one pass: the busier the server,
            // the larger its batches.
            while (!m_jobs.empty()) {
                m_queuedSequences -= m_jobs.front().sequences.size();
                jobs.push_back(std::move(m_jobs.front()));
                m_jobs.pop_front();
            }
        }
        scorePass(jobs);
    }
}

void ScoringQueue::scorePass(std::vector<Job> &jobs)
{
    // Groups by key across every request in the pass; an empty key stands alone.
    std::vector<SequenceGroup> groups;
    std::vector<std::vector<std::pair<size_t, size_t>>> members; // group -> (job, sequence)
    std::map<std::string, size_t> groupOf;
    for (size_t j = 0; j < jobs.size(); ++j)
        for (size_t s = 0; s < jobs[j].sequences.size(); ++s) {
            const std::string &key = jobs[j].keys[s];
            size_t g;
            if (key.empty() || !groupOf.count(key)) {
                g = groups.size();
                groups.emplace_back();
                members.emplace_back();
                if (!key.empty())
                    groupOf[key] = g;
            } else {
                g = groupOf[key];
            }
            groups[g].sequences.push_back(jobs[j].sequences[s]);
            members[g].emplace_back(j, s);
        }
    for (auto &g : groups) {
        std::vector<const std::vector<int> *> seqs;
        for (const auto &s : g.sequences)
            seqs.push_back(&s);
        g.prefix = commonPrefix(seqs);
    }
    ScoreOptions options;
    options.batchTokens = m_batchTokens;
    options.cancel = &m_stopping;
    ScoreStats stats;
    try {
        const auto results = scoreSequenceGroups(m_model, groups, options, &stats);
        std::vector<std::vector<SequenceScore>> perJob(jobs.size());
        for (size_t j = 0; j < jobs.size(); ++j)
            perJob[j].resize(jobs[j].sequences.size());
        size_t total = 0;
        for (size_t g = 0; g < groups.size(); ++g)
            for (size_t k = 0; k < members[g].size(); ++k, ++total)
                perJob[members[g][k].first][members[g][k].second] = results[g][k];
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_counters.passes += 1;
            m_counters.sequences += total;
            m_counters.largestPass = std::max<uint64_t>(m_counters.largestPass, total);
            m_counters.sharedRows += stats.sharedRows;
        }
        for (size_t j = 0; j < jobs.size(); ++j)
            jobs[j].done.set_value(std::move(perJob[j]));
    } catch (const std::exception &e) {
        const std::string why = dynamic_cast<const Cancelled *>(&e) ? "server shutting down" : e.what();
        for (auto &job : jobs)
            job.done.set_exception(std::make_exception_ptr(Error(why)));
    }
}

} // namespace polar
