// The admin HTTP API through central's router (a pure function of the
// request): login against the Argon2id hash, the session cookie, CSRF, every
// call audited, and the conflicts, devices and tokens it serves. The same
// routes over a real socket and in a real browser: tests/net, tests/browser.
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "central_fixture.hpp"
#include "gridsync/central/router.hpp"

using namespace gridsync;
using namespace gridsync::domain;
namespace json = boost::json;

namespace {

class AdminApiTest : public test::EdgeAndCentral {
  protected:
    central::CentralKeys keys{crypto::SigningKey::generate(), crypto::KxKeyPair::generate(),
                              crypto::SecureBuffer::random(32)};
    std::unique_ptr<central::Router> router;
    std::string cookie, csrf;

    void SetUp() override {
        test::EdgeAndCentral::SetUp();
        router = std::make_unique<central::Router>(*central, central->parts(), keys, central_clock);
    }
    central::HttpAnswer call(const std::string& method, const std::string& path,
                             const std::string& body = "", bool with_csrf = true,
                             const std::string& type = "application/json") {
        central::HttpCall c;
        c.method = method;
        c.path = path;
        c.body = Bytes(body.begin(), body.end());
        c.cookie = cookie;
        c.csrf = with_csrf ? csrf : "";
        c.content_type = type;
        return router->handle(c);
    }
    static json::object body(const central::HttpAnswer& a) {
        return json::parse(std::string(a.body.begin(), a.body.end())).as_object();
    }
    static std::string header(const central::HttpAnswer& a, const std::string& name) {
        for (const auto& [k, v] : a.headers) {
            if (k == name)
                return v;
        }
        return "";
    }
    central::HttpAnswer login(const std::string& login, const std::string& password) {
        auto a = call("POST", "/admin/api/login",
                      json::serialize(json::object{{"login", login}, {"password", password}}));
        if (a.status == 200) {
            const std::string set = header(a, "Set-Cookie");
            cookie = set.substr(0, set.find(';'));
            csrf = std::string(body(a).at("csrf").as_string());
        }
        return a;
    }
    std::string double_payment() {
        auto laptop2 = another_device();
        pay_first(edge.db, *edge.outbox);
        pay_first(laptop2->db, *laptop2->outbox);
        (void)push();
        (void)push(*laptop2->outbox);
        return *central->db().query_value<std::string>(
            "SELECT id FROM conflict WHERE kind = 'DOUBLE_PAYMENT'");
    }
    int audited(const std::string& action) {
        return count("SELECT count(*) FROM audit WHERE action = '" + action + "'");
    }
};

}  // namespace

TEST_F(AdminApiTest, TheConsoleIsServedFromTheBinaryWithStrictHeaders) {
    const auto page = call("GET", "/admin/");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    const std::string html(page.body.begin(), page.body.end());
    EXPECT_NE(html.find("街道中心管理台"), std::string::npos) << "Chinese first";
    EXPECT_NE(header(page, "Content-Security-Policy").find("default-src 'self'"),
              std::string::npos);
    EXPECT_EQ(header(page, "X-Frame-Options"), "DENY");
    EXPECT_EQ(call("GET", "/admin/app.js").status, 200);
    EXPECT_EQ(call("GET", "/admin/../central.db").status, 404);
}

TEST_F(AdminApiTest, LoginChecksThePasswordSetsAStrictCookieAndIsAudited) {
    EXPECT_EQ(login("admin1", "wrong").status, 401);
    EXPECT_EQ(login("nobody", "password of admin1").status, 401) << "the same answer";
    EXPECT_EQ(call("POST", "/admin/api/login", "login=admin1&password=x", true,
                   "application/x-www-form-urlencoded")
                  .status,
              400)
        << "a cross-site form cannot log in";
    const auto ok = login("admin1", "password of admin1");
    ASSERT_EQ(ok.status, 200);
    const std::string set = header(ok, "Set-Cookie");
    EXPECT_NE(set.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
    EXPECT_NE(set.find("Path=/admin"), std::string::npos);
    EXPECT_EQ(body(ok).at("staff_id").as_string(), edge.staff_where("admin", "", 0).id);
    EXPECT_EQ(call("GET", "/admin/api/me").status, 200);
    EXPECT_GE(count("SELECT count(*) FROM audit WHERE action = 'admin.login' AND outcome = "
                    "'refused'"),
              2);
    EXPECT_EQ(audited("api GET /admin/api/me"), 1);

    // Logged out, the cookie opens nothing.
    EXPECT_EQ(call("POST", "/admin/api/logout").status, 200);
    EXPECT_EQ(call("GET", "/admin/api/me").status, 401);
}

TEST_F(AdminApiTest, RepeatedFailuresRefuseTheLoginForAWhile) {
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(login("admin2", "guess " + std::to_string(i)).status, 401);
    EXPECT_EQ(login("admin2", "password of admin2").status, 429)
        << "even the right password, until the window passes";
    EXPECT_EQ(login("admin1", "password of admin1").status, 200) << "other logins are unaffected";
    central_clock.advance(16 * 60 * 1000);
    cookie.clear();
    EXPECT_EQ(login("admin2", "password of admin2").status, 200);
}

TEST_F(AdminApiTest, SessionsExpireWhenIdle) {
    ASSERT_EQ(login("admin1", "password of admin1").status, 200);
    central_clock.advance(31 * 60 * 1000);
    EXPECT_EQ(call("GET", "/admin/api/conflicts").status, 401);
}

TEST_F(AdminApiTest, ResolvingNeedsTheSessionAndItsCsrfTokenAndHappensOnce) {
    const std::string id = double_payment();
    EXPECT_EQ(call("GET", "/admin/api/conflicts").status, 401) << "not logged in";
    ASSERT_EQ(login("admin1", "password of admin1").status, 200);

    const auto list = body(call("GET", "/admin/api/conflicts?kind=DOUBLE_PAYMENT&community=C01"));
    ASSERT_EQ(list.at("conflicts").as_array().size(), 1u);
    EXPECT_EQ(list.at("counts").at("DOUBLE_PAYMENT").as_int64(), 1);
    EXPECT_TRUE(body(call("GET", "/admin/api/conflicts?kind=DOUBLE_PAYMENT&community=C02"))
                    .at("conflicts")
                    .as_array()
                    .empty());
    EXPECT_TRUE(body(call("GET", "/admin/api/conflicts?kind=DOUBLE_PAYMENT&min_age_hours=1"))
                    .at("conflicts")
                    .as_array()
                    .empty())
        << "detected just now";

    const auto detail = body(call("GET", "/admin/api/conflicts/" + id));
    const auto& sides = detail.at("sides").as_array();
    ASSERT_EQ(sides.size(), 2u) << "both payments, side by side";
    const std::string second(sides.at(1).at("payment_id").as_string());
    EXPECT_EQ(detail.at("decisions").as_array().at(0).as_string(), "void_payment");

    const std::string resolve = "/admin/api/conflicts/" + id + "/resolve";
    const std::string decision = json::serialize(json::object{
        {"decision", "void_payment"}, {"reason", "第二笔重复,追回"}, {"payment_id", second}});
    EXPECT_EQ(call("POST", resolve, decision, false).status, 403) << "no CSRF token";
    EXPECT_EQ(count("SELECT count(*) FROM payment_void"), 0) << "refused, nothing changed";
    EXPECT_EQ(audited("POST /admin/api/conflicts/" + id + "/resolve"), 1) << "the refusal too";

    const auto done = call("POST", resolve, decision);
    ASSERT_EQ(done.status, 200) << std::string(done.body.begin(), done.body.end());
    EXPECT_EQ(body(done).at("state").as_string(), "resolved");
    EXPECT_EQ(central->db().query_value<std::string>("SELECT payment_id FROM payment_void"),
              second);
    EXPECT_EQ(count("SELECT count(*) FROM admin_action WHERE action = 'conflict.resolve' AND login "
                    "= 'admin1'"),
              1)
        << "signed by the admin who logged in";
    EXPECT_EQ(call("POST", resolve, decision).status, 409) << "resolved once only";
    EXPECT_EQ(call("POST", resolve, "not json").status, 400);
}

TEST_F(AdminApiTest, DevicesAreListedAndRevokedAndTokensIssuedThroughTheApi) {
    ASSERT_EQ(login("admin2", "password of admin2").status, 200);
    const auto devices = body(call("GET", "/admin/api/devices")).at("devices").as_array();
    ASSERT_EQ(devices.size(), 1u);
    EXPECT_EQ(devices.at(0).at("id").as_string(), device.id);
    EXPECT_EQ(
        call("POST", "/admin/api/devices/" + device.id + "/revoke", R"({"reason":""})").status, 400)
        << "a reason is required";
    EXPECT_EQ(
        call("POST", "/admin/api/devices/" + device.id + "/revoke", R"({"reason":"笔记本丢失"})")
            .status,
        200);
    EXPECT_TRUE(central->device(device.id)->revoked);

    const auto token =
        call("POST", "/admin/api/tokens",
             json::serialize(json::object{
                 {"staff_id", payer}, {"role", "community_laptop"}, {"community", "C01"}}));
    ASSERT_EQ(token.status, 200) << std::string(token.body.begin(), token.body.end());
    const std::string code(body(token).at("code").as_string());
    EXPECT_NE(code.find('.'), std::string::npos) << "token.central-kx-key";
    EXPECT_EQ(
        call("POST", "/admin/api/tokens", R"({"staff_id":"x","role":"boss","community":"C01"})")
            .status,
        400);
    EXPECT_EQ(count("SELECT count(*) FROM admin_action WHERE login = 'admin2'"), 2)
        << "the revocation and the token, each signed";
}

TEST_F(AdminApiTest, StaffKeysCodesAndRevocationThroughTheApi) {
    ASSERT_EQ(login("admin1", "password of admin1").status, 200);
    const std::string worker = edge.staff_where("community_worker", community, 1).id;
    const auto issued =
        call("POST", "/admin/api/staff/" + worker + "/enrolment-code", R"({"ttl_hours": 24})");
    ASSERT_EQ(issued.status, 200);
    const std::string code(body(issued).at("code").as_string());
    EXPECT_EQ(code.size(), 19u);
    EXPECT_EQ(count("SELECT count(*) FROM staff_enrolment_code WHERE staff_id = '" + worker + "'"),
              1)
        << "kept as the key it derives, not the code";
    EXPECT_EQ(call("POST", "/admin/api/staff/no-such/enrolment-code", "{}").status, 400);
    EXPECT_EQ(call("POST", "/admin/api/staff/" + worker + "/enrolment-code", "{}", false).status,
              403)
        << "no CSRF token, no code";
    const auto listed = call("GET", "/admin/api/staff/" + worker + "/keys");
    ASSERT_EQ(listed.status, 200);
    const auto list = body(listed).at("keys").as_array();
    ASSERT_FALSE(list.empty()) << "the fixture's key for the laptop";
    const std::string key_id(list.at(0).at("key_id").as_string());
    EXPECT_EQ(call("POST", "/admin/api/staff-keys/" + key_id + "/revoke", "{}").status, 400)
        << "a reason is required";
    const auto revoked =
        call("POST", "/admin/api/staff-keys/" + key_id + "/revoke", R"({"reason": "离职"})");
    ASSERT_EQ(revoked.status, 200);
    EXPECT_EQ(count("SELECT count(*) FROM staff_key WHERE id = '" + key_id +
                    "' AND revoked_at_ms IS NOT NULL"),
              1);
    EXPECT_EQ(audited("staff_key.revoke"), 2) << "the refusal, and the signed revocation";
}

// The attack catalog's admin-side lines (docs/SECURITY.md): paths that
// climb out of the console, SQL in the filters, and JSON built to hurt
// the parser. Each is refused or harmless, and nothing changes.
TEST_F(AdminApiTest, TraversalInjectionAndJsonBombsAreRefusedAndChangeNothing) {
    for (const char* path : {"/admin/../../etc/passwd", "/admin/%2e%2e/%2e%2e/etc/passwd",
                             "/admin/app.js/../../../etc/shadow", "/admin/..%2f..%2fcentral.db"}) {
        const auto a = call("GET", path);
        EXPECT_EQ(a.status, 404) << path;
        const std::string text(a.body.begin(), a.body.end());
        EXPECT_EQ(text.find("root:"), std::string::npos) << path;
        EXPECT_EQ(text.find("SQLite format"), std::string::npos) << path;
    }
    const std::string id = double_payment();
    ASSERT_EQ(login("admin1", "password of admin1").status, 200);
    for (const char* query :
         {"kind=%27%20OR%20%271%27%3D%271", "community=x%27%3B%20DROP%20TABLE%20conflict%3B--",
          "state=open%27%20OR%201%3D1--"}) {
        const auto a = call("GET", std::string("/admin/api/conflicts?") + query);
        EXPECT_LT(a.status, 500) << query;
        if (a.status == 200) {
            EXPECT_TRUE(body(a).at("conflicts").as_array().empty()) << query;
        }
    }
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE kind = 'DOUBLE_PAYMENT'"), 1)
        << "the table is there, the conflict in it";
    // Nesting far past the parser's depth, inside the login's 4 KiB; and a
    // body over it.
    const int open_before = count("SELECT count(*) FROM conflict WHERE state = 'open'");
    const std::string deep = std::string(2000, '[') + std::string(2000, ']');
    EXPECT_EQ(call("POST", "/admin/api/login", deep).status, 400);
    EXPECT_EQ(call("POST", "/admin/api/conflicts/" + id + "/resolve", deep).status, 400);
    EXPECT_EQ(call("POST", "/admin/api/login", std::string(8192, ' ')).status, 400);
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE state = 'open'"), open_before)
        << "nothing resolved";
    EXPECT_EQ(login("admin1", "password of admin1").status, 200) << "and the API goes on";
}

// A login's Argon2id check (about a second at the interactive limits, which
// an unknown name always costs) runs without central's lock: other calls,
// and the pushes that take the same lock, go on meanwhile. Before, the
// whole check held it.
TEST_F(AdminApiTest, ALoginsPasswordCheckDoesNotHoldCentralsLock) {
    ASSERT_EQ(login("admin1", "password of admin1").status, 200);
    std::atomic<bool> started{false}, done{false};
    std::thread slow([&] {
        started = true;
        EXPECT_EQ(login("nobody", "a guess").status, 401);
        done = true;
    });
    while (!started)
        std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // inside Argon2id by now
    int during = 0;
    for (int i = 0; i < 10000 && !done; ++i) {
        EXPECT_EQ(call("GET", "/admin/api/log").status, 200);
        if (!done)
            ++during;
    }
    slow.join();
    EXPECT_GE(during, 5) << "calls answered while the password was being checked";
    EXPECT_EQ(*central->db().query_value<int>(
                  "SELECT count(*) FROM audit WHERE action = 'admin.login' AND subject = 'nobody' "
                  "AND outcome = 'refused'"),
              1)
        << "still audited";
}

// A report is read on one of the router's readers, with no lock held while
// it is made: the same report as central's tables give, and audited; it
// does not see a write still open on the writer.
TEST_F(AdminApiTest, AReportIsMadeOnAReaderAndAudited) {
    pay_first(edge.db, *edge.outbox);
    accepted(push());
    ASSERT_EQ(login("admin1", "password of admin1").status, 200);
    const auto code = *central->db().query_value<std::string>(
        "SELECT code FROM community WHERE id = ?1", community);
    const std::string path = "/admin/api/reports/reconciliation?community=" + code +
                             "&month=" + domain::local_date(central_clock.now_ms()).substr(0, 7);
    const auto before = audited("api GET /admin/api/reports/reconciliation");
    const auto a = call("GET", path);
    ASSERT_EQ(a.status, 200) << std::string(a.body.begin(), a.body.end());
    EXPECT_EQ(audited("api GET /admin/api/reports/reconciliation"), before + 1);
    const std::string report(a.body.begin(), a.body.end());
    const auto paid = *central->db().query_value<std::int64_t>(
        "SELECT coalesce(sum(amount_fen), 0) FROM payment WHERE kind = 'payment'");
    ASSERT_GT(paid, 0);
    EXPECT_NE(report.find(std::to_string(paid)), std::string::npos)
        << "the paid total, " << paid << " fen, is in the report: " << report.substr(0, 400);
    // The writer holds an open transaction (a push in progress, say): the
    // report is still made, from what was committed.
    store::Transaction open(central->db());
    central->db().execute("UPDATE entitlement SET amount_fen = amount_fen + 100");
    central->audit(central_clock.now_ms(), "test", "test.write", "", "ok", "");
    std::string during;
    std::thread reading([&] {
        const auto b = call("GET", path);
        during.assign(b.body.begin(), b.body.end());
    });
    reading.join();
    EXPECT_EQ(during, report) << "the same report, from what was committed";
    open.rollback();
}
