// A staff key belongs to its person (docs/SECURITY.md): made only with a
// one-time code an admin issued to that person, one per device they work
// on, verified against the key they held on the signing device when they
// signed, revoked by an admin; opening a session is signed by both its
// staff; and no one pays or verifies their own household.
#include "gridsync/domain/staff_keys.hpp"
#include "central_fixture.hpp"
#include "gridsync/crypto/enrolment_code.hpp"
#include "gridsync/domain/errors.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class StaffKeysTest : public test::EdgeAndCentral {
  protected:
    // A worker without any key yet: their keys are made in the tests.
    std::string worker = edge.staff_where("community_worker", community, 2).id;
    void SetUp() override {
        test::EdgeAndCentral::SetUp();
        edge.keys.erase(worker);
        for (auto* db : {&edge.db, &central->db(), &reference()})
            db->execute("DELETE FROM staff_key WHERE staff_id = ?1", worker);
    }
    store::Database& reference() {
        if (!reference_)
            reference_ = store::Database::open(cdir / "reference.db");
        return *reference_;
    }
    std::optional<store::Database> reference_;

    std::string issue_code(const std::string& staff) {
        return central->create_staff_code(*admin, staff, 72 * 3600000LL, central_clock.now_ms())
            .value()
            .code;
    }
    // The person makes a key on `outbox`'s device with `code`.
    Result<sync::Recorded<std::string>> make_key(store::Database& db, sync::Outbox& outbox,
                                                 const std::string& staff,
                                                 const crypto::SigningKey& key,
                                                 const std::string& code) {
        const auto c = crypto::EnrolmentCode::parse(code).value();
        return outbox.record_as<std::string>([&](const Stamp& st) {
            return register_staff_key(db, st, staff, key.public_key(), c.key());
        });
    }
    Result<sync::Recorded<CheckResult>> check_in_with(store::Database& db, sync::Outbox& outbox,
                                                      const std::string& staff,
                                                      const crypto::SigningKey& key) {
        return outbox.record_as<CheckResult>([&](const Stamp& st) {
            return check_in_out(db, st, {staff, &key}, {community, "in", std::nullopt});
        });
    }
    sync::EntryAck last_ack(const sync::PushAcks& acks) { return acks.acks.back(); }
};

}  // namespace

TEST_F(StaffKeysTest, AColleaguesKeyCannotBeMadeWithoutACodeIssuedToThem) {
    const auto key = crypto::SigningKey::generate();
    // No code at all: a key row a laptop writes for a colleague by itself.
    ASSERT_TRUE(edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        register_key_by_central(edge.db, st, worker, st.device_id, key.public_key());
        return 0;
    }));
    auto a = last_ack(push());
    EXPECT_EQ(a.status, sync::AckStatus::quarantined);
    EXPECT_EQ(a.code, "gridsync.central:11") << a.message;
    edge.db.execute("DELETE FROM outbox WHERE acked = 0");
    edge.db.execute("DELETE FROM staff_key WHERE staff_id = ?1", worker);

    // A code central never issued, and one issued to someone else.
    ASSERT_TRUE(
        make_key(edge.db, *edge.outbox, worker, key, crypto::EnrolmentCode::generate().text()));
    a = last_ack(push());
    EXPECT_EQ(a.code, "gridsync.central:25") << a.message;
    edge.db.execute("DELETE FROM outbox WHERE acked = 0");
    edge.db.execute("DELETE FROM staff_key WHERE staff_id = ?1", worker);
    const std::string someone_elses = issue_code(payer);
    ASSERT_TRUE(make_key(edge.db, *edge.outbox, worker, key, someone_elses));
    a = last_ack(push());
    EXPECT_EQ(a.code, "gridsync.central:25") << a.message;
    EXPECT_NE(a.message.find("另一个人"), std::string::npos) << a.message;
    edge.db.execute("DELETE FROM outbox WHERE acked = 0");
    edge.db.execute("DELETE FROM staff_key WHERE staff_id = ?1", worker);

    // The person's own code: accepted, once.
    const std::string own = issue_code(worker);
    ASSERT_TRUE(make_key(edge.db, *edge.outbox, worker, key, own));
    EXPECT_EQ(last_ack(push()).status, sync::AckStatus::accepted);
    auto laptop2 = another_device();
    pull_all(*laptop2);
    const auto other = crypto::SigningKey::generate();
    ASSERT_TRUE(make_key(laptop2->db, *laptop2->outbox, worker, other, own));
    a = last_ack(push(*laptop2->outbox));
    EXPECT_EQ(a.code, "gridsync.central:25") << "a used code";
    EXPECT_NE(a.message.find("已用过"), std::string::npos) << a.message;
    EXPECT_EQ(count("SELECT count(*) FROM staff_key WHERE staff_id = '" + worker + "'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'staff_key.register' AND outcome "
                    "= 'refused'"),
              3);
    // And what a refused key signs is refused with it: nothing of it is at central.
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 0);
}

TEST_F(StaffKeysTest, AnExpiredCodeIsRefused) {
    const std::string code = issue_code(worker);
    central_clock.advance(73 * 3600000LL);
    edge.clock.advance(73 * 3600000LL);
    ASSERT_TRUE(make_key(edge.db, *edge.outbox, worker, crypto::SigningKey::generate(), code));
    const auto a = last_ack(push());
    EXPECT_EQ(a.code, "gridsync.central:25");
    EXPECT_NE(a.message.find("过期"), std::string::npos) << a.message;
}

TEST_F(StaffKeysTest, ThePersonsOwnDeviceOnlyAndNeverTwiceThere) {
    const auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(make_key(edge.db, *edge.outbox, worker, key, issue_code(worker)));
    // A second live key for the same person on the same device is refused here.
    const auto again =
        make_key(edge.db, *edge.outbox, worker, crypto::SigningKey::generate(), issue_code(worker));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.code(), domain::Errc::key_exists);
    // A key registered for another device than the one sending it: refused by scope.
    ASSERT_TRUE(edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        edge.db.execute("UPDATE staff_key SET device_id = 'dev-elsewhere' WHERE staff_id = ?1",
                        worker);
        edge.db.execute("UPDATE staff_key SET hlc = ?1, origin_device = ?2 WHERE staff_id = ?3",
                        st.hlc.packed, st.device_id, worker);
        return 0;
    }));
    push();
    EXPECT_EQ(count("SELECT count(*) FROM staff_key WHERE device_id = 'dev-elsewhere'"), 0);
}

// One person works on two laptops: a key on each, each signing there, and
// re-keying on one never invalidates what the other signed.
TEST_F(StaffKeysTest, OnePersonKeyedOnTwoLaptopsSignsOnBothAndOldRecordsStayValid) {
    auto laptop2 = another_device();
    pull_all(*laptop2);
    const auto k1 = crypto::SigningKey::generate(), k2 = crypto::SigningKey::generate();
    ASSERT_TRUE(make_key(edge.db, *edge.outbox, worker, k1, issue_code(worker)));
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    // Laptop 1 records a check-in with K1 and has not pushed it yet...
    ASSERT_TRUE(check_in_with(edge.db, *edge.outbox, worker, k1));
    // ...when the same person keys laptop 2 and signs there.
    ASSERT_TRUE(make_key(laptop2->db, *laptop2->outbox, worker, k2, issue_code(worker)));
    edge.clock.advance(60000);
    central_clock.advance(60000);
    ASSERT_TRUE(laptop2->outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        auto r = check_in_out(laptop2->db, st, {worker, &k2}, {community, "out", std::nullopt});
        if (!r)
            return r.failure();
        return 0;
    }));
    // K1 does not sign on laptop 2: it is laptop 1's.
    const auto wrong = check_in_with(laptop2->db, *laptop2->outbox, worker, k1);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.code(), domain::Errc::bad_signature);
    for (const auto& a : push(*laptop2->outbox).acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted)
            << "laptop 1's pending record: " << a.message;
    EXPECT_EQ(count("SELECT count(*) FROM shift_check WHERE staff_id = '" + worker + "'"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM staff_key WHERE staff_id = '" + worker + "'"), 2);
}

TEST_F(StaffKeysTest, ARevokedKeySignsNothingAfterItsRevocationAndNothingBeforeIsLost) {
    const auto k1 = crypto::SigningKey::generate();
    ASSERT_TRUE(make_key(edge.db, *edge.outbox, worker, k1, issue_code(worker)));
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    ASSERT_TRUE(check_in_with(edge.db, *edge.outbox, worker, k1));  // before, still pending
    const auto key_id = active_staff_key(edge.db, worker, edge.outbox->device_id())->id;
    edge.clock.advance(60000);
    central_clock.advance(60000);
    ASSERT_TRUE(central->revoke_staff_key(key_id, *admin, "笔记本丢失 / laptop lost", central_key,
                                          central_clock.now_ms()));
    EXPECT_FALSE(
        central->revoke_staff_key(key_id, *admin, "again", central_key, central_clock.now_ms()))
        << "once";
    // A record signed after the revocation by a device that has not heard of
    // it: refused; the one signed before: accepted.
    edge.clock.advance(60000);
    central_clock.advance(60000);
    ASSERT_TRUE(edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        auto r = check_in_out(edge.db, st, {worker, &k1}, {community, "out", std::nullopt});
        if (!r)
            return r.failure();
        return 0;
    }));
    const auto acks = push();
    ASSERT_EQ(acks.acks.size(), 2u);
    EXPECT_EQ(acks.acks[0].status, sync::AckStatus::accepted) << acks.acks[0].message;
    EXPECT_EQ(acks.acks[1].status, sync::AckStatus::quarantined);
    EXPECT_EQ(acks.acks[1].code, "gridsync.central:11") << acks.acks[1].message;
    // The revocation reaches the laptop by pull; it no longer signs with K1.
    edge.db.execute("DELETE FROM outbox WHERE acked = 0");
    pull_all(edge.db, *edge.outbox, edge.device_key);
    const auto local = active_staff_key(edge.db, worker, edge.outbox->device_id());
    EXPECT_FALSE(local.has_value()) << "revoked here too";
    const auto refused = check_in_with(edge.db, *edge.outbox, worker, k1);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.code(), domain::Errc::key_revoked);
    // A new code, a new key on the same laptop.
    EXPECT_TRUE(make_key(edge.db, *edge.outbox, worker, crypto::SigningKey::generate(),
                         issue_code(worker)));
    EXPECT_EQ(count("SELECT count(*) FROM admin_action WHERE action = 'staff_key.revoke'"), 1);
}

TEST_F(StaffKeysTest, OpeningASessionIsSignedByBothItsStaff) {
    for (const auto& who : {payer, verifier})
        check_in(who, community);
    // Signed by the wrong pair: refused on the device.
    const auto wrong = edge.outbox->record_as<std::string>([&](const Stamp& st) {
        return open_session(edge.db, st, {day, payer, verifier, 500000, "10000x50"},
                            edge.signer(payer), edge.signer(payer));
    });
    ASSERT_FALSE(wrong.ok());
    const auto ok = edge.outbox->record_as<std::string>([&](const Stamp& st) {
        return open_session(edge.db, st, {day, payer, verifier, 500000, "10000x50"},
                            edge.signer(payer), edge.signer(verifier));
    });
    ASSERT_TRUE(ok.ok()) << ok.failure().message;
    EXPECT_TRUE(verify_opening(edge.db, ok->value));
    // The cash issued is in what they signed: changed afterwards, it no longer verifies.
    edge.db.execute("UPDATE disbursement_session SET cash_issued_fen = 900000 WHERE id = ?1",
                    ok->value);
    EXPECT_EQ(verify_opening(edge.db, ok->value).code(), domain::Errc::bad_signature);
    edge.db.execute("UPDATE disbursement_session SET cash_issued_fen = 500000 WHERE id = ?1",
                    ok->value);
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    // An opening without signatures, crafted on a device: refused at central.
    auto laptop2 = another_device();
    pull_all(*laptop2);
    ASSERT_TRUE(laptop2->outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        laptop2->db.execute(
            R"(INSERT INTO disbursement_session(id, disbursement_day_id, device_id, staff_a_id, staff_b_id,
                   opened_at_ms, cash_issued_fen, cash_issued_notes, state, origin_device, hlc)
               VALUES ('s-unsigned', ?1, ?2, ?3, ?4, ?5, 500000, '', 'open', ?2, ?6))",
            day, st.device_id, payer, verifier, st.now_ms, st.hlc.packed);
        return 0;
    }));
    const auto a = push(*laptop2->outbox).acks.at(0);
    EXPECT_EQ(a.code, "gridsync.central:11") << a.message;
    EXPECT_EQ(count("SELECT count(*) FROM disbursement_session WHERE id = 's-unsigned'"), 0);
}

// Where staff live is central's to record; the rule then fires on the
// laptop that receives it, and at central for a payment that slipped through.
TEST_F(StaffKeysTest, NoOnePaysTheirOwnHousehold) {
    auto e = edge.db.prepare(
        "SELECT e.id, r.household_id FROM entitlement e JOIN resident r ON r.id = "
        "e.beneficiary_id ORDER BY e.id LIMIT 1");
    ASSERT_TRUE(e.step());
    const std::string household = e.column<std::string>(1);
    e.reset();
    // A device may not write it.
    ASSERT_TRUE(edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        edge.db.execute(
            "UPDATE staff SET household_id = ?1, origin_device = ?2, hlc = ?3 WHERE "
            "id = ?4",
            household, st.device_id, st.hlc.packed, payer);
        return 0;
    }));
    EXPECT_EQ(push().acks.at(0).code, "gridsync.central:9");
    edge.db.execute("DELETE FROM outbox WHERE acked = 0");
    edge.db.execute("UPDATE staff SET household_id = NULL WHERE id = ?1", payer);
    // A laptop pays while central records the payer's household: the payment
    // reaches central after, and central's second look refuses it.
    auto laptop2 = another_device();
    pull_all(*laptop2);
    ASSERT_TRUE(central->set_staff_household(payer, household, *admin, central_key,
                                             central_clock.now_ms()));
    EXPECT_FALSE(central->set_staff_household(payer, std::string("no-such-household"), *admin,
                                              central_key, central_clock.now_ms()));
    pay_first(edge.db, *edge.outbox);
    const auto acks = push();
    EXPECT_EQ(acks.acks.back().status, sync::AckStatus::quarantined);
    EXPECT_EQ(acks.acks.back().code, "gridsync.central:11");
    EXPECT_NE(acks.acks.back().message.find("同户"), std::string::npos) << acks.acks.back().message;
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 0);
    // The other laptop hears of it and refuses at once, with the rule's message.
    pull_all(*laptop2);
    EXPECT_EQ(
        laptop2->db.query_value<std::string>("SELECT household_id FROM staff WHERE id = ?1", payer),
        household);
    const std::string session = open_day_session(laptop2->db, *laptop2->outbox);
    const auto paid = pay(laptop2->db, *laptop2->outbox, first_payment(laptop2->db, session));
    ASSERT_FALSE(paid.ok());
    EXPECT_EQ(paid.code(), domain::Errc::conflict_of_interest);
    EXPECT_NE(paid.failure().message.find("同户"), std::string::npos);
}
