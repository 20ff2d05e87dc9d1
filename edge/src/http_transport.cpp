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
    : timeout_(timeout), response_limit_(response_limit) {
    const auto colon = central.rfind(':');
    host_ = colon == std::string::npos ? central : central.substr(0, colon);
    port_ = colon == std::string::npos ? "80" : central.substr(colon + 1);
}

Result<Bytes> HttpTransport::post(const std::string& path,
                                  const std::map<std::string, std::string>& headers,
                                  ByteView body) {
    try {
        net::io_context ioc;
        tcp::resolver resolver(ioc);
        beast::tcp_stream stream(ioc);
        stream.expires_after(timeout_);
        stream.connect(resolver.resolve(host_, port_));
        http::request<http::vector_body<std::uint8_t>> req{http::verb::post, path, 11};
        req.set(http::field::host, host_);
        req.set(http::field::user_agent, "gridsync-edge");
        req.set(http::field::content_type, "application/octet-stream");
        for (const auto& [k, v] : headers)
            req.set(k, v);
        req.body().assign(body.begin(), body.end());
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        buffer.reserve(256 * 1024);
        http::response_parser<http::vector_body<std::uint8_t>> parser;
        parser.body_limit(response_limit_);
        http::read(stream, buffer, parser);
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        auto res = parser.release();
        if (res.result() != http::status::ok) {
            return sync::refusal_from_answer(res.result_int(), res.body());
        }
        return std::move(res.body());
    } catch (const beast::system_error& e) {
        return fail(sync::Errc::transport_failed,
                    "无法连接中心 " + host_ + ":" + port_ +
                        " / cannot reach central: " + e.code().message());
    }
}

}  // namespace gridsync::edge
