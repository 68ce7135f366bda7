#pragma once

#include "remote/server_spec.h"

#include <memory>
#include <string>

namespace polar {

// One answer: a status, or no status and why the connection failed.
struct HttpResult
{
    int status = 0;           // 0: no answer (connection refused, timeout, TLS failure)
    std::string body;
    std::string failure;      // set when status == 0
    double retryAfterSeconds = -1; // the Retry-After header, when the server sent one
};

// A keep-alive connection to one server (cpp-httplib's client, behind a
// pimpl so that httplib.h stays inside core/remote): the spec's timeouts, API
// key and TLS settings, paths under its base path. One per thread.
class HttpClient
{
public:
    explicit HttpClient(const ServerSpec &spec);
    ~HttpClient();
    HttpResult post(const std::string &path, const std::string &jsonBody);
    HttpResult get(const std::string &path);
    // Closes the connection from another thread, so a waiting post() returns now.
    void abort();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace polar
