#include "remote/reward_server.h"

#include "model/reward_model.h"
#include "model/tokenizer.h"
#include "scoring/settings.h"

#include <httplib.h>

#include <chrono>
#include <sys/socket.h>
#include <cstdio>
#include <mutex>

namespace polar {

struct RewardServer::Impl
{
    const RewardModel &model;
    ServeOptions options;
    ScoringQueue queue;
    httplib::Server http;
    std::atomic<uint64_t> requests{0}, badRequests{0}, busy{0}, failed{0};
    int listeningSocket = -1;

    Impl(const RewardModel &m, ServeOptions o)
        : model(m), options(std::move(o)),
          queue(m, options.batchTokens > 0 ? options.batchTokens : ScoringSettings::kDefaultBatchTokens, options.maxQueued)
    {
        if (options.servedName.empty())
            options.servedName = model.info().name;
    }

    void reply(httplib::Response &res, int status, const std::string &body)
    {
        res.status = status;
        res.set_content(body, "application/json");
    }
    void replyError(httplib::Response &res, int status, const std::string &message)
    {
        if (status == 400 || status == 401)
            ++badRequests;
        else if (status == 503)
            ++busy;
        else
            ++failed;
        if (status == 503)
            res.set_header("Retry-After", "1");
        reply(res, status, errorResponse(status, message));
    }

    bool authorized(const httplib::Request &req, httplib::Response &res)
    {
        if (options.apiKey.empty() || req.get_header_value("Authorization") == "Bearer " + options.apiKey)
            return true;
        replyError(res, 401, "missing or wrong API key: send \"Authorization: Bearer KEY\"");
        return false;
    }

    // Tokenizes the texts (with BOS, as the engines' tokenizers do), or checks
    // the ids against the vocabulary; keys group one prompt and reference.
    void prepare(const RewardQuery &q, std::vector<std::vector<int>> &sequences, std::vector<std::string> &keys)
    {
        const std::string &separator = model.encoder().rewardSeparator();
        for (size_t i = 0; i < q.texts.size(); ++i) {
            if (q.texts[i].empty())
                throw Error("text " + std::to_string(i) + " is empty");
            sequences.push_back(model.tokenizer().encode(q.texts[i], true));
            const auto at = q.texts[i].find(separator);
            keys.push_back(at == std::string::npos ? std::string() : q.texts[i].substr(0, at + separator.size()));
        }
        for (size_t i = 0; i < q.ids.size(); ++i) {
            for (int id : q.ids[i])
                if (id >= model.config().vocabSize)
                    throw Error("input " + std::to_string(i) + ": token id " + std::to_string(id)
                                + " is outside the vocabulary (vocab_size " + std::to_string(model.config().vocabSize) + ")");
            sequences.push_back(q.ids[i]);
            keys.emplace_back();
        }
    }

    template <typename Parse, typename Answer>
    void handleScoring(const httplib::Request &req, httplib::Response &res, Parse parse, Answer answer)
    {
        ++requests;
        if (!authorized(req, res))
            return;
        RewardQuery q;
        std::vector<std::vector<int>> sequences;
        std::vector<std::string> keys;
        try {
            q = parse(req.body);
            prepare(q, sequences, keys);
        } catch (const std::exception &e) {
            return replyError(res, 400, e.what());
        }
        if (sequences.size() > options.maxQueued)
            return replyError(res, 400, "a request may hold at most " + std::to_string(options.maxQueued)
                                            + " inputs (this one holds " + std::to_string(sequences.size()) + ")");
        std::vector<size_t> tokens;
        for (const auto &s : sequences)
            tokens.push_back(s.size());
        std::vector<SequenceScore> scores;
        try {
            scores = queue.submit(std::move(sequences), std::move(keys)).get();
        } catch (const QueueFull &e) {
            return replyError(res, 503, e.what());
        } catch (const std::exception &e) {
            return replyError(res, 500, e.what());
        }
        std::vector<float> rewards;
        for (size_t i = 0; i < scores.size(); ++i) {
            if (!scores[i].ok)
                return replyError(res, 500, "input " + std::to_string(i) + ": " + scores[i].error);
            rewards.push_back(scores[i].reward);
        }
        reply(res, 200, answer(q, rewards, tokens));
    }

    void routes()
    {
        http.new_task_queue = [n = size_t(std::max(1, options.threads))] { return new httplib::ThreadPool(n); };
        // The library listens with a backlog of 5, so a burst of RL workers
        // connecting at once waits a second for SYN retries (seen as a 1 s p99
        // in the load test); the socket is kept to raise the backlog after bind.
        http.set_socket_options([this](socket_t sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
            if (listeningSocket < 0)
                listeningSocket = int(sock);
        });
        http.set_payload_max_length(options.maxBodyBytes);
        http.Get("/health", [](const httplib::Request &, httplib::Response &res) { res.status = 200; });
        http.Get("/v1/models", [this](const httplib::Request &req, httplib::Response &res) {
            if (authorized(req, res))
                reply(res, 200, modelsResponse(options.servedName, model.config().maxPositionEmbeddings));
        });
        http.Post("/pooling", [this](const httplib::Request &req, httplib::Response &res) {
            handleScoring(req, res, parsePoolingQuery, [this](const RewardQuery &, const std::vector<float> &r, const std::vector<size_t> &t) {
                return poolingResponse(options.pooling, options.servedName, r, t);
            });
        });
        http.Post("/classify", [this](const httplib::Request &req, httplib::Response &res) {
            handleScoring(req, res, parseClassifyQuery, [](const RewardQuery &q, const std::vector<float> &r, const std::vector<size_t> &t) {
                return classifyResponse(r, t, q.single);
            });
        });
        http.set_exception_handler([this](const httplib::Request &, httplib::Response &res, std::exception_ptr ep) {
            std::string what = "internal error";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception &e) {
                what = e.what();
            } catch (...) {
            }
            replyError(res, 500, what);
        });
        // httplib's own refusals (no route, body too large) get a JSON body too.
        http.set_error_handler([this](const httplib::Request &req, httplib::Response &res) {
            if (!res.body.empty())
                return;
            const std::string why = res.status == 404   ? "no route " + req.method + " " + req.path
                                    : res.status == 413 ? "the request body is larger than " + std::to_string(options.maxBodyBytes) + " bytes"
                                                        : "HTTP " + std::to_string(res.status);
            res.set_content(errorResponse(res.status, why), "application/json");
        });
        if (options.log)
            http.set_logger([this](const httplib::Request &req, const httplib::Response &res) {
                options.log(req.method + " " + req.path + " " + std::to_string(res.status) + " " + std::to_string(req.body.size()) + " B");
            });
    }
};

RewardServer::RewardServer(const RewardModel &model, ServeOptions options) : d(std::make_unique<Impl>(model, std::move(options)))
{
    d->routes();
}

RewardServer::~RewardServer() { stop(); }

int RewardServer::bind()
{
    const auto &o = d->options;
    int port = o.port;
    if (o.port == 0) {
        port = d->http.bind_to_any_port(o.host);
        if (port <= 0)
            throw Error("cannot listen on " + o.host + " (any port)");
    } else if (!d->http.bind_to_port(o.host, o.port)) {
        throw Error("cannot listen on " + o.host + ":" + std::to_string(o.port) + " (in use, or not an address of this machine)");
    }
    if (d->listeningSocket >= 0)
        ::listen(d->listeningSocket, SOMAXCONN);
    return port;
}

void RewardServer::serve() { d->http.listen_after_bind(); }

void RewardServer::stop() { d->http.stop(); }

ServerCounters RewardServer::counters() const
{
    ServerCounters c;
    c.requests = d->requests;
    c.badRequests = d->badRequests;
    c.busy = d->busy;
    c.failed = d->failed;
    c.queue = d->queue.counters();
    return c;
}

} // namespace polar
