#include "remote/http_client.h"

#include "util/error.h"

#include <httplib.h>

#include <cmath>

namespace polar {

namespace {

std::string describe(httplib::Error e, double timeoutSeconds)
{
    const std::string within = " within " + std::to_string(int(std::ceil(timeoutSeconds))) + " s";
    switch (e) {
    case httplib::Error::Connection: return "cannot connect (is the server running, and is the address right?)";
    case httplib::Error::ConnectionTimeout: return "no connection" + within;
    case httplib::Error::Read: return "no answer" + within + ", or the connection dropped";
    case httplib::Error::Write: return "the request could not be sent (the connection dropped)";
    case httplib::Error::Canceled: return "cancelled";
    case httplib::Error::SSLConnection: return "the TLS handshake failed (an https address for a plain-HTTP server?)";
    case httplib::Error::SSLLoadingCerts: return "the CA certificates could not be loaded";
    case httplib::Error::SSLServerVerification: return "the server's TLS certificate did not verify (give its CA file)";
    default: return httplib::to_string(e);
    }
}

} // namespace

struct HttpClient::Impl
{
    ServerSpec spec;
    httplib::Client client;

    explicit Impl(const ServerSpec &s) : spec(s), client(s.url.origin())
    {
        if (!client.is_valid())
            throw Error("server " + s.url.text() + ": cannot make a client for this address (https needs a build with OpenSSL)");
        const auto whole = [](double seconds) { return time_t(seconds); };
        const auto micros = [](double seconds) { return time_t(std::fmod(seconds, 1.0) * 1e6); };
        const double connect = std::min(s.timeoutSeconds, 10.0);
        client.set_connection_timeout(whole(connect), micros(connect));
        client.set_read_timeout(whole(s.timeoutSeconds), micros(s.timeoutSeconds));
        client.set_write_timeout(whole(s.timeoutSeconds), micros(s.timeoutSeconds));
        client.set_keep_alive(true);
        if (!s.apiKey.empty())
            client.set_bearer_token_auth(s.apiKey);
        if (s.url.scheme == "https") {
            client.enable_server_certificate_verification(s.verifyTls);
            if (!s.caFile.empty())
                client.set_ca_cert_path(s.caFile.c_str());
        }
    }

    HttpResult take(const httplib::Result &r)
    {
        HttpResult out;
        if (!r) {
            out.failure = describe(r.error(), spec.timeoutSeconds);
            return out;
        }
        out.status = r->status;
        out.body = r->body;
        if (r->has_header("Retry-After")) {
            try {
                out.retryAfterSeconds = std::stod(r->get_header_value("Retry-After"));
            } catch (const std::exception &) {
                // An HTTP date instead of seconds: fall back to our own backoff.
            }
        }
        return out;
    }
};

HttpClient::HttpClient(const ServerSpec &spec) : d(std::make_unique<Impl>(spec)) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::post(const std::string &path, const std::string &jsonBody)
{
    return d->take(d->client.Post((d->spec.url.basePath + path).c_str(), jsonBody, "application/json"));
}

HttpResult HttpClient::get(const std::string &path)
{
    return d->take(d->client.Get((d->spec.url.basePath + path).c_str()));
}

void HttpClient::abort() { d->client.stop(); }

} // namespace polar
