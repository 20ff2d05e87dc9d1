#include <gtest/gtest.h>

#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "node_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class DisbursementTest : public ::testing::Test {
  protected:
    test::Node n;
    std::string community = n.community(0);
    std::string payer = n.staff_where("service_point_staff", "", 0).id;
    std::string verifier = n.staff_where("service_point_staff", "", 1).id;
    std::string outsider = n.staff_where("service_point_staff", "", 2).id;  // not rostered
    std::string maker = n.staff_where("community_worker", community, 0).id;
    std::string approver = n.staff_where("admin").id;
    std::string day;
    std::string session;

    void SetUp() override {
        {
            store::Transaction tx(n.db);
            const Stamp stamp{"central", Hlc::from_parts(n.clock.now_ms(), 1), n.clock.now_ms()};
            day = seed_disbursement_day(
                n.db, stamp,
                {community, "2026-12-01", maker, approver, {payer, verifier, maker}, 6});
            tx.commit();
        }
        check_in(payer);
        check_in(verifier);
        session = n.must<std::string>([&](const Stamp& st) {
            return open_session(n.db, st, {day, payer, verifier, 500000, "10000x50"},
                                n.signer(payer), n.signer(verifier));
        });
    }

    void check_in(const std::string& staff, const std::string& kind = "in") {
        n.must<CheckResult>([&](const Stamp& st) {
            return check_in_out(n.db, st, n.signer(staff), {community, kind, std::nullopt});
        });
    }

    struct Ent {
        std::string id;
        std::string beneficiary;
        std::string household;
        Fen amount;
        std::string id_number;
    };
    Ent entitlement(int nth = 0) {
        auto st = n.db.prepare(
            "SELECT e.id, e.beneficiary_id, r.household_id, e.amount_fen FROM entitlement e "
            "JOIN resident r ON r.id = e.beneficiary_id WHERE e.disbursement_day_id = ?1 ORDER BY "
            "e.id LIMIT 1 OFFSET ?2");
        st.bind_all(day, nth);
        EXPECT_TRUE(st.step());
        Ent e{st.column<std::string>(0), st.column<std::string>(1), st.column<std::string>(2),
              st.column<Fen>(3), ""};
        for (const auto& r : n.seed.residents) {
            if (r.id == e.beneficiary)
                e.id_number = r.id_number;
        }
        return e;
    }

    PaymentInput pay_in(const Ent& e) {
        PaymentInput p;
        p.entitlement_id = e.id;
        p.session_id = session;
        p.amount_fen = e.amount;
        p.recipient_id_number = e.id_number;
        p.ack_name = "领取人";
        p.ack_image = to_bytes("thumbprint");
        return p;
    }

    Result<sync::Recorded<std::string>> pay(const PaymentInput& p, const std::string& by = "",
                                            const std::string& check = "") {
        return n.outbox->record_as<std::string>([&](const Stamp& st) {
            return record_payment(n.db, st, p, n.signer(by.empty() ? payer : by),
                                  n.signer(check.empty() ? verifier : check), n.id_key);
        });
    }
};

}  // namespace

TEST_F(DisbursementTest, TwoPersonVerifiedPaymentIsSignedByBoth) {
    const Ent e = entitlement();
    auto r = pay(pay_in(e));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_TRUE(r->seq.has_value());
    EXPECT_TRUE(unverifiable_payments(n.db, session).empty());
    EXPECT_TRUE(sync::row_pending(n.db, "payment", r->value)) << "pending until central accepts it";
    const auto views = session_payments(n.db, session);
    ASSERT_EQ(views.size(), 1u);
    EXPECT_EQ(views[0].amount_fen, e.amount);
    // Swapping who signed what breaks verification: roles are bound into the signature.
    n.db.execute(
        "UPDATE payment SET payer_staff_id = verifier_staff_id, verifier_staff_id = "
        "payer_staff_id");
    EXPECT_EQ(unverifiable_payments(n.db, session).size(), 1u);
}

TEST_F(DisbursementTest, OnePersonSigningTwiceIsRefused) {
    EXPECT_EQ(pay(pay_in(entitlement()), payer, payer).code(), Errc::same_person);
}

TEST_F(DisbursementTest, AnAmountThatDiffersIsRefused) {
    PaymentInput p = pay_in(entitlement());
    p.amount_fen += 1;
    EXPECT_EQ(pay(p).code(), Errc::amount_mismatch);
}

TEST_F(DisbursementTest, ASecondPaymentIsRefusedUntilReversed) {
    const Ent e = entitlement();
    auto first = pay(pay_in(e));
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(pay(pay_in(e)).code(), Errc::already_paid);
    auto rev = n.outbox->record_as<std::string>([&](const Stamp& st) {
        return reverse_payment(n.db, st, first->value, "付给了错误的人 / paid the wrong person",
                               n.signer(payer), n.signer(verifier));
    });
    ASSERT_TRUE(rev.ok()) << rev.failure().message;
    EXPECT_TRUE(pay(pay_in(e)).ok()) << "after a reversal the entitlement can be paid";
    EXPECT_TRUE(unverifiable_payments(n.db, session).empty());
    // The original row is never edited.
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM payment WHERE entitlement_id = ?1", e.id),
              3);
}

TEST_F(DisbursementTest, StaffNotRosteredOrNotCheckedInAreRefused) {
    EXPECT_EQ(pay(pay_in(entitlement()), outsider).code(), Errc::not_rostered);
    check_in(verifier, "out");
    EXPECT_EQ(pay(pay_in(entitlement())).code(), Errc::not_checked_in);
}

TEST_F(DisbursementTest, MakerIsNeverChecker) {
    check_in(maker);
    EXPECT_EQ(pay(pay_in(entitlement()), payer, maker).code(), Errc::maker_is_checker);
}

TEST_F(DisbursementTest, NobodyPaysTheirOwnHousehold) {
    const Ent e = entitlement();
    n.db.execute("UPDATE staff SET household_id = ?1 WHERE id = ?2", e.household, verifier);
    EXPECT_EQ(pay(pay_in(e)).code(), Errc::conflict_of_interest);
}

TEST_F(DisbursementTest, WrongIdentityOrUnregisteredProxyIsRefused) {
    const Ent e = entitlement();
    PaymentInput p = pay_in(e);
    p.recipient_id_number = entitlement(1).id_number;
    EXPECT_EQ(pay(p).code(), Errc::id_mismatch);
    p.proxy_registration_id = "no-such-registration";
    EXPECT_EQ(pay(p).code(), Errc::proxy_not_registered);
    // A registered proxy is accepted with their own ID.
    const std::string proxy_number = fictional_id_number(1980, 5, 5, 99);
    auto proxy_id = ResidentIdNumber::parse(proxy_number);
    const std::string reg = new_id(n.clock.now_ms());
    n.db.execute(
        "INSERT INTO proxy_registration VALUES (?1, ?2, '代领人乙', 'spouse', ?3, ?4, 'central', "
        "1)",
        reg, e.beneficiary, proxy_id->digest(n.id_key), proxy_id->last4());
    p.proxy_registration_id = reg;
    p.recipient_id_number = proxy_number;
    auto ok = pay(p);
    ASSERT_TRUE(ok.ok()) << ok.failure().message;
    EXPECT_EQ(n.db.query_value<std::string>("SELECT recipient_kind FROM payment WHERE id = ?1",
                                            ok->value),
              "proxy");
}

TEST_F(DisbursementTest, EntitlementAssignedToAnotherSessionNeedsAnAuditedOverride) {
    const Ent e = entitlement();
    n.db.execute(
        "INSERT INTO disbursement_session VALUES ('other-session', ?1, 'laptop-2', ?2, ?3, 0, 0, "
        "'', 'open', 'x', 1, NULL, NULL)",
        day, payer, verifier);
    n.db.execute("UPDATE entitlement SET session_id = 'other-session' WHERE id = ?1", e.id);
    EXPECT_EQ(pay(pay_in(e)).code(), Errc::assigned_elsewhere);
    PaymentInput p = pay_in(e);
    p.override_reason = "二号机故障,改由本机发放 / laptop 2 broke down";
    auto r = pay(p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(n.db.query_value<std::string>("SELECT override_reason FROM payment WHERE id = ?1",
                                            r->value),
              p.override_reason);
    EXPECT_TRUE(unverifiable_payments(n.db, session).empty())
        << "the override reason is signed too";
}

TEST_F(DisbursementTest, ClosingReconcilesAndAfterwardsNothingIsAccepted) {
    const Ent a = entitlement(0), b = entitlement(1);
    ASSERT_TRUE(pay(pay_in(a)).ok());
    ASSERT_TRUE(pay(pay_in(b)).ok());
    CloseSession c;
    c.session_id = session;
    c.cash_returned_fen = 500000 - a.amount - b.amount - 100;  // 1 元 short
    for (int i = 2; i < 6; ++i)
        c.unpaid_reasons[entitlement(i).id] = "absent";
    auto close = [&] {
        return n.outbox->record_as<Reconciliation>([&](const Stamp& st) {
            return close_session(n.db, st, c, n.signer(verifier), n.signer(payer));
        });
    };
    EXPECT_EQ(close().code(), Errc::variance_unexplained);
    c.unpaid_reasons.erase(entitlement(5).id);
    c.explanation = "找零少 1 元,两人核对确认 / 1 yuan short in change, confirmed by both";
    EXPECT_EQ(close().code(), Errc::bad_input) << "each unpaid entitlement needs a reason";
    c.unpaid_reasons[entitlement(5).id] = "moved";
    auto r = close();
    ASSERT_TRUE(r.ok()) << r.failure().message;
    const Reconciliation& rec = r->value;
    EXPECT_EQ(rec.expected_count, 6);
    EXPECT_EQ(rec.paid_count, 2);
    EXPECT_EQ(rec.unpaid_count, 4);
    EXPECT_EQ(rec.variance_fen, 100);
    EXPECT_EQ(rec.cash_issued_fen,
              (rec.paid_fen - rec.reversed_fen) + rec.cash_returned_fen + rec.variance_fen);
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM unpaid_entitlement"), 4);
    EXPECT_EQ(pay(pay_in(entitlement(2))).code(), Errc::session_not_open);
    EXPECT_EQ(close().code(), Errc::session_not_open);
}

TEST_F(DisbursementTest, SessionNeedsTwoDistinctCheckedInStaff) {
    auto open = [&](const std::string& a, const std::string& b) {
        return n.outbox->record_as<std::string>([&](const Stamp& st) {
            return open_session(n.db, st, {day, a, b, 0, ""}, n.signer(a), n.signer(b));
        });
    };
    EXPECT_EQ(open(payer, payer).code(), Errc::same_person);
    EXPECT_EQ(open(payer, maker).code(), Errc::not_checked_in);
    EXPECT_EQ(open(payer, outsider).code(), Errc::not_rostered);
}
