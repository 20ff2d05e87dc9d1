#pragma once
// An asynchronous HTTP/1.1 server (Boost.Beast) on a thread pool, in front of
// a handler. It only moves bytes: each connection has a body limit, a
// timeout, and the server a limit on requests in progress (beyond it: 503).
// stop() is graceful: no new connections, requests in progress finish.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "gridsync/web/http.hpp"

namespace gridsync::web {

// Called on the server's threads; must not throw (an exception is answered 500).
using Handler = std::function<HttpAnswer(const HttpCall&)>;

struct ServerOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 0;  // 0: any free port (see HttpServer::port)
    int threads = 2;
    std::size_t body_limit = 64u << 20;
    std::chrono::seconds timeout{30};
    std::size_t max_in_flight = 256;
    std::string name = "gridsync";  // the Server header
};

class HttpServer {
  public:
    HttpServer(Handler handler, ServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    unsigned short port() const;
    // Serves until stop(); returns once requests in progress have finished.
    void run();
    // Safe from any thread and from a signal handler's thread.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridsync::web
