#include "gridsync/web/http.hpp"

#include "gridsync/text.hpp"

namespace gridsync::web {

namespace json = boost::json;

HttpAnswer json_answer(const json::value& v, int status) {
    const std::string s = json::serialize(v);
    return {status, "application/json; charset=utf-8", Bytes(s.begin(), s.end()), {}};
}

HttpAnswer error_answer(int status, const std::error_code& code, const std::string& message,
                        std::optional<bool> retry) {
    json::object o{
        {"code", std::string(code.category().name()) + ":" + std::to_string(code.value())},
        {"message", replace_invalid_utf8(message)},  // it may echo what a client sent
        {"retry", retry.value_or(status == 429 || status == 503 || status == 504)}};
    HttpAnswer a = json_answer(o, status);
    a.content_type = "application/json";
    return a;
}

void harden(HttpAnswer& a, std::string_view csp) {
    a.headers.emplace_back("Content-Security-Policy",
                           std::string(csp) + "; frame-ancestors 'none'; base-uri 'none'");
    a.headers.emplace_back("X-Content-Type-Options", "nosniff");
    a.headers.emplace_back("X-Frame-Options", "DENY");
    a.headers.emplace_back("Referrer-Policy", "no-referrer");
    a.headers.emplace_back("Cache-Control", "no-store");
}

std::string cookie_value(std::string_view header, std::string_view name) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t end = header.find(';', pos);
        if (end == std::string_view::npos)
            end = header.size();
        std::string_view part = header.substr(pos, end - pos);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
        pos = end + 1;
    }
    return "";
}

std::string session_cookie(std::string_view name, std::string_view token, std::string_view path,
                           long max_age_s) {
    return std::string(name) + "=" + std::string(token) + "; Path=" + std::string(path) +
           "; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
}

std::string url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_digit_value(s[i + 1]) >= 0 &&
                   hex_digit_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit_value(s[i + 1]) * 16 + hex_digit_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string route_of(std::string_view target) {
    return std::string(target.substr(0, target.find('?')));
}

std::map<std::string, std::string> query_of(std::string_view target) {
    std::map<std::string, std::string> q;
    const auto mark = target.find('?');
    if (mark == std::string_view::npos)
        return q;
    std::string_view rest = target.substr(mark + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos)
            q[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    return q;
}

std::vector<std::string> segments_of(std::string_view route, std::string_view prefix) {
    std::vector<std::string> parts;
    if (!route.starts_with(prefix))
        return parts;
    std::string_view rest = route.substr(prefix.size());
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        parts.emplace_back(url_decode(rest.substr(0, slash)));
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    return parts;
}

std::optional<json::object> json_body(const HttpCall& call) {
    if (!call.content_type.starts_with("application/json"))
        return std::nullopt;
    boost::system::error_code ec;
    auto v = json::parse(
        std::string_view(reinterpret_cast<const char*>(call.body.data()), call.body.size()), ec);
    if (ec || !v.is_object())
        return std::nullopt;
    return std::move(v.as_object());
}

std::string text_field(const json::object& o, std::string_view name) {
    auto it = o.find(name);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view name) {
    auto it = o.find(name);
    if (it == o.end() || !it->value().is_int64())
        return std::nullopt;
    return it->value().as_int64();
}

}  // namespace gridsync::web
