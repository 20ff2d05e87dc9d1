// libFuzzer: central's router, as the HTTP server hands it requests: the
// device endpoints and the admin API (JSON bodies, with a logged-in admin's
// session and CSRF token, so the fuzzer reaches what a session guards). The
// first byte picks the route, the second the method, the rest is the body;
// with the route byte's top bit set, the rest is the request target itself.
// Every answer must be a well-formed refusal or success: a status, and for
// JSON a body that parses; nothing may crash or hang.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "seeds.hpp"

using namespace gridsync;

namespace {

const char* const kRoutes[] = {
    "/admin/api/login",
    "/admin/api/logout",
    "/admin/api/conflicts?state=open&kind=DOUBLE_PAYMENT&community=C01",
    "/admin/api/conflicts/x/resolve",
    "/admin/api/conflict-groups",
    "/admin/api/conflict-groups/g/resolve",
    "/admin/api/quarantine?all=1",
    "/admin/api/quarantine/release",
    "/admin/api/devices",
    "/admin/api/devices/d/revoke",
    "/admin/api/staff/s/enrolment-code",
    "/admin/api/tokens",
    "/admin/api/approvals",
    "/admin/api/imports/residents",
    "/admin/api/reports/reconciliation?community=C01&month=2026-12",
    "/v1/enroll",
    "/v1/push",
    "/v1/pull",
    "/metrics",
    "/admin/",
};
const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE"};

struct Console {
    fuzz::Subdistrict s;
    central::CentralKeys keys{crypto::SigningKey::generate(), crypto::KxKeyPair::generate(),
                              crypto::SecureBuffer::random(32)};
    central::Router router{*s.central, s.central->parts(), keys, s.central_clock};
    std::string cookie, csrf;
    Console() {
        central::HttpCall login{"POST", "/admin/api/login", "",
                                to_bytes(R"({"login":"admin1","password":"password one"})")};
        login.content_type = "application/json";
        login.from_loopback = true;
        login.peer = "127.0.0.1";
        const auto a = router.handle(login);
        for (const auto& [k, v] : a.headers) {
            if (k == "Set-Cookie")
                cookie = v.substr(0, v.find(';'));
        }
        boost::system::error_code ec;
        auto j = boost::json::parse(std::string(as_chars(a.body)), ec);
        if (!ec && j.is_object() && j.as_object().contains("csrf"))
            csrf = std::string(j.at("csrf").as_string());
        if (cookie.empty() || csrf.empty())
            std::abort();  // the harness must reach behind the session
    }
};

Console& console() {
    static auto* c = new Console;
    return *c;
}

std::vector<Bytes> admin_seeds() {
    std::vector<Bytes> out;
    for (const char* body :
         {R"({"login":"admin1","password":"x"})", R"({"decision":"keep_both","reason":"r"})",
          R"({"device":"d","seq":1,"reason":"r"})", R"({"reason":"lost"})",
          R"({"staff":"s","role":"community_laptop","community":"C01"})",
          R"({"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]})"}) {
        for (std::uint8_t route = 0; route < 15; ++route) {
            Bytes b{route, 1};
            const std::string_view v(body);
            b.insert(b.end(), v.begin(), v.end());
            out.push_back(std::move(b));
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::write_seeds_if_asked(*argc, *argv, admin_seeds);
    (void)console();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    auto& c = console();
    central::HttpCall call;
    const bool raw_target = (data[0] & 0x80) != 0;
    call.method = kMethods[data[1] % std::size(kMethods)];
    const ByteView rest(data + 2, size - 2);
    if (raw_target) {
        call.path = "/" + std::string(as_chars(rest));
    } else {
        call.path = kRoutes[data[0] % std::size(kRoutes)];
        call.body.assign(rest.begin(), rest.end());
    }
    call.content_type = "application/json";
    call.cookie = c.cookie;
    call.csrf = c.csrf;
    call.from_loopback = true;
    call.peer = "127.0.0.1";
    call.device_id = c.s.device.id;
    const auto a = c.router.handle(call);
    if (a.status < 200 || a.status > 599)
        std::abort();
    if (a.content_type.starts_with("application/json")) {
        boost::system::error_code ec;
        (void)boost::json::parse(std::string(as_chars(a.body)), ec);
        if (ec)
            std::abort();  // a JSON answer that is not JSON
    }
    return 0;
}
