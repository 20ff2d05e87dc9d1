// Residents from CSV: all or nothing, every bad cell named by line and
// column, ID numbers only as keyed digests.
#include <fstream>

#include "central_fixture.hpp"
#include "gridsync/central/import.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/text.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class ImportTest : public test::EdgeAndCentral {
  protected:
    crypto::SecureBuffer id_key = crypto::SecureBuffer::random(32);
    std::string grid_name() {
        return *central->db().query_value<std::string>(
            "SELECT name FROM grid WHERE community_id = ?1 ORDER BY name LIMIT 1", community);
    }
    std::string code() {
        return *central->db().query_value<std::string>("SELECT code FROM community WHERE id = ?1",
                                                       community);
    }
    // The (line, column) of every problem reported.
    static std::set<std::pair<int, int>> cells(const central::ImportReport& r) {
        std::set<std::pair<int, int>> where;
        for (const auto& p : r.problems)
            where.insert({p.line, p.column});
        return where;
    }
    central::ImportReport import(const std::string& csv) {
        return central::import_residents(*central, *admin, central_key, id_key, csv,
                                         central_clock.now_ms());
    }
};

}  // namespace

TEST_F(ImportTest, GoodRowsArriveWithDigestsOnly) {
    const std::string a = fictional_id_number(1950, 3, 4, 901),
                      b = fictional_id_number(1990, 7, 8, 902);
    const std::string csv =
        "\xEF\xBB\xBF"
        "社区编号,网格,地址,姓名,身份证号码,电话\n" +
        code() + "," + grid_name() + ",9栋1单元101,\"欧阳, 春花\"," + a + ",13800000001\n" +
        code() + "," + grid_name() + ",9栋1单元101,欧阳明," + b + "\n";
    const auto residents = count("SELECT count(*) FROM resident");
    const auto r = import(csv);
    ASSERT_TRUE(r.ok()) << r.problems.at(0).message;
    EXPECT_EQ(r.residents_created, 2);
    EXPECT_EQ(r.households_created, 1);
    EXPECT_EQ(count("SELECT count(*) FROM resident"), residents + 2);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT name FROM resident WHERE id_last4 = ?1", a.substr(14)),
              "欧阳, 春花");
    EXPECT_EQ(central->db().query_value<int>("SELECT count(*) FROM resident WHERE id_digest = ?1",
                                             ResidentIdNumber::parse(a)->digest(id_key)),
              1);
    // The clear numbers are nowhere in central's files.
    central->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::ifstream in(cdir / "central.db", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(a), std::string::npos);
    EXPECT_EQ(bytes.find(b), std::string::npos);
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry WHERE device_id = 'central'"), 1)
        << "devices receive it by pull";
}

TEST_F(ImportTest, BadRowsAreNamedByLineAndColumnAndNothingIsKept) {
    const std::string good = fictional_id_number(1960, 1, 1, 911);
    std::string typo = fictional_id_number(1960, 1, 1, 912);
    typo[16] = typo[16] == '9' ? '8' : '9';
    const std::string csv =
        "header\n" + code() + "," + grid_name() + ",1栋,张三," + good + "\n" +  // line 2: fine
        "C99," + grid_name() + ",1栋,李四," + good + "\n" +                     // line 3: community
        code() + ",没有的网格,1栋,王五," + fictional_id_number(1960, 1, 1, 913) + "\n" +  // 4: grid
        code() + "," + grid_name() + ",,赵六," + typo + "\n" +     // line 5: address, ID typo
        code() + "," + grid_name() + ",2栋,孙七," + good + "\n" +  // line 6: duplicate ID
        code() + "," + grid_name() + ",2栋,\xff\xfe," + fictional_id_number(1960, 1, 1, 914) +
        "\n" +                                  // 7
        code() + "," + grid_name() + ",3栋\n";  // line 8: short
    const auto residents = count("SELECT count(*) FROM resident");
    const auto r = import(csv);
    ASSERT_FALSE(r.ok());
    const auto where = cells(r);
    const std::set<std::pair<int, int>> expected = {{3, 1}, {4, 2}, {5, 3}, {5, 5},
                                                    {6, 5}, {7, 4}, {8, 4}};
    EXPECT_EQ(where, expected);
    EXPECT_EQ(count("SELECT count(*) FROM resident"), residents)
        << "nothing of a failed import is kept";
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry WHERE device_id = 'central'"), 0);
    EXPECT_EQ(
        count(
            "SELECT count(*) FROM audit WHERE action = 'import.residents' AND outcome = 'refused'"),
        1);
}

TEST_F(ImportTest, SuspiciousTextIsRefusedByLineAndColumn) {
    auto row = [&](const std::string& address, const std::string& name, int seq) {
        return code() + "," + grid_name() + "," + address + "," + name + "," +
               fictional_id_number(1961, 2, 3, seq) + "\n";
    };
    std::string long_name;
    for (int i = 0; i < 51; ++i)
        long_name += "张";
    const std::string csv = "header\n" + row("1栋", "=HYPERLINK(\"http://x\")", 101) +  // 2
                            row("+1栋", "李四", 103) +                                  // 3
                            row("2栋", "-王五", 105) +                                  // 4
                            row("@3栋", "赵六", 107) +                                  // 5
                            row("4栋", "孙\x01七", 109) +                               // 6
                            row("5栋", long_name, 111) +                                // 7
                            row(std::string(201, 'x'), "周八", 113) +                   // 8
                            row("6栋\x7f", "吴九", 115) +                               // 9
                            row("7栋", "郑十", 117);                                    // fine
    const auto residents = count("SELECT count(*) FROM resident");
    const auto r = import(csv);
    ASSERT_FALSE(r.ok());
    const auto where = cells(r);
    const std::set<std::pair<int, int>> expected = {{2, 4}, {3, 3}, {4, 4}, {5, 3},
                                                    {6, 4}, {7, 4}, {8, 3}, {9, 3}};
    EXPECT_EQ(where, expected);
    EXPECT_EQ(count("SELECT count(*) FROM resident"), residents) << "nothing is kept";
    // A name of exactly 50 characters is a name.
    EXPECT_TRUE(import("header\n" + row("1栋", long_name.substr(3), 119)).ok());
}
