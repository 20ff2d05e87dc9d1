#include "gridsync/sync/pull.hpp"

#include <set>

#include "gridsync/crash_point.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/store/changeset.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/sync/log_check.hpp"
#include "gridsync/sync/scope.hpp"

namespace gridsync::sync {

namespace {

template <class T>
void set_state(store::Database& db, const char* key, const T& value) {
    db.execute(
        "INSERT INTO node_state(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value",
        key, value);
}

std::int64_t int_state(store::Database& db, const char* key) {
    return db.query_value<std::int64_t>("SELECT value FROM node_state WHERE key = ?1", key)
        .value_or(0);
}

class ClashLog {
  public:
    ClashLog(store::Database& db, domain::EpochMs now) : db_(db), now_(now) {}
    void record(const store::Conflict& c, const char* phase) {
        std::string key;
        for (const auto& k : c.key)
            key += store::to_display(k);
        db_.execute(
            "INSERT INTO local_clash(at_ms, phase, kind, table_name, row_key, local_row, "
            "incoming_row) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            now_, phase, std::string(store::to_string(c.kind)), c.table, key,
            store::to_display(c.local), store::to_display(c.incoming_new));
        ++count;
    }
    std::size_t count = 0;

  private:
    store::Database& db_;
    domain::EpochMs now_;
};

bool replaceable(const store::Conflict& c) {
    return c.kind == store::ConflictKind::data || c.kind == store::ConflictKind::conflict;
}

// The changes of the entries central has not acknowledged, oldest first,
// only as far as they verify: bytes damaged on disk are never applied to
// this device's tables, not when set aside and not when replayed.
std::vector<Bytes> pending_changes(Outbox& outbox) {
    std::vector<Bytes> pending;
    for (auto& e : outbox.pending().entries)
        pending.push_back(std::move(e.changeset));
    return pending;
}

// Undoes the pending changes, leaving central's state as this device last
// received it.
void set_aside(store::Database& db, const std::vector<Bytes>& pending, ClashLog& clashes) {
    if (pending.empty())
        return;
    store::ChangeGroup group;
    for (const auto& cs : pending)
        group.add(cs);
    const store::Changeset undo = group.output().inverted();
    (void)store::apply_changeset(db, undo.bytes(), [&](const store::Conflict& c) {
        clashes.record(c, "set_aside");
        return store::ConflictAction::omit;
    });
}

// The rows written by the outbox entries from `seq` on (outbox_row).
std::set<std::pair<std::string, std::string>> rows_written_from(store::Database& db,
                                                                std::uint64_t seq) {
    std::set<std::pair<std::string, std::string>> rows;
    auto st = db.prepare("SELECT table_name, row_id FROM outbox_row WHERE seq >= ?1");
    st.bind(1, static_cast<std::int64_t>(seq));
    while (st.step())
        rows.emplace(st.column<std::string>(0), st.column<std::string>(1));
    return rows;
}

std::string hex_of(const Hash32& h) {
    return to_hex(ByteView(h));
}

}  // namespace

std::uint64_t pull_cursor(store::Database& db) {
    return static_cast<std::uint64_t>(int_state(db, "pull_cursor"));
}

bool repair_in_progress(store::Database& db) {
    return int_state(db, "local_set_aside") != 0;
}

domain::EpochMs scope_verified_at(store::Database& db) {
    return int_state(db, "scope_verified_ms");
}

namespace {

// Inside a transaction. Foreign keys are checked at its commit, when every
// replicated table is empty.
void delete_replicated_rows(store::Database& db) {
    db.exec("PRAGMA defer_foreign_keys = ON");
    const auto& tables = domain::replicated_tables();
    for (auto it = tables.rbegin(); it != tables.rend(); ++it)
        db.exec("DELETE FROM " + *it);
    set_state(db, "pull_cursor", std::int64_t{0});
    db.execute("DELETE FROM node_state WHERE key LIKE 'snapshot_%'");
}

}  // namespace

void wipe_replicated(store::Database& db) {
    store::Transaction tx(db);
    delete_replicated_rows(db);
    tx.commit();
}

void begin_repair(store::Database& db, Outbox& outbox, domain::EpochMs now) {
    store::Transaction tx(db);
    if (!repair_in_progress(db)) {
        ClashLog clashes(db, now);
        set_aside(db, pending_changes(outbox), clashes);
    }
    delete_replicated_rows(db);
    set_state(db, "local_set_aside", std::int64_t{1});
    tx.commit();
}

EpochCheck observe_epoch(store::Database& db, Outbox& outbox, const CentralEpoch& epoch) {
    EpochCheck check;
    if (epoch.id.empty())
        return check;
    store::Transaction tx(db);
    const std::string known =
        db.query_value<std::string>("SELECT value FROM node_state WHERE key = 'central_epoch'")
            .value_or("");
    check.restored = !known.empty() && known != epoch.id;
    // Positions up to the base are as this device saw them; past it, the
    // log is not the one this device read. On the first contact that tells
    // an epoch, a cursor past a restored base moves back too (moving back is
    // always safe: what comes again converges).
    if (check.restored || (known.empty() && epoch.base > 0)) {
        const auto cursor = pull_cursor(db);
        if (cursor > epoch.base) {
            set_state(db, "pull_cursor", static_cast<std::int64_t>(epoch.base));
            check.restored = true;
        }
        if (int_state(db, "snapshot_active") != 0 &&
            static_cast<std::uint64_t>(int_state(db, "snapshot_at")) > epoch.base) {
            db.execute("DELETE FROM node_state WHERE key LIKE 'snapshot_%'");
            check.restored = true;
        }
        if (check.restored)
            set_state(db, "scope_verified_ms", std::int64_t{0});
    }
    check.reoffered = outbox.reoffer_after(epoch.device_seq);
    set_state(db, "central_epoch", epoch.id);
    tx.commit();
    return check;
}

Bytes make_pull_request(store::Database& db, const std::string& device_id,
                        const crypto::SigningKey& device_key, domain::Clock& clock,
                        std::uint32_t max_entries, bool want_digest) {
    PullRequest req{device_id, pull_cursor(db), max_entries, clock.now_ms(), want_digest};
    {
        // Above every number sent before, kept before it is sent: central
        // refuses a request whose number it has seen (a replay).
        store::Transaction tx(db);
        req.request_seq = static_cast<std::uint64_t>(int_state(db, "pull_request_seq")) + 1;
        set_state(db, "pull_request_seq", static_cast<std::int64_t>(req.request_seq));
        tx.commit();
    }
    if (int_state(db, "snapshot_active") != 0) {
        req.snapshot.emplace();
        req.snapshot->at = static_cast<std::uint64_t>(int_state(db, "snapshot_at"));
        req.snapshot->next.table = static_cast<std::uint32_t>(int_state(db, "snapshot_table"));
        req.snapshot->next.after_id =
            db.query_value<std::string>("SELECT value FROM node_state WHERE key = 'snapshot_after'")
                .value_or("");
    }
    add_log_requests(db, req, device_key, clock.now_ms());
    Signed s{device_id, {}, encode(req)};
    const auto sig = device_key.sign(kPullRequestContext, s.body);
    s.signature.assign(sig.bytes.begin(), sig.bytes.end());
    return encode(s);
}

Result<PullOutcome> apply_pull(store::Database& db, Outbox& outbox,
                               const crypto::PublicKey& central_key, ByteView signed_batch,
                               domain::Clock& clock) {
    auto outer = decode_signed(signed_batch);
    if (!outer)
        return outer.failure();
    const auto sig = crypto::Signature::from(outer->signature);
    if (!sig || !crypto::verify(central_key, kPullBatchContext, outer->body, *sig)) {
        return fail(Errc::bad_signature,
                    "中心签名无效 / the batch is not signed by the pinned central key");
    }
    auto batch = decode_pull_batch(outer->body);
    if (!batch)
        return batch.failure();
    alarm_reports_heard(db);
    if (batch->epoch) {
        // Central restored, or holding less of this device's chain than it
        // acknowledged: nothing of this batch is applied; the round offers
        // the entries again and pulls from the epoch's base.
        const auto check = observe_epoch(db, outbox, *batch->epoch);
        if (check.restored || check.reoffered > 0) {
            PullOutcome outcome;
            outcome.central_restored = check.restored;
            outcome.reoffered = check.reoffered;
            outcome.cursor = pull_cursor(db);
            outcome.more = true;
            return outcome;
        }
    }
    // Central's log, before anything of the batch is applied.
    if (auto st = check_log(db, *batch, clock.now_ms()); !st)
        return st.failure();
    if (batch->from_cursor != pull_cursor(db)) {
        return fail(Errc::broken_chain,
                    "批次起点与本机游标不符 / the batch does not start at this device's cursor");
    }

    const domain::EpochMs now = clock.now_ms();
    PullOutcome outcome;
    store::Transaction tx(db);
    ClashLog clashes(db, now);

    // 1. Set the unpushed local changes aside (a repair has done it already).
    const bool aside_already = repair_in_progress(db);
    PendingEntries verified = outbox.pending();
    // With a damaged entry in the outbox, this device's tables hold changes
    // that cannot be set aside: comparing them with central's would only
    // start a repair that drops them. They stay until an admin has looked.
    const bool outbox_intact = !verified.broken;
    std::vector<Bytes> pending;
    for (auto& e : verified.entries)
        pending.push_back(std::move(e.changeset));
    if (!aside_already)
        set_aside(db, pending, clashes);
    crash_point("edge.rebase.set_aside");  // local changes out of the tables, not yet back
    // The rows the damaged entries wrote (and the entries after them) keep
    // their local values: central's version of such a row is a clash.
    const std::set<std::pair<std::string, std::string>> held =
        verified.broken ? rows_written_from(db, *verified.broken->first_broken_seq)
                        : std::set<std::pair<std::string, std::string>>{};
    const auto is_held = [&](const store::Conflict& c) {
        return c.key.size() == 1 && std::holds_alternative<std::string>(c.key[0]) &&
               held.count({c.table, std::get<std::string>(c.key[0])}) > 0;
    };

    // 2. Central's changes, in acceptance order (a snapshot page: its rows).
    //    Our own accepted entries are already here.
    domain::Hlc highest{};
    for (const auto& e : batch->entries) {
        highest = std::max(highest, domain::Hlc{e.hlc});
        if (e.origin_device == outbox.device_id() || e.changeset.empty())
            continue;
        (void)store::apply_changeset(db, e.changeset, [&](const store::Conflict& c) {
            const bool replace = replaceable(c) && !is_held(c);
            if (!replace)
                clashes.record(c, "central");
            return replace ? store::ConflictAction::replace : store::ConflictAction::omit;
        });
        if (e.position == 0) {
            for (store::ChangesetIterator it(e.changeset); it.next();)
                ++outcome.snapshot_rows;
        } else {
            ++outcome.entries;
        }
    }

    crash_point("edge.pull.applied");
    // Here, before the local changes come back, this device should hold
    // exactly what central holds for its scope.
    if (batch->scope_digest && outbox_intact) {
        const Hash32 mine =
            scope_digest(db, [](const std::string&, const std::string&) { return true; });
        if (mine != *batch->scope_digest) {
            outcome.diverged = true;
            db.execute(
                "INSERT INTO local_clash(at_ms, phase, kind, table_name, row_key, local_row, "
                "incoming_row) VALUES (?1, 'digest', 'SCOPE_DIGEST', '*', '', ?2, ?3)",
                now, hex_of(mine), hex_of(*batch->scope_digest));
            ++clashes.count;
        } else {
            set_state(db, "scope_verified_ms", now);
        }
    }

    // 3. Replay the local changes on top: locally they stand until central
    //    decides. During a repair they wait for its last batch.
    const bool replay = !aside_already || !batch->more;
    if (replay) {
        for (const auto& cs : pending) {
            (void)store::apply_changeset(db, cs, [&](const store::Conflict& c) {
                clashes.record(c, "replay");
                return replaceable(c) ? store::ConflictAction::replace
                                      : store::ConflictAction::omit;
            });
        }
        set_state(db, "local_set_aside", std::int64_t{0});
    }
    // The persisted HLC may have moved on in another process writing to this
    // node (the command line beside `serve`): never write it back.
    outbox.observe(domain::Hlc{int_state(db, "hlc")});
    outbox.observe(highest);
    set_state(db, "hlc", outbox.last_hlc().packed);
    set_state(db, "pull_cursor", static_cast<std::int64_t>(batch->to_cursor));
    if (const auto& s = batch->snapshot) {
        set_state(db, "snapshot_active", std::int64_t{1});
        set_state(db, "snapshot_at", static_cast<std::int64_t>(s->at));
        set_state(db, "snapshot_table", static_cast<std::int64_t>(s->next.table));
        set_state(db, "snapshot_after", s->next.after_id);
    } else {
        db.execute("DELETE FROM node_state WHERE key LIKE 'snapshot_%'");
    }
    set_state(db, "central_offset_ms", now - batch->central_time_ms);
    outbox.set_central_offset(now - batch->central_time_ms);
    tx.commit();
    crash_point("edge.pull.committed");
    outcome.clashes = clashes.count;
    outcome.cursor = batch->to_cursor;
    outcome.more = batch->more;
    outcome.snapshot = batch->snapshot.has_value();
    return outcome;
}

}  // namespace gridsync::sync
