#pragma once

// Test helpers for the remote backends: `polar-cli serve`'s server on a free
// loopback port (LiveServer), and a plain cpp-httplib server standing in for
// an engine (FakeEngine; the test links cpp-httplib).

#include "remote/reward_server.h"

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

namespace testdata {

// A polar::RewardServer on a free loopback port, serving from a thread of its own.
struct LiveServer
{
    std::unique_ptr<polar::RewardServer> server;
    std::thread thread;
    int port = 0;
    LiveServer(const polar::RewardModel &model, polar::ServeOptions o)
    {
        o.host = "127.0.0.1";
        o.port = 0;
        server = std::make_unique<polar::RewardServer>(model, o);
        port = server->bind();
        thread = std::thread([this] { server->serve(); });
    }
    ~LiveServer()
    {
        server->stop();
        thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// A plain httplib server standing in for an engine that misbehaves.
struct FakeEngine
{
    std::unique_ptr<httplib::Server> http;
    std::thread thread;
    int port = 0;
    std::string scheme = "http";
    FakeEngine() : http(std::make_unique<httplib::Server>()) {}
    FakeEngine(const std::string &cert, const std::string &key)
        : http(std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str())), scheme("https")
    {
    }
    void start()
    {
        port = http->bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { http->listen_after_bind(); });
    }
    ~FakeEngine()
    {
        http->stop();
        if (thread.joinable())
            thread.join();
    }
    std::string url(const std::string &base) const { return scheme + "://127.0.0.1:" + std::to_string(port) + base; }
};

} // namespace testdata
