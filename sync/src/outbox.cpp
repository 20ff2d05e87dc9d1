#include "gridsync/sync/outbox.hpp"

#include "gridsync/sync/log_check.hpp"

#include "gridsync/store/changeset_format.hpp"
#include "gridsync/store/migrate.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::sync {

namespace {

// Device-local tables: never attached to a session, never replicated.
constexpr const char* kLocalV1 = R"sql(
CREATE TABLE outbox(
    seq INTEGER PRIMARY KEY NOT NULL,      -- 1, 2, 3, ... without gaps
    envelope BLOB NOT NULL,                -- the exact signed bytes
    signature BLOB NOT NULL,
    entry_hash BLOB NOT NULL,
    hlc INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0 CHECK (acked IN (0, 1))) STRICT;
-- Which rows each entry carried (for "pending until central accepts it").
CREATE TABLE outbox_row(
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (table_name, row_id, seq)) WITHOUT ROWID, STRICT;
CREATE TABLE node_state(
    key TEXT PRIMARY KEY NOT NULL,
    value ANY) STRICT;
)sql";

// What a pull could not merge locally (rebase clashes), kept for review.
constexpr const char* kLocalV2 = R"sql(
CREATE TABLE local_clash(
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    phase TEXT NOT NULL,          -- set_aside | central | replay
    kind TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    local_row TEXT,
    incoming_row TEXT) STRICT;
)sql";

// The unacknowledged entries, found without reading the acknowledged ones
// (a device keeps its whole signed history).
constexpr const char* kLocalV3 = R"sql(
CREATE INDEX outbox_pending ON outbox(seq) WHERE acked = 0;
)sql";

// Entries central quarantined (protocol v3): acknowledged, kept here with
// central's reason for the person at the device to see.
constexpr const char* kLocalV4 = R"sql(
CREATE TABLE outbox_quarantine(
    seq INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    at_ms INTEGER NOT NULL) STRICT;
)sql";

// What this device knows of central's verifiable log (docs/AUDIT.md): the
// leaf central promised for each entry and whether a checkpoint proved it;
// every checkpoint verified (the latest is the device's trust); alarms, with
// both notes kept as evidence.
constexpr const char* kLocalV5 = R"sql(
ALTER TABLE outbox ADD COLUMN log_index INTEGER;
ALTER TABLE outbox ADD COLUMN log_proven INTEGER NOT NULL DEFAULT 0;
CREATE TABLE log_verified(
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    epoch TEXT NOT NULL,
    verified_at_ms INTEGER NOT NULL,
    PRIMARY KEY (epoch, size)) STRICT;
CREATE TABLE log_alarm(
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    held_note TEXT,
    offered_note TEXT,
    cleared_at_ms INTEGER,
    cleared_reason TEXT) STRICT;
)sql";

// What central has heard of each alarm (protocol 5): 0 nothing, 1 raised,
// 2 cleared. A pull request reports what differs; central's signed answer
// to it moves these on.
constexpr const char* kLocalV6 = R"sql(
ALTER TABLE log_alarm ADD COLUMN reported INTEGER NOT NULL DEFAULT 0;
)sql";

const store::Migration kLocalMigrations[] = {
    {1, "outbox and node state", kLocalV1},    {2, "local clashes of pulls", kLocalV2},
    {3, "index of pending entries", kLocalV3}, {4, "entries central quarantined", kLocalV4},
    {5, "central's verifiable log", kLocalV5}, {6, "log alarms reported to central", kLocalV6}};

constexpr const char* kLocalComponent = "sync.local";

}  // namespace

void open_node_schema(store::Database& db) {
    (void)store::migrate(db, domain::migrations());
    (void)store::migrate(db, kLocalMigrations, kLocalComponent);
    // The session extension silently skips tables it cannot capture: refuse
    // to run at all with one in the replicated set.
    const auto problems = store::uncapturable_tables(db, domain::replicated_tables());
    if (!problems.empty()) {
        throw store::StoreError(store::Errc::not_capturable,
                                "replicated schema is not capturable: " + problems.front());
    }
}

namespace {

std::int64_t int_state(store::Database& db, const char* key) {
    return db.query_value<std::int64_t>("SELECT value FROM node_state WHERE key = ?1", key)
        .value_or(0);
}

}  // namespace

Outbox::Outbox(store::Database& db, std::string device_id, const crypto::SigningKey& device_key,
               domain::Clock& clock, domain::Clock* ordering)
    : db_(db),
      device_id_(std::move(device_id)),
      key_(device_key),
      clock_(clock),
      ordering_(ordering ? *ordering : clock, int_state(db, "central_offset_ms")),
      hlc_(ordering_, domain::Hlc{int_state(db, "hlc")}) {}

Outbox::Pending::Pending(Outbox& o) : tx(o.db_), session(o.db_), stamp(o.next_stamp()) {
    for (const auto& t : domain::replicated_tables())
        session.attach_checked(t);
}

domain::Stamp Outbox::next_stamp() {
    // Read inside the IMMEDIATE transaction: another process writing to this
    // node since (the CLI beside `serve`) may have moved the HLC on.
    hlc_.observe(domain::Hlc{int_state(db_, "hlc")});
    return {device_id_, hlc_.now(), clock_.now_ms()};
}

std::optional<std::uint64_t> Outbox::append(Pending& p) {
    if (p.session.empty())
        return std::nullopt;
    const store::Changeset cs = p.session.changeset();
    if (cs.empty())
        return std::nullopt;

    auto last = db_.prepare("SELECT seq, entry_hash FROM outbox ORDER BY seq DESC LIMIT 1");
    ChangesetEnvelope e;
    e.device_id = device_id_;
    e.seq = 1;
    if (last.step()) {
        e.seq = static_cast<std::uint64_t>(last.column<std::int64_t>(0)) + 1;
        const Bytes h = last.column<Bytes>(1);
        std::copy(h.begin(), h.end(), e.prev_hash.begin());
    }
    e.hlc = p.stamp.hlc.packed;
    e.created_ms = p.stamp.now_ms;
    e.schema_version = domain::kSchemaVersion;
    e.changeset.assign(cs.bytes().begin(), cs.bytes().end());
    // The anchor: what this device last verified of central's log.
    if (const auto v = verified_checkpoint(db_)) {
        e.anchor_size = v->checkpoint.size;
        std::copy(v->checkpoint.root.begin(), v->checkpoint.root.end(), e.anchor_root.begin());
    }

    const Bytes bytes = encode(e);
    const crypto::Signature sig = key_.sign(kEnvelopeContext, bytes);
    const Hash32 hash = entry_hash(bytes, sig);
    db_.execute(
        "INSERT INTO outbox(seq, envelope, signature, entry_hash, hlc, created_ms) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6)",
        e.seq, bytes, sig.view(), ByteView(hash), e.hlc, e.created_ms);

    auto row = db_.prepare(
        "INSERT OR IGNORE INTO outbox_row(table_name, row_id, seq) VALUES (?1, ?2, ?3)");
    store::ChangesetIterator it(cs.bytes());
    while (it.next()) {
        const auto key = it.primary_key();
        if (key.size() == 1 && std::holds_alternative<std::string>(key[0])) {
            row.bind_all(std::string(it.table()), std::get<std::string>(key[0]), e.seq).run();
            row.reset();
        }
    }
    db_.execute(
        "INSERT INTO node_state(key, value) VALUES ('hlc', ?1) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        hlc_.last().packed);
    return e.seq;
}

namespace {

// One stored entry checked on its own and against what precedes it: the
// device signature over the exact stored bytes, the stored hash, the
// envelope (its device and seq), the link, the changeset. On success `hash`
// is the entry's hash as recomputed, for the next link.
struct EntryCheck {
    std::optional<ChangesetEnvelope> envelope;
    Hash32 hash{};
    std::error_code code;
    std::string why;
};

EntryCheck check_entry(std::uint64_t seq, ByteView envelope, ByteView signature,
                       ByteView stored_hash, const Hash32& prev, const std::string& device_id,
                       const crypto::PublicKey& device_key) {
    EntryCheck c;
    auto broken = [&](Errc code, std::string why) {
        c.envelope.reset();
        c.code = code;
        c.why = std::move(why);
        return c;
    };
    const auto sig = crypto::Signature::from(signature);
    if (!sig || !crypto::verify(device_key, kEnvelopeContext, envelope, *sig))
        return broken(Errc::bad_signature, "device signature does not verify");
    c.hash = entry_hash(envelope, *sig);
    if (!crypto::constant_time_equal(c.hash, stored_hash))
        return broken(Errc::hash_mismatch, "stored entry hash does not match the entry");
    auto e = decode_envelope(envelope);
    if (!e) {
        return broken(e.code() == Errc::unsupported_version ? Errc::unsupported_version
                                                            : Errc::malformed_envelope,
                      e.failure().message);
    }
    if (e->device_id != device_id)
        return broken(Errc::wrong_device, "names device " + e->device_id);
    if (e->seq != seq)
        return broken(Errc::broken_chain, "envelope says seq " + std::to_string(e->seq));
    if (e->prev_hash != prev)
        return broken(Errc::broken_chain, "prev_hash does not link to the previous entry");
    try {
        store::validate_changeset(e->changeset);
    } catch (const store::StoreError& x) {
        return broken(Errc::malformed_changeset, x.what());
    }
    c.envelope = std::move(*e);
    return c;
}

ChainReport broken_at(std::uint64_t seq, std::error_code code, const std::string& why) {
    ChainReport r;
    r.ok = false;
    r.first_broken_seq = seq;
    r.code = code;
    r.reason = "第 " + std::to_string(seq) + " 条记录:" + why;
    return r;
}

}  // namespace

PendingEntries Outbox::pending(std::size_t max_entries) {
    PendingEntries out;
    // The chain goes on from the last acknowledged entry's hash, as stored:
    // central holds that entry and checks the link itself.
    Hash32 prev{};
    std::uint64_t expected = 1;
    auto first = db_.prepare("SELECT seq FROM outbox WHERE acked = 0 ORDER BY seq LIMIT 1");
    if (!first.step())
        return out;
    expected = static_cast<std::uint64_t>(first.column<std::int64_t>(0));
    first.reset();
    if (expected > 1) {
        const auto h = db_.query_value<Bytes>("SELECT entry_hash FROM outbox WHERE seq = ?1",
                                              static_cast<std::int64_t>(expected - 1));
        if (!h || h->size() != prev.size()) {
            out.broken = broken_at(expected - 1, Errc::broken_chain, "missing or damaged");
            return out;
        }
        std::copy(h->begin(), h->end(), prev.begin());
    }
    const crypto::PublicKey device_key = key_.public_key();
    auto st = db_.prepare(
        "SELECT seq, envelope, signature, entry_hash FROM outbox WHERE seq >= ?1 ORDER BY seq "
        "LIMIT ?2");
    st.bind(1, static_cast<std::int64_t>(expected));
    st.bind(2, static_cast<std::int64_t>(std::min<std::size_t>(max_entries, INT64_MAX)));
    while (st.step()) {
        const auto seq = static_cast<std::uint64_t>(st.column<std::int64_t>(0));
        if (seq != expected) {
            out.broken = broken_at(expected, Errc::broken_chain,
                                   "missing; next stored entry is " + std::to_string(seq));
            return out;
        }
        Bytes envelope = st.column<Bytes>(1);
        Bytes signature = st.column<Bytes>(2);
        auto c = check_entry(seq, envelope, signature, st.column<Bytes>(3), prev, device_id_,
                             device_key);
        if (!c.envelope) {
            // Nothing from here on is trusted: not pushed, not replayed.
            out.broken = broken_at(seq, c.code, c.why);
            return out;
        }
        out.entries.push_back(
            {seq, std::move(envelope), std::move(signature), std::move(c.envelope->changeset)});
        prev = c.hash;
        ++expected;
    }
    return out;
}

PushBatch Outbox::pending_batch(std::size_t max_entries) {
    PushBatch batch;
    for (auto& e : pending(max_entries).entries)
        batch.entries.push_back({device_id_, std::move(e.signature), std::move(e.envelope)});
    return batch;
}

std::size_t Outbox::acknowledge(const PushAcks& acks) {
    std::size_t marked = 0;
    store::Transaction tx(db_);
    auto st = db_.prepare("UPDATE outbox SET acked = 1 WHERE seq = ?1 AND acked = 0");
    for (const auto& a : acks.acks) {
        if (a.status == AckStatus::rejected)
            continue;
        st.bind(1, static_cast<std::int64_t>(a.seq)).run();
        marked += static_cast<std::size_t>(db_.changes());
        st.reset();
        // The leaf central promised (v4): a later checkpoint must prove it.
        if (a.log_index) {
            db_.execute("UPDATE outbox SET log_index = ?1 WHERE seq = ?2 AND log_proven = 0",
                        static_cast<std::int64_t>(*a.log_index), static_cast<std::int64_t>(a.seq));
        }
        if (a.status == AckStatus::quarantined) {
            db_.execute(
                "INSERT INTO outbox_quarantine(seq, code, message, at_ms) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT(seq) DO UPDATE SET code = excluded.code, message = excluded.message",
                static_cast<std::int64_t>(a.seq), a.code, a.message, clock_.now_ms());
        } else {
            // Accepted after all (released by an admin, or offered again).
            db_.execute("DELETE FROM outbox_quarantine WHERE seq = ?1",
                        static_cast<std::int64_t>(a.seq));
        }
    }
    tx.commit();
    return marked;
}

std::size_t Outbox::reoffer_after(std::uint64_t seq) {
    db_.execute("UPDATE outbox SET acked = 0 WHERE seq > ?1 AND acked = 1",
                static_cast<std::int64_t>(seq));
    return static_cast<std::size_t>(db_.changes());
}

std::vector<Outbox::Quarantined> Outbox::quarantined() {
    std::vector<Quarantined> out;
    auto st = db_.prepare("SELECT seq, code, message, at_ms FROM outbox_quarantine ORDER BY seq");
    while (st.step()) {
        out.push_back({static_cast<std::uint64_t>(st.column<std::int64_t>(0)),
                       st.column<std::string>(1), st.column<std::string>(2),
                       st.column<std::int64_t>(3)});
    }
    return out;
}

Outbox::Status Outbox::status() {
    Status s;
    auto st = db_.prepare(
        "SELECT count(*), coalesce(sum(acked = 0), 0), coalesce(max(seq), 0), coalesce(max(CASE "
        "WHEN acked THEN seq END), 0) "
        "FROM outbox");
    st.step();
    s.entries = static_cast<std::uint64_t>(st.column<std::int64_t>(0));
    s.pending = static_cast<std::uint64_t>(st.column<std::int64_t>(1));
    s.last_seq = static_cast<std::uint64_t>(st.column<std::int64_t>(2));
    s.acked_seq = static_cast<std::uint64_t>(st.column<std::int64_t>(3));
    st.reset();
    s.quarantined = static_cast<std::uint64_t>(
        db_.query_value<std::int64_t>("SELECT count(*) FROM outbox_quarantine").value_or(0));
    return s;
}

ChainReport verify_chain(store::Database& db, const std::string& device_id,
                         const crypto::PublicKey& device_key) {
    auto st = db.prepare("SELECT seq, envelope, signature, entry_hash FROM outbox ORDER BY seq");
    return verify_chain(st, device_id, device_key);
}

ChainReport verify_chain(store::Statement& st, const std::string& device_id,
                         const crypto::PublicKey& device_key) {
    ChainReport r;
    Hash32 prev{};
    std::uint64_t expected = 1;
    while (st.step()) {
        const auto seq = static_cast<std::uint64_t>(st.column<std::int64_t>(0));
        if (seq != expected)
            return broken_at(expected, Errc::broken_chain,
                             "missing; next stored entry is " + std::to_string(seq));
        const auto c = check_entry(seq, st.column<Bytes>(1), st.column<Bytes>(2),
                                   st.column<Bytes>(3), prev, device_id, device_key);
        if (!c.envelope)
            return broken_at(seq, c.code, c.why);
        prev = c.hash;
        ++expected;
        ++r.entries;
    }
    return r;
}

bool row_pending(store::Database& db, const std::string& table, const std::string& row_id) {
    return db
        .query_value<int>(
            "SELECT 1 FROM outbox_row r JOIN outbox o ON o.seq = r.seq WHERE r.table_name = ?1 AND "
            "r.row_id = ?2 "
            "AND o.acked = 0 LIMIT 1",
            table, row_id)
        .has_value();
}

}  // namespace gridsync::sync
