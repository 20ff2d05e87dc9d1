#include "gridsync/central/merkle_log.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

#include "gridsync/central/admin.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/store/migrate.hpp"
#include "gridsync/store/session.hpp"

namespace gridsync::central {
namespace {

tlog::Hash hash_from(const Bytes& b) {
    tlog::Hash h{};
    if (b.size() != h.size())
        throw std::runtime_error("a stored log hash is not 32 bytes");
    std::memcpy(h.data(), b.data(), h.size());
    return h;
}

}  // namespace

std::uint64_t MerkleLog::size() {
    return static_cast<std::uint64_t>(
        db_.query_value<std::int64_t>("SELECT coalesce(max(idx) + 1, 0) FROM log_leaf")
            .value_or(0));
}

tlog::Hash MerkleLog::complete(unsigned level, std::uint64_t index) {
    const auto h =
        db_.query_value<Bytes>("SELECT hash FROM log_hash WHERE level = ?1 AND idx = ?2",
                               static_cast<std::int64_t>(level), static_cast<std::int64_t>(index));
    if (!h)
        throw std::out_of_range("the log holds no subtree at level " + std::to_string(level) +
                                ", index " + std::to_string(index));
    return hash_from(*h);
}

std::uint64_t MerkleLog::append(LeafSource source, std::int64_t ref, ByteView leaf) {
    // Inside the caller's transaction when there is one (a savepoint), so
    // the leaf and what it logs commit together.
    store::Transaction tx(db_);
    const std::uint64_t index = size();
    const tlog::Hash h = tlog::leaf_hash(leaf);
    db_.execute("INSERT INTO log_leaf(idx, kind, ref) VALUES (?1, ?2, ?3)",
                static_cast<std::int64_t>(index), static_cast<int>(source), ref);
    for (const auto& c : tlog::hashes_completed(*this, index, h)) {
        db_.execute("INSERT INTO log_hash(level, idx, hash) VALUES (?1, ?2, ?3)",
                    static_cast<std::int64_t>(c.level), static_cast<std::int64_t>(c.index),
                    ByteView(c.hash));
    }
    tx.commit();
    return index;
}

std::optional<std::uint64_t> MerkleLog::leaf_of(LeafSource source, std::int64_t ref) {
    const auto i = db_.query_value<std::int64_t>(
        "SELECT idx FROM log_leaf WHERE kind = ?1 AND ref = ?2", static_cast<int>(source), ref);
    if (!i)
        return std::nullopt;
    return static_cast<std::uint64_t>(*i);
}

std::vector<LeafRef> MerkleLog::leaves(std::uint64_t from, std::uint32_t limit) {
    auto st = db_.prepare(
        "SELECT l.idx, l.kind, l.ref, h.hash FROM log_leaf l JOIN log_hash h ON h.level = 0 AND "
        "h.idx = l.idx WHERE l.idx >= ?1 ORDER BY l.idx LIMIT ?2");
    st.bind(1, static_cast<std::int64_t>(from)).bind(2, static_cast<std::int64_t>(limit));
    std::vector<LeafRef> out;
    while (st.step()) {
        out.push_back({static_cast<std::uint64_t>(st.column<std::int64_t>(0)),
                       static_cast<LeafSource>(st.column<int>(1)), st.column<std::int64_t>(2),
                       hash_from(st.column<Bytes>(3))});
    }
    return out;
}

std::optional<Bytes> MerkleLog::leaf_bytes(LeafSource source, std::int64_t ref) {
    switch (source) {
        case LeafSource::accepted_entry:
        case LeafSource::quarantined_entry: {
            auto st = db_.prepare(
                source == LeafSource::accepted_entry
                    ? "SELECT signature, envelope FROM accepted_entry WHERE position = ?1"
                    : "SELECT signature, envelope FROM quarantined_entry WHERE rowid = ?1");
            st.bind(1, ref);
            if (!st.step())
                return std::nullopt;
            return sync::encode(sync::EntryLeaf{st.column<Bytes>(0), st.column<Bytes>(1)});
        }
        case LeafSource::quarantine_decision: {
            auto st = db_.prepare(
                "SELECT decision, decision_signature FROM quarantined_entry WHERE rowid = ?1");
            st.bind(1, ref);
            if (!st.step())
                return std::nullopt;
            return sync::encode(sync::QuarantinedLeaf{st.column<Bytes>(0), st.column<Bytes>(1)});
        }
        case LeafSource::admin_action: {
            auto st = db_.prepare("SELECT login, body, signature FROM admin_action WHERE id = ?1");
            st.bind(1, ref);
            if (!st.step())
                return std::nullopt;
            return sync::encode(sync::AdminActionLeaf{st.column<std::string>(0),
                                                      st.column<Bytes>(1), st.column<Bytes>(2)});
        }
        case LeafSource::device: {
            auto st = db_.prepare(
                "SELECT id, role, staff_id, community_id, coalesce(grid_id, ''), signing_key, "
                "kx_key, "
                "enrolled_at_ms FROM device WHERE rowid = ?1");
            st.bind(1, ref);
            if (!st.step())
                return std::nullopt;
            sync::DeviceKeyLeaf d{st.column<std::string>(0), st.column<std::string>(1),
                                  st.column<std::string>(2), st.column<std::string>(3),
                                  st.column<std::string>(4), st.column<Bytes>(5),
                                  st.column<Bytes>(6),       st.column<std::int64_t>(7)};
            return sync::encode(d);
        }
        case LeafSource::baseline: {
            auto st = db_.prepare(
                "SELECT table_name, taken_at_ms, changeset FROM log_baseline WHERE id = ?1");
            st.bind(1, ref);
            if (!st.step())
                return std::nullopt;
            return sync::encode(sync::BaselineLeaf{
                st.column<std::string>(0), st.column<std::int64_t>(1), st.column<Bytes>(2)});
        }
        case LeafSource::epoch:
            return db_.query_value<Bytes>("SELECT leaf FROM log_epoch WHERE id = ?1", ref);
        case LeafSource::admin_account: {
            auto st = db_.prepare(
                "SELECT login, staff_id, signing_key, coalesce(created_by, ''), created_at_ms FROM "
                "admin_account WHERE rowid = ?1");
            st.bind(1, ref);
            if (!st.step())
                return std::nullopt;
            return sync::encode(sync::AdminKeyLeaf{
                st.column<std::string>(0), st.column<std::string>(1), st.column<Bytes>(2),
                st.column<std::string>(3), st.column<std::int64_t>(4)});
        }
    }
    return std::nullopt;
}

std::uint64_t MerkleLog::take_baseline(domain::EpochMs now) {
    if (size() != 0)
        return 0;
    bool held = false;
    for (const auto& t : domain::replicated_tables())
        held = held || db_.query_value<int>("SELECT 1 FROM " + t + " LIMIT 1").has_value();
    if (!held)
        return 0;
    // The rows are copied into an empty database of the same schema, where
    // a session records each as the INSERT an auditor replays; chunks keep
    // every leaf far below the size limit of a changeset.
    auto copy = store::Database::open(":memory:");
    (void)store::migrate(copy, domain::migrations());
    copy.execute("ATTACH DATABASE ?1 AS src", db_.path().string());
    store::Transaction tx(db_);
    std::uint64_t written = 0;
    for (const auto& t : domain::replicated_tables()) {
        std::int64_t after = std::numeric_limits<std::int64_t>::min();
        for (;;) {
            store::Session session(copy);
            session.attach(t);
            copy.execute("INSERT INTO main." + t + " SELECT * FROM src." + t +
                             " WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
                         after, static_cast<std::int64_t>(sync::kBaselineRows));
            if (session.empty())
                break;
            after = *copy.query_value<std::int64_t>("SELECT max(rowid) FROM main." + t);
            const auto cs = session.changeset();
            db_.execute(
                "INSERT INTO log_baseline(table_name, taken_at_ms, changeset) VALUES (?1, ?2, ?3)",
                t, now, cs.bytes());
            const auto id = db_.last_insert_rowid();
            append(LeafSource::baseline, id,
                   sync::encode(
                       sync::BaselineLeaf{t, now, Bytes(cs.bytes().begin(), cs.bytes().end())}));
            ++written;
        }
    }
    tx.commit();
    copy.exec("DETACH DATABASE src");
    return written;
}

namespace {
StoredCheckpoint read_checkpoint(store::Statement& st) {
    return {static_cast<std::uint64_t>(st.column<std::int64_t>(0)), hash_from(st.column<Bytes>(1)),
            st.column<std::string>(2), st.column<std::int64_t>(3)};
}
}  // namespace

std::optional<StoredCheckpoint> MerkleLog::latest() {
    auto st = db_.prepare(
        "SELECT size, root, note, signed_at_ms FROM log_checkpoint ORDER BY size DESC LIMIT 1");
    if (!st.step())
        return std::nullopt;
    return read_checkpoint(st);
}

std::optional<StoredCheckpoint> MerkleLog::checkpoint_at(std::uint64_t size) {
    auto st =
        db_.prepare("SELECT size, root, note, signed_at_ms FROM log_checkpoint WHERE size = ?1");
    st.bind(1, static_cast<std::int64_t>(size));
    if (!st.step())
        return std::nullopt;
    return read_checkpoint(st);
}

std::vector<StoredCheckpoint> MerkleLog::checkpoints() {
    auto st =
        db_.prepare("SELECT size, root, note, signed_at_ms FROM log_checkpoint ORDER BY size");
    std::vector<StoredCheckpoint> out;
    while (st.step())
        out.push_back(read_checkpoint(st));
    return out;
}

std::optional<StoredCheckpoint> MerkleLog::checkpoint(const LogSigner& signer, domain::EpochMs now,
                                                      bool wanted, const CheckpointPolicy& policy) {
    auto last = latest();
    const std::uint64_t n = size();
    const bool grew = n > (last ? last->size : 0);
    const bool due = !last || n - last->size >= policy.every_leaves ||
                     now - last->signed_at_ms >= policy.every_ms || wanted;
    if (!grew || !due)
        return last;
    store::Transaction tx(db_);
    const std::uint64_t size_now = size();  // the writer may have appended meanwhile
    const tlog::Checkpoint c{signer.origin, size_now, tlog::root(*this, size_now), {}};
    const tlog::Note note{c.text(), {tlog::sign_note(c.text(), signer.origin, signer.key)}};
    // One size, one root: a second signing of a size (two callers at once)
    // signs the same text with a deterministic signature, and is ignored.
    db_.execute(
        "INSERT INTO log_checkpoint(size, root, note, signed_at_ms) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(size) DO NOTHING",
        static_cast<std::int64_t>(size_now), ByteView(c.root), note.serialize(), now);
    tx.commit();
    return latest();
}

void MerkleLog::add_cosignature(const Cosignature& c) {
    db_.execute(
        "INSERT INTO log_cosignature(size, device_id, community_id, time_s, line) VALUES (?1, ?2, "
        "?3, ?4, ?5) ON CONFLICT(size, device_id) DO NOTHING",
        static_cast<std::int64_t>(c.size), c.device_id, c.community_id,
        static_cast<std::int64_t>(c.time_s), c.line);
}

Witnessing MerkleLog::witnessing(std::size_t needed) {
    Witnessing w;
    w.needed = needed;
    // Per community, the furthest checkpoint one of its laptops cosigned.
    auto st = db_.prepare(
        "SELECT community_id, device_id, size, time_s FROM (SELECT community_id, device_id, size, "
        "time_s, row_number() OVER (PARTITION BY community_id ORDER BY size DESC, time_s DESC) "
        "AS n FROM log_cosignature) WHERE n = 1 ORDER BY size DESC, community_id");
    while (st.step()) {
        w.latest.push_back({st.column<std::string>(0), st.column<std::string>(1),
                            static_cast<std::uint64_t>(st.column<std::int64_t>(2)),
                            static_cast<std::uint64_t>(st.column<std::int64_t>(3))});
    }
    if (needed > 0 && w.latest.size() >= needed)
        w.witnessed_size = w.latest[needed - 1].size;
    return w;
}

std::vector<Cosignature> MerkleLog::cosignatures(std::uint64_t size) {
    auto st = db_.prepare(
        "SELECT size, device_id, community_id, time_s, line FROM log_cosignature WHERE size = ?1 "
        "ORDER BY device_id");
    st.bind(1, static_cast<std::int64_t>(size));
    std::vector<Cosignature> out;
    while (st.step()) {
        out.push_back({static_cast<std::uint64_t>(st.column<std::int64_t>(0)),
                       st.column<std::string>(1), st.column<std::string>(2),
                       static_cast<std::uint64_t>(st.column<std::int64_t>(3)),
                       st.column<std::string>(4)});
    }
    return out;
}

std::string MerkleLog::published_note(const StoredCheckpoint& c) {
    std::string out = c.note;
    for (const auto& s : cosignatures(c.size))
        out += s.line;
    return out;
}

bool MerkleLog::keep_alarm(const std::string& device_id, const sync::AlarmReport& report,
                           const tlog::NoteVerifier& log_key, domain::EpochMs now) {
    std::string evidence = "none";
    for (const auto* text : {&report.held_note, &report.offered_note}) {
        // A log_key_changed alarm holds the key it had pinned, not a note.
        if (text->empty() || tlog::NoteVerifier::parse(*text))
            continue;
        const auto note = tlog::parse_note(*text);
        const bool ok = note && tlog::verified_by(*note, log_key);
        evidence = !ok ? "unsigned" : evidence == "unsigned" ? evidence : "signed";
    }
    store::Transaction tx(db_);
    db_.execute(
        "INSERT INTO device_log_alarm(device_id, alarm_id, at_ms, kind, detail, held_note, "
        "offered_note, evidence, received_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON "
        "CONFLICT(device_id, alarm_id) DO NOTHING",
        device_id, static_cast<std::int64_t>(report.id), report.at_ms, report.kind, report.detail,
        report.held_note, report.offered_note, evidence, now);
    bool learnt = db_.changes() > 0;
    if (report.cleared_at_ms != 0) {
        // Only an open alarm of this device's, with the same evidence, is
        // cleared; the report cannot rewrite what central holds.
        db_.execute(
            "UPDATE device_log_alarm SET cleared_at_ms = ?1, cleared_reason = ?2 WHERE device_id "
            "= ?3 AND alarm_id = ?4 AND cleared_at_ms IS NULL AND kind = ?5 AND held_note = ?6 "
            "AND offered_note = ?7",
            report.cleared_at_ms, report.cleared_reason, device_id,
            static_cast<std::int64_t>(report.id), report.kind, report.held_note,
            report.offered_note);
        learnt = learnt || db_.changes() > 0;
    }
    tx.commit();
    return learnt;
}

std::vector<DeviceAlarm> MerkleLog::alarms(std::size_t limit) {
    auto st = db_.prepare(
        "SELECT device_id, alarm_id, at_ms, kind, detail, held_note, offered_note, evidence, "
        "received_at_ms, cleared_at_ms, coalesce(cleared_reason, '') FROM device_log_alarm ORDER "
        "BY cleared_at_ms IS NOT NULL, received_at_ms DESC, device_id, alarm_id DESC LIMIT ?1");
    st.bind(1, static_cast<std::int64_t>(limit));
    std::vector<DeviceAlarm> out;
    while (st.step()) {
        out.push_back(
            {st.column<std::string>(0), static_cast<std::uint64_t>(st.column<std::int64_t>(1)),
             st.column<std::int64_t>(2), st.column<std::string>(3), st.column<std::string>(4),
             st.column<std::string>(5), st.column<std::string>(6), st.column<std::string>(7),
             st.column<std::int64_t>(8), st.column<std::optional<std::int64_t>>(9),
             st.column<std::string>(10)});
    }
    return out;
}

std::uint64_t MerkleLog::open_alarms() {
    return static_cast<std::uint64_t>(
        db_.query_value<std::int64_t>(
               "SELECT count(*) FROM device_log_alarm WHERE cleared_at_ms IS NULL")
            .value_or(0));
}

}  // namespace gridsync::central
