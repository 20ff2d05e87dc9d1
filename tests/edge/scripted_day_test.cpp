// The real gridsync-edge binary, driven as a script would drive it: a whole
// disbursement day with 200 two-person verified payments, a delivery round of
// 100 certificates, shifts, refusals with their exit codes, a flipped byte,
// and a SIGKILL in the middle of a batch.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "gridsync/domain/local_time.hpp"
#include "gridsync/edge/node.hpp"
#include "gridsync/file.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/outbox.hpp"
#include "gridsync/tools/edge_driver.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

namespace {

constexpr const char* kPin = "2468";

class ScriptedDay : public ::testing::Test {
  protected:
    test::TempDir dir;
    std::filesystem::path node = dir / "node";
    std::string today;
    edge::DemoData demo;

    void SetUp() override {
        std::ofstream(dir / "pass") << "laptop passphrase\n";
        std::ofstream(dir / "ack.png") << "PNG thumbprint";
        const auto r = edge({"--json", "init", "--device-name", "民生路社区笔记本", "--role",
                             "community_laptop", "--community", "C01", "--demo-seed", "--demo-pin",
                             kPin, "--simulation", "--fast-kdf"});
        ASSERT_EQ(r.exit_code, 0) << r.out;
        today = std::string(json(r).at("date").as_string());
        demo = edge::load_demo_data(node).value();
    }

    ProcessResult edge(std::vector<std::string> args, const std::string& input = "") {
        return driver().run(std::move(args), input);
    }
    static boost::json::object json(const ProcessResult& r) { return tools::EdgeDriver::json(r); }
    std::string at(const std::string& hhmm) const { return today + " " + hhmm; }
    std::string staff_with(const std::string& role, int nth = 0,
                           const std::string& community = "") {
        return demo.staff_id(role, nth, community);
    }
    store::Database db() { return store::Database::open(node / "node.db"); }
    std::string pins(int n) {
        std::string s;
        for (int i = 0; i < n; ++i)
            s += std::string(kPin) + "\n";
        return s;
    }
    std::string community() {
        return *db().query_value<std::string>("SELECT id FROM community WHERE code = 'C01'");
    }

    // Both service-point staff check in, and a session is opened.
    std::string open_session(const std::string& a, const std::string& b) {
        EXPECT_EQ(
            edge({"--at", at("08:55"), "shift", "check", "--staff", a, "--kind", "in"}, pins(1))
                .exit_code,
            0);
        EXPECT_EQ(
            edge({"--at", at("08:58"), "shift", "check", "--staff", b, "--kind", "in"}, pins(1))
                .exit_code,
            0);
        const std::string day = *db().query_value<std::string>("SELECT id FROM disbursement_day");
        const auto r =
            edge({"--json", "--at", at("09:00"), "day", "open", "--day", day, "--staff-a", a,
                  "--staff-b", b, "--cash", "100000.00", "--notes", "10000x1000"},
                 pins(2));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return std::string(json(r).at("session_id").as_string());
    }

    std::filesystem::path payments_file() {
        const auto path = dir / "payments.csv";
        driver().write_payment_sheet(path, demo);
        return path;
    }
    tools::EdgeDriver driver() const {
        return tools::EdgeDriver(GRIDSYNC_EDGE_BIN, node, dir / "pass");
    }
};

}  // namespace

TEST_F(ScriptedDay, DisbursementDayOf200PaymentsAndADeliveryRoundOf100) {
    const std::string a = staff_with("service_point_staff", 0),
                      b = staff_with("service_point_staff", 1);
    const std::string session = open_session(a, b);

    // 200 payments, each verified by two people.
    auto paid = edge(
        {"--json", "--at", at("09:30"), "pay", "--batch", payments_file().string(), "--session",
         session, "--payer", a, "--verifier", b, "--ack-file", (dir / "ack.png").string()},
        pins(2));
    ASSERT_EQ(paid.exit_code, 0) << paid.out;
    EXPECT_EQ(json(paid).at("paid").as_int64(), 200);

    // A second payment of an entitlement: refused, exit 2, machine-readable code.
    const std::string first =
        *db().query_value<std::string>("SELECT id FROM entitlement ORDER BY id LIMIT 1");
    const std::string amount = *db().query_value<std::string>(
        "SELECT printf('%d.%02d', amount_fen / 100, amount_fen % 100) FROM entitlement WHERE id = "
        "?1",
        first);
    const std::string beneficiary = *db().query_value<std::string>(
        "SELECT beneficiary_id FROM entitlement WHERE id = ?1", first);
    auto again = edge({"--json", "--at", at("11:00"), "pay", "--session", session, "--entitlement",
                       first, "--amount", amount, "--payer", a, "--verifier", b, "--ack-name",
                       "某某", "--ack-file", (dir / "ack.png").string()},
                      pins(2) + demo.id_number_of(beneficiary) + "\n");
    EXPECT_EQ(again.exit_code, 2);
    EXPECT_EQ(json(again).at("error").at("code").as_string(), "gridsync.domain:11");

    // One person signing twice: refused before anything is written.
    auto same = edge({"--at", at("11:01"), "pay", "--session", session, "--entitlement", first,
                      "--amount", amount, "--payer", a, "--verifier", a, "--ack-name", "某某",
                      "--ack-file", (dir / "ack.png").string()},
                     pins(2) + demo.id_number_of(beneficiary) + "\n");
    EXPECT_EQ(same.exit_code, 2);

    // A wrong PIN: exit 3.
    auto wrong = edge({"--at", at("11:02"), "pay", "--session", session, "--entitlement", first,
                       "--amount", amount, "--payer", a, "--verifier", b, "--ack-name", "某某",
                       "--ack-file", (dir / "ack.png").string()},
                      "1111\n" + pins(1) + demo.id_number_of(beneficiary) + "\n");
    EXPECT_EQ(wrong.exit_code, 3);

    // Close: all paid, cash balances.
    const auto total = *db().query_value<std::int64_t>("SELECT sum(amount_fen) FROM payment");
    const auto returned = 10000000 - total;
    const std::string returned_yuan = std::to_string(returned / 100) + "." +
                                      (returned % 100 < 10 ? "0" : "") +
                                      std::to_string(returned % 100);
    auto close = edge({"--json", "--at", at("12:00"), "day", "close", "--session", session,
                       "--returned", returned_yuan, "--staff-a", a, "--staff-b", b},
                      pins(2));
    ASSERT_EQ(close.exit_code, 0) << close.out;
    EXPECT_EQ(json(close).at("variance_yuan").as_string(), "0.00");
    EXPECT_EQ(json(close).at("paid").at("count").as_int64(), 200);

    // The delivery round: the clerk hands each grid leader their grid's pile,
    // the leaders deliver 90 and find 10 not at home.
    const std::string clerk = staff_with("community_worker", 0, community());
    auto d = db();
    auto leaders = d.prepare(
        "SELECT DISTINCT g.leader_staff_id FROM certificate c JOIN resident r ON r.id = "
        "c.resident_id "
        "JOIN household h ON h.id = r.household_id JOIN grid g ON g.id = h.grid_id");
    int delivered = 0, failed = 0, line = 0;
    while (leaders.step()) {
        const std::string leader = leaders.column<std::string>(0);
        const auto codes = dir / ("codes-" + leader);
        const auto round = dir / ("round-" + leader);
        std::ofstream cf(codes), rf(round);
        auto certs = d.prepare(
            "SELECT c.print_code, c.resident_id FROM certificate c JOIN resident r ON r.id = "
            "c.resident_id "
            "JOIN household h ON h.id = r.household_id JOIN grid g ON g.id = h.grid_id "
            "WHERE g.leader_staff_id = ?1 ORDER BY c.print_code");
        certs.bind(1, leader);
        while (certs.step()) {
            cf << certs.column<std::string>(0) << "\n";
            if (++line % 10 == 0) {
                rf << certs.column<std::string>(0) << ",failed,not_home,1\n";
                ++failed;
            } else {
                rf << certs.column<std::string>(0) << ",delivered,"
                   << demo.id_number_of(certs.column<std::string>(1)) << "\n";
                ++delivered;
            }
        }
        cf.close();
        rf.close();
        auto handed = edge({"--json", "--at", at("13:00"), "cert", "handover", "--codes",
                            codes.string(), "--from", clerk, "--to", leader},
                           pins(2));
        ASSERT_EQ(handed.exit_code, 0) << handed.out;
        auto r = edge({"--json", "--at", at("15:00"), "cert", "round", "--leader", leader,
                       "--script", round.string(), "--signature-file", (dir / "ack.png").string()},
                      pins(1));
        ASSERT_EQ(r.exit_code, 0) << r.out;
    }
    EXPECT_EQ(delivered + failed, 100);
    EXPECT_EQ(*db().query_value<int>("SELECT count(*) FROM certificate WHERE state = 'delivered'"),
              delivered);
    EXPECT_EQ(
        *db().query_value<int>("SELECT count(*) FROM delivery_attempt WHERE outcome = 'failed'"),
        failed);

    // Everything is on one chain that verifies; every payment is pending upload.
    auto verify = edge({"--json", "verify"});
    ASSERT_EQ(verify.exit_code, 0) << verify.out;
    const auto entries = json(verify).at("entries").as_int64();
    EXPECT_GE(entries, 2 + 1 + 200 + 1 + 100 + 100);
    auto show = edge({"--json", "session", "show", "--session", session});
    ASSERT_EQ(show.exit_code, 0);
    const auto shown = json(show);
    const auto& payments = shown.at("payments").as_array();
    EXPECT_EQ(payments.size(), 200u);
    for (const auto& p : payments)
        EXPECT_EQ(p.at("status").as_string(), "pending");
    EXPECT_TRUE(shown.at("unverifiable").as_array().empty());

    // The clear ID numbers never reached the database files (main and WAL).
    for (const char* file : {"node.db", "node.db-wal"}) {
        std::ifstream in(node / file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        ASSERT_FALSE(bytes.empty() && std::string(file) == "node.db");
        for (const auto& r : demo.residents) {
            ASSERT_EQ(bytes.find(r.id_number), std::string::npos)
                << "clear ID number found in " << file;
        }
    }

    // A flipped byte in the outbox: verify names the entry and exits 5.
    {
        auto w = db();
        w.execute(
            "UPDATE outbox SET envelope = CAST(substr(envelope, 1, 40) || x'ff' || "
            "substr(envelope, 42) AS BLOB) WHERE seq = 150");
    }
    auto broken = edge({"--json", "verify"});
    EXPECT_EQ(broken.exit_code, 5);
    EXPECT_EQ(json(broken).at("first_broken_seq").as_int64(), 150);
}

TEST_F(ScriptedDay, ShiftsReportLatenessGapsAndMonth) {
    const std::string c = community();
    auto d = db();
    auto st = d.prepare(
        "SELECT staff_id, kind FROM roster_shift WHERE community_id = ?1 AND local_date = ?2 AND "
        "kind <> 'normal'");
    st.bind_all(c, today);
    std::map<std::string, std::string> special;
    while (st.step())
        special[st.column<std::string>(1)] = st.column<std::string>(0);
    ASSERT_EQ(special.size(), 2u) << "one early and one late duty";
    EXPECT_EQ(
        edge({"--at", at("07:05"), "shift", "check", "--staff", special["early"], "--kind", "in"},
             pins(1))
            .exit_code,
        0);
    EXPECT_EQ(
        edge({"--at", at("09:40"), "shift", "check", "--staff", special["early"], "--kind", "out"},
             pins(1))
            .exit_code,
        0);
    // Someone with no shift today: recorded and flagged, not refused.
    const std::string stranger = staff_with("grid_leader", 0, c);
    auto flagged =
        edge({"--json", "--at", at("10:00"), "shift", "check", "--staff", stranger, "--kind", "in"},
             pins(1));
    EXPECT_EQ(flagged.exit_code, 0);
    EXPECT_EQ(json(flagged).at("flags").as_array().at(0).as_string(), "no_shift");
    // A device clock 20 minutes off central's is flagged, not refused.
    auto skewed = edge({"--json", "--at", at("10:05"), "shift", "check", "--staff", stranger,
                        "--kind", "out", "--skew-minutes", "20"},
                       pins(1));
    EXPECT_EQ(skewed.exit_code, 0);
    EXPECT_EQ(json(skewed).at("flags").as_array().back().as_string(), "clock_skew");
    // 07:05 for a 07:00 early duty: on time with the default 15-minute grace,
    // late with none.
    auto late_count = [&](const char* grace) {
        auto r = edge({"--json", "--at", at("20:00"), "shift", "report", "--date", today,
                       "--grace-minutes", grace});
        int late = 0;
        const auto j = json(r);
        for (const auto& x : j.at("shifts").as_array())
            late += x.at("late_minutes").as_int64() > 0 ? 1 : 0;
        return late;
    };
    EXPECT_EQ(late_count("15"), 0);
    EXPECT_EQ(late_count("0"), 1);
    auto report = edge({"--json", "--at", at("20:00"), "shift", "report", "--date", today});
    ASSERT_EQ(report.exit_code, 0) << report.out;
    EXPECT_FALSE(json(report).at("coverage_gaps").as_array().empty());
    auto month =
        edge({"--json", "--at", at("20:00"), "shift", "month", "--month", today.substr(0, 7)});
    ASSERT_EQ(month.exit_code, 0) << month.out;
    EXPECT_FALSE(json(month).at("staff").as_array().empty());
}

TEST_F(ScriptedDay, KillingTheProcessMidBatchLeavesNoWriteWithoutItsEntry) {
    const std::string a = staff_with("service_point_staff", 0),
                      b = staff_with("service_point_staff", 1);
    const std::string session = open_session(a, b);
    const auto file = payments_file();
    Process p(GRIDSYNC_EDGE_BIN,
              {"--data", node.string(), "--passphrase-file", (dir / "pass").string(), "--at",
               at("09:30"), "pay", "--batch", file.string(), "--session", session, "--payer", a,
               "--verifier", b, "--ack-file", (dir / "ack.png").string()},
              pins(2));
    // Wait until payments are flowing, then kill without warning.
    for (int i = 0; i < 400; ++i) {
        ::usleep(5000);
        try {
            if (db().query_value<int>("SELECT count(*) FROM payment").value_or(0) >= 20)
                break;
        } catch (const store::StoreError&) {  // busy: the writer holds the lock
        }
    }
    p.kill();
    const auto r = p.wait();
    ASSERT_EQ(r.signal, SIGKILL) << "the batch finished before it could be killed";
    auto d = db();
    const auto payments = *d.query_value<int>("SELECT count(*) FROM payment");
    EXPECT_GT(payments, 0);
    EXPECT_LT(payments, 200);
    EXPECT_EQ(*d.query_value<int>(
                  "SELECT count(*) FROM payment p WHERE NOT EXISTS (SELECT 1 FROM outbox_row r "
                  "WHERE r.table_name = 'payment' AND r.row_id = p.id)"),
              0);
    EXPECT_EQ(*d.query_value<int>("SELECT count(*) FROM outbox_row WHERE table_name = 'payment'"),
              payments);
    auto verify = edge({"--json", "verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
    // The rest of the batch can simply be run again: paid ones are refused, the others go through.
    auto rest =
        edge({"--json", "--at", at("09:45"), "pay", "--batch", file.string(), "--session", session,
              "--payer", a, "--verifier", b, "--ack-file", (dir / "ack.png").string()},
             pins(2));
    EXPECT_EQ(json(rest).at("paid").as_int64() + payments, 200);
}

TEST_F(ScriptedDay, ClockOverrideOnlyOnSimulationNodesAndUsageErrors) {
    test::TempDir other;
    std::ofstream(other / "pass") << "another passphrase\n";
    auto init = run(GRIDSYNC_EDGE_BIN, {"--data", (other / "n").string(), "--passphrase-file",
                                        (other / "pass").string(), "init", "--device-name", "field",
                                        "--role", "grid_device", "--community", "C01", "--grid",
                                        "1", "--demo-seed", "--demo-pin", kPin, "--fast-kdf"});
    ASSERT_EQ(init.exit_code, 0) << init.out;
    auto r =
        run(GRIDSYNC_EDGE_BIN, {"--data", (other / "n").string(), "--passphrase-file",
                                (other / "pass").string(), "--at", "2026-12-01 09:00", "status"});
    EXPECT_EQ(r.exit_code, 1);
    // A grid leader's device cannot record payments.
    auto pay = run(GRIDSYNC_EDGE_BIN, {"--data",
                                       (other / "n").string(),
                                       "--passphrase-file",
                                       (other / "pass").string(),
                                       "--json",
                                       "pay",
                                       "--session",
                                       "s",
                                       "--entitlement",
                                       "e",
                                       "--amount",
                                       "1.00",
                                       "--payer",
                                       "p",
                                       "--verifier",
                                       "v",
                                       "--ack-name",
                                       "n",
                                       "--ack-file",
                                       "f"});
    EXPECT_EQ(pay.exit_code, 2);
    EXPECT_EQ(edge({"frobnicate"}).exit_code, 1);
    EXPECT_EQ(edge({"pay", "--amount"}).exit_code, 1);
    // A wrong device passphrase.
    std::ofstream(dir / "bad") << "not it\n";
    EXPECT_EQ(run(GRIDSYNC_EDGE_BIN,
                  {"--data", node.string(), "--passphrase-file", (dir / "bad").string(), "status"})
                  .exit_code,
              3);
}

// Five wrong PINs in a row lock that person out on this device for 15
// minutes, even with the right PIN; the key file never changes, and a
// colleague is not affected.
TEST_F(ScriptedDay, FiveWrongPinsLockThePersonOutAndTheKeyFileStays) {
    const std::string a = staff_with("service_point_staff", 0),
                      b = staff_with("service_point_staff", 1);
    const auto key_file = node / "staff" / (a + ".key");
    const auto sealed = read_file(key_file, 4096).value();
    for (int i = 1; i <= 5; ++i) {
        const auto r = edge({"--json", "shift", "check", "--staff", a, "--kind", "in"}, "0000\n");
        EXPECT_EQ(r.exit_code, 3) << r.out;
        if (i < 5)
            EXPECT_NE(r.out.find("还可再试 " + std::to_string(5 - i) + " 次"), std::string::npos)
                << r.out;
        else
            EXPECT_NE(r.out.find("锁定 15 分钟"), std::string::npos) << r.out;
    }
    const auto locked = edge({"--json", "shift", "check", "--staff", a, "--kind", "in"}, pins(1));
    EXPECT_EQ(locked.exit_code, 2) << "the right PIN, while locked: " << locked.out;
    EXPECT_NE(locked.out.find("已锁定至"), std::string::npos) << locked.out;
    EXPECT_EQ(read_file(key_file, 4096).value(), sealed) << "the key file never changes";
    EXPECT_EQ(db().query_value<int>("SELECT count(*) FROM shift_check"), 0);
    // A colleague signs as usual.
    EXPECT_EQ(edge({"shift", "check", "--staff", b, "--kind", "in"}, pins(1)).exit_code, 0);
    // After the lockout, the right PIN works (the node's scripted clock moves on a day).
    const std::string tomorrow =
        domain::local_date(domain::local_midnight_utc(today) + 36LL * 3600 * 1000);
    const auto later = edge(
        {"--json", "--at", tomorrow + " 08:00", "shift", "check", "--staff", a, "--kind", "in"},
        pins(1));
    EXPECT_EQ(later.exit_code, 0) << later.out;
}
