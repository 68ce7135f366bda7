#include "remote/remote_scorer.h"

#include "remote/http_client.h"
#include "model/reward_model.h"
#include "remote/protocol.h"
#include "util/error.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace polar {

namespace {

using Clock = std::chrono::steady_clock;

bool retryable(const HttpResult &r) { return r.status == 0 || r.status == 429 || r.status == 502 || r.status == 503 || r.status == 504; }

std::string describeFailure(const HttpResult &r, const ServerSpec &spec)
{
    if (r.status == 0)
        return r.failure;
    std::string message = errorMessageOf(r.body);
    if (r.status == 401 || r.status == 403)
        message += spec.apiKey.empty() ? " (no API key was sent)" : " (check the API key)";
    return "HTTP " + std::to_string(r.status) + (message.empty() ? "" : ": " + message);
}

// Sleeps up to `seconds`, waking early when `stop` is raised.
void pause(double seconds, const std::atomic_bool &stop)
{
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (!stop.load() && Clock::now() < until)
        std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
}

// One batch through one client, with the spec's retries. Fills `out`.
void scoreBatch(HttpClient &client, const ServerSpec &spec, const std::vector<std::string> &texts, size_t begin, size_t end,
                std::vector<SequenceScore> &out, const std::atomic_bool &stop)
{
    const std::vector<std::string> batch(texts.begin() + long(begin), texts.begin() + long(end));
    const std::string body = rewardRequestBody(spec.engine, spec.model, batch);
    std::string error = "cancelled";
    for (int attempt = 0; !stop.load(); ++attempt) {
        const HttpResult r = client.post(rewardPath(spec.engine), body);
        if (r.status == 200) {
            try {
                const auto rewards = parseRewardResponse(spec.engine, r.body, batch.size());
                for (size_t i = 0; i < batch.size(); ++i)
                    out[begin + i] = SequenceScore{true, float(rewards[i]), {}};
                return;
            } catch (const Error &e) {
                error = e.what(); // a malformed answer is not transient: no retry
                break;
            }
        }
        error = describeFailure(r, spec);
        if (!retryable(r))
            break;
        if (attempt == spec.retries) {
            error += " (" + std::to_string(attempt + 1) + (attempt ? " tries)" : " try)");
            break;
        }
        const double backoff = std::min(30.0, spec.backoffSeconds * double(1 << std::min(attempt, 10)));
        pause(r.retryAfterSeconds >= 0 ? std::min(r.retryAfterSeconds, 60.0) : backoff, stop);
    }
    for (size_t i = begin; i < end; ++i)
        out[i] = SequenceScore{false, 0.f, spec.describe() + ": " + error};
}

} // namespace

namespace {

std::string lastComponent(const std::string &path)
{
    return asciiLower(modelNameOf(path));
}

// Whether a served model id names the model in `localDir`: the same last
// component ("internlm/POLAR-7B" serves ~/models/POLAR-7B), ignoring case, or
// the repository of a Hugging Face cache snapshot
// (.../models--internlm--POLAR-7B/snapshots/<commit>).
bool namesLocalModel(const std::string &servedId, const std::string &localDir)
{
    const std::string served = lastComponent(servedId);
    if (served == lastComponent(localDir))
        return true;
    const std::string dir = asciiLower(localDir);
    const size_t snapshots = dir.rfind("/snapshots/");
    const size_t repo = dir.rfind("models--", snapshots);
    if (snapshots == std::string::npos || repo == std::string::npos)
        return false;
    const std::string name = dir.substr(repo, snapshots - repo); // models--internlm--polar-7b
    return name.size() >= served.size() + 2 && name.compare(name.size() - served.size() - 2, std::string::npos, "--" + served) == 0;
}

} // namespace

ServerCheck ServerProbe::summary(const std::string &requested, const std::string &localDir) const
{
    char text[160];
    std::snprintf(text, sizeof text, "answered a reward of %.4f in %.0f ms", reward, milliseconds);
    ServerCheck out{text, {}};
    if (models.empty())
        return out;
    std::string listed;
    for (const auto &m : models)
        listed += (listed.empty() ? "" : ", ") + m;
    out.summary += "; serves " + listed;
    if (!requested.empty()) {
        if (std::find(models.begin(), models.end(), requested) == models.end())
            out.warning = "the server does not list " + requested + ", the model requested";
    } else if (std::none_of(models.begin(), models.end(), [&](const std::string &m) { return namesLocalModel(m, localDir); })) {
        out.warning = "the server does not list " + modelNameOf(localDir) + ", the model opened here: texts are encoded "
                      "and truncated with this directory's tokenizer, so make sure the server runs the same model";
    }
    return out;
}

RemoteScorer::RemoteScorer(ServerSpec spec) : m_spec(std::move(spec)) { m_spec.validate(); }

std::string RemoteScorer::describe() const { return m_spec.describe(); }

std::vector<SequenceScore> RemoteScorer::scoreTexts(const std::vector<std::string> &texts, const ScoreControl &control) const
{
    std::vector<SequenceScore> out(texts.size());
    if (texts.empty())
        return out;
    const size_t batch = size_t(m_spec.batchSize);
    const size_t batches = (texts.size() + batch - 1) / batch;
    const size_t workers = std::min(batches, size_t(m_spec.concurrency));
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (size_t w = 0; w < workers; ++w)
        clients.push_back(std::make_unique<HttpClient>(m_spec));

    std::atomic_bool stop{false};
    std::atomic<size_t> next{0}, doneTexts{0}, running{workers};
    std::mutex mutex;
    std::condition_variable wake;
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            for (size_t b; !stop.load() && (b = next.fetch_add(1)) < batches;) {
                const size_t begin = b * batch, end = std::min(texts.size(), begin + batch);
                scoreBatch(*clients[w], m_spec, texts, begin, end, out, stop);
                doneTexts += end - begin;
                wake.notify_one();
            }
            --running;
            wake.notify_one();
        });
    }
    // Progress and cancel on the caller's thread: its callbacks need not be thread-safe.
    size_t reported = 0;
    while (running.load() > 0) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait_for(lock, std::chrono::milliseconds(50));
        lock.unlock();
        if (control.cancel && control.cancel->load() && !stop.exchange(true))
            for (auto &c : clients)
                c->abort();
        const size_t done = doneTexts.load();
        if (control.progress && done != reported && !stop.load())
            control.progress(reported = done, texts.size());
    }
    for (auto &t : threads)
        t.join();
    if (stop.load())
        throw Cancelled();
    if (control.progress && reported != texts.size())
        control.progress(texts.size(), texts.size());
    return out;
}

ServerProbe RemoteScorer::probe(const std::string &sampleText) const
{
    HttpClient client(m_spec);
    ServerProbe probe;
    const HttpResult models = client.get("/v1/models");
    if (models.status == 0)
        throw Error(describe() + ": " + describeFailure(models, m_spec));
    if (models.status == 401 || models.status == 403)
        throw Error(describe() + ": " + describeFailure(models, m_spec));
    if (models.status == 200) {
        Json root;
        std::string why;
        if (tryParseJson(models.body, root, why) && root.is_object())
            if (const Json *data = findField(root, "data"); data && data->is_array())
                for (const auto &card : *data)
                    if (card.is_object())
                        if (const Json *id = findField(card, "id"); id && id->is_string())
                            probe.models.push_back(id->get<std::string>());
    }
    const auto started = Clock::now();
    const HttpResult r = client.post(rewardPath(m_spec.engine), rewardRequestBody(m_spec.engine, m_spec.model, {sampleText}));
    probe.milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (r.status != 200)
        throw Error(describe() + ": " + describeFailure(r, m_spec));
    try {
        probe.reward = parseRewardResponse(m_spec.engine, r.body, 1)[0];
    } catch (const Error &e) {
        throw Error(describe() + ": " + e.what());
    }
    return probe;
}

} // namespace polar

namespace polar {

std::unique_ptr<RewardModel> connectToServer(ServerSpec spec, const std::string &dir)
{
    // As the official client: SGLang's request names the model, vLLM's and
    // LMDeploy's do not (a name vLLM does not serve would be refused with 404).
    if (spec.model.empty() && spec.engine == ServerEngine::Sglang)
        spec.model = modelNameOf(resolveModelDirectory(dir));
    return RewardModel::connect(dir, std::make_shared<RemoteScorer>(std::move(spec)));
}

ServerCheck testConnection(const RewardModel &remoteModel)
{
    if (!remoteModel.remote())
        throw Error("the model runs in this process: there is no server to test");
    const PolarInput input = remoteModel.encoder().encode(TextField::fromString("What is 1 + 1?"), TextField::fromString("2"),
                                                          TextField::fromString("1 + 1 = 2."));
    ServerCheck check = remoteModel.remote()->check(input.text, remoteModel.info().directory);
    check.summary = remoteModel.remote()->describe() + " " + check.summary;
    return check;
}

} // namespace polar
