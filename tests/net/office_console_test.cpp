// The console's office pages in a real browser against the shipped central
// (tests/browser/office.test.mjs): a real subdistrict whose organisation
// and staff come from the example files; the browser imports residents (as
// GB18030), a bad file, the days and a list, a second admin approves, and
// the reports are shown, downloaded and printed. Skipped only where
// Chromium or the npm packages are absent and GRIDSYNC_BROWSER_REQUIRED is
// unset (scripts/test.sh sets it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "browser.hpp"
#include "gridsync/office/encoding.hpp"
#include "gridsync/office/sheet.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/tools/central_process.hpp"
#include "temp_dir.hpp"

using namespace gridsync;
namespace fs = std::filesystem;

namespace {

const fs::path kExamples = GRIDSYNC_EXAMPLES_DIR;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string first_line(const fs::path& p) {
    const std::string s = slurp(p);
    return s.substr(0, s.find('\n'));
}

}  // namespace

TEST(OfficeConsoleInABrowser, ListsInApprovedByASecondAdminReportsOutOnScreenInExcelAndOnPaper) {
    const std::string node = BROWSER_OR_SKIP();
    const fs::path script = fs::path(GRIDSYNC_BROWSER_DIR) / "office.test.mjs";
    test::TempDir dir;
    tools::CentralProcess central(GRIDSYNC_CENTRAL_BIN, dir / "c", 0);
    for (const char* kind : {"organisation", "staff", "programmes"})
        central.admin(
            {"import", kind, "--file", (kExamples / (std::string(kind) + ".csv")).string()});
    central.add_admin("admin2", "ADM02");
    central.serve();

    std::ofstream(dir / "residents-gb18030.csv", std::ios::binary)
        << office::to_gb18030(slurp(kExamples / "residents.csv")).value();
    // Line 2: no such community; line 3: the grid; line 4: a mistyped ID number.
    std::ofstream(dir / "bad.csv") << "社区编号,网格,地址,姓名,身份证号码\n"
                                   << "C99,第1网格,1栋,甲,500103194103120111\n"
                                   << "C01,第9网格,1栋,乙,50010319390802013X\n"
                                   << "C01,第1网格,1栋,丙,500103194103120112\n";
    const fs::path shots = std::getenv("GRIDSYNC_SCREENSHOTS")
                               ? fs::path(std::getenv("GRIDSYNC_SCREENSHOTS"))
                               : dir / "screenshots";
    fs::create_directories(shots);
    const boost::json::object cfg{
        {"url", "http://" + central.address() + "/admin/"},
        {"maker", "admin1"},
        {"maker_password", first_line(central.dir() / "admin1.pass")},
        {"checker", "admin2"},
        {"checker_password", first_line(central.dir() / "admin2.pass")},
        {"residents_gb18030", (dir / "residents-gb18030.csv").string()},
        {"bad_residents", (dir / "bad.csv").string()},
        {"bad_cells", boost::json::array{"2:1", "3:2", "4:5"}},
        {"days", (kExamples / "days.csv").string()},
        {"entitlements", (kExamples / "entitlements-dibao-2026-12.csv").string()},
        {"month", "2026-12"},
        {"shots", shots.string()}};
    Process browser(node, {script.string()}, boost::json::serialize(cfg) + "\n");
    const auto r = browser.wait();
    ASSERT_EQ(r.exit_code, 0) << r.out;

    // What the pages did is at central, signed by the admins who did it.
    auto db = store::Database::open(central.dir() / "central" / "central.db");
    EXPECT_EQ(*db.query_value<int>("SELECT count(*) FROM resident"), 15);
    EXPECT_EQ(*db.query_value<int>("SELECT count(*) FROM entitlement"), 6);
    EXPECT_EQ(*db.query_value<int>(
                  "SELECT count(*) FROM admin_action WHERE action = 'approval.approve' AND login = "
                  "'admin2'"),
              1);
    EXPECT_EQ(*db.query_value<int>(
                  "SELECT count(*) FROM audit WHERE action = 'import.residents' AND outcome = "
                  "'refused'"),
              1);
    for (const char* png : {"console-import-problems.png", "console-approval-phone.png",
                            "console-report.png", "console-report-print.png"})
        EXPECT_TRUE(fs::exists(shots / png)) << png;
    const auto workbook = office::read_xlsx(as_bytes(slurp(shots / "report.xlsx")));
    ASSERT_TRUE(workbook) << workbook.failure().message;
}
