#pragma once
// An asynchronous HTTP/1.1 server (Boost.Beast) in front of a handler. It
// only moves bytes, and it is the first line against clients that are
// broken or hostile (docs/ARCHITECTURE.md, "Central under load and attack"):
//
// - Connections are capped in total (never more than the file-descriptor
//   limit leaves room for) and per peer address; one over a cap is closed at
//   once, except that at the total cap the connection that has waited
//   longest without sending a request is closed to make room for it.
// - A request's head is read first (bounded: over header_limit is 431), then
//   `Admission` decides on the head alone: refuse it, or give the body limit
//   for that route. A body is read only once its size (declared, or the
//   limit when chunked) fits the memory budget shared by all connections;
//   otherwise 503 with Retry-After, before a byte of it is buffered.
// - Handlers run on a worker pool, never on the I/O threads, so a slow
//   request (a password check, a large push) cannot stall the reading and
//   writing of every other connection; a route Admission marks cheap (the
//   health check) is answered on the I/O thread.
// - An accept error (no file descriptors left, say) is logged and retried
//   after a pause; it never ends the loop.
// stop() is graceful: no new connections, requests in progress finish.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gridsync/web/http.hpp"

namespace gridsync::web {

// Called on the worker threads; must not throw (an exception is answered 500).
using Handler = std::function<HttpAnswer(const HttpCall&)>;

// What a server decides from a request's head (its body empty).
struct Admission {
    std::optional<HttpAnswer> refusal;      // answered without reading the body
    std::optional<std::size_t> body_limit;  // below the server's own, for this route
    bool cheap = false;  // answered on the I/O thread, never queued behind the workers
};
// Called on the I/O threads: must be quick and must not throw.
using Admit = std::function<Admission(const HttpCall& head)>;

struct ServerOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 0;  // 0: any free port (see HttpServer::port)
    int threads = 2;          // I/O threads
    int workers = 2;          // handler threads
    std::size_t body_limit = 64u << 20;
    std::size_t header_limit = 16u << 10;
    std::chrono::seconds timeout{30};
    std::size_t max_in_flight = 256;  // requests being handled or queued for a worker
    // Connections at once. The server lowers it to what RLIMIT_NOFILE leaves
    // after kReservedDescriptors, so it never runs out of descriptors.
    std::size_t max_connections = 4096;
    std::size_t max_connections_per_address = 128;
    // Bytes of request bodies being received or handled, all connections
    // together; at least body_limit.
    std::size_t memory_budget = 256u << 20;
    std::chrono::milliseconds accept_retry{200};
    std::string name = "gridsync";  // the Server header
};

// Descriptors kept for the database, logs and the process itself.
inline constexpr std::size_t kReservedDescriptors = 64;

// What the server has seen, for /metrics and tests.
struct ServerCounters {
    std::size_t connections = 0;          // open now
    std::size_t connections_refused = 0;  // closed at accept for a cap
    std::size_t accept_errors = 0;
    std::size_t evicted = 0;      // waiting connections closed to make room at the total cap
    std::size_t over_budget = 0;  // requests answered 503 for the memory budget
    std::size_t body_bytes = 0;   // reserved for bodies now
};

class HttpServer {
  public:
    HttpServer(Handler handler, ServerOptions options, Admit admit = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    unsigned short port() const;
    std::size_t max_connections() const;  // after the descriptor limit
    ServerCounters counters() const;
    // Serves until stop(); returns once requests in progress have finished.
    // True when stop() ended it; false when serving ended otherwise, which a
    // program must treat as a failure (exit non-zero, so it is restarted).
    // An exception from a thread of the server is rethrown here.
    bool run();
    // Safe from any thread and from a signal handler's thread.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridsync::web
