#pragma once

#include <string>

namespace polar {

// The serving engines whose reward APIs the official RewardModelClient calls.
enum class ServerEngine { Vllm, Sglang, Lmdeploy };

const char *engineName(ServerEngine e);        // "vllm", "sglang", "lmdeploy"
const char *engineDisplayName(ServerEngine e); // "vLLM", "SGLang", "LMDeploy"
// "vllm" / "sglang" / "lmdeploy" (any case); throws polar::Error listing them.
ServerEngine parseEngine(const std::string &name);
// `text` with ASCII letters lowered: engine names, URL schemes and served
// model names compare without case.
std::string asciiLower(std::string text);

// Where a reward server listens, split for the HTTP client.
struct ServerUrl
{
    std::string scheme = "http"; // "http" or "https"
    std::string host;
    int port = 0;
    std::string basePath;        // "" or "/prefix" (a server behind a reverse proxy)
    std::string origin() const;  // "https://host:port"
    std::string text() const;    // origin + basePath
};
// "http://host:port[/prefix]", "https://...", or "host:port" (the official
// client's server_address, which is plain HTTP). Throws polar::Error naming
// what is wrong.
ServerUrl parseServerUrl(const std::string &text);

// One remote reward server and how to talk to it.
struct ServerSpec
{
    ServerEngine engine = ServerEngine::Vllm;
    ServerUrl url;
    std::string apiKey;        // sent as "Authorization: Bearer KEY" when set
    std::string model;         // the request's "model" field: SGLang's (default the directory's name, as the client sends it); vLLM/LMDeploy only when set
    int batchSize = 32;        // texts per request
    int concurrency = 4;       // requests in flight at once
    double timeoutSeconds = 120; // connecting, sending, and waiting for each answer
    int retries = 4;           // extra tries after 429/502/503/504 or a connection error
    double backoffSeconds = 0.5; // first wait between tries; doubles each time (capped at 30 s)
    std::string caFile;        // PEM bundle that TLS certificates are checked against ("" = the system's)
    bool verifyTls = true;

    // Throws polar::Error naming the field that is out of range.
    void validate() const;
    std::string describe() const; // "vLLM at http://host:8000"
};

// The command line's "TYPE=URL" ("vllm=http://gpu:8000"); the other fields keep their defaults.
ServerSpec parseServerSpec(const std::string &typeEqualsUrl);

} // namespace polar
