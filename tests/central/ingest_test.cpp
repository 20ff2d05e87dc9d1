// Push, edge and central together in one process: real SQLite files, real
// signatures, the real wire encoding both ways; no sockets yet.
#include <gtest/gtest.h>

#include <filesystem>

#include "central_fixture.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/central/ingest.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/seed.hpp"
#include "gridsync/sync/errors.hpp"

using namespace gridsync;
using namespace gridsync::domain;
using PushTest = test::EdgeAndCentral;
using test::dump;

TEST_F(PushTest, ADaysWritesAreAcceptedAndBothSidesHoldTheSameRows) {
    check_in(payer, community);
    check_in(verifier, community);
    auto acks = push();
    ASSERT_EQ(acks.acks.size(), 2u);
    for (const auto& a : acks.acks)
        EXPECT_EQ(a.status, sync::AckStatus::accepted) << a.code << " " << a.message;
    EXPECT_EQ(dump(edge.db, "shift_check"), dump(central->db(), "shift_check"));
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry"), 2);
    EXPECT_EQ(edge.outbox->status().pending, 0u);
    EXPECT_FALSE(
        sync::row_pending(edge.db, "shift_check",
                          *edge.db.query_value<std::string>("SELECT id FROM shift_check LIMIT 1")));
}

TEST_F(PushTest, ReplayedEntryIsAcknowledgedNotAppliedAgain) {
    check_in(payer, community);
    const auto batch = edge.outbox->pending_batch(10);
    central::Ingest ingest(*central, central_clock, central_key);
    EXPECT_EQ(ingest.push(batch).acks[0].status, sync::AckStatus::accepted);
    EXPECT_EQ(ingest.push(batch).acks[0].status, sync::AckStatus::duplicate);
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry"), 1);
}

TEST_F(PushTest, TamperedBytesOrAnotherKeyAreRefusedAndChangeNothing) {
    check_in(verifier, community);
    ASSERT_EQ(push().acks.at(0).status, sync::AckStatus::accepted);
    check_in(payer, community);
    auto batch = edge.outbox->pending_batch(10);
    central::Ingest ingest(*central, central_clock, central_key);
    auto tampered = batch;
    tampered.entries[0].envelope[tampered.entries[0].envelope.size() - 3] ^= 0x01;
    auto a = ingest.push(tampered).acks.at(0);
    EXPECT_EQ(a.status, sync::AckStatus::rejected);
    EXPECT_EQ(a.code, "gridsync.central:3");
    EXPECT_EQ(a.seq, 2u) << "the refusal names the entry the device sent, not #0";
    auto other = batch;
    const auto stranger =
        crypto::SigningKey::generate().sign(sync::kEnvelopeContext, batch.entries[0].envelope);
    other.entries[0].signature.assign(stranger.bytes.begin(), stranger.bytes.end());
    EXPECT_EQ(ingest.push(other).acks.at(0).code, "gridsync.central:3");
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry"), 1);
    EXPECT_GE(
        count("SELECT count(*) FROM audit WHERE outcome = 'refused' AND action = 'entry.push'"), 2);
}

// Device signatures checked on every core before the writer is taken
// (Ingest::verify_batch): the verdicts count only for the key they were
// reached with; for another, the entry is verified again under the writer.
TEST_F(PushTest, SignaturesCheckedBeforeTheWriterCountOnlyForTheirKey) {
    check_in(payer, community);
    auto batch = edge.outbox->pending_batch(10);
    central::Ingest ingest(*central, central_clock, central_key);
    auto tampered = batch;
    tampered.entries[0].envelope[tampered.entries[0].envelope.size() - 3] ^= 0x01;
    const auto checked = central::Ingest::verify_batch(edge.device_key.public_key(), tampered);
    ASSERT_EQ(checked.ok.size(), 1u);
    EXPECT_EQ(checked.ok[0], 0) << "the tampered entry does not verify";
    EXPECT_EQ(ingest.push(tampered, &checked).acks.at(0).code, "gridsync.central:3");
    // Verdicts reached with another key are not this device's: checked again.
    const auto stranger = crypto::SigningKey::generate();
    const central::Ingest::PreVerified wrong_key{stranger.public_key(), {1}};
    EXPECT_EQ(ingest.push(tampered, &wrong_key).acks.at(0).code, "gridsync.central:3");
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry"), 0);
    // The real entry, verified before the writer: accepted.
    const auto good = central::Ingest::verify_batch(edge.device_key.public_key(), batch);
    EXPECT_EQ(good.ok.at(0), 1);
    EXPECT_EQ(ingest.push(batch, &good).acks.at(0).status, sync::AckStatus::accepted);
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry"), 1);
}

TEST_F(PushTest, AGapIsRefusedAndTheRestOfTheBatchWaits) {
    check_in(payer, community);
    check_in(verifier, community);
    auto batch = edge.outbox->pending_batch(10);
    batch.entries.erase(batch.entries.begin());  // seq 1 lost on the way
    central::Ingest ingest(*central, central_clock, central_key);
    auto acks = ingest.push(batch);
    EXPECT_EQ(acks.acks.at(0).code, "gridsync.central:4");
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 0);
    // Sent properly, both go through: nothing was lost.
    auto all = push();
    EXPECT_EQ(all.acks.at(0).status, sync::AckStatus::accepted);
    EXPECT_EQ(all.acks.at(1).status, sync::AckStatus::accepted);
}

TEST_F(PushTest, AForkedChainIsRefusedAndFlaggedAsASecurityEvent) {
    check_in(payer, community);
    ASSERT_EQ(push().acks.at(0).status, sync::AckStatus::accepted);
    // A second history signed by the same device key: a restored backup or a clone.
    test::Node twin;
    sync::Outbox forked(twin.db, device.id, edge.device_key, twin.clock);
    (void)forked.record_as<int>([&](const Stamp& st) -> Result<int> {
        twin.db.execute("UPDATE staff SET name = name || '·', hlc = ?1 WHERE id = ?2",
                        st.hlc.packed, twin.seed.staff[0].id);
        return 1;
    });
    central::Ingest ingest(*central, central_clock, central_key);
    auto a = ingest.push(forked.pending_batch(10)).acks.at(0);
    EXPECT_EQ(a.status, sync::AckStatus::rejected);
    EXPECT_EQ(a.code, "gridsync.central:5");
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'security.forked_chain'"), 1);
}

TEST_F(PushTest, ARevokedDeviceIsRefused) {
    check_in(payer, community);
    ASSERT_TRUE(central->revoke(device.id, *admin, "laptop stolen", central_clock.now_ms()).ok());
    auto a = push().acks.at(0);
    EXPECT_EQ(a.code, "gridsync.central:2");
    EXPECT_EQ(edge.outbox->status().pending, 1u) << "the device keeps what was refused";
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'device.revoke'"), 1);
}

TEST_F(PushTest, AWriteOutsideTheDevicesCommunityIsRefused) {
    check_in(payer, edge.community(1));  // checking in at another community from this laptop
    auto a = push().acks.at(0);
    EXPECT_EQ(a.code, "gridsync.central:10") << a.message;
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 0);
}

TEST_F(PushTest, AGridDeviceCannotWritePayments) {
    // The same edge, enrolled as a grid leader's device.
    const auto grid = *edge.db.query_value<std::string>(
        "SELECT id FROM grid WHERE community_id = ?1 LIMIT 1", community);
    const auto key = crypto::SigningKey::generate();
    const auto grid_device = enroll(key.public_key(), "grid_device", community, grid);
    sync::Outbox outbox(edge.db, grid_device.id, key, edge.clock);
    (void)outbox.record_as<int>([&](const Stamp& st) -> Result<int> {
        edge.db.execute(
            "UPDATE entitlement SET session_id = NULL, hlc = ?1 WHERE id = (SELECT id FROM "
            "entitlement LIMIT 1)",
            st.hlc.packed);
        return 1;
    });
    central::Ingest ingest(*central, central_clock, central_key);
    auto a = ingest.push(outbox.pending_batch(10)).acks.at(0);
    EXPECT_EQ(a.code, "gridsync.central:9") << a.message;
}

TEST_F(PushTest, ASchemaVersionCentralDoesNotHaveIsNamed) {
    sync::ChangesetEnvelope e;
    e.device_id = device.id;
    e.seq = 1;
    e.schema_version = 99;
    e.changeset = {};
    const Bytes env = sync::encode(e);
    const auto sig = edge.device_key.sign(sync::kEnvelopeContext, env);
    central::Ingest ingest(*central, central_clock, central_key);
    auto a = ingest.ingest({device.id, Bytes(sig.view().begin(), sig.view().end()), env});
    EXPECT_EQ(a.code, "gridsync.central:8");
    EXPECT_NE(a.message.find("99"), std::string::npos);
    EXPECT_NE(a.message.find(std::to_string(kSchemaVersion)), std::string::npos);
}

TEST_F(PushTest, ABadStaffSignatureFailsCentralsSecondLook) {
    check_in(payer, community);
    // A check-in whose signature is not the staff member's (a bug or a forgery on the device).
    (void)edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        edge.db.execute(
            R"(INSERT INTO shift_check(id, staff_id, community_id, device_id, kind, at_ms, signature,
                               origin_device, hlc) VALUES (?1, ?2, ?3, ?4, 'in', ?5, zeroblob(64), ?4, ?6))",
            new_id(st.now_ms), verifier, community, device.id, st.now_ms, st.hlc.packed);
        return 1;
    });
    // Both in one batch: its staff signatures are checked all at once
    // before the commit; one fails, so the batch is taken again one check
    // at a time, and what is kept is what serial checking keeps.
    auto acks = push();
    EXPECT_EQ(acks.acks.at(0).status, sync::AckStatus::accepted);
    EXPECT_EQ(acks.acks.at(1).code, "gridsync.central:11") << acks.acks.at(1).message;
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM quarantined_entry"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'entry.push' AND outcome = "
                    "'accepted'"),
              1)
        << "the first try's work was rolled back whole";
}

TEST_F(PushTest, AnUnknownDeviceIsRefused) {
    check_in(payer, community);
    auto batch = edge.outbox->pending_batch(10);
    batch.entries[0].device_id = "dev-nobody";
    central::Ingest ingest(*central, central_clock, central_key);
    EXPECT_EQ(ingest.push(batch).acks.at(0).code, "gridsync.central:1");
}

TEST(PushWire, MalformedAndOversizedBatchesAreRefused) {
    EXPECT_EQ(sync::decode_push_batch(as_bytes("junk")).code(), sync::Errc::malformed_envelope);
    sync::PushBatch b;
    b.entries.push_back({"dev-x", Bytes(64), Bytes(10)});
    Bytes bytes = sync::encode(b);
    bytes[1] = 9;  // protocol version 9
    auto r = sync::decode_push_batch(bytes);
    EXPECT_EQ(r.code(), sync::Errc::unsupported_version);
    EXPECT_NE(r.failure().message.find("9"), std::string::npos);
    Bytes huge = sync::encode(b);
    for (int i = 0; i < 8; ++i)
        huge[4 + static_cast<std::size_t>(i)] = 0xff;  // entry count
    EXPECT_EQ(sync::decode_push_batch(huge).code(), sync::Errc::malformed_envelope);
}

TEST_F(PushTest, TwoPersonVerifiedPaymentsAreAcceptedAfterCentralsSecondLook) {
    pay_first(edge.db, *edge.outbox);
    const auto acks = push();
    for (const auto& a : acks.acks)
        EXPECT_EQ(a.status, sync::AckStatus::accepted) << a.code << " " << a.message;
    EXPECT_EQ(dump(edge.db, "payment"), dump(central->db(), "payment"));
    EXPECT_EQ(dump(edge.db, "disbursement_session"), dump(central->db(), "disbursement_session"));
    EXPECT_EQ(count("SELECT count(*) FROM conflict"), 0);
}

TEST_F(PushTest, TwoLaptopsPayingOneEntitlementOfflineAreBothKeptAndFlagged) {
    auto laptop2 = another_device();
    auto& [db2, key2, device2, outbox2_ptr] = *laptop2;
    auto& outbox2 = *outbox2_ptr;
    const std::string e1 = pay_first(edge.db, *edge.outbox);
    const std::string e2 = pay_first(db2, outbox2);
    ASSERT_EQ(e1, e2);
    for (const auto& a : push().acks)
        EXPECT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    for (const auto& a : push(outbox2).acks)
        EXPECT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    // Nothing lost: both payments are at central, and both disagreements are on record.
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE kind = 'DOUBLE_PAYMENT'"), 1);
    EXPECT_GE(
        count("SELECT count(*) FROM conflict WHERE kind = 'DATA' AND table_name = 'entitlement'"),
        1)
        << "the second laptop also claimed the day's list for its own session";
}
