// The offices' lists into central (ImportService): all or nothing, every
// bad cell named by line and column, the same file twice changes nothing,
// UTF-8 and GB18030 read the same, ID numbers only as keyed digests, and an
// entitlement list waits for a second admin.
#include <fstream>

#include "central_fixture.hpp"
#include "gridsync/central/day_planner.hpp"
#include "gridsync/central/imports.hpp"
#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/office/encoding.hpp"
#include "gridsync/office/sheet.hpp"
#include "gridsync/text.hpp"

using namespace gridsync;
using namespace gridsync::domain;
using central::ImportKind;

namespace {

class ImportTest : public test::EdgeAndCentral {
  protected:
    std::string grid_name() {
        return *central->db().query_value<std::string>(
            "SELECT name FROM grid WHERE community_id = ?1 ORDER BY name LIMIT 1", community);
    }
    std::string code() {
        return *central->db().query_value<std::string>("SELECT code FROM community WHERE id = ?1",
                                                       community);
    }
    // The (line, column) of every problem reported.
    static std::set<std::pair<int, int>> cells(const central::ImportOutcome& r) {
        std::set<std::pair<int, int>> where;
        for (const auto& p : r.problems)
            where.insert({p.line, p.column});
        return where;
    }
    central::ImportOutcome import(ImportKind kind, const std::string& file,
                                  const std::string& program = "",
                                  office::Encoding encoding = office::Encoding::automatic,
                                  const central::AdminSigner* by = nullptr) {
        central::ImportService service(*central, *central, *central, central_key, edge.id_key);
        return service.run(by ? *by : *admin, {kind, as_bytes(file), encoding, "test.csv", program},
                           central_clock.now_ms());
    }
    static std::string first_problem(const central::ImportOutcome& r) {
        return r.problems.empty() ? "" : central::describe(r.problems.front());
    }
    std::int64_t central_entries() {
        return count("SELECT count(*) FROM accepted_entry WHERE device_id = 'central'");
    }
    // The nth resident of the community with no entitlement yet (the
    // fixture's day lists a few, chosen by id, which is random).
    const SeededResident& resident_of(int nth) {
        int n = 0;
        for (const auto& r : edge.seed.residents) {
            if (r.community_id != community ||
                central->db().query_value<int>(
                    "SELECT 1 FROM entitlement WHERE beneficiary_id = ?1", r.id))
                continue;
            if (n++ == nth)
                return r;
        }
        throw std::runtime_error("no resident");
    }
};

const std::string kResidentsHeader = "社区编号,网格,地址,姓名,身份证号码,电话\n";

}  // namespace

TEST_F(ImportTest, GoodRowsArriveWithDigestsOnlyAndTheSameFileTwiceChangesNothing) {
    const std::string a = fictional_id_number(1950, 3, 4, 901),
                      b = fictional_id_number(1990, 7, 8, 902);
    const std::string csv = "\xEF\xBB\xBF" + kResidentsHeader + code() + "," + grid_name() +
                            ",9栋1单元101,\"欧阳, 春花\"," + a + ",13800000001\n" + code() + "," +
                            grid_name() + ",9栋1单元101,欧阳明," + b + "\n";
    const auto residents = count("SELECT count(*) FROM resident");
    const auto r = import(ImportKind::residents, csv);
    ASSERT_TRUE(r.ok()) << first_problem(r);
    EXPECT_EQ(r.format, "csv utf-8 bom");
    EXPECT_EQ(r.created, 2);
    EXPECT_EQ(count("SELECT count(*) FROM resident"), residents + 2);
    EXPECT_EQ(count("SELECT count(*) FROM household WHERE address = '9栋1单元101'"), 1);
    EXPECT_EQ(
        central->db().query_value<std::string>("SELECT name FROM resident WHERE id_digest = ?1",
                                               ResidentIdNumber::parse(a)->digest(edge.id_key)),
        "欧阳, 春花");
    // The clear numbers are nowhere in central's files.
    central->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::ifstream in(cdir / "central.db", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(a), std::string::npos);
    EXPECT_EQ(bytes.find(b), std::string::npos);
    EXPECT_EQ(central_entries(), 1) << "devices receive it by pull";

    const auto again = import(ImportKind::residents, csv);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.created + again.updated, 0);
    EXPECT_EQ(again.unchanged, 2);
    EXPECT_EQ(central_entries(), 1) << "nothing changed, nothing sent";

    // A corrected phone is an update of the same person.
    const std::string fixed = kResidentsHeader + code() + "," + grid_name() +
                              ",9栋1单元101,欧阳明," + b + ",13900000002\n";
    const auto update = import(ImportKind::residents, fixed);
    ASSERT_TRUE(update.ok());
    EXPECT_EQ(update.updated, 1);
    EXPECT_EQ(count("SELECT count(*) FROM resident"), residents + 2);
    EXPECT_EQ(central_entries(), 2);
}

TEST_F(ImportTest, Gb18030AsExcelSavesItReadsLikeUtf8) {
    const std::string a = fictional_id_number(1955, 5, 6, 931);
    const std::string csv =
        kResidentsHeader + code() + "," + grid_name() + ",8栋2单元302,诸葛亮," + a + "\n";
    const auto gb = office::to_gb18030(csv);
    ASSERT_TRUE(gb);
    const auto r = import(ImportKind::residents, *gb);
    ASSERT_TRUE(r.ok()) << first_problem(r);
    EXPECT_EQ(r.format, "csv gb18030");
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT r.name || '|' || h.address FROM resident r JOIN household h ON h.id = "
                  "r.household_id WHERE r.id_digest = ?1",
                  ResidentIdNumber::parse(a)->digest(edge.id_key)),
              "诸葛亮|8栋2单元302");
    // Read as UTF-8 when it is not: refused by line, nothing written.
    const auto wrong = import(ImportKind::residents, *gb, "", office::Encoding::utf8);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(first_problem(wrong).find("第 1 行"), std::string::npos) << first_problem(wrong);
}

TEST_F(ImportTest, BadRowsAreNamedByLineAndColumnAndNothingIsKept) {
    const std::string good = fictional_id_number(1960, 1, 1, 911);
    std::string typo = fictional_id_number(1960, 1, 1, 912);
    typo[16] = typo[16] == '9' ? '8' : '9';
    const std::string csv =
        kResidentsHeader + code() + "," + grid_name() + ",1栋,张三," + good + "\n" +  // 2: fine
        "C99," + grid_name() + ",1栋,李四," + fictional_id_number(1960, 1, 1, 915) +
        "\n" +  // line 3: community
        code() + ",没有的网格,1栋,王五," + fictional_id_number(1960, 1, 1, 913) + "\n" +  // 4: grid
        code() + "," + grid_name() + ",,赵六," + typo + "\n" +     // line 5: address, ID typo
        code() + "," + grid_name() + ",2栋,孙七," + good + "\n" +  // line 6: duplicate ID
        code() + "," + grid_name() + ",2栋,吴八,5.00103E+17\n" +   // 7: Excel ate the number
        code() + "," + grid_name() + ",3栋\n";                     // line 8: short
    const auto residents = count("SELECT count(*) FROM resident");
    const auto r = import(ImportKind::residents, csv);
    ASSERT_FALSE(r.ok());
    const std::set<std::pair<int, int>> expected = {{3, 1}, {4, 2}, {5, 3}, {5, 5},
                                                    {6, 5}, {7, 5}, {8, 4}, {8, 5}};
    EXPECT_EQ(cells(r), expected);
    for (const auto& p : r.problems) {
        if (p.line == 7) {
            EXPECT_NE(p.message.find("文本"), std::string::npos) << p.message;
        }
        EXPECT_FALSE(p.heading.empty());
    }
    EXPECT_EQ(count("SELECT count(*) FROM resident"), residents)
        << "nothing of a failed import is kept";
    EXPECT_EQ(central_entries(), 0);
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
    const std::string csv = kResidentsHeader + row("1栋", "=HYPERLINK(\"http://x\")", 101) +  // 2
                            row("+1栋", "李四", 103) +                                        // 3
                            row("2栋", "-王五", 105) +                                        // 4
                            row("@3栋", "赵六", 107) +                                        // 5
                            row("4栋", "孙\x01七", 109) +                                     // 6
                            row("5栋", long_name, 111) +                                      // 7
                            row(std::string(201, 'x'), "周八", 113) +                         // 8
                            row("6栋\x7f", "吴九", 115) +                                     // 9
                            row("7栋", "郑十", 117);  // fine
    const auto residents = count("SELECT count(*) FROM resident");
    const auto r = import(ImportKind::residents, csv);
    ASSERT_FALSE(r.ok());
    const std::set<std::pair<int, int>> expected = {{2, 4}, {3, 3}, {4, 4}, {5, 3},
                                                    {6, 4}, {7, 4}, {8, 3}, {9, 3}};
    EXPECT_EQ(cells(r), expected);
    EXPECT_EQ(count("SELECT count(*) FROM resident"), residents) << "nothing is kept";
    // A name of exactly 50 characters is a name.
    EXPECT_TRUE(
        import(ImportKind::residents, kResidentsHeader + row("1栋", long_name.substr(3), 119))
            .ok());
}

TEST_F(ImportTest, HeadingsMayComeInAnyOrderAndUnknownOrMissingOnesAreNamed) {
    const std::string a = fictional_id_number(1970, 1, 2, 941);
    const auto reordered =
        import(ImportKind::residents, "身份证号码,姓名,地址,网格,社区编号\n" + a + ",钱一,5栋," +
                                          grid_name() + "," + code() + "\n");
    EXPECT_TRUE(reordered.ok()) << first_problem(reordered);
    const auto bad = import(ImportKind::residents, "社区编号,网格,住址,姓名\nC01,1,1栋,张三\n");
    ASSERT_FALSE(bad.ok());
    std::set<std::string> headings;
    for (const auto& p : bad.problems) {
        EXPECT_EQ(p.line, 1);
        headings.insert(p.heading);
    }
    EXPECT_EQ(headings, (std::set<std::string>{"住址", "地址", "身份证号码"}));
}

TEST_F(ImportTest, OrganisationThenStaffMakeGridsAndTheirLeaders) {
    const std::string org =
        "办事点编号,办事点名称,社区编号,社区名称,网格,开门时间,关门时间\n"
        "ZLX,自力巷办事点,C11,解放碑社区,第1网格,08:30,17:30\n"
        "ZLX,自力巷办事点,C11,解放碑社区,2,,\n";
    const auto r = import(ImportKind::organisation, org);
    ASSERT_TRUE(r.ok()) << first_problem(r);
    EXPECT_EQ(r.created, 2);
    const auto c11 =
        central->db().query_value<std::string>("SELECT id FROM community WHERE code = 'C11'");
    ASSERT_TRUE(c11);
    EXPECT_EQ(
        central->db().query_value<int>("SELECT opens_at_minute FROM community WHERE code = 'C11'"),
        510);
    EXPECT_EQ(count("SELECT count(*) FROM grid WHERE community_id = (SELECT id FROM community "
                    "WHERE code = 'C11')"),
              2);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT name FROM grid WHERE community_id = ?1 ORDER BY name LIMIT 1", *c11),
              "解放碑社区第1网格");
    EXPECT_EQ(import(ImportKind::organisation, org).unchanged, 2);

    const std::string staff =
        "工号,姓名,岗位,办事点,社区编号,网格,电话,在岗\n"
        "C11-G01,周杰,网格负责人,,C11,1,13800001111,是\n"
        "C11-W01,吴敏,社区工作者,,C11,,,\n"
        "ZLX20,郑强,办事点工作人员,自力巷办事点,,,,\n";
    const auto s = import(ImportKind::staff, staff);
    ASSERT_TRUE(s.ok()) << first_problem(s);
    EXPECT_EQ(s.created, 3);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT s.staff_number FROM grid g JOIN staff s ON s.id = g.leader_staff_id "
                  "WHERE g.community_id = ?1 AND g.name = '解放碑社区第1网格'",
                  *c11),
              "C11-G01");
    EXPECT_EQ(import(ImportKind::staff, staff).unchanged, 3);
    // A post that needs a place without one, an unknown post, a leader twice.
    const auto bad = import(ImportKind::staff,
                            "工号,姓名,岗位,办事点,社区编号,网格\n"
                            "X1,甲,办事点工作人员,,,\n"
                            "X2,乙,主任,,,\n"
                            "X3,丙,网格负责人,,C11,1\n"
                            "X4,丁,网格负责人,,C11,1\n");
    const std::set<std::pair<int, int>> expected = {{2, 4}, {3, 3}, {5, 6}};
    EXPECT_EQ(cells(bad), expected);
}

TEST_F(ImportTest, CatalogueCalendarAndCertificatesCountWorkingDays) {
    const auto cat = import(ImportKind::catalogue,
                            "事项编号,事项名称,类别,办结时限(工作日),办理方式,启用\n"
                            "elderly_card,老年人优待证,民政与养老助残,5,承诺办,是\n"
                            "old_item,旧事项,综合证明与档案,3,立即办,否\n");
    ASSERT_TRUE(cat.ok()) << first_problem(cat);
    EXPECT_EQ(central->db().query_value<int>(
                  "SELECT due_working_days FROM certificate_type WHERE code = 'elderly_card'"),
              5);
    const auto cal = import(ImportKind::calendar,
                            "日期,类型,名称\n2026-12-03,休息日,测试假日\n2026/12/5,上班,调休\n");
    ASSERT_TRUE(cal.ok()) << first_problem(cal);
    const auto& res = resident_of(0);
    // Finished Tuesday 2026-12-01 08:30: five working days are 12-02, 12-04,
    // 12-05 (worked Saturday), 12-07, 12-08; due at the end of 12-08.
    const std::string file = "打印码,事项,身份证号码,姓名,办结时间\nGS-T-0001,老年人优待证," +
                             res.id_number + "," + res.name + ",2026-12-01 08:30\n";
    const auto r = import(ImportKind::certificates, file);
    ASSERT_TRUE(r.ok()) << first_problem(r);
    EXPECT_EQ(central->db().query_value<std::int64_t>(
                  "SELECT due_at_ms FROM certificate WHERE print_code = 'GS-T-0001'"),
              local_midnight_utc("2026-12-09"));
    EXPECT_EQ(import(ImportKind::certificates, file).unchanged, 1);
    // The wrong person, a retired item, a print code used for someone else.
    const auto& other = resident_of(1);
    const auto bad =
        import(ImportKind::certificates,
               "打印码,事项,身份证号码,姓名\n"
               "GS-T-0002,elderly_card," +
                   res.id_number + "," + other.name + "\n" + "GS-T-0003,old_item," + res.id_number +
                   ",\n" + "GS-T-0001,elderly_card," + other.id_number + ",\n");
    const std::set<std::pair<int, int>> expected = {{2, 4}, {3, 2}, {4, 1}};
    EXPECT_EQ(cells(bad), expected);
}

TEST_F(ImportTest, ARosterWithABPairs) {
    const auto a = edge.staff_where("community_worker", community, 2);
    const auto b = edge.staff_where("community_worker", community, 3);
    auto number = [&](const std::string& id) {
        return *central->db().query_value<std::string>(
            "SELECT staff_number FROM staff WHERE id = ?1", id);
    };
    const std::string file = "社区编号,日期,班次,工号,B角工号\n" + code() + ",2026-12-07,早班," +
                             number(a.id) + "," + number(b.id) + "\n" + code() +
                             ",2026-12-07,正常班," + number(b.id) + ",\n";
    const auto r = import(ImportKind::roster, file);
    ASSERT_TRUE(r.ok()) << first_problem(r);
    EXPECT_EQ(r.created, 2);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT backup_staff_id FROM roster_shift WHERE staff_id = ?1 AND local_date = "
                  "'2026-12-07' AND kind = 'early'",
                  a.id),
              b.id);
    EXPECT_EQ(import(ImportKind::roster, file).unchanged, 2);
    const auto bad = import(ImportKind::roster, "社区编号,日期,班次,工号,B角工号\n" + code() +
                                                    ",2026-12-08,夜班," + number(a.id) + "," +
                                                    number(a.id) + "\n");
    const std::set<std::pair<int, int>> expected = {{2, 3}, {2, 5}};
    EXPECT_EQ(cells(bad), expected);
}

TEST_F(ImportTest, AListWaitsForASecondAdminAndWhatIsLeftUnpaidCarriesOver) {
    auto number = [&](const std::string& id) {
        return *central->db().query_value<std::string>(
            "SELECT staff_number FROM staff WHERE id = ?1", id);
    };
    const std::string days = "社区编号,发放日期,发放人员工号\n" + code() + ",2026-12-20," +
                             number(payer) + "、" + number(verifier) + "\n";
    const auto d = import(ImportKind::days, days);
    ASSERT_TRUE(d.ok()) << first_problem(d);
    // A third day in the month is refused: 12-01 exists, 12-20 now, 12-25 would be three.
    const auto third =
        import(ImportKind::days, "社区编号,发放日期,发放人员工号\n" + code() + ",2026-12-25," +
                                     number(payer) + ";" + number(verifier) + "\n");
    EXPECT_EQ(cells(third), (std::set<std::pair<int, int>>{{2, 2}}));

    const auto& r0 = resident_of(0);
    const auto& r1 = resident_of(1);
    const std::string list = "社区编号,发放日期,身份证号码,姓名,金额(元)\n" + code() +
                             ",2026-12-20," + r0.id_number + "," + r0.name + ",700.00\n" + code() +
                             ",2026-12-20," + r1.id_number + "," + r1.name + ",\"1,234.5\"\n";
    const auto entries = central_entries();
    const auto staged = import(ImportKind::entitlements, list, "dibao");
    ASSERT_TRUE(staged.ok()) << first_problem(staged);
    ASSERT_FALSE(staged.approval_id.empty());
    EXPECT_EQ(staged.created, 2);
    EXPECT_EQ(central_entries(), entries) << "nothing reaches devices before approval";
    EXPECT_EQ(count("SELECT count(*) FROM entitlement WHERE period = '2026-12' AND amount_fen = "
                    "123450"),
              0);

    central::DayPlanner planner(*central, *central, *central, central_key);
    const auto waiting = planner.approvals();
    ASSERT_EQ(waiting.size(), 1u);
    EXPECT_EQ(waiting[0].entitlements, 2);
    EXPECT_EQ(waiting[0].total_fen, 70000 + 123450);
    // The maker never checks.
    EXPECT_FALSE(planner.approve(staged.approval_id, *admin, central_clock.now_ms()));

    // Meanwhile day 12-01 closes with one entitlement unpaid, carried over.
    const auto session = open_day_session(edge.db, *edge.outbox);
    std::string unpaid;
    {
        auto st = edge.db.prepare(
            "SELECT e.id FROM entitlement e JOIN aid_program p ON p.id = e.program_id WHERE "
            "p.unpaid_rule = 'carry_over' ORDER BY e.id LIMIT 1");
        ASSERT_TRUE(st.step());
        unpaid = st.column<std::string>(0);
    }
    PaymentInput in = first_payment(edge.db, session);
    if (in.entitlement_id == unpaid) {
        auto st = edge.db.prepare("SELECT id, amount_fen FROM entitlement WHERE id <> ?1 LIMIT 1");
        st.bind(1, unpaid);
        ASSERT_TRUE(st.step());
        in.entitlement_id = st.column<std::string>(0);
        in.amount_fen = st.column<Fen>(1);
        for (const auto& r : edge.seed.residents) {
            if (r.id ==
                *edge.db.query_value<std::string>(
                    "SELECT beneficiary_id FROM entitlement WHERE id = ?1", in.entitlement_id))
                in.recipient_id_number = r.id_number;
        }
    }
    ASSERT_TRUE(pay(edge.db, *edge.outbox, in).ok());
    const auto closed = edge.outbox->record_as<Reconciliation>([&](const Stamp& st) {
        CloseSession c;
        c.session_id = session;
        c.cash_returned_fen = 100000 - in.amount_fen;
        c.cash_returned_notes = "returned";
        c.default_unpaid_reason = "absent";
        return close_session(edge.db, st, c, edge.signer(payer), edge.signer(verifier));
    });
    ASSERT_TRUE(closed.ok()) << closed.failure().message;
    accepted(push());

    const auto approved = planner.approve(staged.approval_id, *admin2, central_clock.now_ms());
    ASSERT_TRUE(approved) << approved.failure().message;
    EXPECT_EQ(count("SELECT count(*) FROM entitlement e JOIN disbursement_day d ON d.id = "
                    "e.disbursement_day_id WHERE d.local_date = '2026-12-20' AND "
                    "e.carried_from_day_id IS NULL"),
              2);
    EXPECT_NE(central->db().query_value<std::string>(
                  "SELECT approved_by_staff_id FROM disbursement_day WHERE local_date = "
                  "'2026-12-20'"),
              std::nullopt);
    EXPECT_FALSE(approved->carried.empty());
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT d.local_date FROM entitlement e JOIN disbursement_day d ON d.id = "
                  "e.disbursement_day_id WHERE e.id = ?1",
                  unpaid),
              "2026-12-20");
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT carried_from_day_id FROM entitlement WHERE id = ?1", unpaid),
              day);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT d.local_date FROM entitlement e JOIN disbursement_day d ON d.id = "
                  "e.disbursement_day_id WHERE e.id = ?1",
                  in.entitlement_id),
              "2026-12-01")
        << "a paid entitlement stays where it was paid";
    // The laptop receives the list and the carry-over.
    pull_all(edge.db, *edge.outbox, edge.device_key);
    EXPECT_EQ(edge.db.query_value<std::string>(
                  "SELECT carried_from_day_id FROM entitlement WHERE id = ?1", unpaid),
              day);
    // The same list again brings nothing new, and so nothing to approve.
    const auto again = import(ImportKind::entitlements, list, "dibao");
    EXPECT_TRUE(again.ok());
    EXPECT_TRUE(again.approval_id.empty());
    EXPECT_EQ(again.unchanged, 2);
    // Another amount for the same month is refused, pointing at correct-amount.
    const auto changed = import(ImportKind::entitlements,
                                "社区编号,发放日期,身份证号码,姓名,金额(元)\n" + code() +
                                    ",2026-12-20," + r0.id_number + "," + r0.name + ",700.01\n",
                                "dibao");
    EXPECT_EQ(cells(changed), (std::set<std::pair<int, int>>{{2, 5}}));
}

TEST_F(ImportTest, AmountsMustBeExactToTheFen) {
    int nth = 0;
    auto one = [&](const std::string& amount) {
        const auto& r = resident_of(nth++);  // each its own person: a staged list is waiting
        return import(ImportKind::entitlements,
                      "社区编号,发放日期,身份证号码,姓名,金额(元),项目\n" + code() +
                          ",2026-12-01," + r.id_number + "," + r.name + "," + amount + ",tekun\n");
    };
    for (const char* bad : {"12.345", "-5", "0", "abc", "1e3", "12.3.4"})
        EXPECT_EQ(cells(one(bad)), (std::set<std::pair<int, int>>{{2, 5}})) << bad;
    for (const char* good : {"910", "910.5", "￥910.00", "910元"})
        EXPECT_TRUE(one(good).ok()) << good;
}

TEST_F(ImportTest, AnEntitlementAlreadyWaitingForApprovalIsNotStagedTwice) {
    const auto& r = resident_of(0);
    const std::string list = "社区编号,发放日期,身份证号码,姓名,金额(元)\n" + code() +
                             ",2026-12-01," + r.id_number + "," + r.name + ",100\n";
    const auto first = import(ImportKind::entitlements, list, "gaoling");
    ASSERT_TRUE(first.ok()) << first_problem(first);
    const auto second = import(ImportKind::entitlements, list, "gaoling");
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.problems[0].message.find(first.approval_id), std::string::npos);
    // Turned down, the list no longer holds it.
    central::DayPlanner planner(*central, *central, *central, central_key);
    ASSERT_TRUE(planner.reject(first.approval_id, *admin2, "金额有误 / wrong amounts",
                               central_clock.now_ms()));
    EXPECT_FALSE(planner.approve(first.approval_id, *admin2, central_clock.now_ms()));
    EXPECT_TRUE(import(ImportKind::entitlements, list, "gaoling").ok());
}

TEST_F(ImportTest, EveryTemplateIsAWorkbookItsOwnImportUnderstands) {
    test::TempDir dir;
    for (const auto kind : central::import_kinds()) {
        const auto t = central::ImportService::template_for(kind);
        auto bytes = office::xlsx_bytes({t}, dir.path());
        ASSERT_TRUE(bytes) << bytes.failure().message;
        const auto r = import(kind, std::string(as_chars(*bytes)));
        EXPECT_EQ(r.format, "xlsx");
        for (const auto& p : r.problems)
            EXPECT_NE(p.line, 1) << central::to_string(kind) << ": " << central::describe(p);
    }
    // The calendar's example names nothing else: it imported as it is.
    EXPECT_EQ(count("SELECT count(*) FROM calendar_day WHERE id = '2026-10-01'"), 1);
}
