// A month of a real subdistrict from files alone, with the shipped programs
// on 127.0.0.1: central starts empty (no demo data), every list comes from
// the example files in docs/examples (UTF-8, as an office saves "CSV UTF-8")
// and again as GB18030 (as Excel in China saves "CSV"), which must change
// nothing; a second admin approves; a laptop pays, a grid leader delivers,
// staff check in by the roster; the four reports' totals are checked
// against central's database, and the laptop's own reports agree.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "gridsync/file.hpp"
#include "gridsync/office/encoding.hpp"
#include "gridsync/office/sheet.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/tools/central_process.hpp"
#include "gridsync/tools/edge_driver.hpp"
#include "temp_dir.hpp"

using namespace gridsync;
namespace fs = std::filesystem;

namespace {

const fs::path kExamples = GRIDSYNC_EXAMPLES_DIR;
constexpr const char* kPin = "1357";

std::string pins(int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += std::string(kPin) + "\n";
    return s;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A column of an example file, by its heading: the people and numbers the
// test then works with come from the same files the offices would send.
std::vector<std::map<std::string, std::string>> rows_of(const std::string& file) {
    const std::string text = slurp(kExamples / file);
    auto sheet = office::parse_csv(text).value();
    std::vector<std::map<std::string, std::string>> out;
    for (std::size_t i = 1; i < sheet.records.size(); ++i) {
        std::map<std::string, std::string> row;
        for (std::size_t c = 0; c < sheet.records[0].fields.size(); ++c) {
            row[sheet.records[0].fields[c]] =
                c < sheet.records[i].fields.size() ? sheet.records[i].fields[c] : "";
        }
        out.push_back(std::move(row));
    }
    return out;
}

class Month : public ::testing::Test {
  protected:
    test::TempDir dir;
    tools::CentralProcess central{GRIDSYNC_CENTRAL_BIN, dir / "c", 0};
    tools::EdgeDriver laptop{GRIDSYNC_EDGE_BIN, dir / "laptop", dir / "edge.pass"};
    tools::EdgeDriver grid{GRIDSYNC_EDGE_BIN, dir / "grid", dir / "edge.pass"};

    void SetUp() override {
        std::ofstream(dir / "edge.pass") << "edge passphrase\n";
        std::ofstream(dir / "ack.png") << "PNG: a thumbprint";
        std::ofstream(dir / "signature.png") << "PNG: a signature";
    }
    store::Database central_db() {
        return store::Database::open(central.dir() / "central" / "central.db");
    }
    std::int64_t count(const std::string& sql) {
        return *central_db().query_value<std::int64_t>(sql);
    }
    static boost::json::object must(const ProcessResult& r) {
        EXPECT_EQ(r.exit_code, 0) << r.out;
        if (r.exit_code != 0)
            throw std::runtime_error("step failed: " + r.out);
        return tools::EdgeDriver::json(r);
    }
    // Imports the example file as it is, then its GB18030 twin, which must
    // read the same and so change nothing.
    boost::json::object import_both(const std::string& kind, const std::string& file,
                                    const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args = {"import", kind, "--file", (kExamples / file).string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto first = central.admin(args);
        EXPECT_EQ(first.at("format").as_string(), "csv utf-8") << file;
        EXPECT_GT(first.at("created").as_int64(), 0) << file;
        const auto gb = office::to_gb18030(slurp(kExamples / file)).value();
        const fs::path gb_file = dir / ("gb18030-" + file);
        std::ofstream(gb_file, std::ios::binary) << gb;
        args[3] = gb_file.string();
        const auto again = central.admin(args);
        EXPECT_EQ(again.at("format").as_string(), "csv gb18030") << file;
        EXPECT_EQ(again.at("created").as_int64() + again.at("updated").as_int64(), 0)
            << file << ": the GB18030 copy reads differently";
        return first;
    }
    boost::json::object report(const std::string& kind) {
        // As of the month's end: the roster days after today count too.
        return central.admin({"report", kind, "--community", "C01", "--month", "2026-12", "--as-of",
                              "2026-12-31 23:00"});
    }
    static std::int64_t total(const boost::json::object& report, std::size_t table,
                              const std::string& heading) {
        const auto& t = report.at("tables").as_array().at(table).as_object();
        const auto& columns = t.at("columns").as_array();
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (columns[i].at("heading").as_string() == heading)
                return t.at("totals").as_array().at(i).as_int64();
        }
        throw std::runtime_error("no column " + heading);
    }
    void enroll_key(tools::EdgeDriver& d, const std::string& number) {
        const std::string code(
            central.admin({"staff", "code", "--staff", number}).at("code").as_string());
        must(d.run({"--json", "staff", "enroll-key", "--staff", number}, code + "\n" + pins(2)));
    }
};

}  // namespace

TEST_F(Month, AMonthFromFilesAlone) {
    // 1. The offices' lists, each in UTF-8 and again in GB18030.
    import_both("organisation", "organisation.csv");
    import_both("staff", "staff.csv");
    central.add_admin("admin2", "ADM02");
    import_both("residents", "residents.csv");
    import_both("proxies", "proxies.csv");
    import_both("programmes", "programmes.csv");
    import_both("calendar", "calendar.csv");
    import_both("certificates", "certificates.csv");
    import_both("roster", "roster.csv");
    import_both("days", "days.csv");
    EXPECT_EQ(count("SELECT count(*) FROM resident"), 15);
    EXPECT_EQ(count("SELECT count(*) FROM certificate_type"), 58) << "the default catalogue";

    // A bad file changes nothing and names each bad row.
    std::ofstream(dir / "bad-staff.csv")
        << "工号,姓名,岗位,社区编号\nX1,甲,主任,C01\nX2,,社区工作者,C09\n";
    const auto staff_before = count("SELECT count(*) FROM staff");
    const auto bad =
        central.try_admin({"import", "staff", "--file", (dir / "bad-staff.csv").string()});
    EXPECT_EQ(bad.exit_code, 2) << bad.out;
    const auto problems = tools::EdgeDriver::json(bad).at("problems").as_array();
    ASSERT_EQ(problems.size(), 3u);
    EXPECT_EQ(problems[0].at("line").as_int64(), 2);
    EXPECT_EQ(problems[0].at("heading").as_string(), "岗位");
    EXPECT_EQ(count("SELECT count(*) FROM staff"), staff_before);

    // 2. The month's dibao list, staged by one admin, approved by another.
    const auto dibao = central.admin({"import", "entitlements", "--file",
                                      (kExamples / "entitlements-dibao-2026-12.csv").string(),
                                      "--program", "dibao"});
    const std::string approval(dibao.at("approval_id").as_string());
    ASSERT_FALSE(approval.empty());
    EXPECT_NE(central.try_admin({"approve", "--approval", approval}).exit_code, 0)
        << "the maker never checks";
    central.admin({"approve", "--approval", approval}, "admin2");

    // 3. A laptop of C01 and the leader's device of its first grid.
    central.serve();
    auto enroll = [&](tools::EdgeDriver& d, const std::string& name,
                      std::vector<std::string> token) {
        token.insert(token.begin(), "token");
        const std::string code(central.admin(token).at("code").as_string());
        must(d.run({"--json", "init", "--device-name", name, "--simulation", "--fast-kdf"}));
        must(d.run(
            {"--json", "enroll", "--central", central.address(), "--code", code, "--fast-kdf"}));
        must(d.run({"--json", "sync"}));
    };
    enroll(laptop, "C01 laptop",
           {"--role", "community_laptop", "--community", "C01", "--staff", "C01-W01"});
    enroll(grid, "C01 grid 1", {"--role", "grid_device", "--community", "C01", "--grid", "1"});
    for (const char* who : {"MSL01", "MSL02", "C01-W01", "C01-W02", "C01-W03", "C01-G01"})
        enroll_key(laptop, who);
    enroll_key(grid, "C01-G01");
    must(laptop.run({"--json", "sync"}));
    must(grid.run({"--json", "sync"}));

    // 4. The 5th: pay four of the six, close with two unpaid.
    const std::string at = "2026-12-05 09:10";
    for (const char* who : {"MSL01", "MSL02"})
        must(laptop.run({"--json", "--at", "2026-12-05 08:50", "shift", "check", "--staff", who,
                         "--kind", "in"},
                        pins(1)));
    must(laptop.run({"--json", "--at", "2026-12-05 09:00", "day", "open", "--day", "2026-12-05",
                     "--staff-a", "MSL01", "--staff-b", "MSL02", "--cash", "5000.00"},
                    pins(2)));
    const auto list = rows_of("entitlements-dibao-2026-12.csv");
    std::int64_t paid_fen = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto& row = list[i];
        const std::string id = row.at("身份证号码");
        must(laptop.run({"--json", "--at", at, "pay", "--entitlement", "dibao:" + id.substr(14),
                         "--amount", row.at("金额(元)"), "--payer", "MSL01", "--verifier", "MSL02",
                         "--ack-name", row.at("姓名"), "--ack-file", (dir / "ack.png").string()},
                        pins(2) + id + "\n"));
        paid_fen += std::llround(std::stod(row.at("金额(元)")) * 100);
    }
    const std::int64_t returned = 500000 - paid_fen;
    must(laptop.run({"--json", "--at", "2026-12-05 11:30", "day", "close", "--returned",
                     std::to_string(returned / 100) + "." + std::to_string(returned % 100 / 10) +
                         std::to_string(returned % 10),
                     "--unpaid-reason", "absent", "--staff-a", "MSL01", "--staff-b", "MSL02"},
                    pins(2)));

    // 5. Certificates: handed over at the center, delivered at the door.
    const auto certs = rows_of("certificates.csv");
    for (std::size_t i = 0; i < 3; ++i) {
        must(laptop.run({"--json", "--at", "2026-12-02 10:00", "cert", "handover", "--code",
                         certs[i].at("打印码"), "--from", "C01-W01", "--to", "C01-G01"},
                        pins(2)));
    }
    // 6. The roster: on the 7th W01 is away and W02, its B, covers; W03 is late for early duty.
    auto check = [&](const std::string& when, const std::string& who, const std::string& kind) {
        must(laptop.run({"--json", "--at", when, "shift", "check", "--staff", who, "--kind", kind},
                        pins(1)));
    };
    check("2026-12-07 07:25", "C01-W03", "in");
    check("2026-12-07 08:58", "C01-W02", "in");
    check("2026-12-07 09:00", "C01-W03", "out");
    check("2026-12-07 19:00", "C01-W02", "out");
    must(laptop.run({"--json", "sync"}));
    must(grid.run({"--json", "sync"}));
    for (std::size_t i = 0; i < 2; ++i) {
        must(grid.run({"--json", "--at", "2026-12-03 15:00", "cert", "deliver", "--code",
                       certs[i].at("打印码"), "--leader", "C01-G01", "--signature-file",
                       (dir / "signature.png").string()},
                      pins(1) + certs[i].at("身份证号码") + "\n"));
    }
    must(grid.run(
        {"--json", "--at", "2026-12-03 16:00", "cert", "fail", "--code", certs[2].at("打印码"),
         "--leader", "C01-G01", "--reason", "not_home", "--retry-days", "2"},
        pins(1)));
    must(grid.run({"--json", "sync"}));
    must(laptop.run({"--json", "sync"}));

    // 7. The tekun list for the 20th (from GB18030): approving it carries
    // dibao's two unpaid entitlements over to that day.
    const auto tekun_gb =
        office::to_gb18030(slurp(kExamples / "entitlements-tekun-2026-12.csv")).value();
    std::ofstream(dir / "tekun.csv", std::ios::binary) << tekun_gb;
    const auto tekun = central.admin(
        {"import", "entitlements", "--file", (dir / "tekun.csv").string(), "--program", "tekun"});
    EXPECT_EQ(tekun.at("format").as_string(), "csv gb18030");
    const auto approved = central.admin(
        {"approve", "--approval", std::string(tekun.at("approval_id").as_string())}, "admin2");
    EXPECT_EQ(approved.at("carried_over").as_int64(), 2);
    must(laptop.run({"--json", "sync"}));

    // 8. The reports, against central's own rows.
    auto db = central_db();
    const auto rec = report("reconciliation");
    EXPECT_EQ(total(rec, 0, "已发金额"), paid_fen);
    EXPECT_EQ(total(rec, 0, "已发金额"),
              *db.query_value<std::int64_t>(
                  "SELECT sum(amount_fen) FROM payment WHERE kind = 'payment'"));
    EXPECT_EQ(total(rec, 0, "交回现金"), returned);
    EXPECT_EQ(total(rec, 0, "差额"), 0);
    EXPECT_EQ(total(rec, 1, "应发金额"),
              *db.query_value<std::int64_t>("SELECT sum(amount_fen) FROM entitlement"));
    EXPECT_EQ(total(rec, 1, "其中结转转入"), 2);
    EXPECT_EQ(total(rec, 2, "金额"), paid_fen);
    EXPECT_EQ(total(rec, 3, "金额"),
              *db.query_value<std::int64_t>("SELECT sum(amount_fen) FROM entitlement") - paid_fen);
    const auto del = report("delivery");
    EXPECT_EQ(total(del, 0, "证件数"), 4);
    EXPECT_EQ(total(del, 0, "按时送达") + total(del, 0, "超时送达"),
              *db.query_value<std::int64_t>(
                  "SELECT count(*) FROM delivery_attempt WHERE outcome = 'delivered'"));
    EXPECT_EQ(total(del, 0, "失败:不在家"), 1);
    const auto att = report("attendance");
    EXPECT_EQ(total(att, 0, "其中B角顶岗"), 1);
    EXPECT_EQ(total(att, 0, "作为B角顶岗"), 1);
    EXPECT_GE(total(att, 0, "迟到"), 1);
    const auto ass = report("assessment");
    EXPECT_FALSE(ass.at("tables").as_array().at(0).at("rows").as_array().empty());

    // The laptop computes the same reconciliation from what it holds.
    const auto mine = must(laptop.run({"--json", "report", "reconciliation", "--month", "2026-12",
                                       "--as-of", "2026-12-31 23:00"}));
    EXPECT_EQ(total(mine, 0, "已发金额"), total(rec, 0, "已发金额"));
    EXPECT_EQ(total(mine, 1, "应发金额"), total(rec, 1, "应发金额"));

    // The files an office opens: .xlsx, and CSV with the mark.
    central.admin({"report", "reconciliation", "--community", "C01", "--month", "2026-12", "--out",
                   (dir / "对账.xlsx").string()});
    const auto workbook = office::read_xlsx(as_bytes(slurp(dir / "对账.xlsx")));
    ASSERT_TRUE(workbook) << workbook.failure().message;
    central.admin(
        {"report", "delivery", "--month", "2026-12", "--out", (dir / "送达.csv").string()});
    EXPECT_EQ(slurp(dir / "送达.csv").substr(0, 3), "\xEF\xBB\xBF");
}

TEST_F(Month, UnknownOptionsAreRefusedNotIgnored) {
    const auto r = central.try_admin({"import", "staff", "--fiel", "x.csv"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(laptop.run({"status", "--verbose", "yes"}).exit_code, 1);
}
