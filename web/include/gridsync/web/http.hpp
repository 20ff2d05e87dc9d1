#pragma once
// HTTP as gridsync's two programs serve it (central's sync API and admin
// console, the edge's field app): a request and an answer as plain values, so
// a handler is a pure function of the request and tests call it directly;
// and the small pieces every page-serving handler needs once: JSON answers
// and errors, the security headers, cookies, query strings.
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "gridsync/bytes.hpp"

namespace gridsync::web {

struct HttpCall {
    std::string method;
    std::string path;       // the request target, query string included
    std::string device_id;  // the X-Gridsync-Device header, if any
    Bytes body;
    std::string cookie;  // the Cookie header
    std::string csrf;    // the X-CSRF-Token header
    std::string content_type;
    std::string authorization;   // the Authorization header
    bool from_loopback = false;  // the peer is 127.0.0.0/8 or ::1
    std::string peer;            // the peer's address ("127.0.0.1"), for throttling
};

struct HttpAnswer {
    int status = 200;
    std::string content_type = "application/octet-stream";
    Bytes body;
    std::vector<std::pair<std::string, std::string>> headers;  // e.g. Set-Cookie
};

// {"code": "category:number", "message": "中文 / English", "retry": bool} with
// `status`. "retry" says whether sending the same request again later can
// succeed; without `retry`, it is true for 429, 503 and 504 only.
HttpAnswer error_answer(int status, const std::error_code& code, const std::string& message,
                        std::optional<bool> retry = std::nullopt);
HttpAnswer json_answer(const boost::json::value& v, int status = 200);

// What every page and API answer carries: nothing loads from elsewhere
// (`default-src 'self'`, unless `csp` says more), no framing, no sniffing,
// no referrer, no caching.
void harden(HttpAnswer& a, std::string_view csp = "default-src 'self'");

// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(std::string_view header, std::string_view name);
// Set-Cookie for a session: HttpOnly, SameSite=Strict, scoped to `path`.
std::string session_cookie(std::string_view name, std::string_view token, std::string_view path,
                           long max_age_s);
std::string url_decode(std::string_view s);
// The path without its query string, and the query's decoded pairs.
std::string route_of(std::string_view target);
std::map<std::string, std::string> query_of(std::string_view target);
// The path's segments after `prefix` (e.g. "/api/"), each URL-decoded.
std::vector<std::string> segments_of(std::string_view route, std::string_view prefix);

// A JSON object body (content type application/json), or nullopt: a
// cross-site form cannot send one, which is half of the CSRF defence.
std::optional<boost::json::object> json_body(const HttpCall& call);
std::string text_field(const boost::json::object& o, std::string_view name);
std::optional<std::int64_t> int_field(const boost::json::object& o, std::string_view name);

}  // namespace gridsync::web
