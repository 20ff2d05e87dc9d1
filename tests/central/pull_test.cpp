// Pull, edges and central together in one process: scoped, signed by
// central, applied as a rebase that keeps unpushed local work.
#include "central_fixture.hpp"
#include "gridsync/central/readers.hpp"
#include "gridsync/domain/residents.hpp"

using namespace gridsync;
using namespace gridsync::domain;
using test::dump;

namespace {

class PullTest : public test::EdgeAndCentral {};

}  // namespace

TEST_F(PullTest, TwoLaptopsConvergeAndUnpushedWorkSurvivesAPull) {
    auto laptop2 = another_device();
    auto& [db2, key2, device2, outbox2_ptr] = *laptop2;
    auto& outbox2 = *outbox2_ptr;

    // Laptop A pays and pushes; laptop B checks someone in, offline.
    pay_first(edge.db, *edge.outbox);
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    const std::string worker = edge.staff_where("community_worker", community, 1).id;
    ASSERT_TRUE(outbox2.record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(db2, st, edge.signer(worker), {community, "in", std::nullopt});
    }));
    const std::string local_check = *db2.query_value<std::string>("SELECT id FROM shift_check");

    // B pulls: A's day arrives, B's unpushed check-in is still there and still pending.
    auto p = pull(db2, outbox2, key2);
    ASSERT_TRUE(p.ok()) << p.failure().message;
    EXPECT_GT(p->snapshot_rows, 0u) << "a new device starts from a snapshot";
    EXPECT_EQ(dump(edge.db, "payment"), dump(db2, "payment"));
    EXPECT_TRUE(db2.query_value<int>("SELECT 1 FROM shift_check WHERE id = ?1", local_check));
    EXPECT_TRUE(sync::row_pending(db2, "shift_check", local_check));

    // B pushes, A pulls: everyone holds the same rows, compared row by row.
    for (const auto& a : push(outbox2).acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    ASSERT_TRUE(pull(edge.db, *edge.outbox, edge.device_key).ok());
    ASSERT_TRUE(pull(db2, outbox2, key2).ok());
    for (const char* table : {"shift_check", "payment", "disbursement_session", "entitlement"}) {
        EXPECT_EQ(dump(edge.db, table), dump(central->db(), table)) << table;
        EXPECT_EQ(dump(db2, table), dump(central->db(), table)) << table;
    }
    // A second pull brings nothing new and moves nowhere.
    auto again = pull(db2, outbox2, key2);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->entries, 0u);
}

TEST_F(PullTest, AGridDeviceReceivesItsGridAndNothingElse) {
    auto grid_db = store::Database::open(cdir / "laptop2.db");
    const auto grids = this->grids();
    ASSERT_GE(grids.size(), 2u);
    const std::string mine =
        certificate_in(grids[0], "QR-MINE", {&edge.db, &central->db(), &grid_db});
    const std::string theirs =
        certificate_in(grids[1], "QR-THEIRS", {&edge.db, &central->db(), &grid_db});
    const std::string clerk = edge.staff_where("community_worker", community, 0).id;
    for (const auto& [cert, grid] : {std::pair{mine, grids[0]}, std::pair{theirs, grids[1]}}) {
        ASSERT_TRUE(edge.outbox->record_as<std::string>([&](const Stamp& st) {
            return hand_over(edge.db, st, cert, edge.signer(clerk), edge.signer(leader_of(grid)));
        }));
    }
    pay_first(edge.db, *edge.outbox);
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;

    const auto key = crypto::SigningKey::generate();
    const auto grid_device = enroll(key.public_key(), "grid_device", community, grids[0]);
    sync::Outbox outbox(grid_db, grid_device.id, key, edge.clock);
    central::PullService service(*central, central_key, central_clock);
    auto response =
        service.serve(sync::make_pull_request(grid_db, grid_device.id, key, edge.clock));
    ASSERT_TRUE(response.ok());
    const auto batch = sync::decode_pull_batch(sync::decode_signed(*response)->body).value();
    std::set<std::string> tables;
    std::set<std::string> ids;
    for (const auto& e : batch.entries) {
        store::ChangesetIterator it(e.changeset);
        while (it.next()) {
            tables.insert(std::string(it.table()));
            ids.insert(std::get<std::string>(it.primary_key()[0]));
        }
    }
    // A new device's first batch is a snapshot of its scope: its grid's
    // certificates and their custody, never a disbursement.
    EXPECT_TRUE(tables.count("certificate") && tables.count("custody_transfer"));
    for (const char* t : {"payment", "entitlement", "disbursement_session", "shift_check"})
        EXPECT_FALSE(tables.count(t)) << t << " reached a grid device";
    EXPECT_TRUE(ids.count(mine));
    EXPECT_FALSE(ids.count(theirs)) << "another grid's certificate reached this device";
    ASSERT_TRUE(
        sync::apply_pull(grid_db, outbox, central_key.public_key(), *response, edge.clock).ok());
    EXPECT_EQ(grid_db.query_value<std::string>("SELECT state FROM certificate WHERE id = ?1", mine),
              "with_grid_leader");
    EXPECT_EQ(
        grid_db.query_value<std::string>("SELECT state FROM certificate WHERE id = ?1", theirs),
        "at_center");
    EXPECT_EQ(grid_db.query_value<int>("SELECT count(*) FROM payment"), 0);
}

TEST_F(PullTest, ABatchNotSignedByTheCentralKeyIsRefusedAndChangesNothing) {
    pay_first(edge.db, *edge.outbox);
    (void)push();
    auto laptop2 = another_device();
    auto& [db2, key2, device2, outbox2_ptr] = *laptop2;
    auto& outbox2 = *outbox2_ptr;
    central::PullService service(*central, central_key, central_clock);
    auto response =
        service.serve(sync::make_pull_request(db2, device2.id, key2, edge.clock)).value();
    Bytes tampered = response;
    tampered[tampered.size() / 2] ^= 0x01;
    EXPECT_FALSE(
        sync::apply_pull(db2, outbox2, central_key.public_key(), tampered, edge.clock).ok());
    const auto impostor = crypto::SigningKey::generate();
    EXPECT_EQ(sync::apply_pull(db2, outbox2, impostor.public_key(), response, edge.clock).code(),
              sync::Errc::bad_signature);
    EXPECT_EQ(sync::pull_cursor(db2), 0u);
    EXPECT_EQ(db2.query_value<int>("SELECT count(*) FROM payment"), 0);
}

TEST_F(PullTest, RevokedOrUnknownDevicesCannotPull) {
    central::PullService service(*central, central_key, central_clock);
    const auto stranger = crypto::SigningKey::generate();
    EXPECT_EQ(
        service.serve(sync::make_pull_request(edge.db, "dev-nobody", stranger, edge.clock)).code(),
        central::Errc::unknown_device);
    // Signed by another key in this device's name.
    EXPECT_EQ(
        service.serve(sync::make_pull_request(edge.db, device.id, stranger, edge.clock)).code(),
        central::Errc::bad_signature);
    ASSERT_TRUE(central->revoke(device.id, *admin, "lost", central_clock.now_ms()).ok());
    EXPECT_EQ(
        service.serve(sync::make_pull_request(edge.db, device.id, edge.device_key, edge.clock))
            .code(),
        central::Errc::revoked);
}

// Two laptops claim the same list offline. Central keeps the first claim and
// records the second as a conflict; what others pull is what central applied,
// so every node ends with central's assignment (and both payments).
TEST_F(PullTest, WhatDevicesPullIsWhatCentralApplied) {
    auto laptop2 = another_device();
    auto& [db2, key2, device2, outbox2_ptr] = *laptop2;
    auto& outbox2 = *outbox2_ptr;
    pay_first(edge.db, *edge.outbox);
    pay_first(db2, outbox2);
    (void)push();
    (void)push(outbox2);
    EXPECT_GE(count("SELECT count(*) FROM conflict"), 1);
    ASSERT_TRUE(pull(edge.db, *edge.outbox, edge.device_key).ok());
    ASSERT_TRUE(pull(db2, outbox2, key2).ok());
    for (const char* table : {"entitlement", "payment", "disbursement_session"}) {
        EXPECT_EQ(dump(edge.db, table), dump(central->db(), table)) << table;
        EXPECT_EQ(dump(db2, table), dump(central->db(), table)) << table;
    }
}

namespace {

struct Drive {
    std::size_t batches = 0, snapshot_rows = 0, clashes = 0;
    bool repaired = false;
    bool saw_snapshot_in_progress = false;
};

// The pull half of SyncClient::round, with a small page so a snapshot takes
// many batches: pull until central has no more; repair once if the scope
// digest disagrees.
Drive pull_until_done(central::CentralStore& central, const crypto::SigningKey& central_key,
                      ManualClock& clock, store::Database& db, sync::Outbox& outbox,
                      const crypto::SigningKey& key, std::uint32_t max_entries) {
    Drive d;
    central::PullService service(central, central_key, clock);
    for (int guard = 0; guard < 10000; ++guard) {
        auto response =
            service.serve(sync::make_pull_request(db, outbox.device_id(), key, clock, max_entries));
        EXPECT_TRUE(response.ok()) << response.failure().message;
        auto outcome =
            sync::apply_pull(db, outbox, central_key.public_key(), response.value(), clock);
        EXPECT_TRUE(outcome.ok()) << outcome.failure().message;
        ++d.batches;
        d.snapshot_rows += outcome->snapshot_rows;
        d.clashes += outcome->clashes;
        d.saw_snapshot_in_progress |= outcome->snapshot;
        if (outcome->diverged) {
            EXPECT_FALSE(d.repaired) << "still diverged after a re-download";
            if (d.repaired)
                break;
            sync::begin_repair(db, outbox, clock.now_ms());
            d.repaired = true;
            continue;
        }
        if (!outcome->more)
            break;
    }
    return d;
}

}  // namespace

TEST_F(PullTest, ANewDeviceReadsASnapshotInPagesAndEndsWithItsScopeExactly) {
    pay_first(edge.db, *edge.outbox);
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    auto db = store::Database::open(cdir / "new-laptop.db");
    sync::open_node_schema(db);
    const auto key = crypto::SigningKey::generate();
    const auto dev = enroll(key.public_key(), "community_laptop", community, "");
    sync::Outbox outbox(db, dev.id, key, edge.clock);

    const Drive d = pull_until_done(*central, central_key, central_clock, db, outbox, key, 1);
    EXPECT_TRUE(d.saw_snapshot_in_progress) << "20-row pages: the snapshot takes several batches";
    EXPECT_GE(d.batches, 4u);
    EXPECT_FALSE(d.repaired) << "a fresh snapshot matches central's digest";
    EXPECT_EQ(d.clashes, 0u);
    // Its community, and nothing of the others.
    EXPECT_EQ(dump(db, "payment"), dump(central->db(), "payment"));
    const auto residents_here = central->db().query_value<int>(
        "SELECT count(*) FROM resident r JOIN household h ON h.id = r.household_id JOIN grid g ON "
        "g.id = h.grid_id WHERE g.community_id = ?1",
        community);
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM resident"), residents_here);
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM community"), 1);
    EXPECT_EQ(sync::pull_cursor(db),
              static_cast<std::uint64_t>(*central->db().query_value<std::int64_t>(
                  "SELECT max(position) FROM accepted_entry")));
}

// A restored backup or a bug leaves the laptop holding something central
// does not: the digest at the end of a pull shows it, the scope is
// downloaded again, and the write it has not pushed yet survives.
TEST_F(PullTest, ADriftedDeviceIsRepairedAndKeepsItsUnpushedWrite) {
    pay_first(edge.db, *edge.outbox);
    (void)push();
    auto db = store::Database::open(cdir / "new-laptop.db");
    sync::open_node_schema(db);
    const auto key = crypto::SigningKey::generate();
    const auto dev = enroll(key.public_key(), "community_laptop", community, "");
    edge.register_keys_for(dev.id, {&central->db()});  // arrives with the snapshot
    sync::Outbox outbox(db, dev.id, key, edge.clock);
    ASSERT_FALSE(
        pull_until_done(*central, central_key, central_clock, db, outbox, key, 50).repaired);

    const std::string resident = *db.query_value<std::string>("SELECT id FROM resident LIMIT 1");
    const std::string name =
        *db.query_value<std::string>("SELECT name FROM resident WHERE id = ?1", resident);
    db.execute("UPDATE resident SET name = '被改动' WHERE id = ?1", resident);
    db.execute(
        "UPDATE aid_program SET name = 'x' WHERE rowid = (SELECT min(rowid) FROM aid_program)");
    const std::string worker = edge.staff_where("community_worker", community, 1).id;
    ASSERT_TRUE(outbox.record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(db, st, edge.signer(worker), {community, "in", std::nullopt});
    }));
    const std::string local = *db.query_value<std::string>(
        "SELECT row_id FROM outbox_row WHERE table_name = 'shift_check'");

    const Drive d = pull_until_done(*central, central_key, central_clock, db, outbox, key, 50);
    EXPECT_TRUE(d.repaired);
    EXPECT_EQ(db.query_value<std::string>("SELECT name FROM resident WHERE id = ?1", resident),
              name);
    EXPECT_EQ(dump(db, "aid_program"), dump(central->db(), "aid_program"));
    EXPECT_TRUE(db.query_value<int>("SELECT 1 FROM shift_check WHERE id = ?1", local))
        << "the unpushed check-in was lost by the repair";
    EXPECT_TRUE(sync::row_pending(db, "shift_check", local));
    EXPECT_FALSE(sync::repair_in_progress(db));
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM local_clash WHERE kind = 'SCOPE_DIGEST'"),
              1);
    EXPECT_EQ(outbox.status().pending, 1u);
}

// A household moves to another grid at central: its old grid leader's device
// may no longer hold it, and at its next contact it does not.
TEST_F(PullTest, WhenAGridsScopeShrinksTheDevicePurgesWhatLeftIt) {
    const std::string grid = edge.seed.residents.front().grid_id;
    const std::string other = *central->db().query_value<std::string>(
        "SELECT id FROM grid WHERE community_id = (SELECT community_id FROM grid WHERE id = ?1) "
        "AND id <> ?1 LIMIT 1",
        grid);
    auto db = store::Database::open(cdir / "grid-device.db");
    sync::open_node_schema(db);
    const auto key = crypto::SigningKey::generate();
    const auto dev =
        enroll(key.public_key(), "grid_device", edge.seed.residents.front().community_id, grid);
    sync::Outbox outbox(db, dev.id, key, edge.clock);
    ASSERT_FALSE(
        pull_until_done(*central, central_key, central_clock, db, outbox, key, 50).repaired);
    const std::string household = *db.query_value<std::string>(
        "SELECT household_id FROM resident WHERE id = ?1", edge.seed.residents.front().id);
    const int residents_before = *db.query_value<int>("SELECT count(*) FROM resident");
    const int moving =
        *db.query_value<int>("SELECT count(*) FROM resident WHERE household_id = ?1", household);
    ASSERT_GT(moving, 0);

    central->record_central(central_key, central_clock.now_ms(),
                            [&](store::Database& c, const Stamp& stamp) {
                                c.execute(
                                    "UPDATE household SET grid_id = ?1, origin_device = 'central', "
                                    "hlc = ?2 WHERE id = ?3",
                                    other, stamp.hlc.packed, household);
                            });
    const Drive d = pull_until_done(*central, central_key, central_clock, db, outbox, key, 50);
    EXPECT_TRUE(d.repaired);
    EXPECT_LT(d.batches, 10u);
    EXPECT_FALSE(db.query_value<int>("SELECT 1 FROM household WHERE id = ?1", household));
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM resident"), residents_before - moving);
}

// Two laptops assign the same entitlement to their own session offline;
// central keeps the first and records the second as a conflict. An admin
// settles it for the second device, with a reason and their signature; the
// decision reaches both laptops through the log, and cannot be made twice.
TEST_F(PullTest, AnAdminSettlesAConflictAndTheDecisionReachesTheDevices) {
    auto laptop2 = another_device();
    auto& [db2, key2, device2, outbox2_ptr] = *laptop2;
    auto& outbox2 = *outbox2_ptr;
    const std::string entitlement = pay_first(edge.db, *edge.outbox);
    (void)pay_first(db2, outbox2);
    (void)push();
    (void)push(outbox2);
    const auto conflict = central->db().query_value<std::string>(
        "SELECT id FROM conflict WHERE kind = 'DATA' AND table_name = 'entitlement' AND device_id "
        "= ?1 AND row_key = ?2",
        device2.id, "'" + entitlement + "'");
    ASSERT_TRUE(conflict) << "the second assignment is a conflict";
    const auto theirs = db2.query_value<std::string>(
        "SELECT session_id FROM entitlement WHERE id = ?1", entitlement);
    ASSERT_NE(central->db().query_value<std::string>(
                  "SELECT session_id FROM entitlement WHERE id = ?1", entitlement),
              theirs);

    const auto now = central_clock.now_ms();
    EXPECT_EQ(central
                  ->resolve_conflict(*conflict, {central::Resolution::take_incoming, ""}, *admin2,
                                     central_key, now)
                  .code(),
              central::Errc::not_authorized)
        << "a reason is required";
    ASSERT_TRUE(central
                    ->resolve_conflict(*conflict,
                                       {central::Resolution::take_incoming,
                                        "第二台笔记本的场次是当天实际发放的场次"},
                                       *admin2, central_key, now)
                    .ok());
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT session_id FROM entitlement WHERE id = ?1", entitlement),
              theirs);
    EXPECT_EQ(central
                  ->resolve_conflict(*conflict, {central::Resolution::keep_central, "again"},
                                     *admin, central_key, now)
                  .code(),
              central::Errc::conflict_not_open)
        << "resolved twice";
    EXPECT_EQ(count("SELECT count(*) FROM admin_action WHERE action = 'conflict.resolve'"), 1);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT resolved_by || ' ' || resolution FROM conflict WHERE id = ?1", *conflict),
              "admin2 take_incoming");

    // Through the normal pull, both laptops hold the decision.
    ASSERT_TRUE(pull(edge.db, *edge.outbox, edge.device_key).ok());
    for (int i = 0; i < 3 && pull(db2, outbox2, key2).value().more; ++i) {
    }
    for (auto* db : {&edge.db, &db2}) {
        EXPECT_EQ(db->query_value<std::string>("SELECT session_id FROM entitlement WHERE id = ?1",
                                               entitlement),
                  theirs);
    }
}

namespace {

// Another backend behind the seam: forwards to the SQLite one and keeps
// count. Ingest and PullService only see the interface.
class ForwardingBackend final : public central::CentralBackend {
  public:
    explicit ForwardingBackend(central::CentralStore& inner) : inner_(inner) {}
    std::optional<central::Device> device(const std::string& id) override {
        return inner_.device(id);
    }
    std::map<std::string, bool> device_standings() override { return inner_.device_standings(); }
    std::optional<sync::Hash32> accepted_hash(const std::string& id, std::uint64_t seq) override {
        return inner_.accepted_hash(id, seq);
    }
    central::ApplyResult apply(const central::DecodedEntry& e, EpochMs now) override {
        ++applied;
        return inner_.apply(e, now);
    }
    std::vector<central::LoggedEntry> entries_after(std::uint64_t c, std::uint32_t n,
                                                    const std::string& community) override {
        ++served;
        return inner_.entries_after(c, n, community);
    }
    std::uint64_t head() override { return inner_.head(); }
    std::int64_t max_hlc() override { return inner_.max_hlc(); }
    void park(const central::ParkedEntry& e, EpochMs now) override { inner_.park(e, now); }
    void in_one_transaction(const std::function<void()>& work) override {
        inner_.in_one_transaction(work);
    }
    std::vector<central::ParkedEntry> parked() override { return inner_.parked(); }
    void quarantine(const central::QuarantinedEntry& e) override { inner_.quarantine(e); }
    std::optional<central::QuarantinedEntry> quarantined(const std::string& id,
                                                         std::uint64_t seq) override {
        return inner_.quarantined(id, seq);
    }
    std::vector<central::QuarantinedEntry> quarantined_entries(bool all) override {
        return inner_.quarantined_entries(all);
    }
    sync::CentralEpoch epoch_for(const central::Device& d) override { return inner_.epoch_for(d); }
    bool note_pull_request(const std::string& id, std::uint64_t n, std::uint16_t v) override {
        return inner_.note_pull_request(id, n, v);
    }
    store::Database& read_view() override { return inner_.read_view(); }
    central::MerkleLog merkle_log() override { return inner_.merkle_log(); }
    std::optional<std::uint64_t> log_index_of(const std::string& id, std::uint64_t seq) override {
        return inner_.log_index_of(id, seq);
    }
    void note_device_clock(const std::string& id, std::int64_t skew, EpochMs now) override {
        inner_.note_device_clock(id, skew, now);
    }
    void audit(EpochMs now, const std::string& a, const std::string& b, const std::string& c,
               const std::string& d, const std::string& e) override {
        inner_.audit(now, a, b, c, d, e);
    }
    int applied = 0, served = 0;

  private:
    central::CentralStore& inner_;
};

}  // namespace

TEST_F(PullTest, PushAndPullRunAgainstAnyBackendBehindTheSeam) {
    ForwardingBackend backend(*central);
    pay_first(edge.db, *edge.outbox);
    central::Ingest ingest(backend, central_clock, central_key);
    const auto acks = ingest.push(edge.outbox->pending_batch(1000));
    for (const auto& a : acks.acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    EXPECT_EQ(backend.applied, static_cast<int>(acks.acks.size()));
    edge.outbox->acknowledge(acks);
    central::PullService service(backend, central_key, central_clock);
    auto response = service.serve(
        sync::make_pull_request(edge.db, edge.outbox->device_id(), edge.device_key, edge.clock));
    ASSERT_TRUE(response.ok());
    ASSERT_TRUE(
        sync::apply_pull(edge.db, *edge.outbox, central_key.public_key(), *response, edge.clock)
            .ok());
    EXPECT_EQ(dump(edge.db, "payment"), dump(central->db(), "payment"));
}

TEST_F(PullTest, APullReadsOnlyTheLogEntriesOfTheDevicesCommunity) {
    pay_first(edge.db, *edge.outbox);
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted);
    const auto other = *central->db().query_value<std::string>(
        "SELECT id FROM community WHERE id <> ?1 LIMIT 1", community);
    const auto mine = central->entries_after(0, 1000, community);
    const auto theirs = central->entries_after(0, 1000, other);
    std::set<std::string> from_mine, from_theirs;
    for (const auto& e : mine)
        from_mine.insert(e.device_id);
    for (const auto& e : theirs)
        from_theirs.insert(e.device_id);
    EXPECT_TRUE(from_mine.count(device.id)) << "the laptop's own community reads its entries";
    EXPECT_FALSE(from_theirs.count(device.id)) << "another community's pull skips them";
    EXPECT_GT(central->entries_after(0, 1000).size(), theirs.size())
        << "without a community, every entry";

    // A laptop of the other community catches up and lands at the head.
    auto laptop = another_device();
    laptop->device = enroll(laptop->key.public_key(), "community_laptop", other, "");
    laptop->outbox =
        std::make_unique<sync::Outbox>(laptop->db, laptop->device.id, laptop->key, edge.clock);
    pull_all(*laptop);
    EXPECT_EQ(sync::pull_cursor(laptop->db), central->head());
}

// One byte of a stored outbox entry flipped (a disk fault): the entry and
// everything after it are neither pushed nor replayed by the pull's rebase,
// which leaves this device's own rows as they were and central's arriving.
TEST_F(PullTest, ADamagedOutboxEntryIsNeitherPushedNorReplayed) {
    pay_first(edge.db, *edge.outbox);  // check-ins, the session, the payment: 4 entries
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    // Two corrections offline; the first one's bytes are damaged on disk.
    const std::string resident = edge.seed.residents.at(0).id;
    for (const char* phone : {"13800000001", "13800000002"}) {
        (void)edge.must<int>([&](const Stamp& st) -> Result<int> {
            if (auto s = edit_resident(edge.db, st, resident, {std::nullopt, phone}); !s)
                return s.failure();
            return 0;
        });
    }
    const auto damaged =
        *edge.db.query_value<std::int64_t>("SELECT min(seq) FROM outbox WHERE acked = 0");
    Bytes bytes =
        *edge.db.query_value<Bytes>("SELECT envelope FROM outbox WHERE seq = ?1", damaged);
    bytes[bytes.size() - 3] ^= 0x01;
    edge.db.execute("UPDATE outbox SET envelope = ?1 WHERE seq = ?2", bytes, damaged);
    const auto pending = edge.outbox->pending();
    EXPECT_TRUE(pending.entries.empty());
    ASSERT_TRUE(pending.broken.has_value());
    EXPECT_EQ(pending.broken->first_broken_seq, static_cast<std::uint64_t>(damaged));
    EXPECT_TRUE(edge.outbox->pending_batch(100).entries.empty()) << "nothing past the break";
    EXPECT_FALSE(
        sync::verify_chain(edge.db, edge.outbox->device_id(), edge.device_key.public_key()).ok);

    // Meanwhile another laptop checks someone in; this device pulls it.
    auto laptop2 = another_device();
    pull_all(*laptop2);
    const std::string worker = edge.staff_where("community_worker", community, 1).id;
    ASSERT_TRUE(laptop2->outbox->record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(laptop2->db, st, edge.signer(worker), {community, "in", std::nullopt});
    }));
    for (const auto& a : push(*laptop2->outbox).acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    const std::string before = dump(edge.db, "resident");
    pull_all(edge.db, *edge.outbox, edge.device_key);
    EXPECT_TRUE(dump(edge.db, "resident") == before) << "the damaged bytes changed no local row";
    EXPECT_TRUE(dump(edge.db, "shift_check") == dump(central->db(), "shift_check"))
        << "central's changes still arrive";
    EXPECT_FALSE(edge.db.query_value<std::string>("SELECT * FROM pragma_foreign_key_check"));
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry WHERE device_id = '" +
                    edge.outbox->device_id() + "'"),
              4)
        << "central never saw the damaged entry";
}

// `serve` keeps one Outbox for hours while the command line writes to the
// same node from another process: a pull in the long-lived one must never
// write the node's HLC back, or its next entry would order before the
// command line's (and central refuses an entry that goes back: :24).
TEST_F(PullTest, APullInOneProcessNeverTakesTheNodesHlcBack) {
    auto cli_db = store::Database::open(edge.dir / "node.db");
    ManualClock ahead{edge.clock.now_ms() + 120000};  // its clock two minutes on
    sync::Outbox cli(cli_db, edge.outbox->device_id(), edge.device_key, ahead);
    const std::string resident = edge.seed.residents.at(0).id;
    ASSERT_TRUE(cli.record_as<int>([&](const Stamp& st) -> Result<int> {
        if (auto s = edit_resident(cli_db, st, resident, {std::nullopt, "13800000011"}); !s)
            return s.failure();
        return 0;
    }));
    const auto cli_hlc = cli.last_hlc().packed;
    pull_all(edge.db, *edge.outbox, edge.device_key);  // the long-lived one, behind
    EXPECT_GE(*edge.db.query_value<std::int64_t>("SELECT value FROM node_state WHERE key = 'hlc'"),
              cli_hlc);
    (void)edge.must<int>([&](const Stamp& st) -> Result<int> {
        EXPECT_GT(st.hlc.packed, cli_hlc);
        if (auto s = edit_resident(edge.db, st, resident, {std::nullopt, "13800000012"}); !s)
            return s.failure();
        return 0;
    });
    for (const auto& a : push().acks)
        EXPECT_EQ(a.status, sync::AckStatus::accepted) << a.code << " " << a.message;
}

// A pull takes the writer once, for its few writes, and reads everything
// it answers with apart from it (the router reads on a pool of readers);
// a replayed request is refused in the write step, before any batch is read.
TEST_F(PullTest, APullTakesTheWriterOnceAndReadsApartFromIt) {
    pay_first(edge.db, *edge.outbox);
    accepted(push());
    int writes = 0, reads = 0;
    central::PullService service(*central, central_key, central_clock, &central_key);
    service.set_access({[&](const central::PullAccess::Work& work) {
                            ++writes;
                            central->in_one_transaction([&] { work(*central); });
                        },
                        [&](const central::PullAccess::Work& work) {
                            ++reads;
                            work(*central);
                        }});
    auto laptop2 = another_device();
    auto& [db2, key2, device2, outbox2] = *laptop2;
    const Bytes request = sync::make_pull_request(db2, outbox2->device_id(), key2, edge.clock);
    auto answer = service.serve(request);
    ASSERT_TRUE(answer.ok()) << answer.failure().message;
    EXPECT_EQ(writes, 1);
    EXPECT_EQ(reads, 2) << "the signer's key, then the batch on one state";
    ASSERT_TRUE(sync::apply_pull(db2, *outbox2, central_key.public_key(), *answer, edge.clock));
    EXPECT_EQ(dump(edge.db, "payment"), dump(db2, "payment"));
    writes = reads = 0;
    auto replayed = service.serve(request);
    ASSERT_FALSE(replayed.ok());
    EXPECT_EQ(replayed.failure().code, make_error_code(central::Errc::replayed_request));
    EXPECT_EQ(writes, 1);
    EXPECT_EQ(reads, 1) << "no batch is read for a refused request";
}

// A reader sees the database as last committed, and does not wait for a
// writer that holds a transaction open.
TEST_F(PullTest, AReaderAnswersWhileTheWriterHoldsATransactionOpen) {
    central::ReaderPool readers(*central, 2);
    const auto audits = [&] {
        std::int64_t n = -1;
        EXPECT_TRUE(readers.read([&](central::CentralBackend& b) {
            n = *b.read_view().query_value<std::int64_t>("SELECT count(*) FROM audit");
        }));
        return n;
    };
    const auto before = audits();
    {
        store::Transaction tx(central->db());
        central->audit(central_clock.now_ms(), "test", "test.write", "", "ok", "");
        EXPECT_EQ(audits(), before) << "the open transaction is not seen";
        // Two readers at once, from two threads, while it stays open.
        std::int64_t other = -1;
        std::thread t([&] { other = audits(); });
        t.join();
        EXPECT_EQ(other, before);
        tx.commit();
    }
    EXPECT_EQ(audits(), before + 1);
    // A reader refuses to write: it is read-only.
    EXPECT_THROW(readers.read([&](central::CentralBackend& b) {
        b.audit(central_clock.now_ms(), "test", "test.write", "", "ok", "");
    }),
                 store::StoreError);
    EXPECT_EQ(audits(), before + 1);
}
