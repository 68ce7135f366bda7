// The remote backends and `polar-cli serve`, for real on loopback: our client
// against our server in each engine's shape, the engines' documented response
// shapes (tests/data/protocol), failures that must surface as errors on the
// items concerned, bad requests, a full queue, clients that vanish mid-request,
// and concurrent clients whose answers must not cross.
#include "model/reward_model.h"
#include "remote/protocol.h"
#include "remote/remote_scorer.h"
#include "remote/reward_server.h"
#include "remote/scoring_queue.h"
#include "remote/server_spec.h"
#include "scoring/pipeline.h"
#include "test_support.h"
#include "live_server.h"
#include "util/error.h"
#include "util/files.h"
#include "preferences/project.h"
#include "preferences/project_scoring.h"

#include <httplib.h>

#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

using namespace polar;
using testdata::FakeEngine;
using testdata::LiveServer;

namespace {


std::vector<ScoreRequest> someRequests()
{
    std::vector<ScoreRequest> out;
    const char *prompts[] = {"How many 'r's are in strawberry?", "What is 12 + 30?", "Name the capital of France."};
    const char *references[] = {"There are 3.", "42", "Paris."};
    const char *outputs[] = {"Three.", "It has 2 of them.", "42, I think", "Paris, of course."};
    for (int p = 0; p < 3; ++p)
        for (const char *o : outputs)
            out.push_back({TextField::fromString(prompts[p]), TextField::fromString(references[p]), TextField::fromString(o)});
    return out;
}

ServerSpec specFor(ServerEngine engine, const std::string &url)
{
    ServerSpec s;
    s.engine = engine;
    s.url = parseServerUrl(url);
    s.backoffSeconds = 0.01;
    return s;
}

// The n-text vLLM answer with rewards 0, 1, 2, ...
std::string vllmAnswer(size_t n)
{
    std::vector<float> rewards;
    for (size_t i = 0; i < n; ++i)
        rewards.push_back(float(i));
    return poolingResponse(PoolingShape::Vllm, "fake", rewards, std::vector<size_t>(n, 1));
}

size_t inputCount(const std::string &body) { return parsePoolingQuery(body).size(); }

// Sends raw bytes to a port and closes without reading: a client that dies.
void sendAndVanish(int port, const std::string &bytes)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    QVERIFY(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size()));
    ::close(fd);
}

} // namespace

class TestRemote : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RewardModel> m_model;

private Q_SLOTS:
    void initTestCase()
    {
        LoadOptions o;
        o.device = Device::Cpu;
        o.dtype = ComputeDType::F32;
        m_model = RewardModel::load(testdata::tinyModel(), o);
    }

    void addressesAndSpecs()
    {
        const ServerUrl plain = parseServerUrl("127.0.0.1:30000"); // the official client's server_address
        QCOMPARE(plain.scheme, std::string("http"));
        QCOMPARE(plain.port, 30000);
        QCOMPARE(plain.text(), std::string("http://127.0.0.1:30000"));
        const ServerUrl tls = parseServerUrl("HTTPS://rm.example.org/polar/");
        QCOMPARE(tls.scheme, std::string("https"));
        QCOMPARE(tls.port, 443);
        QCOMPARE(tls.basePath, std::string("/polar"));
        const ServerUrl v6 = parseServerUrl("http://[::1]:8000");
        QCOMPARE(v6.host, std::string("::1"));
        QCOMPARE(v6.port, 8000);
        const ServerSpec s = parseServerSpec("SGLang=http://gpu:30000");
        QCOMPARE(s.engine, ServerEngine::Sglang);
        QCOMPARE(s.describe(), std::string("SGLang at http://gpu:30000"));
        for (const char *bad : {"ftp://host:1", "host", "host:99999", "host:8o", "http://:80", "http://u:p@host:1"})
            QVERIFY_THROWS_EXCEPTION(Error, parseServerUrl(bad));
        QVERIFY_THROWS_EXCEPTION(Error, parseServerSpec("http://host:8000"));
        try {
            parseServerSpec("tgi=http://host:8000");
            QFAIL("an unknown engine was accepted");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("vllm, sglang or lmdeploy") != std::string::npos);
        }
        ServerSpec zero = s;
        zero.concurrency = 0;
        QVERIFY_THROWS_EXCEPTION(Error, zero.validate());
    }

    void engineResponseShapes()
    {
        const std::string dir = testdata::sourceDir() + "/tests/data/protocol/";
        QCOMPARE(parseRewardResponse(ServerEngine::Vllm, readWholeFile(dir + "vllm-pooling.json"), 2),
                 (std::vector<double>{1.25, -2.5}));
        QCOMPARE(parseRewardResponse(ServerEngine::Sglang, readWholeFile(dir + "sglang-classify.json"), 2),
                 (std::vector<double>{-1.5, 3.25}));
        QCOMPARE(parseRewardResponse(ServerEngine::Lmdeploy, readWholeFile(dir + "lmdeploy-pooling.json"), 2),
                 (std::vector<double>{0.875, -4.0}));
        // Items come back in "index" order, whatever order they are listed in.
        QCOMPARE(parseRewardResponse(ServerEngine::Vllm, R"({"data":[{"index":1,"data":[[2]]},{"index":0,"data":[[1]]}]})", 2),
                 (std::vector<double>{1, 2}));
        // SGLang answers one text with one bare object.
        QCOMPARE(parseRewardResponse(ServerEngine::Sglang, R"({"embedding":[0.5]})", 1), (std::vector<double>{0.5}));

        auto failure = [](ServerEngine e, const std::string &body, size_t expected) -> std::string {
            try {
                parseRewardResponse(e, body, expected);
            } catch (const Error &err) {
                return err.what();
            }
            return "(no error)";
        };
        QVERIFY(failure(ServerEngine::Vllm, readWholeFile(dir + "vllm-pooling.json"), 3).find("2 results for 3 texts") != std::string::npos);
        QVERIFY(failure(ServerEngine::Vllm, R"({"data":[{"index":0,"data":"AAAA"}]})", 1).find("base64") != std::string::npos);
        QVERIFY(failure(ServerEngine::Vllm, R"({"data":[{"index":0,"data":[]}]})", 1).find("empty list") != std::string::npos);
        QVERIFY(failure(ServerEngine::Vllm, R"({"data":[{"index":0,"data":[[1]]},{"index":0,"data":[[1]]}]})", 2).find("repeated") != std::string::npos);
        QVERIFY(failure(ServerEngine::Sglang, R"([{"meta_info":{}}])", 1).find("'embedding'") != std::string::npos);
        QVERIFY(failure(ServerEngine::Lmdeploy, "<html>Bad Gateway</html>", 1).find("not valid JSON") != std::string::npos);
        QVERIFY(failure(ServerEngine::Lmdeploy, R"({"object":"error","message":"boom"})", 1).find("no \"data\" list") != std::string::npos);

        QCOMPARE(errorMessageOf(R"({"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","code":404})"),
                 std::string("The model `x` does not exist."));
        QCOMPARE(errorMessageOf(R"({"detail":"Not Found"})"), std::string("Not Found"));
        QCOMPARE(errorMessageOf(R"({"error":{"message":"rate limited"}})"), std::string("rate limited"));
        QCOMPARE(errorMessageOf("upstream timed out\n<html>"), std::string("upstream timed out"));
    }

    void requestsAsTheOfficialClientBuildsThem()
    {
        const Json vllm = parseJson(rewardRequestBody(ServerEngine::Vllm, "", {"a", "b"}), "vllm");
        QCOMPARE(vllm.dump(), std::string(R"({"input":["a","b"]})"));
        const Json sglang = parseJson(rewardRequestBody(ServerEngine::Sglang, "POLAR-7B", {"a"}), "sglang");
        QCOMPARE(sglang.dump(), std::string(R"({"model":"POLAR-7B","text":["a"]})"));
        QCOMPARE(std::string(rewardPath(ServerEngine::Lmdeploy)), std::string("/pooling"));
        QCOMPARE(std::string(rewardPath(ServerEngine::Sglang)), std::string("/classify"));
    }

    void commonPrefixLeavesEveryRowItsLastToken()
    {
        const std::vector<int> a{1, 2, 3, 4}, b{1, 2, 3, 5}, c{1, 2}, same{1, 2, 3};
        QCOMPARE(commonPrefix({&a, &b}), (std::vector<int>{1, 2, 3}));
        QCOMPARE(commonPrefix({&a, &b, &c}), (std::vector<int>{1}));
        QCOMPARE(commonPrefix({&same, &same}), (std::vector<int>{1, 2}));
        QVERIFY(commonPrefix({&a}).empty());
    }

    // Our backends against our server, each engine's shape, against the local engine.
    void remoteRewardsEqualLocal()
    {
        const auto requests = someRequests();
        ScoringSettings settings;
        const auto local = scoreRequests(*m_model, requests, settings);

        LiveServer vllmStyle(*m_model, {});
        ServeOptions lmdeployShape;
        lmdeployShape.pooling = PoolingShape::Lmdeploy;
        LiveServer lmdeployStyle(*m_model, lmdeployShape);
        const std::pair<ServerEngine, std::string> servers[] = {
            {ServerEngine::Vllm, vllmStyle.url()}, {ServerEngine::Sglang, vllmStyle.url()}, {ServerEngine::Lmdeploy, lmdeployStyle.url()}};
        for (const auto &[engine, url] : servers) {
            ServerSpec spec = specFor(engine, url);
            spec.batchSize = 3;   // several requests, several in flight: the server batches across them
            spec.concurrency = 3;
            const auto remote = connectToServer(spec, testdata::tinyModel());
            QVERIFY(remote->remote() != nullptr);
            QCOMPARE(remote->info().remote, spec.describe());
            size_t lastProgress = 0;
            ScoreControl control;
            control.progress = [&](size_t done, size_t total) {
                QVERIFY(done >= lastProgress && total == requests.size());
                lastProgress = done;
            };
            const auto scores = scoreRequests(*remote, requests, settings, control);
            QCOMPARE(scores.size(), local.size());
            QCOMPARE(lastProgress, requests.size());
            for (size_t i = 0; i < scores.size(); ++i) {
                QVERIFY2(scores[i].ok, scores[i].error.c_str());
                QCOMPARE(scores[i].encodedText, local[i].encodedText);
                QVERIFY2(std::abs(scores[i].reward - local[i].reward) < 1e-4f, engineName(engine));
            }
            // Attribution and training need the weights: a clear refusal, not a crash.
            try {
                remote->forwardRewards({{1, 2, 3}});
                QFAIL("a remote model ran a forward pass");
            } catch (const Error &e) {
                QVERIFY(std::string(e.what()).find(spec.describe()) != std::string::npos);
            }
        }
        // Prompts with several candidates shared their prefix on the server.
        QVERIFY(vllmStyle.server->counters().queue.sharedRows > 0);
    }

    // Test names a server that lists another model than the one opened here:
    // its rewards would come from that model, encoded with this tokenizer.
    // The served id names the local model in the forms engines are started
    // with: a hub id, a path, another case, a Hugging Face cache snapshot.
    void servedNamesMatchTheLocalDirectory()
    {
        ServerProbe probe;
        QVERIFY(probe.summary("", "/m/POLAR-7B").warning.empty()); // no /v1/models: nothing to compare
        probe.models = {"internlm/POLAR-7B"};
        for (const char *same : {"/home/u/models/POLAR-7B", "/home/u/models/polar-7b/", "POLAR-7B",
                                 "/c/hub/models--internlm--POLAR-7B/snapshots/0123abcd"})
            QVERIFY2(probe.summary("", same).warning.empty(), same);
        for (const char *other : {"/home/u/models/POLAR-1_8B", "/c/hub/models--internlm--POLAR-1_8B/snapshots/0123abcd",
                                  "/c/hub/models--internlm--POLAR-7B-Base/snapshots/0123abcd"})
            QVERIFY2(!probe.summary("", other).warning.empty(), other);
        QVERIFY(probe.summary("internlm/POLAR-7B", "/m/whatever").warning.empty());
        QVERIFY(probe.summary("POLAR-7B", "/m/POLAR-7B").warning.find("the model requested") != std::string::npos);
    }

    void testWarnsWhenTheServerListsAnotherModel()
    {
        LiveServer same(*m_model, {});
        const auto ok = testConnection(*connectToServer(specFor(ServerEngine::Vllm, same.url()), testdata::tinyModel()));
        QVERIFY2(ok.summary.find("serves " + m_model->info().name) != std::string::npos, ok.summary.c_str());
        QVERIFY2(ok.warning.empty(), ok.warning.c_str());

        ServeOptions renamed;
        renamed.servedName = "some-other-model";
        LiveServer other(*m_model, renamed);
        const auto warned = testConnection(*connectToServer(specFor(ServerEngine::Vllm, other.url()), testdata::tinyModel()));
        QVERIFY2(warned.summary.find("serves some-other-model") != std::string::npos, warned.summary.c_str());
        QVERIFY2(warned.warning.find("does not list " + m_model->info().name + ", the model opened here") != std::string::npos,
                 warned.warning.c_str());
        // A model requested by name is what the listing must hold.
        ServerSpec named = specFor(ServerEngine::Vllm, other.url());
        named.model = "some-other-model";
        QVERIFY(testConnection(*connectToServer(named, testdata::tinyModel())).warning.empty());
    }

    void failuresAreErrorsOnTheirItems()
    {
        FakeEngine fake;
        std::atomic<int> flakyCalls{0};
        fake.http->Post("/flaky/pooling", [&](const httplib::Request &req, httplib::Response &res) {
            if (flakyCalls++ < 2) {
                res.status = 503;
                res.set_content(errorResponse(503, "warming up"), "application/json");
                return;
            }
            res.set_content(vllmAnswer(inputCount(req.body)), "application/json");
        });
        fake.http->Post("/garbled/pooling", [](const httplib::Request &, httplib::Response &res) { res.set_content("<html>oops", "text/html"); });
        fake.http->Post("/short/pooling", [](const httplib::Request &req, httplib::Response &res) {
            res.set_content(vllmAnswer(inputCount(req.body) - 1), "application/json");
        });
        fake.http->Post("/slow/pooling", [](const httplib::Request &req, httplib::Response &res) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            res.set_content(vllmAnswer(inputCount(req.body)), "application/json");
        });
        fake.http->Post("/bad/pooling", [](const httplib::Request &, httplib::Response &res) {
            res.status = 400;
            res.set_content(errorResponse(400, "This model's maximum context length is 4096 tokens"), "application/json");
        });
        fake.http->Post("/locked/pooling", [](const httplib::Request &req, httplib::Response &res) {
            if (req.get_header_value("Authorization") != "Bearer sesame") {
                res.status = 401;
                res.set_content(R"({"error":"Unauthorized"})", "application/json");
                return;
            }
            res.set_content(vllmAnswer(inputCount(req.body)), "application/json");
        });
        fake.start();
        const std::vector<std::string> texts{"a", "b", "c", "d", "e"};

        auto run = [&](ServerSpec spec) { return RemoteScorer(spec).scoreTexts(texts, {}); };
        auto allFailWith = [&](const std::vector<SequenceScore> &r, const std::string &needle) {
            QCOMPARE(r.size(), texts.size());
            for (const auto &s : r) {
                QVERIFY(!s.ok);
                QCOMPARE(s.reward, 0.f);
                QVERIFY2(s.error.find(needle) != std::string::npos, s.error.c_str());
            }
        };

        ServerSpec flaky = specFor(ServerEngine::Vllm, fake.url("/flaky"));
        flaky.batchSize = 5;
        flaky.concurrency = 1;
        flaky.retries = 2;
        const auto recovered = run(flaky);
        QCOMPARE(flakyCalls.load(), 3);
        for (size_t i = 0; i < texts.size(); ++i)
            QVERIFY(recovered[i].ok && recovered[i].reward == float(i));
        flakyCalls = 0;
        flaky.retries = 1;
        allFailWith(run(flaky), "HTTP 503: warming up (2 tries)");

        allFailWith(run(specFor(ServerEngine::Vllm, fake.url("/garbled"))), "not valid JSON");
        ServerSpec shortAnswers = specFor(ServerEngine::Vllm, fake.url("/short"));
        shortAnswers.batchSize = 2; // one answer too few for every request
        allFailWith(run(shortAnswers), " results for ");
        QVERIFY(run(shortAnswers)[0].error.find("1 results for 2 texts") != std::string::npos);
        ServerSpec slow = specFor(ServerEngine::Vllm, fake.url("/slow"));
        slow.timeoutSeconds = 0.3;
        slow.retries = 0;
        allFailWith(run(slow), "no answer within");
        allFailWith(run(specFor(ServerEngine::Vllm, fake.url("/bad"))), "HTTP 400: This model's maximum context length");
        allFailWith(run(specFor(ServerEngine::Vllm, fake.url("/locked"))), "no API key was sent");
        ServerSpec keyed = specFor(ServerEngine::Vllm, fake.url("/locked"));
        keyed.apiKey = "sesame";
        for (const auto &s : run(keyed))
            QVERIFY(s.ok);

        // Nobody listening: connection errors, retried, then errors on every item.
        const int closedPort = fake.port;
        fake.http->stop();
        fake.thread.join();
        ServerSpec gone = specFor(ServerEngine::Sglang, "http://127.0.0.1:" + std::to_string(closedPort));
        gone.retries = 1;
        allFailWith(run(gone), "SGLang at http://127.0.0.1:");

        // Only the failed batch's items fail; one partial batch does not poison the rest.
        FakeEngine picky;
        picky.http->Post("/pooling", [](const httplib::Request &req, httplib::Response &res) {
            const RewardQuery q = parsePoolingQuery(req.body);
            if (q.texts[0] == "c") {
                res.status = 500;
                res.set_content(errorResponse(500, "CUDA error"), "application/json");
                return;
            }
            res.set_content(vllmAnswer(q.size()), "application/json");
        });
        picky.start();
        ServerSpec perBatch = specFor(ServerEngine::Vllm, picky.url(""));
        perBatch.batchSize = 2;
        const auto mixed = RemoteScorer(perBatch).scoreTexts(texts, {});
        QVERIFY(mixed[0].ok && mixed[1].ok && !mixed[2].ok && !mixed[3].ok && mixed[4].ok);
        QVERIFY(mixed[2].error.find("HTTP 500: CUDA error") != std::string::npos);
    }

    void cancelStopsWaitingRequests()
    {
        FakeEngine slow;
        slow.http->Post("/pooling", [](const httplib::Request &req, httplib::Response &res) {
            std::this_thread::sleep_for(std::chrono::seconds(3));
            res.set_content(vllmAnswer(inputCount(req.body)), "application/json");
        });
        slow.start();
        std::atomic_bool cancel{false};
        ScoreControl control;
        control.cancel = &cancel;
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            cancel = true;
        });
        const auto started = std::chrono::steady_clock::now();
        QVERIFY_THROWS_EXCEPTION(Cancelled, RemoteScorer(specFor(ServerEngine::Vllm, slow.url(""))).scoreTexts({"a", "b"}, control));
        canceller.join();
        // The request in flight was dropped, not waited for (a generous bound: it would take 3 s).
        QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2500));
    }

    void tlsIsVerified()
    {
        const std::string dir = testdata::sourceDir() + "/tests/data/tls/";
        FakeEngine secure(dir + "cert.pem", dir + "key.pem");
        QVERIFY(secure.http->is_valid());
        secure.http->Post("/pooling", [](const httplib::Request &req, httplib::Response &res) {
            res.set_content(vllmAnswer(inputCount(req.body)), "application/json");
        });
        secure.start();
        ServerSpec spec = specFor(ServerEngine::Vllm, secure.url(""));
        spec.retries = 0;
        for (const auto &s : RemoteScorer(spec).scoreTexts({"a"}, {}))
            QVERIFY2(!s.ok && s.error.find("did not verify") != std::string::npos, s.error.c_str());
        spec.caFile = dir + "cert.pem";
        const auto trusted = RemoteScorer(spec).scoreTexts({"a", "b"}, {});
        QVERIFY2(trusted[0].ok && trusted[1].ok && trusted[1].reward == 1.f, trusted[0].error.c_str());
        // Plain HTTP to a TLS port is a clear failure too.
        ServerSpec plain = specFor(ServerEngine::Vllm, "http://127.0.0.1:" + std::to_string(secure.port));
        plain.retries = 0;
        QVERIFY(!RemoteScorer(plain).scoreTexts({"a"}, {})[0].ok);
    }

    // Dataset scoring on a server that fails some items: those stay unscored
    // and are reported; the next run scores only them.
    void datasetScoringLeavesFailedItemsForTheNextRun()
    {
        QTemporaryDir tmp;
        const std::string dataset = tmp.filePath("items.jsonl").toStdString();
        std::string lines;
        for (int i = 0; i < 6; ++i) {
            const std::string first = "A" + std::to_string(i) + (i % 3 == 1 ? " flaky" : "");
            Json record = Json::object();
            record["prompt"] = "Q" + std::to_string(i);
            record["reference"] = "R";
            record["outputs"] = Json::array({first, "B"});
            lines += record.dump() + "\n";
        }
        writeFileAtomically(dataset, lines);

        LiveServer live(*m_model, {});
        std::atomic_bool healthy{false};
        FakeEngine proxy; // forwards to the real server, except "flaky" texts while unhealthy
        proxy.http->Post("/pooling", [&](const httplib::Request &req, httplib::Response &res) {
            if (!healthy && req.body.find("flaky") != std::string::npos) {
                res.status = 500;
                res.set_content(errorResponse(500, "worker crashed"), "application/json");
                return;
            }
            auto r = httplib::Client("127.0.0.1", live.port).Post("/pooling", req.body, "application/json");
            res.status = r->status;
            res.set_content(r->body, "application/json");
        });
        proxy.start();
        ServerSpec spec = specFor(ServerEngine::Vllm, proxy.url(""));
        spec.batchSize = 2; // one item's two candidates per request
        spec.concurrency = 1;
        spec.retries = 0;
        const auto remote = connectToServer(spec, testdata::tinyModel());

        auto project = PreferenceProject::openForDataset(dataset);
        ProjectScoringOptions o;
        std::vector<std::string> failures;
        o.failed = [&](const std::string &e) { failures.push_back(e); };
        QCOMPARE(scoreProject(*remote, *project, o), size_t(4));
        QCOMPARE(failures.size(), size_t(2));
        QVERIFY(failures[0].find("items.jsonl:2: candidate 0: ") != std::string::npos);
        QVERIFY(failures[0].find("HTTP 500: worker crashed") != std::string::npos);
        QCOMPARE(project->scoredCount(), size_t(4));
        healthy = true;
        failures.clear();
        QCOMPARE(scoreProject(*remote, *project, o), size_t(2));
        QVERIFY(failures.empty());
        QCOMPARE(project->scoredCount(), size_t(6));
        // The rewards are the local engine's.
        const auto local = scoreRequests(*m_model, {{TextField::fromString("Q1"), TextField::fromString("R"), TextField::fromString("A1 flaky")}}, {});
        QVERIFY(std::abs(project->item(1).rewards[0] - local[0].reward) < 1e-4f);
    }

    void badRequestsAreAnsweredAndSurvived()
    {
        ServeOptions o;
        o.apiKey = "k";
        o.maxQueued = 8;
        o.maxBodyBytes = 4096;
        LiveServer live(*m_model, o);
        httplib::Client c("127.0.0.1", live.port);
        c.set_bearer_token_auth("k");
        auto expect = [&](const char *path, const std::string &body, int status, const std::string &needle) {
            auto r = c.Post(path, body, "application/json");
            QVERIFY(r);
            QCOMPARE(r->status, status);
            const std::string message = errorMessageOf(r->body);
            QVERIFY2(message.find(needle) != std::string::npos, (message + " / wanted " + needle).c_str());
        };
        expect("/pooling", "{not json", 400, "not valid JSON");
        expect("/pooling", R"({"input": []})", 400, "empty list");
        expect("/pooling", R"({"input": [1, "a"]})", 400, "token ids must be non-negative integers");
        expect("/pooling", R"({"input": [[1, 2, 999999]]})", 400, "outside the vocabulary");
        expect("/pooling", R"({"messages": [{"role": "user", "content": "hi"}]})", 400, "not supported");
        expect("/pooling", R"({"input": ["a"], "encoding_format": "base64"})", 400, "float");
        expect("/pooling", R"({"input": ["", "b"]})", 400, "text 0 is empty");
        expect("/pooling", R"({"input": ["a","a","a","a","a","a","a","a","a"]})", 400, "at most 8");
        expect("/classify", R"({"text": "a", "input_ids": [1]})", 400, "exactly one");
        expect("/classify", R"({"input_ids": ["a"]})", 400, "holds text");
        expect("/pooling", std::string(5000, ' '), 413, "larger than 4096");
        expect("/nowhere", "{}", 404, "no route");
        httplib::Client anonymous("127.0.0.1", live.port);
        auto denied = anonymous.Post("/pooling", R"({"input": ["a"]})", "application/json");
        QVERIFY(denied && denied->status == 401);
        auto health = anonymous.Get("/health");
        QVERIFY(health && health->status == 200);
        auto models = c.Get("/v1/models");
        QVERIFY(models && models->status == 200);
        QCOMPARE(parseJson(models->body, "models")["data"][0]["id"].get<std::string>(), m_model->info().name);
        // Token ids are accepted as the engines accept them, and still answered.
        auto ids = c.Post("/classify", R"({"input_ids": [[1, 5, 9], [1, 7]]})", "application/json");
        QVERIFY(ids && ids->status == 200);
        QCOMPARE(parseRewardResponse(ServerEngine::Sglang, ids->body, 2).size(), size_t(2));
        QVERIFY(live.server->counters().badRequests >= 11);
    }

    void fullQueueIsRefusedNotGrown()
    {
        ScoringQueue queue(*m_model, 4096, 2);
        std::vector<std::future<std::vector<SequenceScore>>> accepted;
        size_t refused = 0;
        const std::vector<int> seq{1, 20, 30, 40, 50, 60, 70, 80};
        for (int i = 0; i < 2000 && refused == 0; ++i) {
            try {
                accepted.push_back(queue.submit({seq, seq, seq, seq}, {}));
            } catch (const QueueFull &e) {
                ++refused;
                QVERIFY(std::string(e.what()).find("queue is full") != std::string::npos);
            }
        }
        QVERIFY(refused > 0);
        for (auto &f : accepted)
            for (const auto &s : f.get())
                QVERIFY(s.ok);
        QCOMPARE(queue.counters().refused, uint64_t(refused));
    }

    // Clients that die mid-request, then many at once: every answer is the
    // right one for its own texts.
    void concurrentClientsGetTheirOwnAnswers()
    {
        LiveServer live(*m_model, {});
        sendAndVanish(live.port, "POST /pooling HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{\"input\": [\"ab");
        sendAndVanish(live.port, "POST /pooling HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"input\":[\"a\"]}");

        const int clients = 6, perClient = 5;
        std::vector<ScoreRequest> all;
        for (int c = 0; c < clients; ++c)
            for (int k = 0; k < perClient; ++k)
                all.push_back({TextField::fromString("Count to " + std::to_string(c)), TextField::fromString(std::to_string(c)),
                               TextField::fromString("answer " + std::to_string(k * 7 + c))});
        const auto local = scoreRequests(*m_model, all, {});
        std::vector<std::vector<SequenceScore>> got(clients);
        std::vector<std::thread> threads;
        for (int c = 0; c < clients; ++c)
            threads.emplace_back([&, c] {
                ServerSpec spec = specFor(c % 2 ? ServerEngine::Sglang : ServerEngine::Vllm, live.url());
                spec.batchSize = 2;
                std::vector<std::string> texts;
                for (int k = 0; k < perClient; ++k)
                    texts.push_back(local[size_t(c * perClient + k)].encodedText);
                got[size_t(c)] = RemoteScorer(spec).scoreTexts(texts, {});
            });
        for (auto &t : threads)
            t.join();
        for (int c = 0; c < clients; ++c)
            for (int k = 0; k < perClient; ++k) {
                const auto &s = got[size_t(c)][size_t(k)];
                QVERIFY2(s.ok, s.error.c_str());
                QVERIFY(std::abs(s.reward - local[size_t(c * perClient + k)].reward) < 1e-4f);
            }
        auto health = httplib::Client("127.0.0.1", live.port).Get("/health");
        QVERIFY(health && health->status == 200);
    }
};

QTEST_GUILESS_MAIN(TestRemote)
#include "test_remote.moc"
