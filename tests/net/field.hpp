#pragma once
// A small subdistrict of real processes on 127.0.0.1: gridsync-central
// serving (two admins, one approved disbursement day for C01 with its
// certificates), two laptops of C01 and the grid leader's device of C01's
// first grid, every one enrolled, with its staff keys, and caught up. For the
// end-to-end conflict scenario and the browser test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gridsync/file.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/tools/edge_driver.hpp"
#include "gridsync/tools/web_client.hpp"
#include "temp_dir.hpp"

namespace gridsync::test {

namespace fs = std::filesystem;

inline constexpr const char* kPin = "2468";

inline std::string pins(int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += std::string(kPin) + "\n";
    return s;
}

// The admin HTTP API as a browser uses it: a cookie and the CSRF token.
using AdminClient = tools::WebClient;

class Field : public ::testing::Test {
  protected:
    TempDir dir;
    std::unique_ptr<Process> server;
    std::string address;
    tools::EdgeDriver laptop1{GRIDSYNC_EDGE_BIN, dir / "laptop1", dir / "edge.pass"};
    tools::EdgeDriver laptop2{GRIDSYNC_EDGE_BIN, dir / "laptop2", dir / "edge.pass"};
    tools::EdgeDriver grid{GRIDSYNC_EDGE_BIN, dir / "grid", dir / "edge.pass"};
    std::string c01, grid1, leader, clerk, payer, verifier, day;

    ProcessResult central(std::vector<std::string> args, const std::string& admin = "") {
        args.insert(args.begin(), {"--data", (dir / "central").string(), "--passphrase-file",
                                   (dir / "central.pass").string()});
        if (!admin.empty()) {
            args.insert(args.begin(), {"--admin", admin, "--admin-password-file",
                                       (dir / (admin + ".pass")).string()});
        }
        return run(GRIDSYNC_CENTRAL_BIN, args);
    }
    static boost::json::object must(const ProcessResult& r) {
        EXPECT_EQ(r.exit_code, 0) << r.out;
        if (r.exit_code != 0)
            throw std::runtime_error("step failed: " + r.out);
        return tools::EdgeDriver::json(r);
    }
    store::Database central_db() { return store::Database::open(dir / "central" / "central.db"); }

    void SetUp() override {
        std::ofstream(dir / "central.pass") << "central passphrase\n";
        std::ofstream(dir / "edge.pass") << "edge passphrase\n";
        std::ofstream(dir / "admin1.pass") << "admin one's password\n";
        std::ofstream(dir / "admin2.pass") << "admin two's password\n";
        std::ofstream(dir / "ack.png") << "PNG: a thumbprint";
        std::ofstream(dir / "signature.png") << "PNG: a signature";
        must(central({"--json", "init", "--demo-seed", "--fast-kdf", "--admin-login", "admin1",
                      "--admin-password-file", (dir / "admin1.pass").string()}));
        {
            auto cdb = central_db();
            const std::string second = *cdb.query_value<std::string>(
                "SELECT id FROM staff WHERE role = 'admin' AND id NOT IN (SELECT staff_id FROM "
                "admin_account) LIMIT 1");
            must(central({"--json", "admin", "add", "--login", "admin2", "--staff", second,
                          "--fast-kdf", "--new-password-file", (dir / "admin2.pass").string()},
                         "admin1"));
        }
        const auto prepared = must(central({"--json", "demo-day", "--community", "C01",
                                            "--entitlements", "20", "--certificates", "40"},
                                           "admin1"));
        must(central({"--json", "approve", "--approval",
                      std::string(prepared.at("approval_id").as_string())},
                     "admin2"));
        start();

        auto cdb = central_db();
        c01 = *cdb.query_value<std::string>("SELECT id FROM community WHERE code = 'C01'");
        day = *cdb.query_value<std::string>(
            "SELECT id FROM disbursement_day WHERE community_id = ?1", c01);
        grid1 = *cdb.query_value<std::string>(
            "SELECT id FROM grid WHERE community_id = ?1 AND name LIKE '%第1网格'", c01);
        leader =
            *cdb.query_value<std::string>("SELECT leader_staff_id FROM grid WHERE id = ?1", grid1);
        clerk = *cdb.query_value<std::string>(
            "SELECT id FROM staff WHERE community_id = ?1 AND role = 'community_worker' ORDER BY "
            "id LIMIT 1",
            c01);
        auto rostered = cdb.prepare(
            R"(SELECT r.staff_id FROM disbursement_roster r JOIN staff s ON s.id = r.staff_id
               WHERE r.disbursement_day_id = ?1 AND s.role = 'service_point_staff' ORDER BY s.id)");
        rostered.bind(1, day);
        ASSERT_TRUE(rostered.step());
        payer = rostered.column<std::string>(0);
        ASSERT_TRUE(rostered.step());
        verifier = rostered.column<std::string>(0);
        rostered.reset();

        for (auto [drv, name, role, grid_no] :
             {std::tuple{&laptop1, "laptop 1", "community_laptop", ""},
              std::tuple{&laptop2, "laptop 2", "community_laptop", ""},
              std::tuple{&grid, "grid 1", "grid_device", "1"}}) {
            std::vector<std::string> t = {
                "--json", "token", "--staff",     *grid_no ? leader : clerk,
                "--role", role,    "--community", "C01"};
            if (*grid_no)
                t.insert(t.end(), {"--grid", grid_no});
            const std::string code(must(central(t, "admin1")).at("code").as_string());
            must(drv->run({"--json", "init", "--device-name", name, "--simulation", "--fast-kdf"}));
            must(
                drv->run({"--json", "enroll", "--central", address, "--code", code, "--fast-kdf"}));
            must(drv->run({"--json", "sync"}));
        }
        // Each person makes a key on each device they work on, with a code
        // an admin issued to them for it (docs/SECURITY.md).
        for (const auto& id : {payer, verifier, clerk}) {
            enroll_key(laptop1, id);
            enroll_key(laptop2, id);
        }
        enroll_key(grid, leader);
        enroll_key(laptop1, leader);  // the hand-over at the center is signed there
        sync_all();
        sync_all();
    }
    // A one-time code from an admin, then the person's PIN twice, on `d`.
    void enroll_key(tools::EdgeDriver& d, const std::string& staff) {
        const std::string code(
            must(central({"--json", "staff", "code", "--staff", staff}, "admin1"))
                .at("code")
                .as_string());
        must(d.run({"--json", "staff", "enroll-key", "--staff", staff}, code + "\n" + pins(2)));
    }
    void start() {
        const auto port_file = dir / "port";
        std::filesystem::remove(port_file);
        server = std::make_unique<Process>(
            GRIDSYNC_CENTRAL_BIN,
            std::vector<std::string>{"--data", (dir / "central").string(), "--passphrase-file",
                                     (dir / "central.pass").string(), "serve", "--listen",
                                     address.empty() ? "127.0.0.1:0" : address, "--port-file",
                                     port_file.string()},
            "");
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i)
            ::usleep(25000);
        const std::string port(as_chars(read_file(port_file, 16).value()));
        address = "127.0.0.1:" + port.substr(0, port.find('\n'));
    }
    void TearDown() override {
        if (server) {
            server->terminate();
            server->wait();
        }
    }
    void sync_all() {
        for (auto* d : {&laptop1, &laptop2, &grid})
            must(d->run({"--json", "sync"}));
    }
    std::string id_number_of(const std::string& resident) {
        std::ifstream in(dir / "central" / "demo" / "residents.csv");
        std::string line;
        while (std::getline(in, line)) {  // id,name,id_number,...
            std::vector<std::string> f;
            std::stringstream ss(line);
            for (std::string x; std::getline(ss, x, ',');)
                f.push_back(x);
            if (f.size() > 2 && f[0] == resident)
                return f[2];
        }
        return "";
    }
    std::string session_on(tools::EdgeDriver& d, const std::string& at) {
        for (const auto& who : {payer, verifier}) {
            must(d.run({"--at", at, "shift", "check", "--staff", who, "--kind", "in"}, pins(1)));
        }
        return std::string(
            must(d.run({"--json", "--at", at, "day", "open", "--day", day, "--staff-a", payer,
                        "--staff-b", verifier, "--cash", "5000.00"},
                       pins(2)))
                .at("session_id")
                .as_string());
    }
    // Pays entitlement `e` at the amount the device holds for it.
    ProcessResult pay(tools::EdgeDriver& d, const std::string& session, const std::string& e,
                      const std::string& at, bool override_assignment = false) {
        auto db = d.db();
        const auto amount =
            *db.query_value<std::int64_t>("SELECT amount_fen FROM entitlement WHERE id = ?1", e);
        const auto resident =
            *db.query_value<std::string>("SELECT beneficiary_id FROM entitlement WHERE id = ?1", e);
        std::vector<std::string> args = {"--json",
                                         "--at",
                                         at,
                                         "pay",
                                         "--session",
                                         session,
                                         "--entitlement",
                                         e,
                                         "--amount",
                                         std::to_string(amount / 100) + "." +
                                             (amount % 100 < 10 ? "0" : "") +
                                             std::to_string(amount % 100),
                                         "--payer",
                                         payer,
                                         "--verifier",
                                         verifier,
                                         "--ack-name",
                                         "领取人",
                                         "--ack-file",
                                         (dir / "ack.png").string()};
        if (override_assignment)
            args.insert(args.end(), {"--override", "另一台笔记本的场次,居民在此排队"});
        return d.run(args, pins(2) + id_number_of(resident) + "\n");
    }
};

}  // namespace gridsync::test
