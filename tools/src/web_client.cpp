#include "gridsync/tools/web_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gridsync::tools {

WebClient::Answer WebClient::call(const std::string& method, const std::string& target,
                                  const boost::json::value& body) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    const auto colon = address_.rfind(':');
    stream.connect(resolver.resolve(address_.substr(0, colon), address_.substr(colon + 1)));
    http::request<http::string_body> req{method == "GET" ? http::verb::get : http::verb::post,
                                         target, 11};
    req.set(http::field::host, address_);
    if (!cookie_.empty())
        req.set(http::field::cookie, cookie_);
    if (method != "GET") {
        req.set("X-CSRF-Token", csrf_);
        req.set(http::field::content_type, "application/json");
        req.body() = boost::json::serialize(body);
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream, buffer, parser);
    auto res = parser.release();
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    if (auto it = res.find(http::field::set_cookie); it != res.end()) {
        const std::string set(it->value());
        cookie_ = set.substr(0, set.find(';'));
    }
    Answer a{static_cast<int>(res.result_int()), nullptr, res.body().size(), res.body()};
    boost::system::error_code jec;
    a.body = boost::json::parse(res.body(), jec);
    if (jec)
        a.body = nullptr;
    return a;
}

bool WebClient::login(const std::string& login, const std::string& password) {
    auto a = call("POST", "/admin/api/login", {{"login", login}, {"password", password}});
    if (a.status != 200)
        return false;
    csrf_ = std::string(a.body.at("csrf").as_string());
    return true;
}

}  // namespace gridsync::tools
