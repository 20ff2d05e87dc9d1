#include "gridsync/edge/http_transport.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "gridsync/sync/errors.hpp"

namespace gridsync::edge {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpTransport::HttpTransport(std::string central, std::chrono::seconds timeout,
                             std::size_t response_limit)
    : HttpTransport(std::move(central), Deadlines{timeout, timeout, timeout}, response_limit) {}

HttpTransport::HttpTransport(std::string central, Deadlines deadlines, std::size_t response_limit)
    : deadlines_(deadlines), response_limit_(response_limit) {
    const auto colon = central.rfind(':');
    host_ = colon == std::string::npos ? central : central.substr(0, colon);
    port_ = colon == std::string::npos ? "80" : central.substr(colon + 1);
}

// Every step is an asynchronous operation with its own deadline: a
// tcp_stream's timer only fires while an asynchronous operation is
// outstanding, so synchronous calls would wait on a stalled central forever.
// The steps run one after another on a private io_context; the first error
// (a timeout among them) ends the call.
Result<Bytes> HttpTransport::post(const std::string& path,
                                  const std::map<std::string, std::string>& headers,
                                  ByteView body) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    http::request<http::vector_body<std::uint8_t>> req{http::verb::post, path, 11};
    req.set(http::field::host, host_);
    req.set(http::field::user_agent, "gridsync-edge");
    req.set(http::field::content_type, "application/octet-stream");
    for (const auto& [k, v] : headers)
        req.set(k, v);
    req.body().assign(body.begin(), body.end());
    req.prepare_payload();
    beast::flat_buffer buffer;
    buffer.reserve(256 * 1024);
    http::response_parser<http::vector_body<std::uint8_t>> parser;
    parser.body_limit(response_limit_);

    beast::error_code failure;
    const char* step = "connect";
    const auto on_read = [&](beast::error_code ec, std::size_t) {
        if (ec)
            return void(failure = ec);
        step = nullptr;
    };
    const auto on_write = [&](beast::error_code ec, std::size_t) {
        if (ec)
            return void(failure = ec);
        step = "answer";
        stream.expires_after(deadlines_.read);
        http::async_read(stream, buffer, parser, on_read);
    };
    const auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
        if (ec)
            return void(failure = ec);
        step = "send";
        stream.expires_after(deadlines_.write);
        http::async_write(stream, req, on_write);
    };
    resolver.async_resolve(host_, port_,
                           [&](beast::error_code ec, tcp::resolver::results_type results) {
                               if (ec)
                                   return void(failure = ec);
                               stream.expires_after(deadlines_.connect);
                               stream.async_connect(results, on_connect);
                           });
    ioc.run();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (failure || step != nullptr) {
        const bool timed_out = failure == beast::error::timeout;
        const std::string what = std::string(step ? step : "answer");
        return fail(
            sync::Errc::transport_failed,
            std::string(timed_out ? "中心未在时限内响应 (" : "无法连接中心 (") + what + ") " +
                host_ + ":" + port_ +
                (timed_out ? " / central did not answer in time (" : " / cannot reach central (") +
                what + "): " + failure.message());
    }
    auto res = parser.release();
    if (res.result() != http::status::ok)
        return sync::refusal_from_answer(res.result_int(), res.body());
    return std::move(res.body());
}

}  // namespace gridsync::edge
