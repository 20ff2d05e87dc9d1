#include "gridsync/web/server.hpp"

#include <sys/resource.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace gridsync::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Body = http::vector_body<std::uint8_t>;

namespace {

// Beast's flat_buffer starts empty and grows in small reads; a reserved
// buffer lets large push bodies arrive in a few reads instead of thousands.
constexpr std::size_t kReadBuffer = 256 * 1024;
// What a refused request may still send before its connection is closed.
constexpr std::size_t kDrainBytes = 1u << 20;
constexpr std::chrono::seconds kDrainTime{2};

std::size_t descriptor_room(std::size_t wanted) {
    struct rlimit lim {};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY)
        return wanted;
    const auto cur = static_cast<std::size_t>(lim.rlim_cur);
    if (cur <= kReservedDescriptors + 1)
        return 1;
    return std::min(wanted, cur - kReservedDescriptors);
}

struct Shared {
    Handler handler;
    Admit admit;
    ServerOptions options;
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> body_bytes{0};
    std::atomic<std::size_t> over_budget{0};

    // Reserves `n` bytes of the memory budget, or says no.
    bool reserve(std::size_t n) {
        std::size_t used = body_bytes.load();
        do {
            if (used + n > options.memory_budget)
                return false;
        } while (!body_bytes.compare_exchange_weak(used, used + n));
        return true;
    }
    void release(std::size_t n) { body_bytes.fetch_sub(n); }

    // Connections by peer address, and in total.
    std::mutex peers_mutex;
    std::map<std::string, std::size_t> peers;
    std::size_t connections = 0;
    std::size_t connections_refused = 0;
    std::size_t max_connections = 0;
    enum class Room { yes, address_full, server_full };
    // `force`: taken over the total cap (an idle connection is being closed for it).
    Room admit_connection(const std::string& peer, bool force = false) {
        std::lock_guard lock(peers_mutex);
        auto& n = peers[peer];
        const Room room = n >= options.max_connections_per_address   ? Room::address_full
                          : connections >= max_connections && !force ? Room::server_full
                                                                     : Room::yes;
        if (room != Room::yes) {
            if (n == 0)
                peers.erase(peer);
            return room;
        }
        ++n;
        ++connections;
        return room;
    }
    void end_connection(const std::string& peer) {
        std::lock_guard lock(peers_mutex);
        if (auto it = peers.find(peer); it != peers.end() && --it->second == 0)
            peers.erase(it);
        --connections;
    }
};

http::response<Body> to_response(const HttpAnswer& a, const std::string& server, unsigned version,
                                 bool keep_alive) {
    http::response<Body> res{static_cast<http::status>(a.status), version};
    res.set(http::field::server, server);
    res.set(http::field::content_type, a.content_type);
    for (const auto& [name, value] : a.headers)
        res.insert(name, value);
    res.keep_alive(keep_alive);
    res.body() = a.body;
    res.prepare_payload();
    return res;
}

HttpAnswer too_large_answer() {
    return error_answer(413, std::make_error_code(std::errc::file_too_large),
                        "请求体过大 / request body too large");
}

HttpAnswer busy_answer(const std::string& why) {
    HttpAnswer a =
        error_answer(503, std::make_error_code(std::errc::resource_unavailable_try_again),
                     "服务繁忙,请稍后重试 / busy, try again (" + why + ")");
    a.headers.emplace_back("Retry-After", "2");
    return a;
}

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, Shared& shared, net::thread_pool& workers, std::string peer)
        : stream_(std::move(socket)), shared_(shared), workers_(workers), peer_(std::move(peer)) {
        buffer_.reserve(kReadBuffer);
    }
    ~Session() {
        release_body();
        shared_.end_connection(peer_);
    }
    void start() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&Session::read, shared_from_this()));
    }
    // From stop(): closes the connection if it is waiting for a request and
    // none has begun to arrive; a request already arriving is read, answered
    // and then the connection closes (keep-alive is off while stopping).
    void close_if_idle() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->idle_ && !(self->parser_ && self->parser_->got_some()))
                self->close();
        });
    }
    // Waiting for a request's head (nothing yet, or only part of one), and since when.
    bool waiting() const { return waiting_.load(); }
    std::int64_t waiting_since() const { return waiting_since_.load(); }
    // Closes the connection to make room if it is still waiting for a head.
    void evict() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->waiting_)
                self->close();
        });
    }

  private:
    HttpAnswer handle(const HttpCall& call) {
        try {
            return shared_.handler(call);
        } catch (const std::exception& e) {
            return error_answer(500, std::make_error_code(std::errc::io_error),
                                std::string("internal error: ") + e.what());
        }
    }

    HttpCall head_of(const http::request_parser<Body>& parser) const {
        const auto& req = parser.get();
        HttpCall call;
        call.method = std::string(req.method_string());
        call.path = std::string(req.target());
        if (auto it = req.find("X-Gridsync-Device"); it != req.end())
            call.device_id = std::string(it->value());
        if (auto it = req.find(http::field::cookie); it != req.end())
            call.cookie = std::string(it->value());
        if (auto it = req.find("X-CSRF-Token"); it != req.end())
            call.csrf = std::string(it->value());
        if (auto it = req.find(http::field::content_type); it != req.end())
            call.content_type = std::string(it->value());
        if (auto it = req.find(http::field::authorization); it != req.end())
            call.authorization = std::string(it->value());
        call.peer = peer_;
        beast::error_code ec;
        const auto address = net::ip::make_address(peer_, ec);
        call.from_loopback = !ec && address.is_loopback();
        return call;
    }

    void read() {
        if (shared_.stopping)
            return close();
        idle_ = true;
        waiting_since_ = std::chrono::steady_clock::now().time_since_epoch().count();
        waiting_ = true;
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
        // The body's limit is set once the head is admitted: a declared size
        // over it is answered 413 there, not dropped as a parse error here.
        parser_->body_limit(boost::none);
        stream_.expires_after(shared_.options.timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    // Refuses and closes: the body, if any, is never read into memory. After
    // the answer, the sending side is shut and what the client still sends
    // is read and dropped for a little while (at most kDrainBytes, within
    // kDrainTime): closing at once with its body unread would reset the
    // connection, and the client might never see why it was refused.
    void refuse(const HttpAnswer& answer, unsigned version) {
        auto owned = std::make_shared<http::response<Body>>(
            to_response(answer, shared_.options.name, version, false));
        stream_.expires_after(shared_.options.timeout);
        http::async_write(stream_, *owned,
                          [self = shared_from_this(), owned](beast::error_code ec, std::size_t) {
                              if (ec)
                                  return self->close();
                              beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                              self->stream_.expires_after(kDrainTime);
                              self->drain(0);
                          });
    }

    void drain(std::size_t drained) {
        if (drained >= kDrainBytes)
            return close();
        stream_.async_read_some(
            net::buffer(drain_buffer_),
            [self = shared_from_this(), drained](beast::error_code ec, std::size_t n) {
                if (ec)
                    return self->close();
                self->drain(drained + n);
            });
    }

    void on_header(beast::error_code ec, std::size_t) {
        idle_ = false;
        waiting_ = false;
        if (ec == http::error::header_limit) {
            return refuse(error_answer(431, std::make_error_code(std::errc::message_size),
                                       "请求头过大 / request header fields too large"),
                          11);
        }
        if (ec == http::error::body_limit) {
            return refuse(too_large_answer(), 11);
        }
        if (ec)
            return close();
        const unsigned version = parser_->get().version();
        call_ = head_of(*parser_);
        Admission admission;
        if (shared_.admit)
            admission = shared_.admit(call_);
        if (admission.refusal)
            return refuse(*admission.refusal, version);
        std::size_t limit = shared_.options.body_limit;
        if (admission.body_limit)
            limit = std::min(limit, *admission.body_limit);
        const auto declared = parser_->content_length();
        if (declared && *declared > limit)
            return refuse(too_large_answer(), version);
        // What the body can take: its declared size, or the limit when it
        // comes chunked. Reserved before a byte of it is buffered.
        const std::size_t need =
            declared ? static_cast<std::size_t>(*declared) : (parser_->is_done() ? 0 : limit);
        if (need > 0 && !shared_.reserve(need)) {
            shared_.over_budget.fetch_add(1);
            return refuse(busy_answer("memory"), version);
        }
        reserved_ = need;
        cheap_ = admission.cheap;
        parser_->body_limit(limit);
        if (parser_->is_done())
            return on_read({}, 0);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::body_limit)
            return refuse(too_large_answer(), 11);
        if (ec)
            return close();
        auto req = parser_->release();
        const bool keep = req.keep_alive() && !shared_.stopping;
        if (shared_.in_flight.fetch_add(1) >= shared_.options.max_in_flight) {
            shared_.in_flight.fetch_sub(1);
            release_body();
            return send(
                to_response(busy_answer("requests"), shared_.options.name, req.version(), keep));
        }
        call_.body = std::move(req.body());
        const unsigned version = req.version();
        if (cheap_) {
            HttpAnswer answer = handle(call_);
            return answered(answer, version, keep);
        }
        // To a worker, and back to this connection's strand with the answer.
        // The guard keeps the I/O loop alive while the handler runs.
        auto guard = net::make_work_guard(stream_.get_executor());
        net::post(workers_,
                  [self = shared_from_this(), guard = std::move(guard), version, keep]() mutable {
                      auto answer = std::make_shared<HttpAnswer>(self->handle(self->call_));
                      net::post(self->stream_.get_executor(), [self, answer, version, keep] {
                          self->answered(*answer, version, keep);
                      });
                      guard.reset();
                  });
    }

    void answered(const HttpAnswer& answer, unsigned version, bool keep) {
        shared_.in_flight.fetch_sub(1);
        call_ = {};
        release_body();
        send(to_response(answer, shared_.options.name, version, keep));
    }

    // The body's share of the memory budget goes back once it is handled
    // (or refused): a kept-alive connection reserves anew for its next one.
    void release_body() {
        if (reserved_)
            shared_.release(reserved_);
        reserved_ = 0;
    }

    void send(http::response<Body> res) {
        auto owned = std::make_shared<http::response<Body>>(std::move(res));
        stream_.expires_after(shared_.options.timeout);
        http::async_write(stream_, *owned,
                          [self = shared_from_this(), owned](beast::error_code ec, std::size_t) {
                              if (ec || !owned->keep_alive())
                                  return self->close();
                              self->read();
                          });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<Body>> parser_;
    Shared& shared_;
    net::thread_pool& workers_;
    std::string peer_;
    HttpCall call_;
    std::size_t reserved_ = 0;
    std::array<char, 16384> drain_buffer_{};
    bool cheap_ = false;
    bool idle_ = false;
    std::atomic<bool> waiting_{false};
    std::atomic<std::int64_t> waiting_since_{0};
};

}  // namespace

struct HttpServer::Impl {
    Impl(Handler handler, ServerOptions o, Admit admit)
        : shared{std::move(handler), std::move(admit), std::move(o)},
          ioc(std::max(1, shared.options.threads)),
          workers(static_cast<std::size_t>(std::max(1, shared.options.workers))),
          acceptor(net::make_strand(ioc)),
          retry(acceptor.get_executor()) {
        shared.options.memory_budget =
            std::max(shared.options.memory_budget, shared.options.body_limit);
        shared.max_connections = descriptor_room(shared.options.max_connections);
        const tcp::endpoint ep{net::ip::make_address(shared.options.host), shared.options.port};
        acceptor.open(ep.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(net::socket_base::max_listen_connections);
    }

    void accept() {
        acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec,
                                                            tcp::socket socket) {
            if (shared.stopping || !acceptor.is_open())
                return;  // stop() closed the acceptor
            if (ec) {
                // EMFILE, ENFILE, ENOBUFS, a connection reset before it was
                // taken: the listening socket is fine, so wait and go on.
                const std::size_t n = ++accept_errors;
                if (n == 1 || n % 100 == 0) {
                    std::cerr << shared.options.name << ": accept failed (" << ec.message()
                              << "), retrying in " << shared.options.accept_retry.count() << " ms; "
                              << n << " so far" << std::endl;
                }
                retry.expires_after(shared.options.accept_retry);
                retry.async_wait([this](beast::error_code) {
                    if (!shared.stopping)
                        accept();
                });
                return;
            }
            beast::error_code peer_ec;
            const auto peer = socket.remote_endpoint(peer_ec);
            const std::string address = peer_ec ? "" : peer.address().to_string();
            auto room = shared.admit_connection(address);
            // Full: the connection that has waited longest without
            // sending a request (an idle or slow flood) makes room, so
            // connections that only sit there cannot lock everyone out.
            if (room == Shared::Room::server_full && evict_longest_waiting())
                room = shared.admit_connection(address, true);
            if (room != Shared::Room::yes) {
                socket.close(peer_ec);  // over a cap: closed at once, costs nothing
                {
                    std::lock_guard lock(shared.peers_mutex);
                    ++shared.connections_refused;
                }
                return accept();
            }
            auto session = std::make_shared<Session>(std::move(socket), shared, workers, address);
            {
                std::lock_guard lock(mutex);
                std::erase_if(sessions, [](const auto& w) { return w.expired(); });
                sessions.insert(session);
            }
            session->start();
            accept();
        });
    }

    bool evict_longest_waiting() {
        std::lock_guard lock(mutex);
        std::shared_ptr<Session> oldest;
        for (const auto& w : sessions) {
            auto s = w.lock();
            if (s && s->waiting() && (!oldest || s->waiting_since() < oldest->waiting_since()))
                oldest = std::move(s);
        }
        if (!oldest)
            return false;
        oldest->evict();
        ++evicted;
        return true;
    }

    Shared shared;
    net::io_context ioc;
    net::thread_pool workers;
    tcp::acceptor acceptor;
    net::steady_timer retry;
    std::atomic<std::size_t> accept_errors{0};
    std::atomic<std::size_t> evicted{0};
    std::mutex mutex;
    std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;
};

HttpServer::HttpServer(Handler handler, ServerOptions options, Admit admit)
    : impl_(std::make_unique<Impl>(std::move(handler), std::move(options), std::move(admit))) {}
HttpServer::~HttpServer() {
    impl_->workers.join();
}

unsigned short HttpServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::size_t HttpServer::max_connections() const {
    return impl_->shared.max_connections;
}

ServerCounters HttpServer::counters() const {
    ServerCounters c;
    {
        std::lock_guard lock(impl_->shared.peers_mutex);
        c.connections = impl_->shared.connections;
        c.connections_refused = impl_->shared.connections_refused;
    }
    c.accept_errors = impl_->accept_errors.load();
    c.evicted = impl_->evicted.load();
    c.over_budget = impl_->shared.over_budget.load();
    c.body_bytes = impl_->shared.body_bytes.load();
    return c;
}

bool HttpServer::run() {
    impl_->accept();
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto loop = [&] {
        try {
            impl_->ioc.run();
        } catch (...) {
            std::lock_guard lock(failure_mutex);
            if (!failure)
                failure = std::current_exception();
            impl_->ioc.stop();
        }
    };
    std::vector<std::thread> threads;
    for (int i = 1; i < impl_->shared.options.threads; ++i)
        threads.emplace_back(loop);
    loop();
    for (auto& t : threads)
        t.join();
    impl_->workers.join();
    if (failure)
        std::rethrow_exception(failure);
    return impl_->shared.stopping.load();
}

void HttpServer::stop() {
    impl_->shared.stopping = true;
    net::post(impl_->acceptor.get_executor(), [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
        impl_->retry.cancel();
        std::lock_guard lock(impl_->mutex);
        for (const auto& w : impl_->sessions) {
            if (auto s = w.lock())
                s->close_if_idle();
        }
    });
}

}  // namespace gridsync::web
