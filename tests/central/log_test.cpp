// Central's verifiable log against the attacks of docs/AUDIT.md: each is
// carried out on a real central database (its append-only triggers dropped,
// as an operator with the file could) or on a real export, and must be
// detected by a device or by gridsync-audit, naming the evidence.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "central_fixture.hpp"
#include "gridsync/central/log_export.hpp"
#include "gridsync/central/views.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "gridsync/domain/staff_keys.hpp"
#include "gridsync/sync/log_check.hpp"
#include "gridsync/tools/audit.hpp"

namespace gridsync::test {
namespace {

class LogTest : public EdgeAndCentral {
  protected:
    central::LogSigner signer{central::kLogOrigin, central_key};

    // Pays, pushes and pulls: the device has verified a checkpoint and the
    // inclusion of everything it pushed.
    void sync_some() {
        pay_first(edge.db, *edge.outbox);
        accepted(push());
        pull_all(edge.db, *edge.outbox, edge.device_key);
    }
    Result<sync::PullOutcome> pull_once() { return pull(edge.db, *edge.outbox, edge.device_key); }
    int unproven() {
        return *edge.db.query_value<int>(
            "SELECT count(*) FROM outbox WHERE acked = 1 AND log_proven = 0");
    }
    std::vector<sync::LogAlarm> alarms() { return sync::log_alarms(edge.db, true); }
    // What an operator with the database file can do.
    void drop_guards() {
        for (const char* t : {"log_leaf", "log_hash", "log_checkpoint"}) {
            central->db().exec(std::string("DROP TRIGGER ") + t + "_no_update");
            central->db().exec(std::string("DROP TRIGGER ") + t + "_no_delete");
        }
    }
    // Rebuilds the whole tree over the leaves as they are now (after the
    // attacker's edits) and signs it: what a central hiding an edit does.
    void rebuild_and_sign(const std::vector<std::pair<int, std::int64_t>>& order) {
        central->db().exec(
            "DELETE FROM log_leaf; DELETE FROM log_hash; DELETE FROM log_checkpoint");
        auto log = central->merkle_log();
        store::Transaction tx(central->db());
        for (const auto& [source, ref] : order) {
            const auto bytes = log.leaf_bytes(static_cast<central::LeafSource>(source), ref);
            ASSERT_TRUE(bytes);
            log.append(static_cast<central::LeafSource>(source), ref, *bytes);
        }
        tx.commit();
        log.checkpoint(signer, central_clock.now_ms(), true);
    }
    // Central forgets every leaf from `size` on and signs the smaller tree.
    void roll_back_to(std::uint64_t size) {
        drop_guards();
        central->db().execute("DELETE FROM log_leaf WHERE idx >= ?1",
                              static_cast<std::int64_t>(size));
        central->db().execute("DELETE FROM log_hash WHERE (idx + 1) * (1 << level) > ?1",
                              static_cast<std::int64_t>(size));
        central->db().exec("DELETE FROM log_checkpoint");
        central->merkle_log().checkpoint(signer, central_clock.now_ms(), true);
    }
    std::vector<std::pair<int, std::int64_t>> leaf_order() {
        std::vector<std::pair<int, std::int64_t>> out;
        auto st = central->db().prepare("SELECT kind, ref FROM log_leaf ORDER BY idx");
        while (st.step())
            out.emplace_back(st.column<int>(0), st.column<std::int64_t>(1));
        return out;
    }
};

TEST_F(LogTest, EveryPushedEntryIsProvedIncludedUnderAVerifiedCheckpoint) {
    sync_some();
    EXPECT_EQ(unproven(), 0);
    const auto v = sync::verified_checkpoint(edge.db);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->checkpoint.size, central->merkle_log().size());
    EXPECT_TRUE(alarms().empty());
    // Every entry, admin action and key central took is a leaf.
    EXPECT_EQ(central->merkle_log().size(),
              static_cast<std::uint64_t>(count("SELECT count(*) FROM accepted_entry") +
                                         count("SELECT count(*) FROM admin_action") +
                                         count("SELECT count(*) FROM device") +
                                         count("SELECT count(*) FROM admin_account") +
                                         count("SELECT count(*) FROM log_baseline")));
    EXPECT_GT(count("SELECT count(*) FROM log_baseline"), 0)
        << "the reference data central held before its log began is its baseline";
    // More work later: the next checkpoint is proved consistent with this one.
    check_in(payer, community);
    accepted(push());
    pull_all(edge.db, *edge.outbox, edge.device_key);
    EXPECT_GT(sync::verified_checkpoint(edge.db)->checkpoint.size, v->checkpoint.size);
    EXPECT_EQ(unproven(), 0);
}

TEST_F(LogTest, MoreEntriesThanOneRoundProvesAreProvedOverRounds) {
    // Past the bound of one request: the rest waits for the next round and
    // is not mistaken for withheld.
    const int n = static_cast<int>(sync::kMaxProofsPerBatch) + 5;
    for (int i = 0; i < n; ++i) {
        (void)edge.must<CheckResult>([&](const Stamp& st) {
            return check_in_out(edge.db, st, edge.signer(payer),
                                {community, i % 2 ? "out" : "in", std::nullopt});
        });
    }
    for (int round = 0; round < 3 && !edge.outbox->pending_batch(1000).entries.empty(); ++round)
        accepted(push());
    auto r = pull_once();
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(unproven(), 5);
    pull_all(edge.db, *edge.outbox, edge.device_key);
    EXPECT_EQ(unproven(), 0);
    EXPECT_TRUE(alarms().empty());
}

TEST_F(LogTest, ARollbackToASmallerTreeIsAnAlarmAndNothingMoreIsPulled) {
    sync_some();
    const auto held = sync::verified_checkpoint(edge.db)->checkpoint.size;
    // Central forgets its last leaves and signs the smaller tree again.
    roll_back_to(held - 2);
    auto r = pull_once();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), sync::Errc::log_untrusted);
    const auto a = alarms();
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, "rolled_back");
    EXPECT_NE(a[0].held_note.find("\n" + std::to_string(held) + "\n"), std::string::npos)
        << "the verified checkpoint is kept as evidence";
    EXPECT_FALSE(a[0].offered_note.empty());
    // Still refused on the next round, until someone who looked clears it.
    EXPECT_EQ(pull_once().code(), sync::Errc::log_untrusted);
    ASSERT_TRUE(sync::clear_log_alarm(edge.db, a[0].id, "核实过 / checked with the admin",
                                      central_clock.now_ms()));
    EXPECT_TRUE(pull_once().ok());
    EXPECT_EQ(sync::log_alarms(edge.db, false).size(), 1u) << "evidence stays after clearing";
}

// An alarm goes to central in the device's next pull request (protocol 5)
// with its evidence, and shows in the console's log view; its clearing
// follows. Each is reported once. A report whose notes central never
// signed is kept as such.
TEST_F(LogTest, ADevicesAlarmReachesTheConsoleWithItsEvidence) {
    const auto other_log_key = crypto::SigningKey::generate();
    sync_some();
    const auto held = sync::verified_checkpoint(edge.db)->checkpoint.size;
    roll_back_to(held - 2);
    ASSERT_EQ(pull_once().code(), sync::Errc::log_untrusted);  // raised on this answer
    EXPECT_EQ(central::log_view(central->db()).at("open_alarms").to_number<int>(), 0);
    ASSERT_EQ(pull_once().code(), sync::Errc::log_untrusted);  // reported in this request
    auto view = central::log_view(central->db());
    ASSERT_EQ(view.at("open_alarms").to_number<int>(), 1) << boost::json::serialize(view);
    const auto& a = view.at("alarms").as_array().at(0).as_object();
    EXPECT_EQ(a.at("kind").as_string(), "rolled_back");
    EXPECT_EQ(a.at("device_id").as_string(), device.id);
    EXPECT_EQ(a.at("evidence").as_string(), "signed") << "both checkpoints are central's own";
    EXPECT_NE(std::string(a.at("held_note").as_string()).find("\n" + std::to_string(held) + "\n"),
              std::string::npos);
    const auto audited = [&](const char* result) {
        return *central->db().query_value<int>(
            "SELECT count(*) FROM audit WHERE action = 'log.alarm' AND outcome = ?1", result);
    };
    EXPECT_EQ(audited("raised"), 1);
    (void)pull_once();
    EXPECT_EQ(audited("raised"), 1) << "reported once";

    // Cleared on the device: central hears it in the next request.
    const auto id = alarms().at(0).id;
    ASSERT_TRUE(sync::clear_log_alarm(edge.db, id, "已核实 / checked", central_clock.now_ms()));
    EXPECT_TRUE(pull_once().ok());
    view = central::log_view(central->db());
    EXPECT_EQ(view.at("open_alarms").to_number<int>(), 0);
    EXPECT_EQ(view.at("alarms").as_array().at(0).at("cleared_reason").as_string(),
              "已核实 / checked");
    EXPECT_EQ(audited("cleared"), 1);

    // A device reporting a checkpoint central never signed: kept, marked.
    edge.db.execute(
        "INSERT INTO log_alarm(at_ms, kind, detail, held_note, offered_note) VALUES (?1, "
        "'forked', 'x', 'gridsync.central/log\n3\nAAAA\n\n— gridsync.central/log AAAA\n', '')",
        central_clock.now_ms());
    (void)pull_once();
    view = central::log_view(central->db());
    EXPECT_EQ(view.at("alarms").as_array().at(0).at("evidence").as_string(), "unsigned")
        << boost::json::serialize(view);
    // A kind no device raises is not kept, and is audited.
    edge.db.execute(
        "INSERT INTO log_alarm(at_ms, kind, detail, held_note, offered_note) VALUES (?1, "
        "'made_up', 'x', '', '')",
        central_clock.now_ms());
    (void)pull_once();
    EXPECT_EQ(*central->db().query_value<int>(
                  "SELECT count(*) FROM device_log_alarm WHERE kind = 'made_up'"),
              0);
    EXPECT_EQ(audited("refused"), 1);
    // A changed log key: the device holds the key it pinned, not a note, and
    // the note it was offered is central's own.
    edge.db.execute(
        "INSERT INTO log_alarm(at_ms, kind, detail, held_note, offered_note) VALUES (?1, "
        "'log_key_changed', 'x', ?2, ?3)",
        central_clock.now_ms(),
        central::LogSigner{central::kLogOrigin, other_log_key}.verifier().vkey(),
        central->merkle_log().latest()->note);
    (void)pull_once();
    view = central::log_view(central->db());
    EXPECT_EQ(view.at("alarms").as_array().at(0).at("kind").as_string(), "log_key_changed");
    EXPECT_EQ(view.at("alarms").as_array().at(0).at("evidence").as_string(), "signed")
        << boost::json::serialize(view);
}

// Witnesses comparing notes in the field: another device's checkpoint of a
// size this device verified, signed by the log key with another root, is a
// split view proved by central's own signatures.
TEST_F(LogTest, TwoDevicesComparingCheckpointsFindASplitView) {
    sync_some();
    const auto mine = sync::verified_checkpoint(edge.db).value();
    // The same checkpoint from another device: they agree.
    auto same = sync::compare_checkpoint(edge.db, mine.note, central_clock.now_ms());
    ASSERT_TRUE(same.ok()) << same.failure().message;
    EXPECT_EQ(same->result, sync::Comparison::agrees);
    // One of a size this device never verified: it cannot tell.
    const auto sign = [&](std::uint64_t size, const std::string& what) {
        const tlog::Checkpoint c{central::kLogOrigin, size, tlog::leaf_hash(to_bytes(what)), {}};
        return tlog::Note{c.text(), {tlog::sign_note(c.text(), central::kLogOrigin, central_key)}}
            .serialize();
    };
    EXPECT_EQ(sync::compare_checkpoint(edge.db, sign(mine.checkpoint.size + 7, "later"),
                                       central_clock.now_ms())
                  ->result,
              sync::Comparison::other_size);
    // Not central's log key: refused, nothing raised.
    const auto stranger = crypto::SigningKey::generate();
    const tlog::Checkpoint forged{
        central::kLogOrigin, mine.checkpoint.size, tlog::leaf_hash(to_bytes("forged")), {}};
    const std::string unsigned_note = tlog::Note{
        forged.text(),
        {tlog::sign_note(forged.text(), central::kLogOrigin,
                         stranger)}}.serialize();
    EXPECT_EQ(sync::compare_checkpoint(edge.db, unsigned_note, central_clock.now_ms()).code(),
              sync::Errc::bad_signature);
    EXPECT_TRUE(alarms().empty());
    // A size this device verified only before a restore (another epoch):
    // another root there is the lost history, not a split.
    const std::uint64_t before_restore = mine.checkpoint.size + 3;
    edge.db.execute(
        "INSERT INTO log_verified(size, root, note, epoch, verified_at_ms) VALUES (?1, ?2, ?3, "
        "'an older epoch', 0)",
        static_cast<std::int64_t>(before_restore), to_bytes("a root of the lost history"),
        sign(before_restore, "lost"));
    EXPECT_EQ(sync::compare_checkpoint(edge.db, sign(before_restore, "after the restore"),
                                       central_clock.now_ms())
                  ->result,
              sync::Comparison::other_size);
    EXPECT_TRUE(alarms().empty());
    // What central showed another device: the same size, another root.
    const std::string theirs = sign(mine.checkpoint.size, "another view");
    auto split = sync::compare_checkpoint(edge.db, theirs, central_clock.now_ms());
    ASSERT_TRUE(split.ok());
    EXPECT_EQ(split->result, sync::Comparison::split_view);
    ASSERT_EQ(alarms().size(), 1u);
    EXPECT_EQ(alarms()[0].kind, "split_view");
    EXPECT_EQ(alarms()[0].held_note, mine.note);
    EXPECT_EQ(alarms()[0].offered_note, theirs);
    EXPECT_EQ(pull_once().code(), sync::Errc::log_untrusted) << "pulls stop";
    // And central's console hears of it, with both notes central's own.
    (void)pull_once();
    const auto view = central::log_view(central->db());
    const auto& a = view.at("alarms").as_array().at(0).as_object();
    EXPECT_EQ(a.at("kind").as_string(), "split_view");
    EXPECT_EQ(a.at("evidence").as_string(), "signed");
}

TEST_F(LogTest, AReorderedHistoryFailsTheConsistencyProof) {
    sync_some();
    drop_guards();
    auto order = leaf_order();
    ASSERT_GT(order.size(), 4u);
    std::swap(order[1], order[2]);  // two admin-era leaves swapped
    rebuild_and_sign(order);
    // The new tree must also be larger for central to claim it extends the old.
    check_in(payer, community);
    accepted(push());
    central->merkle_log().checkpoint(signer, central_clock.now_ms(), true);
    auto r = pull_once();
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(alarms().size(), 1u);
    EXPECT_EQ(alarms()[0].kind, "forked");
}

TEST_F(LogTest, AnAcceptedEntryCentralLeavesOutOfTheTreeIsWithheld) {
    pay_first(edge.db, *edge.outbox);
    const auto acks = push();
    accepted(acks);
    const auto last = acks.acks.back();
    ASSERT_TRUE(last.log_index);
    // Later leaves keep the tree growing; then the entry's leaf is taken out
    // of the list of leaves (its hash stays in the tree), so central can
    // find no proof for it.
    (void)central->create_token(*admin, {payer, "grid_device", community, "", 3600000},
                                central_clock.now_ms());
    drop_guards();
    central->db().execute("DELETE FROM log_leaf WHERE idx = ?1",
                          static_cast<std::int64_t>(*last.log_index));
    auto r = pull_once();
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(alarms().size(), 1u);
    EXPECT_EQ(alarms()[0].kind, "withheld");
    EXPECT_NE(alarms()[0].detail.find("entry " + std::to_string(last.seq)), std::string::npos)
        << alarms()[0].detail;
}

TEST_F(LogTest, ARestoredCentralIsRecordedAndTheDeviceGoesOn) {
    sync_some();
    // A restore from a backup taken before the device's last entries: the
    // tree is smaller, the epoch new (store.begin_epoch, as restore does).
    drop_guards();
    const auto held = sync::verified_checkpoint(edge.db)->checkpoint.size;
    central->db().execute("DELETE FROM log_leaf WHERE idx >= ?1",
                          static_cast<std::int64_t>(held - 1));
    central->db().execute("DELETE FROM log_hash WHERE (idx + 1) * (1 << level) > ?1",
                          static_cast<std::int64_t>(held - 1));
    central->db().exec("DELETE FROM log_checkpoint");
    central->begin_epoch(central_clock.now_ms());
    central->merkle_log().checkpoint(signer, central_clock.now_ms(), true);
    for (int i = 0; i < 5; ++i) {
        auto r = pull_once();
        ASSERT_TRUE(r.ok()) << r.failure().message;
        if (!r->more && !r->central_restored)
            break;
    }
    const auto all = sync::log_alarms(edge.db, false);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].kind, "restored");
    EXPECT_FALSE(all[0].open);
}

TEST_F(LogTest, CommunityLaptopsWitnessTheCheckpointsTheyVerified) {
    sync_some();
    const auto verified = sync::verified_checkpoint(edge.db)->checkpoint.size;
    // The next request cosigns what the laptop verified; central keeps it.
    ASSERT_TRUE(pull_once().ok());
    auto log = central->merkle_log();
    const auto kept = log.cosignatures(verified);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].device_id, device.id);
    EXPECT_EQ(kept[0].community_id, community);
    EXPECT_NE(
        log.published_note(*log.checkpoint_at(verified)).find("gridsync.witness/" + device.id),
        std::string::npos);
    // Once per checkpoint: a second request about the same one cosigns nothing.
    sync::PullRequest again;
    again.device_id = device.id;
    sync::add_log_requests(edge.db, again, edge.device_key, edge.clock.now_ms());
    EXPECT_TRUE(again.cosignature.empty());
    // One community is not enough (two are needed); a laptop of another makes it.
    EXPECT_EQ(log.witnessing().witnessed_size, 0u);
    EXPECT_EQ(log.witnessing(1).witnessed_size, verified);
    const auto file = cdir / "other-community.db";
    std::filesystem::copy_file(cdir / "reference.db", file);
    OtherDevice other{store::Database::open(file)};
    other.device = enroll(other.key.public_key(), "community_laptop", edge.community(1), "");
    register_keys(other.device.id, other.db);
    other.outbox = std::make_unique<sync::Outbox>(other.db, other.device.id, other.key, edge.clock);
    pull_all(other);
    ASSERT_TRUE(pull(other.db, *other.outbox, other.key).ok());
    const auto w = log.witnessing();
    ASSERT_EQ(w.latest.size(), 2u);
    EXPECT_GE(w.witnessed_size, verified) << "both communities verified at least this far";
    const auto view = central::log_view(central->db());
    EXPECT_EQ(view.at("witnessed_size").to_number<std::uint64_t>(), w.witnessed_size);
    EXPECT_EQ(view.at("witnesses").as_array().size(), 2u);
}

TEST_F(LogTest, AnAnchorThisLogDoesNotHaveIsAuditedAndTheEntryStillTaken) {
    sync_some();
    // The device claims (its file edited, the note signed by someone with
    // the key: central itself here) to have verified another root.
    auto v = sync::verified_checkpoint(edge.db);
    ASSERT_TRUE(v);
    const auto real = v->checkpoint;
    tlog::Checkpoint other{real.origin, real.size, tlog::leaf_hash(to_bytes("elsewhere")), {}};
    const tlog::Note note{other.text(),
                          {tlog::sign_note(other.text(), central::kLogOrigin, central_key)}};
    edge.db.execute("UPDATE log_verified SET note = ?1", note.serialize());
    check_in(verifier, community);
    accepted(push());
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'log.anchor' AND outcome = "
                    "'mismatch'"),
              1);
}

TEST_F(LogTest, ACosignatureThatDoesNotVerifyIsRefusedAndAudited) {
    sync_some();
    auto req = sync::decode_pull_request(
                   sync::decode_signed(
                       sync::make_pull_request(edge.db, device.id, edge.device_key, edge.clock))
                       ->body)
                   .value();
    const auto stranger = crypto::SigningKey::generate();
    const auto cp = central->merkle_log().checkpoint_at(req.verified_size);
    ASSERT_TRUE(cp);
    req.cosignature =
        tlog::cosign(tlog::parse_note(cp->note)->text, sync::witness_name(device.id), stranger, 1)
            .line();
    sync::Signed s{device.id, {}, sync::encode(req)};
    const auto sig = edge.device_key.sign(sync::kPullRequestContext, s.body);
    s.signature.assign(sig.bytes.begin(), sig.bytes.end());
    central::PullService service(*central, central_key, central_clock, &central_key);
    EXPECT_TRUE(service.serve(sync::encode(s)).ok()) << "the pull itself is served";
    EXPECT_TRUE(central->merkle_log().cosignatures(req.verified_size).empty());
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'log.cosign' AND outcome = "
                    "'refused'"),
              1);
}

// gridsync-audit on an export, then on tampered copies of it.
class AuditTest : public LogTest {
  protected:
    AuditTest() { keys_through_log = true; }
    TempDir out;
    std::filesystem::path exported() {
        sync_some();
        auto log = central->merkle_log();
        log.checkpoint(signer, central_clock.now_ms(), true);
        const auto dir = out / "export";
        EXPECT_TRUE(central::export_log(log, signer.verifier(), dir));
        return dir;
    }
    // Runs the auditor; its exit code and report.
    std::pair<int, std::string> audit(const std::filesystem::path& dir,
                                      const std::string& extra = "") {
        const std::string cmd = std::string(GRIDSYNC_AUDIT_BIN) + " --export '" + dir.string() +
                                "' --log-key '" + signer.verifier().vkey() + "' --central-key " +
                                central_key.public_key().hex() + " " + extra + " 2>&1";
        FILE* p = popen(cmd.c_str(), "r");
        std::string text;
        char buf[4096];
        while (p && fgets(buf, sizeof buf, p))
            text += buf;
        const int status = p ? pclose(p) : -1;
        return {WEXITSTATUS(status), text};
    }
    std::vector<Bytes> read_leaves(const std::filesystem::path& dir) {
        central::ExportLeafReader in(dir / "leaves", 1u << 30);
        std::vector<Bytes> out_leaves;
        while (auto leaf = in.next())
            out_leaves.push_back(std::move(*leaf));
        EXPECT_EQ(in.problem(), "");
        return out_leaves;
    }
    void write_leaves(const std::filesystem::path& dir, const std::vector<Bytes>& leaves) {
        std::ofstream o(dir / "leaves", std::ios::binary | std::ios::trunc);
        for (const auto& b : leaves)
            central::write_export_leaf(o, b);
    }
    // The index of the first leaf that is a device's entry.
    std::size_t first_device_entry(const std::vector<Bytes>& leaves) {
        for (std::size_t i = 0; i < leaves.size(); ++i) {
            auto l = sync::decode_log_leaf(leaves[i]);
            if (const auto* e = std::get_if<sync::EntryLeaf>(&*l)) {
                if (sync::decode_envelope(e->envelope)->device_id == device.id)
                    return i;
            }
        }
        ADD_FAILURE() << "no device entry";
        return 0;
    }
};

TEST_F(AuditTest, TheExportVerifiesWithThePinnedKeysOnly) {
    const auto dir = exported();
    const auto [code, report] = audit(dir);
    EXPECT_EQ(code, 0) << report;
    EXPECT_NE(report.find("PASS"), std::string::npos) << report;
    // The state was rebuilt from the log: the baseline, the check-ins, the
    // opening and the payment, each signature checked.
    EXPECT_NE(report.find("baseline)"), std::string::npos) << report;
    EXPECT_NE(report.find("4 signed rows checked (1 payments"), std::string::npos) << report;
    EXPECT_NE(report.find("anchors: 0 entries"), std::string::npos)
        << "nothing was verified before the first push: " << report;
    // The device's verified checkpoints, collected in the field, agree.
    std::filesystem::create_directories(out / "field");
    int n = 0;
    for (const auto& note : sync::verified_notes(edge.db))
        std::ofstream(out / "field" / ("laptop-" + std::to_string(++n))) << note;
    const auto [fcode, freport] = audit(dir, "--field '" + (out / "field").string() + "'");
    EXPECT_EQ(fcode, 0) << freport;
    // Another log key pinned: nothing verifies.
    const auto other = crypto::SigningKey::generate();
    const central::LogSigner wrong{central::kLogOrigin, other};
    const std::string cmd = std::string(GRIDSYNC_AUDIT_BIN) + " --export '" + dir.string() +
                            "' --log-key '" + wrong.verifier().vkey() + "' --central-key " +
                            central_key.public_key().hex() + " >/dev/null";
    EXPECT_NE(std::system(cmd.c_str()), 0);
}

TEST_F(AuditTest, ADeletedEntryIsNamed) {
    const auto dir = exported();
    auto leaves = read_leaves(dir);
    const auto i = first_device_entry(leaves);
    leaves.erase(leaves.begin() + static_cast<std::ptrdiff_t>(i));
    write_leaves(dir, leaves);
    const auto [code, report] = audit(dir);
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("are missing from the log"), std::string::npos) << report;
    EXPECT_NE(report.find("leaves were removed"), std::string::npos) << report;
}

TEST_F(AuditTest, AnAlteredEntryFailsItsSignature) {
    const auto dir = exported();
    auto leaves = read_leaves(dir);
    const auto i = first_device_entry(leaves);
    leaves[i][leaves[i].size() - 3] ^= 0x01;  // a byte of the changeset
    write_leaves(dir, leaves);
    const auto [code, report] = audit(dir);
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("leaf " + std::to_string(i)), std::string::npos) << report;
    EXPECT_NE(report.find("signature does not verify"), std::string::npos) << report;
}

TEST_F(AuditTest, TwoReorderedLeavesBreakTheSignedRoot) {
    const auto dir = exported();
    auto leaves = read_leaves(dir);
    const auto i = first_device_entry(leaves);
    std::swap(leaves[i], leaves[i + 1]);
    write_leaves(dir, leaves);
    const auto [code, report] = audit(dir);
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("reordered"), std::string::npos) << report;
}

TEST_F(AuditTest, ATruncatedExportIsNamed) {
    const auto dir = exported();
    auto leaves = read_leaves(dir);
    leaves.resize(leaves.size() - 2);
    write_leaves(dir, leaves);
    const auto [code, report] = audit(dir);
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("the export is truncated"), std::string::npos) << report;
}

TEST_F(AuditTest, AnInjectedDeviceKeyIsCaught) {
    const auto dir = exported();
    auto leaves = read_leaves(dir);
    const auto rogue = crypto::SigningKey::generate();
    leaves.push_back(sync::encode(sync::DeviceKeyLeaf{
        "rogue", "community_laptop", payer, community, "",
        Bytes(rogue.public_key().bytes.begin(), rogue.public_key().bytes.end()), Bytes(32, 1), 1}));
    write_leaves(dir, leaves);
    // Past the latest checkpoint it is unsigned; a checkpoint from the field
    // over the real tree of that size shows the difference.
    auto log = central->merkle_log();
    (void)central->create_token(*admin, {payer, "grid_device", community, "", 3600000},
                                central_clock.now_ms());
    const auto real = log.checkpoint(signer, central_clock.now_ms(), true);
    std::filesystem::create_directories(out / "field");
    std::ofstream(out / "field" / "laptop") << real->note;
    const auto [code, report] = audit(dir, "--field '" + (out / "field").string() + "'");
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("field laptop"), std::string::npos) << report;
}

TEST_F(AuditTest, ASplitViewShowsAsAFieldCheckpointOfAnotherTree) {
    const auto dir = exported();
    // Central showed another device a tree of the same size with another
    // root, signed with the log key: the device kept it.
    const auto size = central->merkle_log().size();
    tlog::Checkpoint other{
        central::kLogOrigin, size, tlog::leaf_hash(to_bytes("another view")), {}};
    tlog::Note note{other.text(),
                    {tlog::sign_note(other.text(), central::kLogOrigin, central_key)}};
    std::filesystem::create_directories(out / "field");
    std::ofstream(out / "field" / "laptop-2") << note.serialize();
    const auto [code, report] = audit(dir, "--field '" + (out / "field").string() + "'");
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("field laptop-2"), std::string::npos) << report;
}

TEST_F(AuditTest, AHistoryChangedAfterADeviceSawItIsProvedByTheLogItself) {
    sync_some();
    const auto seen = sync::verified_checkpoint(edge.db)->checkpoint;
    // The device's next entry names the checkpoint it verified.
    check_in(payer, community);
    const auto acks = push();
    accepted(acks);
    const auto anchored = acks.acks.back().seq;
    // Central reorders two early leaves, rebuilds its tree and signs it
    // again, old checkpoints gone: every signature in the export verifies.
    drop_guards();
    auto order = leaf_order();
    std::swap(order[1], order[2]);
    rebuild_and_sign(order);
    const auto dir = out / "export";
    auto log = central->merkle_log();
    ASSERT_TRUE(central::export_log(log, signer.verifier(), dir));
    const auto [code, report] = audit(dir);
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find(device.id + ":" + std::to_string(anchored) + "): "), std::string::npos)
        << "the anchored entry is the evidence: " << report;
    EXPECT_NE(report.find("at " + std::to_string(seen.size) +
                          " leaves; the log's tree of that "
                          "size has another root"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("1 to another history"), std::string::npos) << report;
}

TEST_F(AuditTest, AStaffKeyCentralWritesAroundTheLogIsCaught) {
    sync_some();
    // The operator writes a key for each of the two staff straight into
    // central's table, then has central record a payment they "signed",
    // through central's own signed entry.
    const auto rogue_payer = crypto::SigningKey::generate();
    const auto rogue_verifier = crypto::SigningKey::generate();
    const Stamp direct{"central", Hlc{2}, central_clock.now_ms()};
    register_key_by_central(central->db(), direct, payer, "central", rogue_payer.public_key());
    register_key_by_central(central->db(), direct, verifier, "central",
                            rogue_verifier.public_key());
    auto e = central->db().prepare(
        "SELECT id, amount_fen FROM entitlement WHERE id NOT IN (SELECT entitlement_id FROM "
        "payment) ORDER BY id LIMIT 1");
    ASSERT_TRUE(e.step());
    PaymentRecord rec;
    rec.payment_id = new_id(central_clock.now_ms());
    rec.kind = "payment";
    rec.entitlement_id = e.column<std::string>(0);
    rec.amount_fen = e.column<Fen>(1);
    e.reset();
    rec.session_id =
        *central->db().query_value<std::string>("SELECT id FROM disbursement_session LIMIT 1");
    rec.paid_at_ms = central_clock.now_ms();
    rec.recipient_kind = "beneficiary";
    rec.payer_staff_id = payer;
    rec.verifier_staff_id = verifier;
    rec.ack_name = "领取人";
    rec.ack_image_hash = crypto::blake2b(to_bytes("thumbprint"));
    const Bytes msg = canonical_bytes(rec);
    central->record_central(central_key, central_clock.now_ms(),
                            [&](store::Database& db, const Stamp& stamp) {
                                insert_signed_payment(db, stamp, rec, to_bytes("thumbprint"),
                                                      rogue_payer.sign(kPayerContext, msg),
                                                      rogue_verifier.sign(kVerifierContext, msg));
                            });
    ASSERT_TRUE(verify_payment(central->db(), rec.payment_id).ok())
        << "central's own tables vouch for the payment";
    auto log = central->merkle_log();
    log.checkpoint(signer, central_clock.now_ms(), true);
    const auto dir = out / "export";
    ASSERT_TRUE(central::export_log(log, signer.verifier(), dir));
    const auto [code, report] = audit(dir);
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("payment " + rec.payment_id), std::string::npos) << report;
    EXPECT_NE(report.find("signature does not verify"), std::string::npos) << report;
    EXPECT_NE(report.find("(central:"), std::string::npos) << "the entry is named: " << report;
}

TEST_F(AuditTest, AnEntitlementPaidTwiceNeedsALoggedDecision) {
    auto laptop2 = another_device();
    const std::string entitlement = pay_first(edge.db, *edge.outbox);
    ASSERT_EQ(pay_first(laptop2->db, *laptop2->outbox), entitlement);
    accepted(push());
    accepted(push(*laptop2->outbox));
    auto log = central->merkle_log();
    log.checkpoint(signer, central_clock.now_ms(), true);
    ASSERT_TRUE(central::export_log(log, signer.verifier(), out / "open"));
    const auto [code, report] = audit(out / "open");
    EXPECT_EQ(code, 1) << report;
    EXPECT_NE(report.find("entitlement " + entitlement), std::string::npos) << report;
    EXPECT_NE(report.find("no admin decision on it is in the log"), std::string::npos) << report;

    // Both payments stand, decided and signed by an admin: the audit passes.
    const auto flagged = central->db().query_value<std::string>(
        "SELECT id FROM conflict WHERE kind = 'DOUBLE_PAYMENT' AND state = 'open'");
    ASSERT_TRUE(flagged);
    ASSERT_TRUE(central
                    ->resolve_conflict(*flagged,
                                       {central::Resolution::keep_central,
                                        "两个项目各发一次 / two programmes, both due", ""},
                                       *admin, central_key, central_clock.now_ms())
                    .ok());
    log.checkpoint(signer, central_clock.now_ms(), true);
    ASSERT_TRUE(central::export_log(log, signer.verifier(), out / "decided"));
    const auto [dcode, dreport] = audit(out / "decided");
    EXPECT_EQ(dcode, 0) << dreport;
    EXPECT_NE(dreport.find("2 payments with two staff signatures), 1 double payments with a "
                           "logged decision"),
              std::string::npos)
        << dreport;
}

// The bench's synthetic export (tools/audit.hpp) must be one the auditor
// passes in full, or its timing would be of an audit that stopped short.
TEST(AuditScale, TheBenchsExportPassesEveryCheck) {
    TempDir dir;
    const auto big = tools::make_scale_export(dir.path(), 40);
    tools::AuditInput in{big.export_dir,
                         *tlog::NoteVerifier::parse(big.log_vkey),
                         *crypto::PublicKey::from(*from_hex(big.central_key_hex)),
                         {}};
    const auto report = tools::audit_export(in);
    EXPECT_TRUE(report.passed()) << report.text();
    EXPECT_EQ(report.payments, 40u) << report.text();
    EXPECT_EQ(report.entries, 40u);
    EXPECT_GT(report.baseline_leaves, 0u);
}

}  // namespace
}  // namespace gridsync::test
