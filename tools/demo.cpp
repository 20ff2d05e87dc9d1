// gridsync-demo: a community laptop's offline day, played through the real
// gridsync-edge program, with a short report at the end.
//
// Until central exists (issue #4) the day stays on the laptop: everything is
// recorded, signed and chained, ready for the first sync.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/tools/edge_driver.hpp"

namespace fs = std::filesystem;
using namespace gridsync;

namespace {

constexpr const char* kPin = "2468";

std::string pins(int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += std::string(kPin) + "\n";
    return s;
}

void say(const std::string& s) {
    std::cout << s << "\n";
}

std::string refusal(const ProcessResult& r) {
    auto j = tools::EdgeDriver::json(r);
    if (!j.contains("error"))
        return "(exit " + std::to_string(r.exit_code) + ")";
    return std::string(j.at("error").at("message").as_string()) + " [" +
           std::string(j.at("error").at("code").as_string()) + ", exit " +
           std::to_string(r.exit_code) + "]";
}

int fail_demo(const std::string& step, const ProcessResult& r) {
    std::cerr << "demo: step failed: " << step << "\n" << r.out << "\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string edge_bin;
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--edge" && i + 1 < argc)
            edge_bin = argv[++i];
        if (a == "--keep")
            keep = true;
    }
    if (edge_bin.empty()) {
        std::cerr << "usage: gridsync-demo --edge PATH/TO/gridsync-edge [--keep]\n";
        return 1;
    }
    char pattern[] = "/tmp/gridsync-demo-XXXXXX";
    if (::mkdtemp(pattern) == nullptr)
        return 1;
    const fs::path work = pattern;
    std::ofstream(work / "passphrase") << "民生路社区 laptop passphrase\n";
    std::ofstream(work / "thumbprint.png")
        << "PNG: the recipient's thumbprint, as the laptop's pad captured it";
    tools::EdgeDriver laptop(edge_bin, work / "laptop", work / "passphrase");
    auto json = [](const ProcessResult& r) { return tools::EdgeDriver::json(r); };

    say("== gridsync 演示:民生路社区便民服务中心,断网的一天 / a community center's day without "
        "network ==");
    say("");
    auto init = laptop.run({"--json", "init", "--device-name", "民生路社区便民服务中心笔记本",
                            "--role", "community_laptop", "--community", "C01", "--demo-seed",
                            "--demo-pin", kPin, "--simulation"});
    if (init.exit_code != 0)
        return fail_demo("init", init);
    const std::string today(json(init).at("date").as_string());
    const auto demo = edge::load_demo_data(laptop.data()).value();
    auto at = [&](const char* hhmm) { return today + " " + hhmm; };
    say("设备已建立,指纹 device fingerprint: " +
        std::string(json(init).at("fingerprint").as_string()));
    say("演示数据 demo data: 1 个中心、2 个办事点(8 人、11 人)、10 个社区,人员均为虚构 / all "
        "people fictional");

    const std::string a = demo.staff_id("service_point_staff", 0),
                      b = demo.staff_id("service_point_staff", 1);
    auto d = laptop.db();
    const std::string community =
        *d.query_value<std::string>("SELECT id FROM community WHERE code = 'C01'");
    const std::string early = *d.query_value<std::string>(
        "SELECT staff_id FROM roster_shift WHERE community_id = ?1 AND kind = 'early'", community);

    say("");
    say("-- 07:00-09:00 签到 / check-ins, 8+4 --");
    // Everyone on today's roster checks in a few minutes early, except one who
    // comes 25 minutes late; check-outs are recorded in the evening below.
    struct Shift {
        std::string staff, kind;
        std::int64_t starts, ends;
    };
    std::vector<Shift> shifts;
    {
        auto q = d.prepare(
            "SELECT staff_id, kind, starts_at_ms, ends_at_ms FROM roster_shift WHERE community_id "
            "= ?1 ORDER BY starts_at_ms, staff_id");
        q.bind(1, community);
        while (q.step())
            shifts.push_back({q.column<std::string>(0), q.column<std::string>(1),
                              q.column<std::int64_t>(2), q.column<std::int64_t>(3)});
    }
    auto local = [](std::int64_t utc_ms) { return domain::format_local(utc_ms); };
    // Back-to-back shifts of one person (early then normal, normal then late)
    // are one stretch at the door: no check-out and check-in in between.
    auto continues = [&](const Shift& s, bool from_before) {
        for (const auto& o : shifts) {
            if (o.staff == s.staff && (from_before ? o.ends == s.starts : o.starts == s.ends))
                return true;
        }
        return false;
    };
    // One community worker comes late, another leaves early (never the two
    // service-point staff, who open the disbursement session at 09:00).
    std::vector<std::size_t> workers_normal;
    for (std::size_t i = 0; i < shifts.size(); ++i) {
        if (shifts[i].kind == "normal" && shifts[i].staff != a && shifts[i].staff != b &&
            !continues(shifts[i], true) && !continues(shifts[i], false)) {
            workers_normal.push_back(i);
        }
    }
    const std::size_t late_one = workers_normal.at(1), early_leaver = workers_normal.at(2);
    int n_in = 0;
    for (std::size_t i = 0; i < shifts.size(); ++i) {
        if (continues(shifts[i], true))
            continue;
        const auto when =
            shifts[i].starts + (i == late_one ? 25 : -5 + static_cast<std::int64_t>(i % 4)) * 60000;
        auto r = laptop.run(
            {"--at", local(when), "shift", "check", "--staff", shifts[i].staff, "--kind", "in"},
            pins(1));
        if (r.exit_code != 0)
            return fail_demo("check-in", r);
        ++n_in;
    }
    say(std::to_string(n_in) +
        " 人次签到,均由本人密钥签名(一人迟到 25 分钟)/ check-ins, each signed with the person's "
        "own key (one 25 min late)");
    (void)early;

    say("");
    say("-- 09:00 发放日:两人核验 / disbursement day with two-person verification --");
    const std::string day = *d.query_value<std::string>("SELECT id FROM disbursement_day");
    auto open = laptop.run({"--json", "--at", at("09:00"), "day", "open", "--day", day, "--staff-a",
                            a, "--staff-b", b, "--cash", "95000.00", "--notes", "10000x950"});
    if (open.exit_code != 0)
        return fail_demo("day open", open);
    const std::string session(json(open).at("session_id").as_string());
    // Five beneficiaries do not come today.
    const int sheet_lines = laptop.write_payment_sheet(work / "sheet.csv", demo);
    {
        std::ifstream in(work / "sheet.csv");
        std::ofstream present(work / "present.csv");
        std::string line;
        for (int n = 0; std::getline(in, line); ++n) {
            if (n % 40 != 7)
                present << line << "\n";
        }
    }
    auto paid = laptop.run({"--json", "--at", at("09:30"), "pay", "--batch",
                            (work / "present.csv").string(), "--session", session, "--payer", a,
                            "--verifier", b, "--ack-file", (work / "thumbprint.png").string()},
                           pins(2));
    if (paid.exit_code != 0)
        return fail_demo("pay", paid);
    say("应发 " + std::to_string(sheet_lines) + " 笔,到场领取并经两人签名 " +
        std::to_string(json(paid).at("paid").as_int64()) +
        " 笔 / payments signed by payer and verifier");

    // What the rules refuse, on the spot.
    // An entitlement's pay command, for the refusals below. (A statement left
    // open would pin its read snapshot: each query here runs to completion.)
    auto pay_args = [&](const char* when, const std::string& paid_clause, const std::string& payer,
                        const std::string& verifier) {
        auto q = d.prepare(
            "SELECT e.id, e.amount_fen, e.beneficiary_id FROM entitlement e WHERE " + paid_clause +
            " (SELECT 1 FROM payment p WHERE p.entitlement_id = e.id) ORDER BY e.id LIMIT 1");
        q.step();
        std::vector<std::string> v = {
            "--json",        "--at",
            at(when),        "pay",
            "--session",     session,
            "--entitlement", q.column<std::string>(0),
            "--amount",      domain::format_yuan(q.column<std::int64_t>(1)),
            "--ack-name",    "某某",
            "--ack-file",    (work / "thumbprint.png").string(),
            "--payer",       payer,
            "--verifier",    verifier};
        return std::pair{v, demo.id_number_of(q.column<std::string>(2)) + "\n"};
    };
    {
        auto [args, id] = pay_args("10:15", "EXISTS", a, b);
        say("  重复领取 a second payment:      " + refusal(laptop.run(args, pins(2) + id)));
    }
    {
        auto [args, id] = pay_args("10:16", "NOT EXISTS", a, a);
        say("  一人签两次 one person twice:     " + refusal(laptop.run(args, pins(2) + id)));
    }
    {
        auto [args, id] = pay_args("10:17", "NOT EXISTS", a, b);
        say("  PIN 错误 a wrong PIN:            " +
            refusal(laptop.run(args, "1357\n" + pins(1) + id)));
    }

    const std::string wrong_payment = *d.query_value<std::string>(
        "SELECT id FROM payment ORDER BY paid_at_ms, id LIMIT 1 OFFSET 3");
    auto rev =
        laptop.run({"--json", "--at", at("10:40"), "reverse", "--payment", wrong_payment,
                    "--reason", "现金点错,当场收回重发 / miscounted cash, taken back to pay again",
                    "--payer", a, "--verifier", b},
                   pins(2));
    if (rev.exit_code != 0)
        return fail_demo("reverse", rev);
    {
        auto q = d.prepare(
            "SELECT e.id, e.amount_fen, e.beneficiary_id FROM payment p JOIN entitlement e ON e.id "
            "= p.entitlement_id WHERE p.id = ?1");
        q.bind(1, wrong_payment);
        q.step();
        auto again = laptop.run(
            {"--json", "--at", at("10:42"), "pay", "--session", session, "--entitlement",
             q.column<std::string>(0), "--amount", domain::format_yuan(q.column<std::int64_t>(1)),
             "--ack-name", "某某", "--ack-file", (work / "thumbprint.png").string(), "--payer", a,
             "--verifier", b},
            pins(2) + demo.id_number_of(q.column<std::string>(2)) + "\n");
        if (again.exit_code != 0)
            return fail_demo("pay again", again);
    }
    say("  冲正后重新发放(原记录不改)reversed and paid again, the original row untouched");

    const auto net = *d.query_value<std::int64_t>(
        "SELECT sum(CASE kind WHEN 'payment' THEN amount_fen ELSE -amount_fen END) FROM payment "
        "WHERE session_id = ?1",
        session);
    auto close = laptop.run({"--json", "--at", at("12:00"), "day", "close", "--session", session,
                             "--returned", domain::format_yuan(9500000 - net), "--notes",
                             "10000x" + std::to_string((9500000 - net) / 10000), "--unpaid-reason",
                             "absent", "--staff-a", a, "--staff-b", b},
                            pins(2));
    if (close.exit_code != 0)
        return fail_demo("day close", close);
    const auto rec = json(close);
    say("对账 reconciliation: 应发 expected " +
        std::to_string(rec.at("expected").at("count").as_int64()) + " 笔 " +
        std::string(rec.at("expected").at("yuan").as_string()) + " 元;已发 paid " +
        std::to_string(rec.at("paid").at("count").as_int64()) + ";冲正 reversed " +
        std::to_string(rec.at("reversed").at("count").as_int64()) + ";未到 unpaid " +
        std::to_string(rec.at("unpaid").at("count").as_int64()) + ";领取现金 issued " +
        std::string(rec.at("cash_issued_yuan").as_string()) + " = 发出 paid + 退回 returned " +
        std::string(rec.at("cash_returned_yuan").as_string()) + " + 差额 variance " +
        std::string(rec.at("variance_yuan").as_string()));

    say("");
    say("-- 13:00-17:00 送证上门 / certificates door to door --");
    const std::string clerk = demo.staff_id("community_worker", 0, community);
    int handed = 0, delivered = 0, not_home = 0, line = 0;
    for (const auto& [leader, pile] : laptop.certificate_piles()) {
        std::ofstream codes(work / "codes.txt"), round(work / "round.csv");
        for (const auto& [code, resident] : pile) {
            codes << code << "\n";
            if (++line % 12 == 0) {
                round << code << ",failed,not_home,2\n";
            } else {
                round << code << ",delivered," << demo.id_number_of(resident) << "\n";
            }
        }
        codes.close();
        round.close();
        auto h = laptop.run({"--json", "--at", at("13:00"), "cert", "handover", "--codes",
                             (work / "codes.txt").string(), "--from", clerk, "--to", leader},
                            pins(2));
        if (h.exit_code != 0)
            return fail_demo("handover", h);
        handed += static_cast<int>(json(h).at("handed_over").as_int64());
        auto r = laptop.run(
            {"--json", "--at", at("15:30"), "cert", "round", "--leader", leader, "--script",
             (work / "round.csv").string(), "--signature-file", (work / "thumbprint.png").string()},
            pins(1));
        if (r.exit_code != 0)
            return fail_demo("round", r);
        delivered += static_cast<int>(json(r).at("delivered").as_int64());
        not_home += static_cast<int>(json(r).at("failed_attempts").as_int64());
    }
    say("交给网格负责人 handed to grid leaders " + std::to_string(handed) +
        " 份(双方签名 both sign);送达 delivered " + std::to_string(delivered) +
        ";不在家、已约重送 not at home, retry planned " + std::to_string(not_home));

    say("");
    say("-- 19:00 考勤 / attendance --");
    for (std::size_t i = 0; i < shifts.size(); ++i) {
        if (continues(shifts[i], false))
            continue;
        // One person leaves 40 minutes early.
        const auto when = shifts[i].ends + (i == early_leaver ? -40 : 3) * 60000;
        laptop.run(
            {"--at", local(when), "shift", "check", "--staff", shifts[i].staff, "--kind", "out"},
            pins(1));
    }
    auto report = laptop.run({"--json", "--at", at("19:30"), "shift", "report", "--date", today});
    const auto rep = json(report);
    int absent = 0, late = 0, early_leave = 0;
    for (const auto& s : rep.at("shifts").as_array()) {
        absent += s.at("absent").as_bool() ? 1 : 0;
        late += s.at("late_minutes").as_int64() > 0 ? 1 : 0;
        early_leave += s.at("left_early_minutes").as_int64() > 0 ? 1 : 0;
    }
    say("排班 shifts " + std::to_string(rep.at("shifts").as_array().size()) + ",缺勤 absent " +
        std::to_string(absent) + ",迟到 late " + std::to_string(late) + ",早退 left early " +
        std::to_string(early_leave) + ",空岗时段 uncovered stretches " +
        std::to_string(rep.at("coverage_gaps").as_array().size()));
    for (const auto& g : rep.at("coverage_gaps").as_array()) {
        say("  空岗 uncovered: " + std::string(g.at("from").as_string()) + " - " +
            std::string(g.at("to").as_string()).substr(11));
    }

    say("");
    say("-- 结果 / result --");
    auto verify = laptop.run({"--json", "verify"});
    auto status = laptop.run({"--json", "status"});
    const auto st = json(status);
    say("本机记录 " + std::to_string(st.at("entries").as_int64()) +
        " 条签名变更,全部待上传;哈希链 " + (verify.exit_code == 0 ? "完好" : "断裂") + " / " +
        std::to_string(st.at("entries").as_int64()) + " signed entries pending upload; chain " +
        (verify.exit_code == 0 ? "intact" : "BROKEN"));
    say("同步到中心在 issue #4 实现 / syncing with central arrives with issue #4");
    if (keep) {
        say("数据保留在 data kept in " + work.string());
    } else {
        std::error_code ec;
        fs::remove_all(work, ec);
    }
    return verify.exit_code == 0 ? 0 : 1;
}
