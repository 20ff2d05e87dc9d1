// Central as an office runs it: an online backup taken while devices sync,
// restored with every entry acknowledged before it began; /metrics scraped
// from the running server.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gridsync/process.hpp"
#include "gridsync/store/backup.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/tools/central_process.hpp"
#include "gridsync/tools/edge_driver.hpp"
#include "gridsync/tools/web_client.hpp"
#include "temp_dir.hpp"

using namespace gridsync;
namespace fs = std::filesystem;

namespace {

class RunningOffice : public ::testing::Test {
  protected:
    test::TempDir dir;
    tools::CentralProcess central{GRIDSYNC_CENTRAL_BIN, dir / "c", 2};
    tools::EdgeDriver laptop{GRIDSYNC_EDGE_BIN, dir / "laptop", dir / "edge.pass"};

    void SetUp() override {
        std::ofstream(dir / "edge.pass") << "edge passphrase\n";
        central.serve();
        const auto code = central.codes("C01-W01", "community_laptop", "C01", 1).at(0);
        must(laptop.run(
            {"--json", "init", "--device-name", "laptop", "--simulation", "--fast-kdf"}));
        must(laptop.run(
            {"--json", "enroll", "--central", central.address(), "--code", code, "--fast-kdf"}));
        must(laptop.run({"--json", "sync"}));
        must(laptop.run({"--json", "staff", "enroll-key", "--staff", "C01-W01"},
                        central.staff_code("C01-W01") + "\n2468\n2468\n"));
    }
    static boost::json::object must(const ProcessResult& r) {
        EXPECT_EQ(r.exit_code, 0) << r.out;
        if (r.exit_code != 0)
            throw std::runtime_error("step failed: " + r.out);
        return tools::EdgeDriver::json(r);
    }
    // One signed entry: a check-in or out.
    void check(int i) {
        must(laptop.run({"--json", "--at",
                         "2026-12-01 " + std::to_string(8 + i % 10) + ":0" + std::to_string(i % 6),
                         "shift", "check", "--staff", "C01-W01", "--kind", i % 2 ? "out" : "in"},
                        "2468\n"));
    }
    store::Database central_db() {
        return store::Database::open(central.dir() / "central" / "central.db");
    }
    std::int64_t laptop_entries(store::Database& db) {
        return *db.query_value<std::int64_t>(
            "SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'");
    }
};

}  // namespace

TEST_F(RunningOffice, ABackupWhileSyncingHoldsEveryAcknowledgedEntryAndRestores) {
    for (int i = 0; i < 10; ++i)
        check(i);
    must(laptop.run({"--json", "sync"}));
    std::int64_t acknowledged = 0;
    {
        auto db = central_db();
        acknowledged = laptop_entries(db);
    }
    ASSERT_EQ(acknowledged, 11);  // the staff key's registration, and ten check-ins
    // The laptop keeps writing and syncing while the backup runs.
    std::atomic<bool> done{false};
    std::thread busy([&] {
        for (int i = 10; i < 30 && !done; ++i) {
            check(i);
            (void)laptop.run({"--json", "sync"});
        }
    });
    const auto backup = central.admin({"backup", "--to", (dir / "backup.db").string()});
    done = true;
    busy.join();
    EXPECT_GE(backup.at("log_head_at_start").as_int64(), acknowledged);
    {
        auto copy = store::Database::open(dir / "backup.db");
        EXPECT_EQ(store::integrity_check(copy), "ok");
        EXPECT_GE(laptop_entries(copy), acknowledged)
            << "every entry acknowledged before the backup began is in it";
    }
    // Refused while serving; then restored with central stopped.
    EXPECT_NE(central.try_admin({"restore", "--from", (dir / "backup.db").string()}).exit_code, 0);
    central.stop();
    const auto restored = central.admin({"restore", "--from", (dir / "backup.db").string()});
    EXPECT_FALSE(std::string(restored.at("previous").as_string()).empty());
    EXPECT_TRUE(fs::exists(std::string(restored.at("previous").as_string())))
        << "the replaced database is kept";
    {
        auto db = central_db();
        EXPECT_EQ(store::integrity_check(db), "ok");
        EXPECT_GE(laptop_entries(db), acknowledged);
        EXPECT_EQ(
            *db.query_value<int>("SELECT count(*) FROM audit WHERE action = 'central.restore'"), 1);
    }
    central.serve();
    EXPECT_EQ(central.admin({"status"}).at("devices").as_int64(), 1);
    // The laptop's next sync sees the new epoch and offers again what the
    // backup lacks; nothing is refused.
    const auto resynced = must(laptop.run({"--json", "sync"}));
    EXPECT_EQ(resynced.at("rejected").as_int64(), 0) << resynced;
    const auto status = must(laptop.run({"--json", "status"}));
    EXPECT_EQ(status.at("pending").as_int64(), 0);
    {
        auto db = central_db();
        EXPECT_EQ(laptop_entries(db), status.at("entries").as_int64())
            << "every acknowledged entry at central exactly once";
        EXPECT_EQ(*db.query_value<int>("SELECT count(*) FROM audit WHERE action = 'central.epoch'"),
                  1);
    }
    central.stop();
    std::ofstream(dir / "junk.db") << "not a database at all, but long enough to look like one";
    EXPECT_NE(central.try_admin({"restore", "--from", (dir / "junk.db").string()}).exit_code, 0);
    auto db = central_db();
    EXPECT_GE(laptop_entries(db), acknowledged);
}

TEST_F(RunningOffice, MetricsAreScrapedInPrometheusTextFormat) {
    for (int i = 0; i < 3; ++i)
        check(i);
    must(laptop.run({"--json", "sync"}));
    tools::WebClient scraper(central.address());
    const auto a = scraper.call("GET", "/metrics");
    ASSERT_EQ(a.status, 200) << a.text;
    EXPECT_NE(a.text.find("# TYPE gridsync_entries_accepted_total counter"), std::string::npos);
    auto db = central_db();
    const auto accepted = laptop_entries(db);  // the staff key's registration and three check-ins
    EXPECT_EQ(accepted, 4);
    EXPECT_NE(a.text.find("gridsync_entries_accepted_total " + std::to_string(accepted) + "\n"),
              std::string::npos)
        << a.text;
    EXPECT_NE(a.text.find("gridsync_push_seconds_bucket{le=\"+Inf\"} "), std::string::npos);
    EXPECT_NE(a.text.find("gridsync_pull_seconds_count "), std::string::npos);
    EXPECT_NE(a.text.find("gridsync_devices{last_contact=\"1h\"} 1\n"), std::string::npos)
        << a.text;
    EXPECT_NE(a.text.find("# TYPE gridsync_conflicts_open gauge"), std::string::npos);
    // Every line is a comment or "name{labels} value".
    std::istringstream lines(a.text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#')
            continue;
        EXPECT_NE(line.find(' '), std::string::npos) << line;
        EXPECT_EQ(line.rfind("gridsync_", 0), 0u) << line;
    }
}
