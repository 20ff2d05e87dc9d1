// Fault injection: the k-th write statement of a recorded payment fails
// (SQLite's authorizer denies it), for k = 0, 1, 2, ... until the write goes
// through. After every failure nothing of it remains: no payment, no outbox
// entry, no half of either, and the chain still verifies.
#include <gtest/gtest.h>

#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/seed.hpp"
#include "node_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

struct DenyNthWrite {
    int countdown = -1;  // deny when it reaches 0; -1 = never
    int writes_seen = 0;
    static int callback(void* self, int action, const char*, const char*, const char*,
                        const char*) {
        auto* d = static_cast<DenyNthWrite*>(self);
        if (action != SQLITE_INSERT && action != SQLITE_UPDATE && action != SQLITE_DELETE)
            return SQLITE_OK;
        ++d->writes_seen;
        if (d->countdown < 0)
            return SQLITE_OK;
        return d->countdown-- == 0 ? SQLITE_DENY : SQLITE_OK;
    }
};

}  // namespace

TEST(Fault, AFailureAtAnyStepOfAPaymentLeavesNothingBehind) {
    test::Node n;
    const std::string community = n.community(0);
    const std::string payer = n.staff_where("service_point_staff", "", 0).id;
    const std::string verifier = n.staff_where("service_point_staff", "", 1).id;
    const std::string maker = n.staff_where("community_worker", community, 0).id;
    std::string day;
    {
        store::Transaction tx(n.db);
        day = seed_disbursement_day(
            n.db, {"central", Hlc::from_parts(n.clock.now_ms(), 1), n.clock.now_ms()},
            {community, "2026-12-01", maker, n.staff_where("admin").id, {payer, verifier}, 3});
        tx.commit();
    }
    for (const auto& who : {payer, verifier}) {
        (void)n.must<CheckResult>([&](const Stamp& st) {
            return check_in_out(n.db, st, n.signer(who), {community, "in", std::nullopt});
        });
    }
    const std::string session = n.must<std::string>([&](const Stamp& st) {
        return open_session(n.db, st, {day, payer, verifier, 100000, "10000x10"}, n.signer(payer),
                            n.signer(verifier));
    });
    auto e = n.db.prepare(
        "SELECT e.id, e.amount_fen, e.beneficiary_id FROM entitlement e ORDER BY e.id LIMIT 1");
    ASSERT_TRUE(e.step());
    PaymentInput in;
    in.entitlement_id = e.column<std::string>(0);
    in.session_id = session;
    in.amount_fen = e.column<Fen>(1);
    for (const auto& r : n.seed.residents) {
        if (r.id == e.column<std::string>(2))
            in.recipient_id_number = r.id_number;
    }
    e.reset();
    in.ack_name = "领取人";
    in.ack_image = to_bytes("thumbprint");

    const auto entries_before = n.outbox->status().entries;
    DenyNthWrite fault;
    sqlite3_set_authorizer(n.db.handle(), DenyNthWrite::callback, &fault);
    int failures = 0;
    for (int k = 0;; ++k) {
        fault.countdown = k;
        fault.writes_seen = 0;
        bool ok = false;
        try {
            ok = n.outbox
                     ->record_as<std::string>([&](const Stamp& st) {
                         return record_payment(n.db, st, in, n.signer(payer), n.signer(verifier),
                                               n.id_key);
                     })
                     .ok();
        } catch (const store::StoreError& x) {
            EXPECT_EQ(x.sqlite_code() & 0xff, SQLITE_AUTH) << "step " << k << ": " << x.what();
        }
        if (ok) {
            EXPECT_GE(k, 3)
                << "a payment is several writes: the payment, its outbox entry, its row index";
            break;
        }
        ++failures;
        // Nothing of the failed attempt remains.
        EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM payment"), 0) << "step " << k;
        EXPECT_EQ(n.outbox->status().entries, entries_before) << "step " << k;
        EXPECT_FALSE(n.db.in_transaction()) << "step " << k;
        ASSERT_LT(k, 50) << "the write never succeeded";
    }
    sqlite3_set_authorizer(n.db.handle(), nullptr, nullptr);
    EXPECT_GT(failures, 0);
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM payment"), 1);
    EXPECT_EQ(n.outbox->status().entries, entries_before + 1);
    const auto chain = sync::verify_chain(n.db, "device-test", n.device_key.public_key());
    EXPECT_TRUE(chain.ok) << chain.reason;
}
