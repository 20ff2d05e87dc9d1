// The four reports on a real node database: their totals against the rows
// themselves, to the fen; A/B coverage credited to the B; the score's formula;
// the files Excel opens.
#include <gtest/gtest.h>

#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/ratings.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/office/sheet.hpp"
#include "gridsync/reports/reports.hpp"
#include "node_fixture.hpp"
#include "temp_dir.hpp"

#include <fstream>

using namespace gridsync;
using namespace gridsync::domain;
using reports::ReportKind;

namespace {

class ReportsTest : public ::testing::Test {
  protected:
    test::Node n;
    std::string community = n.community(0);
    std::string payer = n.staff_where("service_point_staff", "", 0).id;
    std::string verifier = n.staff_where("service_point_staff", "", 1).id;
    std::string maker = n.staff_where("community_worker", community, 0).id;
    std::string day;

    void SetUp() override {
        store::Transaction tx(n.db);
        const Stamp stamp{"central", Hlc::from_parts(n.clock.now_ms(), 1), n.clock.now_ms()};
        day = seed_disbursement_day(n.db, stamp,
                                    {community,
                                     "2026-12-01",
                                     maker,
                                     n.staff_where("admin").id,
                                     {payer, verifier, maker},
                                     6});
        tx.commit();
    }
    void check(const std::string& staff, const std::string& kind) {
        n.must<CheckResult>([&](const Stamp& st) {
            return check_in_out(n.db, st, n.signer(staff), {community, kind, std::nullopt});
        });
    }
    reports::Report report(ReportKind kind, const std::string& grid = "") {
        const auto code =
            *n.db.query_value<std::string>("SELECT code FROM community WHERE id = ?1", community);
        auto scope = reports::resolve_scope(n.db, "", code, grid);
        EXPECT_TRUE(scope) << scope.failure().message;
        auto r = reports::make_report(n.db, kind, *scope, "2026-12", n.clock.now_ms());
        EXPECT_TRUE(r) << r.failure().message;
        return *r;
    }
    static std::int64_t total(const office::Table& t, const std::string& heading) {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            if (t.columns[i].heading == heading)
                return std::get<std::int64_t>(t.totals.at(i));
        }
        throw std::runtime_error("no column " + heading);
    }
    std::int64_t sql(const std::string& q) { return *n.db.query_value<std::int64_t>(q); }
    std::string id_number_of(const std::string& resident) {
        for (const auto& r : n.seed.residents) {
            if (r.id == resident)
                return r.id_number;
        }
        return "";
    }
};

}  // namespace

TEST_F(ReportsTest, ReconciliationTotalsAreTheDatabasesToTheFen) {
    check(payer, "in");
    check(verifier, "in");
    const auto session = n.must<std::string>([&](const Stamp& st) {
        return open_session(n.db, st, {day, payer, verifier, 1000000, "10000x100"}, n.signer(payer),
                            n.signer(verifier));
    });
    std::vector<std::string> paid;
    {
        auto st = n.db.prepare(
            "SELECT id, amount_fen, beneficiary_id FROM entitlement WHERE disbursement_day_id = ?1 "
            "ORDER BY id LIMIT 3");
        st.bind(1, day);
        while (st.step()) {
            PaymentInput p;
            p.entitlement_id = st.column<std::string>(0);
            p.session_id = session;
            p.amount_fen = st.column<Fen>(1);
            p.recipient_id_number = id_number_of(st.column<std::string>(2));
            p.ack_name = "领取人";
            p.ack_image = to_bytes("thumbprint");
            paid.push_back(n.must<std::string>([&](const Stamp& s) {
                return record_payment(n.db, s, p, n.signer(payer), n.signer(verifier), n.id_key);
            }));
        }
    }
    n.must<std::string>([&](const Stamp& st) {
        return reverse_payment(n.db, st, paid[0], "付错了 / wrong person", n.signer(payer),
                               n.signer(verifier));
    });
    const Fen net =
        sql("SELECT sum(CASE kind WHEN 'payment' THEN amount_fen ELSE -amount_fen END) "
            "FROM payment");
    n.must<Reconciliation>([&](const Stamp& st) {
        CloseSession c;
        c.session_id = session;
        c.cash_returned_fen = 1000000 - net - 500;  // 5 元 short
        c.cash_returned_notes = "as counted";
        c.default_unpaid_reason = "absent";
        c.explanation = "少 5 元,经办人赔付 / 5 yuan short";
        return close_session(n.db, st, c, n.signer(payer), n.signer(verifier));
    });

    const auto r = report(ReportKind::reconciliation);
    ASSERT_EQ(r.tables.size(), 4u);
    const auto& sessions = r.tables[0];
    ASSERT_EQ(sessions.rows.size(), 1u);
    const Fen entitled = sql("SELECT sum(amount_fen) FROM entitlement");
    EXPECT_EQ(total(sessions, "应发笔数"), 6);
    EXPECT_EQ(total(sessions, "应发金额"), entitled);
    EXPECT_EQ(total(sessions, "已发笔数"), 3);
    EXPECT_EQ(total(sessions, "已发金额"),
              sql("SELECT sum(amount_fen) FROM payment WHERE kind = 'payment'"));
    EXPECT_EQ(total(sessions, "冲正笔数"), 1);
    EXPECT_EQ(total(sessions, "冲正金额"),
              sql("SELECT sum(amount_fen) FROM payment WHERE kind = 'reversal'"));
    EXPECT_EQ(total(sessions, "未领笔数"), 4);  // three never paid, one reversed
    EXPECT_EQ(total(sessions, "未领金额"), entitled - net);
    EXPECT_EQ(total(sessions, "领取现金"), 1000000);
    EXPECT_EQ(total(sessions, "交回现金"), 1000000 - net - 500);
    EXPECT_EQ(total(sessions, "差额"), 500);
    // By day and programme, the same money.
    EXPECT_EQ(total(r.tables[1], "应发金额"), entitled);
    EXPECT_EQ(total(r.tables[1], "已发金额"), net);
    EXPECT_EQ(total(r.tables[1], "未领金额"), entitled - net);
    // Every payment with both names; its total is what was paid out.
    const auto& detail = r.tables[2];
    EXPECT_EQ(detail.rows.size(), 4u);
    EXPECT_EQ(total(detail, "金额"), net);
    const std::string payer_name =
        *n.db.query_value<std::string>("SELECT name FROM staff WHERE id = ?1", payer);
    EXPECT_EQ(std::get<std::string>(detail.rows[0][8]), payer_name);
    EXPECT_EQ(std::get<std::string>(detail.rows[0][3]).substr(0, 6), "500103");
    EXPECT_NE(std::get<std::string>(detail.rows[0][3]).find("****"), std::string::npos);
    // Unpaid, with the reason the closing gave.
    EXPECT_EQ(r.tables[3].rows.size(), 4u);
    EXPECT_EQ(total(r.tables[3], "金额"), entitled - net);
    EXPECT_EQ(std::get<std::string>(r.tables[3].rows[0][5]), "未到场");
}

TEST_F(ReportsTest, DeliveryCountsOnTimeLateOverdueAndFailures) {
    const auto& res = n.seed.residents.front();
    std::string leader, clerk = maker;
    for (const auto& s : n.seed.staff) {
        if (s.role == "grid_leader" && s.grid_id == res.grid_id)
            leader = s.id;
    }
    auto issued = [&](const std::string& code) {
        const auto cert = n.must<std::string>([&](const Stamp& st) {
            return issue_certificate(n.db, st, {"elderly_card", res.id, code});
        });
        n.must<std::string>([&](const Stamp& st) {
            return hand_over(n.db, st, cert, n.signer(clerk), n.signer(leader));
        });
        return cert;
    };
    auto deliver_now = [&](const std::string& cert) {
        Delivery d;
        d.certificate_id = cert;
        d.recipient_id_number = res.id_number;
        d.signature_image = to_bytes("strokes");
        return n.must<std::string>(
            [&](const Stamp& st) { return deliver(n.db, st, n.signer(leader), d, n.id_key); });
    };
    const auto on_time = issued("R-1");
    const auto late = issued("R-2");
    const auto overdue = issued("R-3");
    n.must<std::string>([&](const Stamp& st) {
        return record_failed_attempt(
            n.db, st, n.signer(leader),
            {late, FailureReason::not_home, n.clock.now_ms() + kDayMs, std::nullopt});
    });
    deliver_now(on_time);
    const auto due = sql("SELECT due_at_ms FROM certificate WHERE print_code = 'R-2'");
    n.clock.set(due + kDayMs);
    deliver_now(late);
    const auto r = report(ReportKind::delivery);
    const auto& t = r.tables.at(0);
    EXPECT_EQ(total(t, "证件数"), 3);
    EXPECT_EQ(total(t, "按时送达"), 1);
    EXPECT_EQ(total(t, "超时送达"), 1);
    EXPECT_EQ(total(t, "超期未送"), 1);
    EXPECT_EQ(total(t, "失败:不在家"), 1);
    EXPECT_EQ(std::get<std::int64_t>(t.totals.at(8)), 3333);  // 1 of 3 judged: 33.33%
    (void)overdue;
}

TEST_F(ReportsTest, AnAbsentAIsCoveredByItsBAndTheBIsCredited) {
    const auto a = n.staff_where("community_worker", community, 1).id;
    const auto b = n.staff_where("community_worker", community, 2).id;
    {
        store::Transaction tx(n.db);
        const Stamp stamp{"central", Hlc::from_parts(n.clock.now_ms(), 2), n.clock.now_ms()};
        (void)add_roster(n.db, stamp, community, "2026-12-01", {{a, "normal", b}}).value();
        tx.commit();
    }
    n.clock.set(local_midnight_utc("2026-12-01") + 9 * 3600000);
    check(b, "in");
    n.clock.set(local_midnight_utc("2026-12-01") + 17 * 3600000);
    check(b, "out");
    n.clock.set(local_midnight_utc("2026-12-02") + 12 * 3600000);
    const auto r = report(ReportKind::attendance);
    const auto& people = r.tables.at(0);
    auto row_of = [&](const std::string& staff) -> const std::vector<office::Cell>& {
        const auto name =
            *n.db.query_value<std::string>("SELECT name FROM staff WHERE id = ?1", staff);
        for (const auto& row : people.rows) {
            if (std::get<std::string>(row[2]) == name)
                return row;
        }
        throw std::runtime_error("no row for " + name);
    };
    EXPECT_EQ(std::get<std::int64_t>(row_of(a)[7]), 1);  // absent
    EXPECT_EQ(std::get<std::int64_t>(row_of(a)[8]), 1);  // of which covered by B
    EXPECT_EQ(std::get<std::int64_t>(row_of(b)[9]), 1);  // covered as a B
    // The window 07:00-19:00 had someone from 09:00 to 17:00: 4 hours uncovered.
    const auto& gaps = r.tables.at(1);
    ASSERT_EQ(gaps.rows.size(), 1u);
    EXPECT_EQ(std::get<std::int64_t>(gaps.rows[0][2]), 240);
    // The assessment does not count a covered absence against A.
    const auto s = report(ReportKind::assessment);
    EXPECT_FALSE(s.tables.at(0).rows.empty());
}

TEST_F(ReportsTest, TheScoreWeighsWhatApplies) {
    EXPECT_EQ(reports::assessment_score(10000, 10000, 10000), 10000);
    EXPECT_EQ(reports::assessment_score(5000, std::nullopt, std::nullopt), 5000);
    // 40% x 90% + 30% x 80%, over 70% of the weight: 85.71 of 100.
    EXPECT_EQ(reports::assessment_score(9000, 8000, std::nullopt), 8571);
    EXPECT_EQ(reports::assessment_score(std::nullopt, std::nullopt, std::nullopt), std::nullopt);
}

TEST_F(ReportsTest, FilesExcelOpens) {
    test::TempDir dir;
    const auto r = report(ReportKind::reconciliation);
    auto csv = reports::write_report(r, reports::FileFormat::csv, (dir / "对账.csv").string());
    ASSERT_TRUE(csv) << csv.failure().message;
    EXPECT_EQ(csv->size(), 4u);
    auto xlsx = reports::write_report(r, reports::FileFormat::xlsx, (dir / "对账.xlsx").string());
    ASSERT_TRUE(xlsx);
    std::ifstream in(dir / "对账.xlsx", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto sheet = office::read_xlsx(as_bytes(bytes));
    ASSERT_TRUE(sheet) << sheet.failure().message;
    EXPECT_EQ(sheet->records.at(0).fields.at(0), r.tables[0].title);
    const auto json = reports::to_json(r);
    EXPECT_NE(json.find("\"kind\":\"reconciliation\""), std::string::npos);
    EXPECT_NE(json.find("yuan_fen"), std::string::npos);
}
