#include "gridsync/sync/pull.hpp"

#include "gridsync/store/changeset.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::sync {

namespace {

void set_state(store::Database& db, const char* key, std::int64_t value) {
    db.execute(
        "INSERT INTO node_state(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value",
        key, value);
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

}  // namespace

std::uint64_t pull_cursor(store::Database& db) {
    return static_cast<std::uint64_t>(
        db.query_value<std::int64_t>("SELECT value FROM node_state WHERE key = 'pull_cursor'")
            .value_or(0));
}

Bytes make_pull_request(store::Database& db, const std::string& device_id,
                        const crypto::SigningKey& device_key, domain::Clock& clock,
                        std::uint32_t max_entries) {
    PullRequest req{device_id, pull_cursor(db), max_entries, clock.now_ms()};
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
    if (batch->from_cursor != pull_cursor(db)) {
        return fail(Errc::broken_chain,
                    "批次起点与本机游标不符 / the batch does not start at this device's cursor");
    }

    const domain::EpochMs now = clock.now_ms();
    PullOutcome outcome;
    store::Transaction tx(db);
    ClashLog clashes(db, now);

    // 1. Set the unpushed local changes aside.
    std::vector<Bytes> pending;
    {
        auto st = db.prepare("SELECT envelope FROM outbox WHERE acked = 0 ORDER BY seq");
        while (st.step()) {
            auto env = decode_envelope(st.column<Bytes>(0));
            if (env)
                pending.push_back(std::move(env->changeset));
        }
    }
    if (!pending.empty()) {
        store::ChangeGroup group;
        for (const auto& cs : pending)
            group.add(cs);
        const store::Changeset undo = group.output().inverted();
        (void)store::apply_changeset(db, undo.bytes(), [&](const store::Conflict& c) {
            clashes.record(c, "set_aside");
            return store::ConflictAction::omit;
        });
    }
    // 2. Central's accepted changes, in acceptance order. Our own accepted
    //    entries are already here.
    domain::Hlc highest{};
    for (const auto& e : batch->entries) {
        highest = std::max(highest, domain::Hlc{e.hlc});
        if (e.origin_device == outbox.device_id() || e.changeset.empty())
            continue;
        (void)store::apply_changeset(db, e.changeset, [&](const store::Conflict& c) {
            const bool replaceable =
                c.kind == store::ConflictKind::data || c.kind == store::ConflictKind::conflict;
            if (!replaceable)
                clashes.record(c, "central");
            return replaceable ? store::ConflictAction::replace : store::ConflictAction::omit;
        });
        ++outcome.entries;
    }
    // 3. Replay the local changes on top: locally they stand until central decides.
    for (const auto& cs : pending) {
        (void)store::apply_changeset(db, cs, [&](const store::Conflict& c) {
            clashes.record(c, "replay");
            const bool replaceable =
                c.kind == store::ConflictKind::data || c.kind == store::ConflictKind::conflict;
            return replaceable ? store::ConflictAction::replace : store::ConflictAction::omit;
        });
    }
    outbox.observe(highest);
    set_state(db, "hlc", outbox.last_hlc().packed);
    set_state(db, "pull_cursor", static_cast<std::int64_t>(batch->to_cursor));
    set_state(db, "central_offset_ms", now - batch->central_time_ms);
    tx.commit();
    outcome.clashes = clashes.count;
    outcome.cursor = batch->to_cursor;
    outcome.more = batch->more;
    return outcome;
}

}  // namespace gridsync::sync
