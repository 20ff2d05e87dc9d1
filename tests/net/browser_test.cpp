// The admin console in a real browser against the shipped central: two
// laptops pay one entitlement offline; an admin logs in to the console in
// headless Chromium, opens the double payment, voids one side with a reason
// (tests/browser/console.test.mjs); both laptops then receive the decision.
// Skipped only where Chromium or the npm packages are absent and
// GRIDSYNC_BROWSER_REQUIRED is unset (scripts/test.sh sets it).
#include <cstdlib>

#include "browser.hpp"
#include "field.hpp"

using namespace gridsync;
namespace fs = std::filesystem;

namespace {

class ConsoleInABrowser : public test::Field {};

}  // namespace

TEST_F(ConsoleInABrowser, AnAdminVoidsOneSideOfADoublePaymentAndTheLaptopsReceiveIt) {
    const std::string node = BROWSER_OR_SKIP();
    const fs::path script = fs::path(GRIDSYNC_BROWSER_DIR) / "console.test.mjs";

    auto cdb = central_db();
    const std::string entitlement = *cdb.query_value<std::string>(
        "SELECT id FROM entitlement WHERE disbursement_day_id = ?1 ORDER BY id LIMIT 1", day);
    const std::string today =
        *cdb.query_value<std::string>("SELECT local_date FROM disbursement_day WHERE id = ?1", day);
    const std::string s1 = session_on(laptop1, today + " 08:50");
    sync_all();
    const std::string s2 = session_on(laptop2, today + " 09:10");
    must(pay(laptop1, s1, entitlement, today + " 09:20"));
    must(pay(laptop2, s2, entitlement, today + " 09:25", true));
    sync_all();
    ASSERT_EQ(*central_db().query_value<int>(
                  "SELECT count(*) FROM conflict WHERE kind = 'DOUBLE_PAYMENT' AND state = 'open'"),
              1);

    // GRIDSYNC_SCREENSHOTS=DIR keeps the console's screenshots for a look.
    const fs::path shots = std::getenv("GRIDSYNC_SCREENSHOTS")
                               ? fs::path(std::getenv("GRIDSYNC_SCREENSHOTS"))
                               : dir / "screenshots";
    fs::create_directories(shots);
    Process browser(node,
                    {script.string(), "http://" + address + "/admin/", "admin1", shots.string()},
                    "admin one's password\n");
    const auto r = browser.wait();
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto answer = boost::json::parse(r.out.substr(0, r.out.find('\n'))).as_object();
    const std::string voided(answer.at("voided").as_string());
    EXPECT_TRUE(fs::exists(shots / "console-double-payment.png"));

    // At central: the void, the recovery task, the signed admin action, the audit of the login.
    auto after = central_db();
    EXPECT_EQ(after.query_value<std::string>("SELECT payment_id FROM payment_void"), voided);
    EXPECT_EQ(*after.query_value<int>("SELECT count(*) FROM recovery_task WHERE state = 'open'"),
              1);
    EXPECT_EQ(*after.query_value<int>(
                  "SELECT count(*) FROM admin_action WHERE action = 'conflict.resolve' AND login = "
                  "'admin1'"),
              1);
    EXPECT_GE(
        *after.query_value<int>(
            "SELECT count(*) FROM audit WHERE action = 'admin.login' AND outcome = 'refused'"),
        1);
    EXPECT_EQ(*after.query_value<int>("SELECT count(*) FROM payment"), 2) << "both kept";

    // The laptops' next sync brings the decision.
    sync_all();
    for (auto* d : {&laptop1, &laptop2}) {
        EXPECT_EQ(d->db().query_value<std::string>("SELECT payment_id FROM payment_void"), voided);
        const auto rec = must(d->run({"--json", "recovery", "list"}));
        EXPECT_EQ(rec.at("recoveries").as_array().size(), 1u);
    }
}
