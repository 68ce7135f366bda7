#include "remote/server_spec.h"

#include "util/error.h"

#include <algorithm>
#include <cctype>

namespace polar {

const char *engineName(ServerEngine e)
{
    switch (e) {
    case ServerEngine::Vllm: return "vllm";
    case ServerEngine::Sglang: return "sglang";
    case ServerEngine::Lmdeploy: return "lmdeploy";
    }
    return "?";
}

const char *engineDisplayName(ServerEngine e)
{
    switch (e) {
    case ServerEngine::Vllm: return "vLLM";
    case ServerEngine::Sglang: return "SGLang";
    case ServerEngine::Lmdeploy: return "LMDeploy";
    }
    return "?";
}

std::string asciiLower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

ServerEngine parseEngine(const std::string &name)
{
    const std::string lower = asciiLower(name);
    for (ServerEngine e : {ServerEngine::Vllm, ServerEngine::Sglang, ServerEngine::Lmdeploy})
        if (lower == engineName(e))
            return e;
    throw Error("unknown server type '" + name + "': expected vllm, sglang or lmdeploy");
}

std::string ServerUrl::origin() const { return scheme + "://" + host + ":" + std::to_string(port); }
std::string ServerUrl::text() const { return origin() + basePath; }

ServerUrl parseServerUrl(const std::string &text)
{
    const std::string where = "server address '" + text + "'";
    ServerUrl url;
    std::string rest = text;
    const auto schemeEnd = rest.find("://");
    if (schemeEnd != std::string::npos) {
        url.scheme = asciiLower(rest.substr(0, schemeEnd));
        if (url.scheme != "http" && url.scheme != "https")
            throw Error(where + ": the scheme must be http or https");
        rest = rest.substr(schemeEnd + 3);
    }
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    if (slash != std::string::npos) {
        url.basePath = rest.substr(slash);
        while (!url.basePath.empty() && url.basePath.back() == '/')
            url.basePath.pop_back();
        if (url.basePath.find_first_of("?# ") != std::string::npos)
            throw Error(where + ": the path may not hold a query, a fragment or spaces");
    }
    if (authority.find('@') != std::string::npos)
        throw Error(where + ": credentials in the address are not supported; give the API key separately");
    // [v6::addr]:port, host:port, or a bare host (the scheme's default port).
    std::string portText;
    if (!authority.empty() && authority[0] == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos)
            throw Error(where + ": unclosed '[' in an IPv6 address");
        url.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':')
                throw Error(where + ": expected ':' and a port after the IPv6 address");
            portText = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.rfind(':');
        url.host = authority.substr(0, colon);
        if (colon != std::string::npos)
            portText = authority.substr(colon + 1);
    }
    if (url.host.empty())
        throw Error(where + ": no host");
    if (schemeEnd == std::string::npos && slash == std::string::npos && portText.empty())
        throw Error(where + ": give a port (host:port) or a full URL (http://host:port)");
    if (portText.empty()) {
        url.port = url.scheme == "https" ? 443 : 80;
    } else {
        if (portText.size() > 5 || !std::all_of(portText.begin(), portText.end(), [](unsigned char c) { return std::isdigit(c); }))
            throw Error(where + ": port '" + portText + "' is not a number");
        url.port = std::stoi(portText);
        if (url.port < 1 || url.port > 65535)
            throw Error(where + ": port " + portText + " is outside 1-65535");
    }
    return url;
}

void ServerSpec::validate() const
{
    if (url.host.empty())
        throw Error("server: no address");
    if (batchSize < 1 || batchSize > 4096)
        throw Error("server batch size must be in 1-4096, got " + std::to_string(batchSize));
    if (concurrency < 1 || concurrency > 256)
        throw Error("server concurrency must be in 1-256, got " + std::to_string(concurrency));
    if (!(timeoutSeconds > 0 && timeoutSeconds <= 86400))
        throw Error("server timeout must be in (0, 86400] seconds, got " + std::to_string(timeoutSeconds));
    if (retries < 0 || retries > 100)
        throw Error("server retries must be in 0-100, got " + std::to_string(retries));
    if (!(backoffSeconds >= 0 && backoffSeconds <= 60))
        throw Error("server backoff must be in [0, 60] seconds, got " + std::to_string(backoffSeconds));
}

std::string ServerSpec::describe() const { return std::string(engineDisplayName(engine)) + " at " + url.text(); }

ServerSpec parseServerSpec(const std::string &typeEqualsUrl)
{
    const auto eq = typeEqualsUrl.find('=');
    if (eq == std::string::npos)
        throw Error("server '" + typeEqualsUrl + "': expected TYPE=URL, e.g. vllm=http://127.0.0.1:8000");
    ServerSpec spec;
    spec.engine = parseEngine(typeEqualsUrl.substr(0, eq));
    spec.url = parseServerUrl(typeEqualsUrl.substr(eq + 1));
    return spec;
}

} // namespace polar
