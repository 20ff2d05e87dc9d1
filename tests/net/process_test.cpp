// Real processes on 127.0.0.1: gridsync-central serving, gridsync-edge
// devices, and what the running server refuses, each with its reason and
// nothing changed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "gridsync/edge/http_transport.hpp"
#include "gridsync/file.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/tools/edge_driver.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

namespace {

class RunningCentral : public ::testing::Test {
  protected:
    test::TempDir dir;
    std::unique_ptr<Process> server;
    std::string address;
    tools::EdgeDriver laptop{GRIDSYNC_EDGE_BIN, dir / "laptop", dir / "edge.pass"};

    ProcessResult central(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data", (dir / "central").string(), "--passphrase-file",
                                   (dir / "central.pass").string()});
        return run(GRIDSYNC_CENTRAL_BIN, args);
    }
    // On port 0 the first time; again on the same address after a restart,
    // since enrolled devices remember where central is.
    // On port 0 the first time; on the same address after a restart, since
    // enrolled devices remember where central is.
    void start(std::vector<std::string> extra = {}) {
        const auto port_file = dir / "port";
        std::filesystem::remove(port_file);
        std::vector<std::string> args = {"--data",
                                         (dir / "central").string(),
                                         "--passphrase-file",
                                         (dir / "central.pass").string(),
                                         "serve",
                                         "--listen",
                                         address.empty() ? "127.0.0.1:0" : address,
                                         "--port-file",
                                         port_file.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        server = std::make_unique<Process>(GRIDSYNC_CENTRAL_BIN, args, "");
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i)
            ::usleep(25000);
        std::string port(as_chars(read_file(port_file, 16).value()));
        address = "127.0.0.1:" + port.substr(0, port.find('\n'));
    }
    void SetUp() override {
        std::ofstream(dir / "central.pass") << "central passphrase\n";
        std::ofstream(dir / "edge.pass") << "edge passphrase\n";
        ASSERT_EQ(central({"init", "--demo-seed", "--fast-kdf"}).exit_code, 0);
        start();
        auto cdb = store::Database::open(dir / "central" / "central.db");
        const auto worker = *cdb.query_value<std::string>(
            "SELECT s.id FROM staff s JOIN community c ON c.id = s.community_id WHERE c.code = "
            "'C01' AND s.role = 'community_worker' LIMIT 1");
        const auto token = central({"--json", "token", "--staff", worker, "--role",
                                    "community_laptop", "--community", "C01"});
        ASSERT_EQ(token.exit_code, 0) << token.out;
        const std::string code(tools::EdgeDriver::json(token).at("code").as_string());
        ASSERT_EQ(
            laptop.run({"init", "--device-name", "laptop", "--simulation", "--fast-kdf"}).exit_code,
            0);
        auto enrolled =
            laptop.run({"--json", "enroll", "--central", address, "--code", code, "--fast-kdf"});
        ASSERT_EQ(enrolled.exit_code, 0) << enrolled.out;
        ASSERT_EQ(laptop.run({"sync"}).exit_code, 0);
    }
    void TearDown() override {
        if (server) {
            server->terminate();
            server->wait();
        }
    }
    std::string device_id() {
        return *laptop.db().query_value<std::string>(
            "SELECT value FROM node_state WHERE key = 'device_id'");
    }
    int central_count(const std::string& sql) {
        return *store::Database::open(dir / "central" / "central.db").query_value<int>(sql);
    }
};

}  // namespace

TEST_F(RunningCentral, ARevokedDevicesNextSyncIsRefusedAndAudited) {
    const std::string staff = *laptop.db().query_value<std::string>(
        "SELECT id FROM staff WHERE role = 'community_worker' ORDER BY id LIMIT 1");
    ASSERT_EQ(laptop.run({"staff", "enroll-key", "--staff", staff}, "2468\n2468\n").exit_code, 0);
    ASSERT_GT(laptop.db().query_value<int>("SELECT count(*) FROM resident"), 0);
    ASSERT_EQ(central({"revoke", "--device", device_id(), "--reason", "laptop reported stolen"})
                  .exit_code,
              0);
    auto r = laptop.run({"--json", "sync"});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    const auto j = tools::EdgeDriver::json(r);
    // Pushed entries are refused one by one, then the pull as a whole: the answer names why.
    EXPECT_NE(std::string(j.at("error").at("message").as_string()).find("gridsync.central:2"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 0);
    EXPECT_GE(central_count("SELECT count(*) FROM audit WHERE outcome = 'refused'"), 1);
    // What the revoked device held of the subdistrict is gone; its own signed entry stays.
    EXPECT_EQ(laptop.db().query_value<int>("SELECT count(*) FROM resident"), 0);
    EXPECT_EQ(laptop.db().query_value<int>("SELECT count(*) FROM outbox"), 1);
    EXPECT_EQ(tools::EdgeDriver::json(laptop.run({"--json", "status"})).at("pending").as_int64(), 1)
        << "kept, not dropped";
}

TEST_F(RunningCentral, TheRunningServerRefusesWhatItMustWithItsReason) {
    edge::HttpTransport http(address, std::chrono::seconds(5));
    // An encrypted body that does not decrypt for the device it names.
    auto forged = http.post("/v1/push", {{"X-Gridsync-Device", device_id()}}, Bytes(100, 0x42));
    ASSERT_FALSE(forged.ok());
    EXPECT_NE(forged.failure().message.find("HTTP 401"), std::string::npos)
        << forged.failure().message;
    // A device central never enrolled.
    auto unknown = http.post("/v1/pull", {{"X-Gridsync-Device", "dev-nobody"}}, Bytes(100, 0x42));
    EXPECT_NE(unknown.failure().message.find("gridsync.central:1"), std::string::npos)
        << unknown.failure().message;
    // A used enrollment code, sealed or not, is refused.
    auto junk_enroll = http.post("/v1/enroll", {}, to_bytes("not sealed"));
    EXPECT_NE(junk_enroll.failure().message.find("HTTP 401"), std::string::npos);
    auto health = http.post("/v1/nothing", {}, {});
    EXPECT_NE(health.failure().message.find("HTTP 404"), std::string::npos);
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 0);
}

TEST_F(RunningCentral, AnOversizedBodyGets413AndTheServerStaysUp) {
    server->terminate();
    server->wait();
    start({"--body-limit-mb", "1"});
    edge::HttpTransport http(address, std::chrono::seconds(5));
    auto big = http.post("/v1/push", {{"X-Gridsync-Device", device_id()}}, Bytes(2u << 20, 1));
    ASSERT_FALSE(big.ok());
    EXPECT_TRUE(big.failure().message.find("HTTP 413") != std::string::npos ||
                big.code() == sync::Errc::transport_failed)  // the server may close before the
                                                             // client finishes writing
        << big.failure().message;
    EXPECT_EQ(laptop.run({"sync"}).exit_code, 0) << "the next honest call still works";
}

TEST_F(RunningCentral, SigtermStopsCentralCleanlyAndADownCentralIsExit6) {
    server->terminate();
    const auto r = server->wait();
    server.reset();
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(central_count("SELECT count(*) FROM audit WHERE action = 'central.stop'"), 1);
    auto offline = laptop.run({"--json", "sync"});
    EXPECT_EQ(offline.exit_code, 6) << offline.out;
    // Local work goes on without central.
    const std::string staff = *laptop.db().query_value<std::string>(
        "SELECT id FROM staff WHERE role = 'community_worker' ORDER BY id LIMIT 1");
    EXPECT_EQ(laptop.run({"staff", "enroll-key", "--staff", staff}, "2468\n2468\n").exit_code, 0);
}
