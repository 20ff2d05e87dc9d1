// gridsync-demo: the README's main job. A central node and three edge nodes
// on 127.0.0.1, each a real process with its own folder: two community
// laptops (民生路社区 C01, 自力巷社区 C02) and a grid leader's device (C01,
// grid 1). They enroll and bootstrap while the network is up, work a day
// offline (a disbursement session with two-person verified payments, a
// delivery round, 8+4 check-ins), then the network comes back, they sync, and
// the demo reports what each recorded, what central accepted, whether the
// shared scopes converged row by row, and any conflicts. Exits 0 only if
// everything it checks holds.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/file.hpp"
#include "gridsync/tools/edge_driver.hpp"

namespace fs = std::filesystem;
using namespace gridsync;

namespace {

constexpr const char* kPin = "2468";

void say(const std::string& s) {
    std::cout << s << std::endl;
}

std::string pins(int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += std::string(kPin) + "\n";
    return s + s;  // enroll-key asks twice
}
std::string pin_lines(int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += std::string(kPin) + "\n";
    return s;
}

struct Failed {
    std::string step;
    std::string output;
};

boost::json::object must(const std::string& step, const ProcessResult& r) {
    auto j = tools::EdgeDriver::json(r);
    if (r.exit_code != 0)
        throw Failed{step, r.out};
    return j;
}

// The rows of `table` a device holds, and central's rows with the same ids:
// equal means the device's view of its scope matches central's.
bool converged(store::Database& device, store::Database& central, const std::string& table,
               std::size_t& rows) {
    auto dump = [&](store::Database& db, const std::string& where_ids) {
        std::string out;
        auto st = db.prepare("SELECT * FROM " + table + where_ids + " ORDER BY id");
        while (st.step()) {
            for (int c = 0; c < st.column_count(); ++c) {
                switch (st.column_type(c)) {
                    case store::ColumnType::null:
                        out += "∅";
                        break;
                    case store::ColumnType::integer:
                        out += std::to_string(st.column<std::int64_t>(c));
                        break;
                    case store::ColumnType::real:
                        out += std::to_string(st.column<double>(c));
                        break;
                    case store::ColumnType::blob:
                        out += to_hex(st.column<Bytes>(c));
                        break;
                    default:
                        out += st.column<std::string>(c);
                }
                out += '|';
            }
            out += '\n';
        }
        return out;
    };
    std::string ids;
    auto st = device.prepare("SELECT id FROM " + table);
    rows = 0;
    while (st.step()) {
        ids += (ids.empty() ? "'" : ",'") + st.column<std::string>(0) + "'";
        ++rows;
    }
    if (rows == 0)
        return true;
    return dump(device, "") == dump(central, " WHERE id IN (" + ids + ")");
}

}  // namespace

int main(int argc, char** argv) {
    std::string edge_bin, central_bin;
    // The auditor is built beside the demo.
    std::string audit_bin =
        (fs::canonical("/proc/self/exe").parent_path() / "gridsync-audit").string();
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--edge" && i + 1 < argc)
            edge_bin = argv[++i];
        if (a == "--central" && i + 1 < argc)
            central_bin = argv[++i];
        if (a == "--audit" && i + 1 < argc)
            audit_bin = argv[++i];
        if (a == "--keep")
            keep = true;
    }
    if (edge_bin.empty() || central_bin.empty()) {
        std::cerr << "usage: gridsync-demo --central PATH/gridsync-central --edge "
                     "PATH/gridsync-edge [--audit PATH/gridsync-audit] [--keep]\n";
        return 1;
    }
    char pattern[] = "/tmp/gridsync-demo-XXXXXX";
    if (::mkdtemp(pattern) == nullptr)
        return 1;
    const fs::path work = pattern;
    std::ofstream(work / "central.pass") << "subdistrict central passphrase\n";
    std::ofstream(work / "edge.pass") << "field device passphrase\n";
    // Two admins: the one who prepares a disbursement list, and the one who approves it.
    std::ofstream(work / "admin1.pass") << "admin one's password\n";
    std::ofstream(work / "admin2.pass") << "admin two's password\n";
    std::ofstream(work / "thumbprint.png")
        << "PNG: a recipient's thumbprint, as the pad captured it";
    // Admin commands are signed by the admin named, with their password.
    auto central = [&](std::vector<std::string> args, const std::string& admin = "") {
        args.insert(args.begin(), {"--data", (work / "central").string(), "--passphrase-file",
                                   (work / "central.pass").string()});
        if (!admin.empty()) {
            args.insert(args.begin(), {"--admin", admin, "--admin-password-file",
                                       (work / (admin + ".pass")).string()});
        }
        return run(central_bin, args);
    };
    tools::EdgeDriver laptop1(edge_bin, work / "laptop-C01", work / "edge.pass");
    tools::EdgeDriver laptop2(edge_bin, work / "laptop-C02", work / "edge.pass");
    tools::EdgeDriver grid(edge_bin, work / "grid-C01-1", work / "edge.pass");
    std::unique_ptr<Process> server;
    int exit_code = 0;

    try {
        say("== gridsync 演示:一个中心、三个终端 / one central node, three edge devices "
            "(127.0.0.1) ==");
        say("(演示使用最小的密钥派生参数以节省时间 / the demo seals keys with the minimum KDF cost "
            "to save time)");
        say("");
        say("-- 1. 中心建立,载入虚构的街道数据,编制并审核两个社区的发放日 / central starts; two "
            "communities' days prepared --");
        must("central init",
             central({"--json", "init", "--demo-seed", "--fast-kdf", "--admin-login", "admin1",
                      "--admin-password-file", (work / "admin1.pass").string()}));
        {
            auto cdb = store::Database::open(work / "central" / "central.db");
            const std::string second = *cdb.query_value<std::string>(
                "SELECT id FROM staff WHERE role = 'admin' AND id NOT IN (SELECT staff_id FROM "
                "admin_account) LIMIT 1");
            must("admin add",
                 central({"--json", "admin", "add", "--login", "admin2", "--staff", second,
                          "--fast-kdf", "--new-password-file", (work / "admin2.pass").string()},
                         "admin1"));
        }
        for (const auto& [code, count, certs, offset] :
             {std::tuple{"C01", "200", "100", "0"}, std::tuple{"C02", "40", "0", "2"}}) {
            const auto prepared =
                must("prepare",
                     central({"--json", "demo-day", "--community", code, "--entitlements", count,
                              "--certificates", certs, "--service-point-offset", offset},
                             "admin1"));
            const std::string approval(prepared.at("approval_id").as_string());
            // The preparer cannot approve their own list; a second admin can.
            const auto self = central({"--json", "approve", "--approval", approval}, "admin1");
            if (self.exit_code != 2)
                throw Failed{"the preparer approved their own list", self.out};
            must("approve", central({"--json", "approve", "--approval", approval}, "admin2"));
            if (std::string(code) == "C01") {
                say("发放名单:编制人自审被拒绝,另一名管理员审核通过 / each list: the preparer's "
                    "own approval refused, a second admin's accepted");
            }
        }
        const fs::path port_file = work / "central.port";
        server = std::make_unique<Process>(
            central_bin,
            std::vector<std::string>{"--data", (work / "central").string(), "--passphrase-file",
                                     (work / "central.pass").string(), "serve", "--listen",
                                     "127.0.0.1:0", "--port-file", port_file.string()},
            "");
        for (int i = 0; i < 100 && !fs::exists(port_file); ++i)
            ::usleep(50000);
        const std::string address =
            "127.0.0.1:" + std::string(as_chars(read_file(port_file, 64).value())).substr(0, 5);
        const std::string addr = address.substr(0, address.find_first_of("\n"));
        say("中心在 central listening on " + addr);

        // Who is who (fictional people, from central's demo files).
        auto demo_csv = [&](const char* file) {
            std::vector<std::vector<std::string>> rows;
            std::ifstream in(work / "central" / "demo" / file);
            std::string line;
            std::getline(in, line);
            while (std::getline(in, line)) {
                std::vector<std::string> f;
                std::stringstream ss(line);
                for (std::string x; std::getline(ss, x, ',');)
                    f.push_back(x);
                f.resize(6);
                rows.push_back(f);
            }
            return rows;
        };
        const auto staff = demo_csv("staff.csv");
        const auto residents = demo_csv("residents.csv");
        auto id_number_of = [&](const std::string& resident) {
            for (const auto& r : residents) {
                if (r[0] == resident)
                    return r[2];
            }
            return std::string();
        };
        auto cdb = store::Database::open(work / "central" / "central.db");
        auto community = [&](const char* code) {
            return *cdb.query_value<std::string>("SELECT id FROM community WHERE code = ?1", code);
        };
        const std::string c01 = community("C01"), c02 = community("C02");
        auto rostered = [&](const std::string& comm) {
            std::vector<std::string> ids;
            auto st = cdb.prepare(
                R"(SELECT r.staff_id FROM disbursement_roster r JOIN disbursement_day d ON d.id = r.disbursement_day_id
                                     JOIN staff s ON s.id = r.staff_id WHERE d.community_id = ?1 AND s.role = 'service_point_staff' ORDER BY s.id)");
            st.bind(1, comm);
            while (st.step())
                ids.push_back(st.column<std::string>(0));
            return ids;
        };
        const auto sp1 = rostered(c01), sp2 = rostered(c02);
        auto first_with = [&](const std::string& role, const std::string& comm) {
            for (const auto& s : staff) {
                if (s[2] == role && s[3] == comm)
                    return s[0];
            }
            return std::string();
        };
        const std::string clerk1 = first_with("community_worker", c01),
                          clerk2 = first_with("community_worker", c02);
        const std::string grid1 = *cdb.query_value<std::string>(
            "SELECT id FROM grid WHERE community_id = ?1 AND name LIKE '%第1网格'", c01);
        const std::string leader =
            *cdb.query_value<std::string>("SELECT leader_staff_id FROM grid WHERE id = ?1", grid1);

        say("");
        say("-- 2. 三台设备凭一次性登记码登记,并从中心下载本范围数据 / three devices enroll and "
            "bootstrap --");
        auto token = [&](const std::string& staff_id, const std::string& role, const char* comm,
                         const char* grid_no) {
            std::vector<std::string> a = {"--json", "token", "--staff",     staff_id,
                                          "--role", role,    "--community", comm};
            if (grid_no)
                a.insert(a.end(), {"--grid", grid_no});
            return std::string(must("token", central(a, "admin1")).at("code").as_string());
        };
        struct Device {
            tools::EdgeDriver* drv;
            const char* name;
            std::string code;
        };
        std::vector<Device> devices = {{&laptop1, "民生路社区便民服务中心笔记本 (C01)",
                                        token(clerk1, "community_laptop", "C01", nullptr)},
                                       {&laptop2, "自力巷社区便民服务中心笔记本 (C02)",
                                        token(clerk2, "community_laptop", "C02", nullptr)},
                                       {&grid, "C01 第1网格负责人终端 grid leader's device",
                                        token(leader, "grid_device", "C01", "1")}};
        for (auto& d : devices) {
            must("init", d.drv->run({"--json", "init", "--device-name", d.name, "--simulation",
                                     "--fast-kdf"}));
            must("enroll", d.drv->run({"--json", "enroll", "--central", addr, "--code", d.code,
                                       "--fast-kdf"}));
            const auto s = must("sync", d.drv->run({"--json", "sync"}));
            auto db = d.drv->db();
            say(std::string("  ") + d.name + ": 居民 residents " +
                std::to_string(*db.query_value<int>("SELECT count(*) FROM resident")) +
                ",应发 entitlements " +
                std::to_string(*db.query_value<int>("SELECT count(*) FROM entitlement")) +
                ",证件 certificates " +
                std::to_string(*db.query_value<int>("SELECT count(*) FROM certificate")));
        }
        // Each person makes their own key on each device they work on: an
        // admin issues them a one-time code, they type it and a new PIN twice.
        auto enroll_key = [&](tools::EdgeDriver& d, const std::string& id) {
            const auto code =
                must("staff code", central({"--json", "staff", "code", "--staff", id}, "admin1"));
            must("enroll-key", d.run({"--json", "staff", "enroll-key", "--staff", id},
                                     std::string(code.at("code").as_string()) + "\n" + pins(1)));
        };
        for (const auto& id : {sp1[0], sp1[1], clerk1})
            enroll_key(laptop1, id);
        for (const auto& id : {sp2[0], sp2[1], clerk2})
            enroll_key(laptop2, id);
        enroll_key(grid, leader);
        // The grid leader signs the morning's hand-over at the center, on its laptop.
        enroll_key(laptop1, leader);
        say("每人用管理员发的一次性登记码在自己使用的设备上生成密钥 / each person made their own "
            "key on each device they use, with a one-time code an admin issued to them");
        // Two rounds: everyone's new keys reach central, then everyone.
        for (int pass = 0; pass < 2; ++pass) {
            for (auto& d : devices)
                must("sync", d.drv->run({"--json", "sync"}));
        }

        const std::string today = domain::local_date(domain::SystemClock{}.now_ms());
        auto at = [&](const char* hhmm) { return today + " " + hhmm; };

        say("");
        say("-- 3. 上午在中心交接证件,然后断网 / morning hand-over at the center, then the network "
            "goes down --");
        {
            std::ofstream codes(work / "codes.txt");
            for (const auto& [l, pile] : laptop1.certificate_piles()) {
                if (l != leader)
                    continue;
                for (const auto& [code, resident] : pile)
                    codes << code << "\n";
            }
        }
        const auto handed =
            must("handover",
                 laptop1.run({"--json", "--at", at("08:30"), "cert", "handover", "--codes",
                              (work / "codes.txt").string(), "--from", clerk1, "--to", leader},
                             pin_lines(2)));
        must("sync", laptop1.run({"--json", "sync"}));
        must("sync", grid.run({"--json", "sync"}));
        say("交给第1网格负责人 handed to grid 1's leader: " +
            std::to_string(handed.at("handed_over").as_int64()) + " 份(双方签名 both signed)");
        server->terminate();
        server->wait();
        server.reset();
        say("中心已停止,三台设备离线工作 / central stopped: the devices work offline");

        say("");
        say("-- 4. 离线的一天 / the day offline --");
        for (auto [drv, a, b, clerk] : {std::tuple{&laptop1, sp1[0], sp1[1], clerk1},
                                        std::tuple{&laptop2, sp2[0], sp2[1], clerk2}}) {
            // 8+4: the community's clerk opens the door; the service-point pair arrives for the
            // disbursement.
            must("check-in",
                 drv->run({"--at", at("08:56"), "shift", "check", "--staff", clerk, "--kind", "in"},
                          pin_lines(1)));
            must("check-in",
                 drv->run({"--at", at("08:50"), "shift", "check", "--staff", a, "--kind", "in"},
                          pin_lines(1)));
            must("check-in",
                 drv->run({"--at", at("08:55"), "shift", "check", "--staff", b, "--kind", "in"},
                          pin_lines(1)));
            auto d = drv->db();
            const std::string day = *d.query_value<std::string>("SELECT id FROM disbursement_day");
            const auto open =
                must("open", drv->run({"--json", "--at", at("09:00"), "day", "open", "--day", day,
                                       "--staff-a", a, "--staff-b", b, "--cash", "95000.00"},
                                      pin_lines(2)));
            const std::string session(open.at("session_id").as_string());
            // Everyone on the list comes, except a few.
            std::vector<std::vector<std::string>> rows;
            {
                const auto sheet = work / "sheet.csv";
                std::ofstream out(sheet);
                auto q = d.prepare(
                    "SELECT e.id, e.amount_fen, e.beneficiary_id, r.name FROM entitlement e JOIN "
                    "resident r ON r.id = e.beneficiary_id ORDER BY e.id");
                for (int n = 0; q.step(); ++n) {
                    if (n % 40 == 7)
                        continue;
                    out << q.column<std::string>(0) << ","
                        << domain::format_yuan(q.column<std::int64_t>(1)) << ","
                        << id_number_of(q.column<std::string>(2)) << "," << q.column<std::string>(3)
                        << "\n";
                }
            }
            const auto paid = must(
                "pay", drv->run({"--json", "--at", at("09:30"), "pay", "--batch",
                                 (work / "sheet.csv").string(), "--session", session, "--payer", a,
                                 "--verifier", b, "--ack-file", (work / "thumbprint.png").string()},
                                pin_lines(2)));
            const auto net = *d.query_value<std::int64_t>(
                "SELECT coalesce(sum(amount_fen), 0) FROM payment WHERE session_id = ?1", session);
            const auto close = must(
                "close", drv->run({"--json", "--at", at("12:00"), "day", "close", "--session",
                                   session, "--returned", domain::format_yuan(9500000 - net),
                                   "--unpaid-reason", "absent", "--staff-a", a, "--staff-b", b},
                                  pin_lines(2)));
            must("check-out", drv->run({"--at", at("17:04"), "shift", "check", "--staff", clerk,
                                        "--kind", "out"},
                                       pin_lines(1)));
            say(std::string("  ") + (drv == &laptop1 ? "C01" : "C02") + " 发放 paid " +
                std::to_string(paid.at("paid").as_int64()) + " 笔,两人签名;对账差额 variance " +
                std::string(close.at("variance_yuan").as_string()) + " 元");
        }
        {
            std::ofstream round(work / "round.csv");
            int n = 0;
            for (const auto& [code, resident] : [&] {
                     std::vector<std::pair<std::string, std::string>> held;
                     auto g = grid.db();
                     auto q = g.prepare(
                         "SELECT print_code, resident_id FROM certificate WHERE custodian_staff_id "
                         "= ?1 AND state = 'with_grid_leader' ORDER BY print_code");
                     q.bind(1, leader);
                     while (q.step())
                         held.emplace_back(q.column<std::string>(0), q.column<std::string>(1));
                     return held;
                 }()) {
                round << code
                      << (++n % 6 == 0 ? ",failed,not_home,1"
                                       : ",delivered," + id_number_of(resident))
                      << "\n";
            }
        }
        const auto round =
            must("round", grid.run({"--json", "--at", at("15:00"), "cert", "round", "--leader",
                                    leader, "--script", (work / "round.csv").string(),
                                    "--signature-file", (work / "thumbprint.png").string()},
                                   pin_lines(1)));
        say("  第1网格 grid 1: 送达 delivered " + std::to_string(round.at("delivered").as_int64()) +
            ",不在家 not at home " + std::to_string(round.at("failed_attempts").as_int64()));
        std::map<std::string, std::int64_t> recorded;
        for (auto* d : {&laptop1, &laptop2, &grid}) {
            recorded[d->data().filename().string()] =
                must("status", d->run({"--json", "status"})).at("pending").as_int64();
        }

        say("");
        say("-- 5. 网络恢复,同步 / the network is back: sync --");
        fs::remove(port_file);
        server = std::make_unique<Process>(
            central_bin,
            std::vector<std::string>{"--data", (work / "central").string(), "--passphrase-file",
                                     (work / "central.pass").string(), "serve", "--listen", addr,
                                     "--port-file", port_file.string()},
            "");
        for (int i = 0; i < 100 && !fs::exists(port_file); ++i)
            ::usleep(50000);
        for (int pass = 0; pass < 2; ++pass) {
            for (auto* d : {&grid, &laptop1, &laptop2}) {
                const auto s = must("sync", d->run({"--json", "sync"}));
                if (pass == 0) {
                    say("  " + d->data().filename().string() + ": 待传 pending " +
                        std::to_string(recorded[d->data().filename().string()]) +
                        " → 中心接收 accepted " + std::to_string(s.at("accepted").as_int64()) +
                        ",拒绝 refused " + std::to_string(s.at("rejected").as_int64()));
                }
            }
        }
        server->terminate();
        server->wait();
        server.reset();

        say("");
        say("-- 6. 结果 / result --");
        auto cdb2 = store::Database::open(work / "central" / "central.db");
        auto n = [&](const char* sql) {
            return std::to_string(*cdb2.query_value<std::int64_t>(sql));
        };
        say("中心 central: 接收记录 accepted entries " +
            n("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'") +
            ",发放 payments " + n("SELECT count(*) FROM payment") + ",送达 deliveries " +
            n("SELECT count(*) FROM delivery_attempt WHERE outcome = 'delivered'") +
            ",签到 check-ins " + n("SELECT count(*) FROM shift_check") + ",冲突 open conflicts " +
            n("SELECT count(*) FROM conflict WHERE state = 'open'"));
        bool all_converged = true;
        for (auto* d : {&laptop1, &laptop2, &grid}) {
            auto db = d->db();
            std::size_t total = 0;
            std::vector<std::string> differ;
            for (const char* table :
                 {"community", "grid", "staff", "household", "resident", "certificate",
                  "custody_transfer", "delivery_attempt", "entitlement", "disbursement_session",
                  "payment", "session_closing", "shift_check", "roster_shift"}) {
                std::size_t rows = 0;
                if (!converged(db, cdb2, table, rows))
                    differ.push_back(table);
                total += rows;
            }
            const bool pending_left =
                *db.query_value<int>("SELECT count(*) FROM outbox WHERE acked = 0") != 0;
            const bool ok = differ.empty() && !pending_left;
            all_converged = all_converged && ok;
            std::string why;
            for (const auto& t : differ)
                why += " " + t;
            say("  " + d->data().filename().string() + ": " + std::to_string(total) +
                " 行与中心逐行比较 rows compared with central: " +
                (ok ? "一致 identical"
                    : "不一致 DIFFER:" + why + (pending_left ? " (pending left)" : "")));
        }
        auto conflicts = central({"--json", "conflicts"});
        const auto cj = tools::EdgeDriver::json(conflicts);
        say("冲突 conflicts: " + std::to_string(cj.at("conflicts").as_array().size()) +
            "(管理员在控制台 /admin/ 或命令行处理,见 docs/CONFLICTS.md / admins settle them in the "
            "console at /admin/ or on the command line: docs/CONFLICTS.md)");
        // The day's figures as the offices receive them: the reconciliation
        // from central, in Excel, its totals checked against the payments.
        {
            const auto month = std::string(*cdb2.query_value<std::string>(
                                               "SELECT min(local_date) FROM disbursement_day"))
                                   .substr(0, 7);
            const fs::path xlsx = work / "发放对账.xlsx";
            must("report", central({"--json", "report", "reconciliation", "--month", month, "--out",
                                    xlsx.string()}));
            const auto r =
                must("report", central({"--json", "report", "reconciliation", "--month", month}));
            const auto& t = r.at("tables").as_array().at(1).as_object();
            std::int64_t paid = 0;
            const auto& columns = t.at("columns").as_array();
            for (std::size_t i = 0; i < columns.size(); ++i) {
                if (columns[i].at("heading").as_string() == "已发金额")
                    paid = t.at("totals").as_array().at(i).as_int64();
            }
            const auto in_db = *cdb2.query_value<std::int64_t>(
                "SELECT coalesce(sum(CASE kind WHEN 'payment' THEN amount_fen ELSE -amount_fen "
                "END), 0) FROM payment");
            say("报表 report: 发放对账 reconciliation " + month + ":已发 paid " +
                domain::format_yuan(paid) + " 元(与数据库一致 " +
                (paid == in_db ? "matches the database" : "DOES NOT MATCH the database") + ")" +
                (keep ? ",Excel: " + xlsx.string()
                      : "(--keep 保留 Excel 文件 / keeps the Excel file)"));
            if (paid != in_db)
                all_converged = false;
        }
        {
            // The auditor, trusting none of central: its log exported, the
            // checkpoints the laptops verified in the field, two pinned keys.
            const fs::path exported = work / "log-export", field = work / "field";
            const auto ex =
                must("export-log", central({"--json", "export-log", "--to", exported.string()}));
            fs::create_directories(field);
            int notes = 0;
            for (auto* drv : {&laptop1, &laptop2, &grid}) {
                const auto l = must("log", drv->run({"--json", "log"}));
                for (const auto& note : l.at("verified_checkpoints").as_array())
                    std::ofstream(field / ("checkpoint-" + std::to_string(++notes)))
                        << std::string(note.as_string());
            }
            const auto witnessed = must("log", central({"--json", "log"}));
            const auto audit =
                run(audit_bin,
                    {"--export", exported.string(), "--log-key",
                     std::string(ex.at("log_key").as_string()), "--central-key",
                     std::string(ex.at("central_key").as_string()), "--field", field.string()});
            if (audit.exit_code != 0)
                throw Failed{"gridsync-audit", audit.out};
            const auto line = [&](const std::string& starts) {
                const auto from = audit.out.find(starts);
                return from == std::string::npos
                           ? std::string()
                           : audit.out.substr(from, audit.out.find('\n', from) - from);
            };
            say("审计 audit(只用两把公钥 with two pinned keys only): 通过 PASS");
            say("  " + line("gridsync-audit: "));
            say("  " + line("replayed: "));
            say("  " + line("anchors: "));
            const auto w = std::to_string(witnessed.at("witnessed_size").to_number<std::int64_t>());
            const auto by = std::to_string(witnessed.at("witnesses").as_array().size());
            say("  已见证 witnessed: " + by + " 个社区见证前 " + w + " 条 / " + by +
                " communities witnessed the first " + w + " leaves (2 needed)");
        }
        if (!all_converged) {
            say("演示失败:范围数据未收敛 / the demo FAILED: scopes did not converge");
            exit_code = 1;
        } else {
            say("演示完成 / demo complete");
        }
    } catch (const Failed& f) {
        std::cerr << "demo: step failed: " << f.step << "\n" << f.output << std::endl;
        exit_code = 1;
    } catch (const std::exception& e) {
        std::cerr << "demo: " << e.what() << std::endl;
        exit_code = 1;
    }
    if (server) {
        server->terminate();
        server->wait();
    }
    if (keep) {
        say("数据保留在 data kept in " + work.string());
    } else {
        std::error_code ec;
        fs::remove_all(work, ec);
    }
    return exit_code;
}
