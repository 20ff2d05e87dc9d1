// What keeps a device going when central says no for good, is replayed at,
// or is restored from a backup: quarantine with the chain going on, pull
// requests that cannot be replayed, and epochs with entries offered again.
// In one process on real SQLite files, through central's router with the
// encrypted channel and real signatures (tests/net does it over HTTP).
#include <filesystem>
#include <fstream>

#include "central_fixture.hpp"
#include "faulty_vfs.hpp"
#include "gridsync/central/log_export.hpp"
#include "gridsync/central/quarantine.hpp"
#include "gridsync/central/router.hpp"
#include "gridsync/store/backup.hpp"
#include "gridsync/sync/client.hpp"
#include "gridsync/sync/log_check.hpp"
#include "gridsync/tools/audit.hpp"

using namespace gridsync;
using namespace gridsync::domain;
using test::dump;
namespace fs = std::filesystem;

namespace {

class RecoveryTest : public test::EdgeAndCentral {
  protected:
    // Thirty payments and more: a community with enough residents.
    static domain::SeedOptions larger() {
        auto o = test::Node::small();
        o.households_per_grid = 10;
        return o;
    }
    RecoveryTest() : EdgeAndCentral(larger()) { entitlements_per_day = 40; }

    central::CentralKeys keys{crypto::SigningKey::generate(), crypto::KxKeyPair::generate(),
                              crypto::SecureBuffer::random(32)};
    std::unique_ptr<central::Router> router;
    std::unique_ptr<test::DirectTransport> transport;
    crypto::KxKeyPair kx = crypto::KxKeyPair::generate();
    std::unique_ptr<sync::Outbox> laptop;
    std::unique_ptr<sync::SyncClient> client;
    std::string session;

    void SetUp() override {
        test::EdgeAndCentral::SetUp();
        // One log key for the database, whichever way a device pulls.
        keys.log = crypto::SigningKey::from_seed(central_key.seed().view());
        router = std::make_unique<central::Router>(*central, central->parts(), keys, central_clock);
        transport = std::make_unique<test::DirectTransport>(*router);
        const auto token = central->create_token(
            *admin, {payer, "community_laptop", community, "", 3600000}, central_clock.now_ms());
        auto enrolled = sync::enroll_device(
            *transport, keys.kx.public_key(),
            {token, "laptop", edge.device_key.public_key(), kx.public_key()}, kx);
        ASSERT_TRUE(enrolled.ok()) << enrolled.failure().message;
        register_keys(enrolled->device_id, edge.db);
        laptop = std::make_unique<sync::Outbox>(edge.db, enrolled->device_id, edge.device_key,
                                                edge.clock);
        client = std::make_unique<sync::SyncClient>(
            edge.db, *laptop, edge.device_key, kx,
            sync::CentralPin{keys.signing.public_key(), keys.kx.public_key()}, *transport,
            edge.clock);
    }

    sync::RoundReport round() {
        auto r = client->round();
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.failure().message);
        return r.ok() ? *r : sync::RoundReport{};
    }
    // Pays the next `n` entitlements nobody has been paid for yet.
    void pay_next(int n) {
        if (session.empty())
            session = open_day_session(edge.db, *laptop);
        for (int i = 0; i < n; ++i) {
            auto e = edge.db.prepare(
                "SELECT id FROM entitlement WHERE id NOT IN (SELECT entitlement_id FROM payment) "
                "ORDER BY id LIMIT 1");
            ASSERT_TRUE(e.step());
            const std::string id = e.column<std::string>(0);
            e.reset();
            PaymentInput in = first_payment(edge.db, session);
            auto a =
                edge.db.prepare("SELECT amount_fen, beneficiary_id FROM entitlement WHERE id = ?1");
            a.bind(1, id);
            a.step();
            in.entitlement_id = id;
            in.amount_fen = a.column<Fen>(0);
            for (const auto& r : edge.seed.residents) {
                if (r.id == a.column<std::string>(1))
                    in.recipient_id_number = r.id_number;
            }
            a.reset();
            auto paid = pay(edge.db, *laptop, in);
            ASSERT_TRUE(paid.ok()) << paid.failure().message;
            edge.clock.advance(1000);
            central_clock.advance(1000);
        }
    }
    int laptop_entries_at_central() {
        return *central->db().query_value<int>(
            "SELECT count(*) FROM accepted_entry WHERE device_id = ?1", laptop->device_id());
    }
    // Central restored from `backup` as `gridsync-central restore` does it:
    // the file put in place, the old one kept, a new epoch begun.
    void restore_central_from(const fs::path& backup) {
        router.reset();
        central.reset();
        fs::rename(cdir / "central.db", cdir / "central.db.before-restore");
        for (const char* side : {"-wal", "-shm"})
            fs::remove(cdir / (std::string("central.db") + side));
        fs::copy_file(backup, cdir / "central.db");
        central = std::make_unique<central::CentralStore>(
            central::CentralStore::open(cdir / "central.db"));
        central->begin_epoch(central_clock.now_ms());
        router = std::make_unique<central::Router>(*central, central->parts(), keys, central_clock);
        transport->set_router(*router);
    }
};

// Central's staff keys through its own logged entries, so an auditor can
// replay every payment.
class RestoreAuditTest : public RecoveryTest {
  protected:
    RestoreAuditTest() { keys_through_log = true; }
};

}  // namespace

// Before: central restored from a backup taken while serving lost 20 of 30
// acknowledged payments for good, and the device was stuck on a sequence gap.
TEST_F(RecoveryTest, ARestoreAfterThirtyAcknowledgedPaymentsCostsNoRecord) {
    pay_next(10);
    EXPECT_EQ(round().rejected, 0u);
    // The backup, taken while central serves; twenty more payments after it.
    store::backup_to(central->db(), cdir / "backup.db");
    pay_next(20);
    const auto before = round();
    EXPECT_EQ(before.rejected, 0u);
    ASSERT_EQ(count("SELECT count(*) FROM payment"), 30);
    ASSERT_EQ(laptop->status().pending, 0u) << "all thirty acknowledged";
    const auto entries = laptop->status().entries;

    restore_central_from(cdir / "backup.db");
    ASSERT_EQ(count("SELECT count(*) FROM payment"), 10) << "the backup lacks twenty";

    const auto after = round();
    EXPECT_TRUE(after.central_restored);
    EXPECT_EQ(after.reoffered, 20u) << "the twenty payments the backup lacked, offered again";
    EXPECT_EQ(after.rejected, 0u);
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 30);
    EXPECT_EQ(count("SELECT count(DISTINCT entitlement_id) FROM payment"), 30) << "none doubled";
    EXPECT_EQ(laptop_entries_at_central(), static_cast<int>(entries)) << "each entry exactly once";
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE kind = 'DOUBLE_PAYMENT'"), 0);
    EXPECT_EQ(laptop->status().pending, 0u);
    EXPECT_EQ(*edge.db.query_value<int>("SELECT count(*) FROM payment"), 30)
        << "no repair deleted the device's own rows";
    EXPECT_EQ(dump(edge.db, "payment"), dump(central->db(), "payment"));

    // The chain goes on.
    pay_next(1);
    const auto next = round();
    EXPECT_EQ(next.accepted, 1u);
    EXPECT_FALSE(next.central_restored);
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 31);
    // Another laptop of the community, new after the restore, reads all of it.
    auto laptop2 = another_device();
    pull_all(*laptop2);
    EXPECT_EQ(dump(laptop2->db, "payment"), dump(central->db(), "payment"));
}

// A restore while the device still had entries waiting: they wait behind
// the ones central lost, which go first.
TEST_F(RecoveryTest, PendingEntriesAfterARestoreFollowTheOnesOfferedAgain) {
    pay_next(3);
    round();
    store::backup_to(central->db(), cdir / "backup.db");
    pay_next(3);
    round();
    pay_next(2);  // not yet pushed when central goes down
    restore_central_from(cdir / "backup.db");
    const auto after = round();
    // The first push meets the gap (the two waiting entries, refused for
    // now); the lost ones go, then the two.
    EXPECT_EQ(after.rejected, 2u);
    for (const auto& r : after.rejections)
        EXPECT_TRUE(r.transient) << r.code << " " << r.message;
    EXPECT_TRUE(after.central_restored);
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 8);
    EXPECT_EQ(laptop->status().pending, 0u);
    EXPECT_EQ(laptop_entries_at_central(), static_cast<int>(laptop->status().entries));
}

// Before: after one refused entry every later one was refused as a gap.
TEST_F(RecoveryTest, AnEntryRefusedForGoodIsQuarantinedAndTheChainGoesOn) {
    pay_next(1);
    round();
    // Central records the payer in the household of the next beneficiary...
    auto e = edge.db.prepare(
        "SELECT r.household_id FROM entitlement e JOIN resident r ON r.id = e.beneficiary_id "
        "WHERE e.id NOT IN (SELECT entitlement_id FROM payment) ORDER BY e.id LIMIT 1");
    ASSERT_TRUE(e.step());
    const std::string household = e.column<std::string>(0);
    e.reset();
    ASSERT_TRUE(central->set_staff_household(payer, household, *admin, central_key,
                                             central_clock.now_ms()));
    // ...while the laptop, offline, pays that beneficiary: refused for good.
    pay_next(1);
    const auto first = round();
    EXPECT_EQ(first.quarantined, 1u);
    EXPECT_EQ(first.rejected, 0u);
    ASSERT_EQ(laptop->quarantined().size(), 1u);
    const auto held = laptop->quarantined().front();
    EXPECT_EQ(held.code, "gridsync.central:11");
    EXPECT_EQ(laptop->status().quarantined, 1u);
    EXPECT_EQ(laptop->status().pending, 0u);
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE kind = 'QUARANTINED' AND state = "
                    "'open'"),
              1);
    central::Ingest ingest(*central, central_clock, keys.signing);
    central::QuarantineDesk desk(*central, *central, ingest, keys.signing.public_key());
    ASSERT_EQ(desk.list().size(), 1u);
    EXPECT_TRUE(desk.decision_verifies(desk.list().front())) << "a signed decision";
    auto forged = desk.list().front();
    forged.code = "gridsync.central:4";
    EXPECT_FALSE(desk.decision_verifies(forged));

    // The device's next entry goes in: it is not blocked. (The laptop now
    // knows the household link and would refuse that payment itself.)
    ASSERT_TRUE(laptop->record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(edge.db, st, edge.signer(verifier), {community, "out", std::nullopt});
    }));
    const auto second = round();
    EXPECT_EQ(second.accepted, 1u);
    EXPECT_EQ(second.rejected, 0u);
    EXPECT_EQ(count("SELECT count(*) FROM shift_check WHERE kind = 'out'"), 1);

    // Released before the cause is fixed: refused again, still there.
    auto early = desk.release(laptop->device_id(), held.seq, *admin, "看一下 / a look",
                              central_clock.now_ms());
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.code(), central::Errc::rule_failed);
    EXPECT_FALSE(desk.release(laptop->device_id(), held.seq, *admin, "", central_clock.now_ms()));
    EXPECT_EQ(desk.list().size(), 1u);
    // The household link was wrong: corrected, then released and applied.
    ASSERT_TRUE(central->set_staff_household(payer, std::nullopt, *admin, central_key,
                                             central_clock.now_ms()));
    auto released = desk.release(laptop->device_id(), held.seq, *admin,
                                 "户籍登记有误,已更正 / the household was recorded wrongly",
                                 central_clock.now_ms());
    ASSERT_TRUE(released.ok()) << released.failure().message;
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 2);
    EXPECT_TRUE(desk.list().empty());
    EXPECT_EQ(desk.list(true).size(), 1u);
    EXPECT_EQ(count("SELECT count(*) FROM admin_action WHERE action = 'entry.release'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE kind = 'QUARANTINED' AND state = "
                    "'open'"),
              0);
    EXPECT_FALSE(
        desk.release(laptop->device_id(), held.seq, *admin, "again", central_clock.now_ms()))
        << "once";
    // Every device converges on central's rows, the released payment with them.
    round();
    round();
    EXPECT_EQ(dump(edge.db, "payment"), dump(central->db(), "payment"));
    auto laptop2 = another_device();
    pull_all(*laptop2);
    EXPECT_EQ(dump(laptop2->db, "payment"), dump(central->db(), "payment"));
}

// Before: the same signed pull request could be sent again and was answered.
TEST_F(RecoveryTest, AReplayedPullRequestIsRefusedAndTheNextRoundIsNot) {
    pay_next(1);
    round();
    const central::HttpCall captured = transport->last_call;
    ASSERT_EQ(captured.path, "/v1/pull");
    const auto again = router->handle(captured);
    EXPECT_EQ(again.status, 409);
    const std::string body(as_chars(again.body));
    EXPECT_NE(body.find("gridsync.central:27"), std::string::npos) << body;
    EXPECT_NE(body.find("\"retry\":true"), std::string::npos) << body;
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'pull' AND outcome = 'refused'"), 1);
    // The device's next request has the next number.
    EXPECT_EQ(round().rejected, 0u);
}

// A refusal on the wire says whether trying again can help.
TEST_F(RecoveryTest, RefusalsCarryTheirTransientBit) {
    using sync::may_be_transient;
    EXPECT_TRUE(may_be_transient(central::Errc::missing_parent));
    EXPECT_TRUE(may_be_transient(central::Errc::sequence_gap));
    EXPECT_TRUE(may_be_transient(central::Errc::busy));
    EXPECT_TRUE(may_be_transient(sync::Errc::transport_failed));
    EXPECT_FALSE(may_be_transient(central::Errc::out_of_scope));
    EXPECT_FALSE(may_be_transient(central::Errc::revoked));
    EXPECT_FALSE(may_be_transient(central::Errc::forged_stamp));
    // An unknown device is told so before anything is read, permanently.
    central::HttpCall call{"POST", "/v1/push", "no-such-device", Bytes(10, 1)};
    const auto a = router->handle(call);
    EXPECT_EQ(a.status, 401);
    EXPECT_NE(std::string(as_chars(a.body)).find("\"retry\":false"), std::string::npos);
    const auto refusal = sync::refusal_from_answer(a.status, a.body);
    EXPECT_EQ(refusal.code, sync::Errc::remote_refused);
    const web::HttpAnswer busy{
        503, "application/json", to_bytes(R"({"code":"gridsync.central:26","retry":true})"), {}};
    EXPECT_EQ(sync::refusal_from_answer(busy.status, busy.body).code, sync::Errc::central_busy);
}

// A disk that fails while central stores a push: the device hears 503,
// gridsync.central:29 with "retry": true, keeps its entries, and its next
// round (the disk mended) delivers them all. The step-by-step sweep of the
// same path is tests/central/apply_fault_test.cpp.
TEST_F(RecoveryTest, AFailingDiskAtCentralIsARetryableRefusalAndLosesNothing) {
    router.reset();
    central.reset();
    test::FaultyVfs disk("central.db");
    central =
        std::make_unique<central::CentralStore>(central::CentralStore::open(cdir / "central.db"));
    router = std::make_unique<central::Router>(*central, central->parts(), keys, central_clock);
    transport->set_router(*router);
    pay_next(3);
    const auto before = laptop_entries_at_central();
    disk.fail_at(0);
    const auto failed = client->round();
    disk.fail_at(-1);
    ASSERT_FALSE(failed.ok());
    EXPECT_TRUE(sync::may_be_transient(failed.failure().code)) << failed.failure().message;
    EXPECT_EQ(transport->last.status, 503);
    const std::string body(as_chars(transport->last.body));
    EXPECT_NE(body.find("gridsync.central:29"), std::string::npos) << body;
    EXPECT_NE(body.find("\"retry\":true"), std::string::npos) << body;
    EXPECT_EQ(body.find("SQL"), std::string::npos) << "SQL reached the device: " << body;
    EXPECT_EQ(laptop_entries_at_central(), before);
    EXPECT_GT(laptop->status().pending, 0u);

    EXPECT_EQ(round().rejected, 0u);
    EXPECT_EQ(laptop->status().pending, 0u);
    EXPECT_EQ(laptop_entries_at_central(), static_cast<int>(laptop->status().entries));
    router.reset();
    central.reset();  // closed while the faulty disk is still registered
}

// A restore is itself a leaf of central's log (an epoch leaf), so the
// auditor tells the history a restore lost from one rewritten in silence:
// entries made before the restore and offered again after it are anchored
// to checkpoints of the lost history, and so are the laptop's checkpoints
// from before it. Both are reported, not failed; without the restore's leaf
// the same anchors are a changed history.
TEST_F(RestoreAuditTest, TheAuditorTellsARestoreFromARewrittenHistory) {
    pay_next(3);
    round();
    store::backup_to(central->db(), cdir / "backup.db");
    pay_next(3);
    round();      // the laptop verifies a checkpoint the backup lacks
    pay_next(2);  // anchored to it, not yet pushed
    restore_central_from(cdir / "backup.db");
    // Central logs something of its own before the laptop is back, so the
    // history after the restore is not the lost one leaf for leaf.
    (void)central->create_token(*admin, {payer, "grid_device", community, "", 3600000},
                                central_clock.now_ms());
    for (int i = 0; i < 4 && laptop->status().pending > 0; ++i)
        round();
    round();  // and a pull after the last push: every entry proved
    ASSERT_EQ(laptop->status().pending, 0u);
    ASSERT_EQ(count("SELECT count(*) FROM payment"), 8);

    const central::LogSigner signer{central::kLogOrigin, keys.log};
    auto log = central->merkle_log();
    log.checkpoint(signer, central_clock.now_ms(), true);
    const fs::path dir = cdir / "export";
    ASSERT_TRUE(central::export_log(log, signer.verifier(), dir));
    fs::create_directories(cdir / "field");
    int n = 0;
    for (const auto& note : sync::verified_notes(edge.db))
        std::ofstream(cdir / "field" / ("cp-" + std::to_string(++n))) << note;
    const tools::AuditInput in{dir, signer.verifier(), central_key.public_key(), {cdir / "field"}};
    const auto report = tools::audit_export(in);
    EXPECT_TRUE(report.passed()) << report.text();
    EXPECT_GE(report.anchors_lost_in_restore, 2u) << report.text();
    EXPECT_GE(report.lost_in_restore, 1u)
        << "the laptop's checkpoint from before: " << report.text();
    EXPECT_NE(report.text().find("restored from a backup"), std::string::npos) << report.text();
    EXPECT_EQ(report.payments, 8u) << report.text();

    // The same export with the restore's leaf taken out (central hiding that
    // it restored): its anchors are a changed history, and its roots fail.
    central::ExportLeafReader r(dir / "leaves", 1u << 30);
    std::vector<Bytes> leaves;
    while (auto l = r.next()) {
        auto d = sync::decode_log_leaf(*l);
        if (!(d && std::holds_alternative<sync::EpochLeaf>(*d)))
            leaves.push_back(std::move(*l));
    }
    {
        std::ofstream o(dir / "leaves", std::ios::binary | std::ios::trunc);
        for (const auto& b : leaves)
            central::write_export_leaf(o, b);
    }
    const auto hidden = tools::audit_export(in);
    EXPECT_FALSE(hidden.passed());
    EXPECT_EQ(hidden.anchors_lost_in_restore, 0u);
    EXPECT_GE(hidden.anchors_broken, 2u) << hidden.text();
}
