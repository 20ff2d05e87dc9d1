// The admin console in a real browser against the shipped central: two
// laptops pay one entitlement offline; an admin logs in to the console in
// headless Chromium, opens the double payment, voids one side with a reason
// (tests/browser/console.test.mjs); both laptops then receive the decision.
// Skipped only where Chromium or the npm packages are absent and
// GRIDSYNC_BROWSER_REQUIRED is unset (scripts/test.sh sets it).
#include <cstdlib>
#include <fstream>

#include "browser.hpp"
#include "field.hpp"

using namespace gridsync;
namespace fs = std::filesystem;

namespace {

class ConsoleInABrowser : public test::Field {
  protected:
    // GRIDSYNC_SCREENSHOTS=DIR keeps the console's screenshots for a look.
    fs::path shots() {
        const fs::path d = std::getenv("GRIDSYNC_SCREENSHOTS")
                               ? fs::path(std::getenv("GRIDSYNC_SCREENSHOTS"))
                               : dir / "screenshots";
        fs::create_directories(d);
        return d;
    }
    // One of tests/browser's console scripts, logged in as admin1.
    ProcessResult run_console(const std::string& node, const std::string& script) {
        return Process(node,
                       {(fs::path(GRIDSYNC_BROWSER_DIR) / script).string(),
                        "http://" + address + "/admin/", "admin1", shots().string()},
                       "admin one's password\n")
            .wait();
    }
};

}  // namespace

TEST_F(ConsoleInABrowser, AnAdminVoidsOneSideOfADoublePaymentAndTheLaptopsReceiveIt) {
    const std::string node = BROWSER_OR_SKIP();

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

    // Laptop 2 holds a log alarm (a fork, with a checkpoint it verified as
    // evidence; central is not made to misbehave here: tests/central's
    // log_test does that). Its next sync reports it; the console shows it.
    {
        auto db = laptop2.db();
        const auto note = *db.query_value<std::string>(
            "SELECT note FROM log_verified ORDER BY verified_at_ms DESC LIMIT 1");
        db.execute(
            "INSERT INTO log_alarm(at_ms, kind, detail, held_note, offered_note) VALUES (?1, "
            "'forked', '检查点与之前的不一致 / the checkpoint does not extend the one verified', "
            "?2, ?2)",
            std::int64_t{1796086800000}, note);
    }
    const auto refused = laptop2.run({"--json", "sync"});
    EXPECT_NE(refused.exit_code, 0) << "pulls stop while the alarm is open: " << refused.out;
    EXPECT_EQ(*central_db().query_value<int>(
                  "SELECT count(*) FROM device_log_alarm WHERE kind = 'forked' AND evidence = "
                  "'signed' AND cleared_at_ms IS NULL"),
              1);

    const auto r = run_console(node, "console.test.mjs");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // Cleared on the laptop by whoever looked: central hears of it.
    const auto alarm_id =
        must(laptop2.run({"--json", "log"})).at("alarms").as_array().at(0).at("id").as_int64();
    must(laptop2.run({"--json", "log", "--clear", std::to_string(alarm_id), "--reason",
                      "与中心核实:测试告警 / checked with central: a test alarm"}));
    EXPECT_FALSE(
        must(laptop2.run({"--json", "log"})).at("alarms").as_array().at(0).at("open").as_bool());
    const auto answer = boost::json::parse(r.out.substr(0, r.out.find('\n'))).as_object();
    const std::string voided(answer.at("voided").as_string());
    EXPECT_TRUE(fs::exists(shots() / "console-double-payment.png"));

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
    EXPECT_EQ(*central_db().query_value<int>(
                  "SELECT count(*) FROM device_log_alarm WHERE cleared_at_ms IS NOT NULL"),
              1);
    // The two laptops compare notes (laptop 2 trusts central's log again
    // after its pull): laptop 1's latest verified checkpoint, carried over
    // as a file, is laptop 2's too or of a size it never saw.
    {
        const auto notes =
            must(laptop1.run({"--json", "log"})).at("verified_checkpoints").as_array();
        ASSERT_FALSE(notes.empty());
        std::ofstream(dir / "laptop1.checkpoint") << std::string(notes.back().as_string());
        const auto compared = must(
            laptop2.run({"--json", "log", "--compare", (dir / "laptop1.checkpoint").string()}));
        const std::string result(compared.at("comparison").as_string());
        EXPECT_TRUE(result == "agrees" || result == "other_size") << compared;
    }
    for (auto* d : {&laptop1, &laptop2}) {
        EXPECT_EQ(d->db().query_value<std::string>("SELECT payment_id FROM payment_void"), voided);
        const auto rec = must(d->run({"--json", "recovery", "list"}));
        EXPECT_EQ(rec.at("recoveries").as_array().size(), 1u);
    }
}

// A payment central refuses for good is quarantined, the laptop goes on
// syncing and shows it; an admin releases it in the console once the cause
// is fixed (tests/browser/quarantine.test.mjs), and it is applied.
TEST_F(ConsoleInABrowser, AnAdminReleasesAQuarantinedPaymentOnceItsCauseIsFixed) {
    const std::string node = BROWSER_OR_SKIP();
    auto cdb = central_db();
    const std::string entitlement = *cdb.query_value<std::string>(
        "SELECT id FROM entitlement WHERE disbursement_day_id = ?1 ORDER BY id LIMIT 1", day);
    const std::string household = *cdb.query_value<std::string>(
        "SELECT r.household_id FROM entitlement e JOIN resident r ON r.id = e.beneficiary_id "
        "WHERE e.id = ?1",
        entitlement);
    const std::string today =
        *cdb.query_value<std::string>("SELECT local_date FROM disbursement_day WHERE id = ?1", day);
    const std::string s1 = session_on(laptop1, today + " 08:50");
    sync_all();
    // Central learns the payer lives in the beneficiary's household; the
    // laptop pays before it has heard.
    must(central({"--json", "staff", "household", "--staff", payer, "--household", household},
                 "admin1"));
    must(pay(laptop1, s1, entitlement, today + " 09:20"));
    const auto round = must(laptop1.run({"--json", "sync"}));
    EXPECT_EQ(round.at("quarantined").as_int64(), 1) << round;
    EXPECT_EQ(round.at("rejected").as_int64(), 0);
    const auto status = must(laptop1.run({"--json", "status"}));
    ASSERT_EQ(status.at("quarantined").as_array().size(), 1u) << status;
    EXPECT_EQ(status.at("quarantined").as_array()[0].at("code").as_string(), "gridsync.central:11");
    EXPECT_EQ(status.at("pending").as_int64(), 0) << "nothing left blocking the device";
    // The laptop goes on: its next entry is accepted.
    must(laptop1.run(
        {"--at", today + " 12:00", "shift", "check", "--staff", verifier, "--kind", "out"},
        test::pins(1)));
    EXPECT_EQ(must(laptop1.run({"--json", "sync"})).at("accepted").as_int64(), 1);
    const auto listed = must(central({"--json", "quarantine"}));
    ASSERT_EQ(listed.at("entries").as_array().size(), 1u);
    EXPECT_TRUE(listed.at("entries").as_array()[0].at("decision_verifies").as_bool());
    // The household link was wrong: corrected, then released in the console.
    must(central({"--json", "staff", "household", "--staff", payer, "--none"}, "admin1"));
    const auto r = run_console(node, "quarantine.test.mjs");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(fs::exists(shots() / "console-quarantine-phone.png"));
    auto after = central_db();
    EXPECT_EQ(*after.query_value<int>("SELECT count(*) FROM payment"), 1);
    EXPECT_EQ(
        *after.query_value<int>("SELECT count(*) FROM admin_action WHERE action = 'entry.release'"),
        1);
    EXPECT_EQ(*after.query_value<int>("SELECT count(*) FROM quarantined_entry WHERE "
                                      "released_at_ms IS NULL"),
              0);
    // Every device converges on it.
    sync_all();
    sync_all();
    EXPECT_EQ(*laptop2.db().query_value<int>("SELECT count(*) FROM payment"), 1);
    EXPECT_EQ(*laptop1.db().query_value<int>("SELECT count(*) FROM payment"), 1);
}
