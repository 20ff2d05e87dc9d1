#include "gridsync/web/server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

struct Shared {
    Handler handler;
    ServerOptions options;
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> stopping{false};
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

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
        buffer_.reserve(kReadBuffer);
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

  private:
    HttpAnswer handle(const HttpCall& call) {
        try {
            return shared_.handler(call);
        } catch (const std::exception& e) {
            return error_answer(500, std::make_error_code(std::errc::io_error),
                                std::string("internal error: ") + e.what());
        }
    }

    void read() {
        if (shared_.stopping)
            return close();
        idle_ = true;
        parser_.emplace();
        parser_->body_limit(shared_.options.body_limit);
        stream_.expires_after(shared_.options.timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        idle_ = false;
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == beast::error::timeout) {
            return close();
        }
        if (ec == http::error::body_limit) {
            return send(
                to_response(error_answer(413, std::make_error_code(std::errc::file_too_large),
                                         "请求体过大 / request body too large"),
                            shared_.options.name, 11, false));
        }
        if (ec)
            return close();
        auto req = parser_->release();
        const bool keep = req.keep_alive() && !shared_.stopping;
        if (shared_.in_flight.fetch_add(1) >= shared_.options.max_in_flight) {
            shared_.in_flight.fetch_sub(1);
            return send(to_response(
                error_answer(503, std::make_error_code(std::errc::resource_unavailable_try_again),
                             "服务繁忙,请稍后重试 / busy, try again"),
                shared_.options.name, req.version(), keep));
        }
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
        beast::error_code peer_ec;
        const auto peer = stream_.socket().remote_endpoint(peer_ec);
        call.from_loopback = !peer_ec && peer.address().is_loopback();
        call.body = std::move(req.body());
        HttpAnswer answer = handle(call);
        shared_.in_flight.fetch_sub(1);
        send(to_response(answer, shared_.options.name, req.version(), keep));
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
    bool idle_ = false;
};

}  // namespace

struct HttpServer::Impl {
    Impl(Handler handler, ServerOptions o)
        : shared{std::move(handler), std::move(o)},
          ioc(std::max(1, shared.options.threads)),
          acceptor(net::make_strand(ioc)) {
        const tcp::endpoint ep{net::ip::make_address(shared.options.host), shared.options.port};
        acceptor.open(ep.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(net::socket_base::max_listen_connections);
    }

    void accept() {
        acceptor.async_accept(
            net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
                if (ec)
                    return;  // the acceptor was closed by stop()
                auto session = std::make_shared<Session>(std::move(socket), shared);
                {
                    std::lock_guard lock(mutex);
                    std::erase_if(sessions, [](const auto& w) { return w.expired(); });
                    sessions.insert(session);
                }
                session->start();
                accept();
            });
    }

    Shared shared;
    net::io_context ioc;
    tcp::acceptor acceptor;
    std::mutex mutex;
    std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;
};

HttpServer::HttpServer(Handler handler, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(handler), std::move(options))) {}
HttpServer::~HttpServer() = default;

unsigned short HttpServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void HttpServer::run() {
    impl_->accept();
    std::vector<std::thread> threads;
    for (int i = 1; i < impl_->shared.options.threads; ++i)
        threads.emplace_back([this] { impl_->ioc.run(); });
    impl_->ioc.run();
    for (auto& t : threads)
        t.join();
}

void HttpServer::stop() {
    impl_->shared.stopping = true;
    net::post(impl_->acceptor.get_executor(), [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
        std::lock_guard lock(impl_->mutex);
        for (const auto& w : impl_->sessions) {
            if (auto s = w.lock())
                s->close_if_idle();
        }
    });
}

}  // namespace gridsync::web
