#include "gridsync/central/store.hpp"

#include <set>

#include "authorize.hpp"
#include "conflicts.hpp"
#include "scope.hpp"

#include "gridsync/central/errors.hpp"
#include "gridsync/crypto/enrolment_code.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/store/changeset_writer.hpp"
#include "gridsync/store/migrate.hpp"
#include "gridsync/store/session.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

namespace {

constexpr const char* kCentralV1 = R"sql(
CREATE TABLE device(
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('community_laptop', 'grid_device')),
    staff_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    grid_id TEXT,
    signing_key BLOB NOT NULL CHECK (length(signing_key) = 32),
    kx_key BLOB NOT NULL CHECK (length(kx_key) = 32),   -- X25519, for the encrypted channel
    enrolled_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_hash BLOB NOT NULL DEFAULT (zeroblob(32))) STRICT;

CREATE TABLE enrollment_token(
    token_hash BLOB PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL,
    role TEXT NOT NULL,
    community_id TEXT NOT NULL,
    grid_id TEXT,
    created_by TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_at_ms INTEGER,
    device_id TEXT) STRICT;

-- The exact signed bytes of every accepted entry, in acceptance order. What an
-- auditor verifies; never rewritten.
CREATE TABLE accepted_entry(
    position INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entry_hash BLOB NOT NULL,
    signature BLOB NOT NULL,
    envelope BLOB NOT NULL,
    applied BLOB NOT NULL,       -- the changeset as central applied it: what devices pull
    hlc INTEGER NOT NULL,
    accepted_at_ms INTEGER NOT NULL,
    UNIQUE (device_id, seq)) STRICT;
CREATE TRIGGER accepted_entry_no_update BEFORE UPDATE ON accepted_entry
    BEGIN SELECT RAISE(ABORT, 'accepted_entry is append-only'); END;
CREATE TRIGGER accepted_entry_no_delete BEFORE DELETE ON accepted_entry
    BEGIN SELECT RAISE(ABORT, 'accepted_entry is append-only'); END;

-- What could not merge: both sides kept, for an admin to resolve (issue #5).
CREATE TABLE conflict(
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    central_row TEXT,
    incoming_old TEXT,
    incoming_new TEXT,
    detail TEXT,
    detected_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved'))) STRICT;

-- Prepared changes waiting for a second admin (maker is never checker).
CREATE TABLE pending_approval(
    id TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    prepared_by TEXT NOT NULL,
    prepared_at_ms INTEGER NOT NULL,
    changeset BLOB NOT NULL,
    approved_by TEXT,
    approved_at_ms INTEGER) STRICT;

CREATE TABLE audit(
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    outcome TEXT NOT NULL,
    detail TEXT) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
)sql";

// Admins with keys of their own; what each signed, kept as signed.
constexpr const char* kCentralV2 = R"sql(
CREATE TABLE admin_account(
    login TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,          -- Argon2id, libsodium's string form
    signing_key BLOB NOT NULL CHECK (length(signing_key) = 32),
    sealed_key BLOB NOT NULL,             -- the key's seed, sealed with the password
    created_at_ms INTEGER NOT NULL,
    created_by TEXT,
    disabled_at_ms INTEGER) STRICT;

CREATE TABLE admin_action(
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    body BLOB NOT NULL,                   -- the exact signed bytes (admin.hpp)
    signature BLOB NOT NULL,
    at_ms INTEGER NOT NULL) STRICT;
CREATE TRIGGER admin_action_no_update BEFORE UPDATE ON admin_action
    BEGIN SELECT RAISE(ABORT, 'admin_action is append-only'); END;
CREATE TRIGGER admin_action_no_delete BEFORE DELETE ON admin_action
    BEGIN SELECT RAISE(ABORT, 'admin_action is append-only'); END;
)sql";

// How a conflict was settled, and by whom (the signed action has the rest).
constexpr const char* kCentralV3 = R"sql(
ALTER TABLE conflict ADD COLUMN resolution TEXT;
ALTER TABLE conflict ADD COLUMN resolved_by TEXT;
ALTER TABLE conflict ADD COLUMN resolved_at_ms INTEGER;
ALTER TABLE conflict ADD COLUMN reason TEXT;
)sql";

// Entries waiting for a parent (docs/CONFLICTS.md): the exact signed bytes.
constexpr const char* kCentralV4 = R"sql(
CREATE TABLE parked_entry(
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entry_hash BLOB NOT NULL,
    signature BLOB NOT NULL,
    envelope BLOB NOT NULL,
    waiting_for TEXT NOT NULL,
    parked_at_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)) STRICT;
-- Snapshot pages carry the log's highest HLC.
CREATE INDEX accepted_entry_hlc ON accepted_entry(hlc);
)sql";

// Which communities each log entry touches ('*': every community, e.g. the
// reference data), so a device's pull reads its community's entries only.
// Entries logged before this version count for every community.
constexpr const char* kCentralV5 = R"sql(
CREATE TABLE accepted_entry_community(
    community_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (community_id, position)) WITHOUT ROWID, STRICT;
INSERT INTO accepted_entry_community SELECT '*', position FROM accepted_entry;
)sql";

// What central checks of devices' clocks and keeps of its own
// (docs/SECURITY.md): the last HLC accepted from each device, each device's
// clock as measured at its last pull, central's own persisted HLC, and the
// skew known when an entry was accepted from a skewed device.
constexpr const char* kCentralV6 = R"sql(
ALTER TABLE device ADD COLUMN last_hlc INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device ADD COLUMN clock_skew_ms INTEGER;
ALTER TABLE device ADD COLUMN clock_checked_at_ms INTEGER;
ALTER TABLE accepted_entry ADD COLUMN clock_skew_ms INTEGER;
CREATE TABLE central_state(
    key TEXT PRIMARY KEY NOT NULL,
    value ANY) STRICT;
)sql";

// One-time staff enrolment codes an admin issued: only the public key the
// code derives is kept (crypto/enrolment_code.hpp), never the code.
constexpr const char* kCentralV7 = R"sql(
CREATE TABLE staff_enrolment_code(
    code_key BLOB PRIMARY KEY NOT NULL CHECK (length(code_key) = 32),
    staff_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_at_ms INTEGER,
    used_by_key TEXT,
    used_by_device TEXT) STRICT;
)sql";

// A staged list can be turned down (by its checker, or withdrawn by its
// maker) with a reason, instead of waiting for ever.
constexpr const char* kCentralV8 = R"sql(
ALTER TABLE pending_approval ADD COLUMN rejected_by TEXT;
ALTER TABLE pending_approval ADD COLUMN rejected_at_ms INTEGER;
ALTER TABLE pending_approval ADD COLUMN rejected_reason TEXT;
)sql";

// Entries refused for good but signed and linked (docs/PROTOCOL.md,
// "Refusals"): kept whole with central's signed decision; the device's chain
// went on past them. Central's epoch (central_state 'epoch', 'epoch_base')
// and the last pull-request number of each device (replays refused).
constexpr const char* kCentralV9 = R"sql(
CREATE TABLE quarantined_entry(
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hlc INTEGER NOT NULL,
    entry_hash BLOB NOT NULL,
    signature BLOB NOT NULL,
    envelope BLOB NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    decision BLOB NOT NULL,
    decision_signature BLOB NOT NULL,
    quarantined_at_ms INTEGER NOT NULL,
    released_at_ms INTEGER,
    released_by TEXT,
    PRIMARY KEY (device_id, seq)) STRICT;
ALTER TABLE device ADD COLUMN last_pull_request INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device ADD COLUMN pull_protocol INTEGER NOT NULL DEFAULT 0;
)sql";

// The verifiable log (docs/AUDIT.md, central/merkle_log.hpp): which row
// each leaf is, the hashes of complete subtrees, the checkpoints signed and
// the witnesses' cosignatures. All append-only.
constexpr const char* kCentralV10 = R"sql(
CREATE TABLE log_leaf(
    idx INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 6),  -- LeafSource
    ref INTEGER NOT NULL,
    UNIQUE (kind, ref)) STRICT;
CREATE TABLE log_hash(
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)) WITHOUT ROWID, STRICT;
CREATE TABLE log_checkpoint(
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL CHECK (length(root) = 32),
    note TEXT NOT NULL,
    signed_at_ms INTEGER NOT NULL) STRICT;
CREATE TABLE log_cosignature(
    size INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    time_s INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (size, device_id)) STRICT;
CREATE TRIGGER log_leaf_no_update BEFORE UPDATE ON log_leaf
    BEGIN SELECT RAISE(ABORT, 'log_leaf is append-only'); END;
CREATE TRIGGER log_leaf_no_delete BEFORE DELETE ON log_leaf
    BEGIN SELECT RAISE(ABORT, 'log_leaf is append-only'); END;
CREATE TRIGGER log_hash_no_update BEFORE UPDATE ON log_hash
    BEGIN SELECT RAISE(ABORT, 'log_hash is append-only'); END;
CREATE TRIGGER log_hash_no_delete BEFORE DELETE ON log_hash
    BEGIN SELECT RAISE(ABORT, 'log_hash is append-only'); END;
CREATE TRIGGER log_checkpoint_no_update BEFORE UPDATE ON log_checkpoint
    BEGIN SELECT RAISE(ABORT, 'log_checkpoint is append-only'); END;
CREATE TRIGGER log_checkpoint_no_delete BEFORE DELETE ON log_checkpoint
    BEGIN SELECT RAISE(ABORT, 'log_checkpoint is append-only'); END;
)sql";

// The log's baseline (merkle_log.hpp): rows a database held before its log
// began. log_leaf is rebuilt to admit the new leaf source (7).
constexpr const char* kCentralV11 = R"sql(
CREATE TABLE log_baseline(
    id INTEGER PRIMARY KEY,
    table_name TEXT NOT NULL,
    taken_at_ms INTEGER NOT NULL,
    changeset BLOB NOT NULL) STRICT;
CREATE TRIGGER log_baseline_no_update BEFORE UPDATE ON log_baseline
    BEGIN SELECT RAISE(ABORT, 'log_baseline is append-only'); END;
CREATE TRIGGER log_baseline_no_delete BEFORE DELETE ON log_baseline
    BEGIN SELECT RAISE(ABORT, 'log_baseline is append-only'); END;
CREATE TABLE log_leaf_v11(
    idx INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 7),  -- LeafSource
    ref INTEGER NOT NULL,
    UNIQUE (kind, ref)) STRICT;
INSERT INTO log_leaf_v11(idx, kind, ref) SELECT idx, kind, ref FROM log_leaf;
DROP TRIGGER log_leaf_no_update;
DROP TRIGGER log_leaf_no_delete;
DROP TABLE log_leaf;
ALTER TABLE log_leaf_v11 RENAME TO log_leaf;
CREATE TRIGGER log_leaf_no_update BEFORE UPDATE ON log_leaf
    BEGIN SELECT RAISE(ABORT, 'log_leaf is append-only'); END;
CREATE TRIGGER log_leaf_no_delete BEFORE DELETE ON log_leaf
    BEGIN SELECT RAISE(ABORT, 'log_leaf is append-only'); END;
)sql";

// Log alarms devices report (protocol 5), kept for the console: one row per
// device and alarm, its clearing filled in once. And the restores central
// went through, each a leaf of the log (kind 8, LeafSource::epoch), so an
// auditor can tell a restore from a rewritten history.
constexpr const char* kCentralV12 = R"sql(
CREATE TABLE device_log_alarm(
    device_id TEXT NOT NULL,
    alarm_id INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    held_note TEXT NOT NULL,
    offered_note TEXT NOT NULL,
    evidence TEXT NOT NULL,  -- signed | unsigned | none: the notes verify with the log key
    received_at_ms INTEGER NOT NULL,
    cleared_at_ms INTEGER,
    cleared_reason TEXT,
    PRIMARY KEY (device_id, alarm_id)) STRICT;
CREATE TRIGGER device_log_alarm_once BEFORE UPDATE ON device_log_alarm
    WHEN OLD.cleared_at_ms IS NOT NULL OR NEW.device_id <> OLD.device_id
      OR NEW.alarm_id <> OLD.alarm_id OR NEW.kind <> OLD.kind OR NEW.held_note <> OLD.held_note
      OR NEW.offered_note <> OLD.offered_note
    BEGIN SELECT RAISE(ABORT, 'a device log alarm changes only once, when cleared'); END;
CREATE TRIGGER device_log_alarm_no_delete BEFORE DELETE ON device_log_alarm
    BEGIN SELECT RAISE(ABORT, 'device_log_alarm is append-only'); END;
CREATE TABLE log_epoch(
    id INTEGER PRIMARY KEY,
    leaf BLOB NOT NULL) STRICT;
CREATE TRIGGER log_epoch_no_update BEFORE UPDATE ON log_epoch
    BEGIN SELECT RAISE(ABORT, 'log_epoch is append-only'); END;
CREATE TRIGGER log_epoch_no_delete BEFORE DELETE ON log_epoch
    BEGIN SELECT RAISE(ABORT, 'log_epoch is append-only'); END;
CREATE TABLE log_leaf_v12(
    idx INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 8),  -- LeafSource
    ref INTEGER NOT NULL,
    UNIQUE (kind, ref)) STRICT;
INSERT INTO log_leaf_v12(idx, kind, ref) SELECT idx, kind, ref FROM log_leaf;
DROP TRIGGER log_leaf_no_update;
DROP TRIGGER log_leaf_no_delete;
DROP TABLE log_leaf;
ALTER TABLE log_leaf_v12 RENAME TO log_leaf;
CREATE TRIGGER log_leaf_no_update BEFORE UPDATE ON log_leaf
    BEGIN SELECT RAISE(ABORT, 'log_leaf is append-only'); END;
CREATE TRIGGER log_leaf_no_delete BEFORE DELETE ON log_leaf
    BEGIN SELECT RAISE(ABORT, 'log_leaf is append-only'); END;
)sql";

const store::Migration kCentralMigrations[] = {
    {1, "devices, tokens, accepted log, conflicts, audit", kCentralV1},
    {2, "admin accounts and signed admin actions", kCentralV2},
    {3, "conflict resolutions", kCentralV3},
    {4, "parked entries", kCentralV4},
    {5, "the communities of each log entry", kCentralV5},
    {6, "device clocks and central's own HLC", kCentralV6},
    {7, "staff enrolment codes", kCentralV7},
    {8, "staged lists turned down", kCentralV8},
    {9, "quarantined entries, epochs, pull-request numbers", kCentralV9},
    {10, "the verifiable log", kCentralV10},
    {11, "the log's baseline", kCentralV11},
    {12, "devices' log alarms, restores in the log", kCentralV12}};

// Thrown inside record_central's transaction to leave it without a trace.
struct Refused {
    Failure failure;
};

Bytes token_digest(const std::string& token) {
    return crypto::blake2b(as_bytes("gridsync/enrollment-token/v1:" + token));
}

Device read_device(store::Statement& st) {
    Device d;
    d.id = st.column<std::string>(0);
    d.name = st.column<std::string>(1);
    d.role = st.column<std::string>(2);
    d.staff_id = st.column<std::string>(3);
    d.community_id = st.column<std::string>(4);
    d.grid_id = st.column<std::optional<std::string>>(5).value_or("");
    d.signing_key = *crypto::PublicKey::from(st.column<Bytes>(6));
    d.revoked = !st.is_null(7);
    d.last_seq = static_cast<std::uint64_t>(st.column<std::int64_t>(8));
    const Bytes h = st.column<Bytes>(9);
    std::copy(h.begin(), h.end(), d.last_hash.begin());
    d.kx_key = *crypto::KxPublicKey::from(st.column<Bytes>(10));
    d.last_hlc = st.column<std::int64_t>(11);
    d.clock_skew_ms = st.column<std::optional<std::int64_t>>(12);
    return d;
}

}  // namespace

bool Device::clock_skewed() const {
    return clock_skew_ms && std::abs(*clock_skew_ms) > sync::kMaxClockSkewMs;
}

CentralStore CentralStore::open(const std::filesystem::path& path) {
    store::OpenOptions o;
    o.cache_kib = 256 * 1024;
    auto db = store::Database::open(path, o);
    (void)store::migrate(db, domain::migrations());
    (void)store::migrate(db, kCentralMigrations, "central.local");
    const auto problems = store::uncapturable_tables(db, domain::replicated_tables());
    if (!problems.empty())
        throw store::StoreError(store::Errc::not_capturable, problems.front());
    // The first epoch, once: base 0 (nothing was restored).
    db.execute(
        "INSERT INTO central_state(key, value) VALUES ('epoch', ?1), ('epoch_base', 0) ON "
        "CONFLICT(key) DO NOTHING",
        to_hex(crypto::random_bytes(8)));
    CentralStore store(std::move(db));
    // Rows held before the log began are its first leaves (merkle_log.hpp).
    store.merkle_log().take_baseline(domain::SystemClock().now_ms());
    return store;
}

std::unique_ptr<CentralBackend> CentralStore::open_reader() {
    store::OpenOptions o;
    o.read_only = true;
    o.cache_kib = 32 * 1024;
    // Private constructor: not make_unique.
    return std::unique_ptr<CentralBackend>(new CentralStore(store::Database::open(db_.path(), o)));
}

sync::CentralEpoch CentralStore::epoch_for(const Device& device) {
    sync::CentralEpoch e;
    e.id = db_.query_value<std::string>("SELECT value FROM central_state WHERE key = 'epoch'")
               .value_or("");
    e.base = static_cast<std::uint64_t>(
        db_.query_value<std::int64_t>("SELECT value FROM central_state WHERE key = 'epoch_base'")
            .value_or(0));
    e.device_seq = device.last_seq;
    return e;
}

std::string CentralStore::begin_epoch(domain::EpochMs now) {
    const std::string id = to_hex(crypto::random_bytes(8));
    store::Transaction tx(db_);
    const auto base = static_cast<std::int64_t>(head());
    db_.execute(
        "INSERT INTO central_state(key, value) VALUES ('epoch', ?1), ('epoch_base', ?2) ON "
        "CONFLICT(key) DO UPDATE SET value = excluded.value",
        id, base);
    // Pull-request numbers went on after the backup: the devices' are higher
    // than any kept here, so nothing needs resetting.
    audit(now, "central", "central.epoch", id, "ok", "log base " + std::to_string(base));
    // The restore is in the verifiable log: an auditor tells the history it
    // lost (checkpoints and anchors beyond this size, from before it) from
    // one rewritten in silence.
    MerkleLog log = merkle_log();
    const sync::EpochLeaf leaf{id, static_cast<std::uint64_t>(base), log.size(), now};
    const Bytes bytes = sync::encode(sync::LogLeaf{leaf});
    db_.execute("INSERT INTO log_epoch(leaf) VALUES (?1)", ByteView(bytes));
    (void)log.append(LeafSource::epoch, db_.last_insert_rowid(), bytes);
    tx.commit();
    return id;
}

bool CentralStore::note_pull_request(const std::string& device_id, std::uint64_t request_seq,
                                     std::uint16_t version) {
    store::Transaction tx(db_);
    auto st = db_.prepare("SELECT last_pull_request, pull_protocol FROM device WHERE id = ?1");
    st.bind(1, device_id);
    if (!st.step())
        return false;
    const auto last = static_cast<std::uint64_t>(st.column<std::int64_t>(0));
    const auto protocol = st.column<std::int64_t>(1);
    st.reset();
    if (version < 3) {
        // Version 2 carries no number: taken only from a device that never spoke 3.
        return protocol < 3;
    }
    if (request_seq <= last)
        return false;
    db_.execute("UPDATE device SET last_pull_request = ?1, pull_protocol = ?2 WHERE id = ?3",
                static_cast<std::int64_t>(request_seq), static_cast<std::int64_t>(version),
                device_id);
    tx.commit();
    return true;
}

Bytes quarantine_decision(const QuarantinedEntry& e) {
    const std::string text = "gridsync quarantine v1\n" + e.device_id + "\n" +
                             std::to_string(e.seq) + "\n" + to_hex(ByteView(e.hash)) + "\n" +
                             e.code + "\n" + std::to_string(e.at_ms) + "\n";
    return Bytes(text.begin(), text.end());
}

void CentralStore::quarantine(const QuarantinedEntry& e) {
    store::Transaction tx(db_);
    db_.execute(
        R"(INSERT INTO quarantined_entry(device_id, seq, hlc, entry_hash, signature, envelope, code, reason,
                         decision, decision_signature, quarantined_at_ms)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))",
        e.device_id, static_cast<std::int64_t>(e.seq), e.hlc, ByteView(e.hash), e.signature,
        e.envelope, e.code, e.reason, e.decision, e.decision_signature, e.at_ms);
    const auto held = db_.last_insert_rowid();
    merkle_log().append(LeafSource::quarantined_entry, held,
                        sync::encode(sync::EntryLeaf{e.signature, e.envelope}));
    merkle_log().append(LeafSource::quarantine_decision, held,
                        sync::encode(sync::QuarantinedLeaf{e.decision, e.decision_signature}));
    db_.execute("UPDATE device SET last_seq = ?1, last_hash = ?2, last_hlc = ?3 WHERE id = ?4",
                static_cast<std::int64_t>(e.seq), ByteView(e.hash), e.hlc, e.device_id);
    db_.execute(
        R"(INSERT INTO conflict(id, kind, table_name, row_key, device_id, seq, detail, detected_at_ms)
                  VALUES (?1, 'QUARANTINED', '', ?2, ?3, ?4, ?5, ?6))",
        domain::new_id(e.at_ms), "#" + std::to_string(e.seq), e.device_id,
        static_cast<std::int64_t>(e.seq),
        "已隔离,原因修正后可放行 / quarantined; release it once the cause is fixed: " + e.code +
            " " + e.reason,
        e.at_ms);
    audit(e.at_ms, "device:" + e.device_id, "entry.quarantine", std::to_string(e.seq),
          "quarantined", e.code + " " + e.reason);
    tx.commit();
}

namespace {

QuarantinedEntry read_quarantined(store::Statement& st) {
    QuarantinedEntry q;
    q.device_id = st.column<std::string>(0);
    q.seq = static_cast<std::uint64_t>(st.column<std::int64_t>(1));
    q.hlc = st.column<std::int64_t>(2);
    const Bytes h = st.column<Bytes>(3);
    std::copy_n(h.begin(), std::min(h.size(), q.hash.size()), q.hash.begin());
    q.signature = st.column<Bytes>(4);
    q.envelope = st.column<Bytes>(5);
    q.code = st.column<std::string>(6);
    q.reason = st.column<std::string>(7);
    q.decision = st.column<Bytes>(8);
    q.decision_signature = st.column<Bytes>(9);
    q.at_ms = st.column<std::int64_t>(10);
    q.released_at_ms = st.column<std::optional<std::int64_t>>(11);
    q.released_by = st.column<std::optional<std::string>>(12).value_or("");
    return q;
}

constexpr const char* kQuarantineColumns =
    "SELECT device_id, seq, hlc, entry_hash, signature, envelope, code, reason, decision, "
    "decision_signature, quarantined_at_ms, released_at_ms, released_by FROM quarantined_entry ";

}  // namespace

std::optional<QuarantinedEntry> CentralStore::quarantined(const std::string& device_id,
                                                          std::uint64_t seq) {
    auto st = db_.prepare(std::string(kQuarantineColumns) + "WHERE device_id = ?1 AND seq = ?2");
    st.bind(1, device_id);
    st.bind(2, static_cast<std::int64_t>(seq));
    if (!st.step())
        return std::nullopt;
    return read_quarantined(st);
}

std::vector<QuarantinedEntry> CentralStore::quarantined_entries(bool all) {
    std::vector<QuarantinedEntry> out;
    auto st =
        db_.prepare(std::string(kQuarantineColumns) + (all ? "" : "WHERE released_at_ms IS NULL ") +
                    "ORDER BY quarantined_at_ms DESC, device_id, seq");
    while (st.step())
        out.push_back(read_quarantined(st));
    return out;
}

std::string CentralStore::create_token(const AdminSigner& admin, const TokenGrant& g,
                                       domain::EpochMs now) {
    const std::string token = to_hex(crypto::random_bytes(16));
    store::Transaction tx(db_);
    db_.execute(
        R"(INSERT INTO enrollment_token(token_hash, staff_id, role, community_id, grid_id, created_by,
                       created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))",
        token_digest(token), g.staff_id, g.role, g.community_id,
        g.grid_id.empty() ? std::nullopt : std::optional<std::string>(g.grid_id), admin.login, now,
        now + g.ttl_ms);
    record_admin_action(
        admin, "token.create", g.staff_id,
        g.role + " " + g.community_id + " " + g.grid_id + " ttl_ms " + std::to_string(g.ttl_ms),
        now);
    tx.commit();
    return token;
}

Result<Device> CentralStore::enroll(const std::string& token, const std::string& device_name,
                                    const crypto::PublicKey& signing_key,
                                    const crypto::KxPublicKey& kx_key, domain::EpochMs now) {
    store::Transaction tx(db_);
    auto st = db_.prepare(
        "SELECT staff_id, role, community_id, grid_id, expires_at_ms, used_at_ms FROM "
        "enrollment_token WHERE token_hash = ?1");
    st.bind(1, token_digest(token));
    auto refuse = [&](Errc code, const std::string& why) -> Result<Device> {
        audit(now, "device:" + device_name, "device.enroll", "", "refused", why);
        tx.commit();
        return fail(code, why);
    };
    if (!st.step())
        return refuse(Errc::token_invalid, "登记令牌无效 / no such enrollment token");
    if (!st.is_null(5))
        return refuse(Errc::token_used, "登记令牌已使用 / the token was already used");
    if (st.column<std::int64_t>(4) < now)
        return refuse(Errc::token_expired, "登记令牌已过期 / the token has expired");
    Device d;
    d.id = "dev-" + domain::new_id(now);
    d.name = device_name;
    d.staff_id = st.column<std::string>(0);
    d.role = st.column<std::string>(1);
    d.community_id = st.column<std::string>(2);
    d.grid_id = st.column<std::optional<std::string>>(3).value_or("");
    d.signing_key = signing_key;
    d.kx_key = kx_key;
    st.reset();
    db_.execute(
        R"(INSERT INTO device(id, name, role, staff_id, community_id, grid_id, signing_key, kx_key, enrolled_at_ms)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))",
        d.id, d.name, d.role, d.staff_id, d.community_id,
        d.grid_id.empty() ? std::nullopt : std::optional<std::string>(d.grid_id),
        signing_key.view(), kx_key.view(), now);
    merkle_log().append(
        LeafSource::device, db_.last_insert_rowid(),
        sync::encode(sync::DeviceKeyLeaf{d.id, d.role, d.staff_id, d.community_id, d.grid_id,
                                         Bytes(signing_key.bytes.begin(), signing_key.bytes.end()),
                                         Bytes(kx_key.bytes.begin(), kx_key.bytes.end()), now}));
    db_.execute("UPDATE enrollment_token SET used_at_ms = ?1, device_id = ?2 WHERE token_hash = ?3",
                now, d.id, token_digest(token));
    audit(now, "device:" + d.id, "device.enroll", d.staff_id, "ok",
          d.role + " fingerprint " + crypto::fingerprint(signing_key));
    tx.commit();
    return d;
}

std::optional<Device> CentralStore::device(const std::string& device_id) {
    auto st = db_.prepare(
        "SELECT id, name, role, staff_id, community_id, grid_id, signing_key, revoked_at_ms, "
        "last_seq, last_hash, kx_key, last_hlc, clock_skew_ms "
        "FROM device WHERE id = ?1");
    st.bind(1, device_id);
    if (!st.step())
        return std::nullopt;
    return read_device(st);
}

std::map<std::string, bool> CentralStore::device_standings() {
    std::map<std::string, bool> out;
    auto st = db_.prepare("SELECT id, revoked_at_ms IS NOT NULL FROM device");
    while (st.step())
        out.emplace(st.column<std::string>(0), st.column<std::int64_t>(1) != 0);
    return out;
}

Status CentralStore::revoke(const std::string& device_id, const AdminSigner& admin,
                            const std::string& reason, domain::EpochMs now) {
    store::Transaction tx(db_);
    db_.execute("UPDATE device SET revoked_at_ms = ?1 WHERE id = ?2 AND revoked_at_ms IS NULL", now,
                device_id);
    if (db_.changes() == 0) {
        audit(now, "admin:" + admin.login, "device.revoke", device_id, "refused", reason);
        tx.commit();
        return fail(Errc::unknown_device,
                    "设备不存在或已停用 / no such active device " + device_id);
    }
    record_admin_action(admin, "device.revoke", device_id, reason, now);
    tx.commit();
    return {};
}

Status CentralStore::add_admin(const AdminSigner* by_admin, const std::string& login,
                               const std::string& staff_id, ByteView password, domain::EpochMs now,
                               crypto::KdfParams kdf) {
    if (login.empty() || login.size() > 64)
        return fail(Errc::not_authorized, "登录名须为 1-64 个字符 / a login is 1-64 characters");
    if (password.size() < 8)
        return fail(Errc::not_authorized,
                    "密码至少 8 个字符 / a password has at least 8 characters");
    // The slow part (two Argon2id runs) before the write lock is taken.
    const auto key = crypto::SigningKey::generate();
    const std::string hash = crypto::hash_password(password, kdf);
    const Bytes sealed = crypto::seal_secret(key.seed().view(), password, kdf);
    store::Transaction tx(db_);
    const bool first = !db_.query_value<int>("SELECT 1 FROM admin_account LIMIT 1");
    if (!by_admin && !first)
        return fail(Errc::not_authorized, "只有管理员能添加管理员 / only an admin adds admins");
    if (db_.query_value<std::string>("SELECT role FROM staff WHERE id = ?1", staff_id) != "admin") {
        return fail(Errc::not_authorized,
                    "该工作人员不是管理员 / staff " + staff_id + " does not have the admin role");
    }
    if (db_.query_value<int>("SELECT 1 FROM admin_account WHERE login = ?1 OR staff_id = ?2", login,
                             staff_id)) {
        return fail(Errc::not_authorized,
                    "登录名或工作人员已有账号 / the login or the staff "
                    "member already has an account");
    }
    db_.execute(
        R"(INSERT INTO admin_account(login, staff_id, password_hash, signing_key, sealed_key,
                          created_at_ms, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))",
        login, staff_id, hash, key.public_key().view(), sealed, now,
        by_admin ? std::optional<std::string>(by_admin->login) : std::nullopt);
    merkle_log().append(
        LeafSource::admin_account, db_.last_insert_rowid(),
        sync::encode(sync::AdminKeyLeaf{
            login, staff_id, Bytes(key.public_key().bytes.begin(), key.public_key().bytes.end()),
            by_admin ? by_admin->login : "", now}));
    const std::string detail =
        "staff " + staff_id + " fingerprint " + crypto::fingerprint(key.public_key());
    if (by_admin)
        record_admin_action(*by_admin, "admin.add", login, detail, now);
    else
        audit(now, "central", "admin.add", login, "ok", "first admin, " + detail);
    tx.commit();
    return {};
}

namespace {
// An Argon2id hash of a random password nobody knows, at the interactive
// limits (crypto::KdfParams::interactive), checked for a name that has no account.
constexpr const char* kNoSuchAdminHash =
    "$argon2id$v=19$m=65536,t=2,p=1$1t3W0XTOFqZ5K3bTJY/avw$1EHIqzQukyrP6RxQIiWcMkW2oJz4am/"
    "rjojiAF436vc";
}  // namespace

std::optional<AdminCredentials> CentralStore::admin_credentials(const std::string& login) {
    auto st = db_.prepare(
        "SELECT staff_id, password_hash, sealed_key, signing_key FROM admin_account WHERE login = "
        "?1 AND disabled_at_ms IS NULL");
    st.bind(1, login);
    if (!st.step())
        return std::nullopt;
    return AdminCredentials{login, st.column<std::string>(0), st.column<std::string>(1),
                            st.column<Bytes>(2), st.column<Bytes>(3)};
}

Result<AdminSigner> open_admin_key(const std::optional<AdminCredentials>& account,
                                   ByteView password) {
    const auto refused = [] {
        return fail(Errc::admin_login_failed, "登录名或密码不正确 / wrong login or password");
    };
    if (!account) {
        // The same Argon2id work as for a real account (at the interactive
        // limits every production account has), the answer thrown away: an
        // unknown name must not answer sooner than a known one.
        (void)crypto::verify_password(kNoSuchAdminHash, password);
        return refused();
    }
    if (!crypto::verify_password(account->password_hash, password))
        return refused();
    auto seed = crypto::unseal_secret(account->sealed_key, password);
    if (!seed)
        return refused();
    AdminSigner signer{account->login, account->staff_id,
                       crypto::SigningKey::from_seed(seed->view())};
    if (!crypto::constant_time_equal(signer.key.public_key().view(), account->signing_key))
        return refused();
    return signer;
}

Result<AdminSigner> CentralStore::unlock_admin(const std::string& login, ByteView password,
                                               domain::EpochMs now) {
    auto signer = open_admin_key(admin_credentials(login), password);
    audit(now, "admin:" + login, "admin.login", login, signer ? "ok" : "refused", "");
    return signer;
}

void CentralStore::record_admin_action(const AdminSigner& admin, const std::string& action,
                                       const std::string& subject, const std::string& detail,
                                       domain::EpochMs now) {
    const Bytes body = encode(AdminAction{admin.login, action, subject, detail, now});
    const auto sig = admin.key.sign(kAdminActionContext, body);
    // Verified against the key central registered, not the one in hand: an
    // action is only as good as the registration it can be traced to.
    const auto registered = db_.query_value<Bytes>(
        "SELECT signing_key FROM admin_account WHERE login = ?1 AND disabled_at_ms IS NULL",
        admin.login);
    const auto key = registered ? crypto::PublicKey::from(*registered) : std::nullopt;
    if (!key || !crypto::verify(*key, kAdminActionContext, body, sig))
        throw Error(Errc::admin_login_failed,
                    "admin key is not the registered one: " + admin.login);
    db_.execute(
        "INSERT INTO admin_action(login, action, subject, body, signature, at_ms) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6)",
        admin.login, action, subject, body, sig.view(), now);
    const auto action_id = db_.last_insert_rowid();
    merkle_log().append(LeafSource::admin_action, action_id,
                        sync::encode(sync::AdminActionLeaf{
                            admin.login, body, Bytes(sig.bytes.begin(), sig.bytes.end())}));
    audit(now, "admin:" + admin.login, action, subject, "ok",
          detail + " [signed #" + std::to_string(action_id) + "]");
}

domain::Stamp CentralStore::central_stamp(domain::EpochMs now) {
    const domain::Hlc last{
        db_.query_value<std::int64_t>("SELECT value FROM central_state WHERE key = 'hlc'")
            .value_or(0)};
    const domain::Hlc next = domain::next_hlc(last, now);
    db_.execute(
        "INSERT INTO central_state(key, value) VALUES ('hlc', ?1) ON CONFLICT(key) DO UPDATE SET "
        "value = excluded.value",
        next.packed);
    return {"central", next, now};
}

void CentralStore::observe_hlc(std::int64_t hlc) {
    db_.execute(
        "INSERT INTO central_state(key, value) VALUES ('hlc', ?1) ON CONFLICT(key) DO UPDATE SET "
        "value = max(value, excluded.value)",
        hlc);
}

void CentralStore::append_central(store::Session& session, const crypto::SigningKey& central_key,
                                  const domain::Stamp& stamp) {
    const store::Changeset cs = session.changeset();
    if (cs.empty())
        return;
    sync::ChangesetEnvelope e;
    e.device_id = "central";
    auto last = db_.prepare(
        "SELECT seq, entry_hash FROM accepted_entry WHERE device_id = 'central' ORDER BY seq DESC "
        "LIMIT 1");
    e.seq = 1;
    if (last.step()) {
        e.seq = static_cast<std::uint64_t>(last.column<std::int64_t>(0)) + 1;
        const Bytes h = last.column<Bytes>(1);
        std::copy(h.begin(), h.end(), e.prev_hash.begin());
    }
    last.reset();
    e.hlc = stamp.hlc.packed;
    e.created_ms = stamp.now_ms;
    e.schema_version = domain::kSchemaVersion;
    e.changeset.assign(cs.bytes().begin(), cs.bytes().end());
    const Bytes envelope = sync::encode(e);
    const auto sig = central_key.sign(sync::kEnvelopeContext, envelope);
    const auto hash = sync::entry_hash(envelope, sig);
    db_.execute(
        R"(INSERT INTO accepted_entry(device_id, seq, entry_hash, signature, envelope, applied, hlc, accepted_at_ms)
                   VALUES ('central', ?1, ?2, ?3, ?4, ?5, ?6, ?7))",
        e.seq, ByteView(hash), sig.view(), envelope, cs.bytes(), e.hlc, stamp.now_ms);
    const auto position = db_.last_insert_rowid();
    merkle_log().append(
        LeafSource::accepted_entry, position,
        sync::encode(sync::EntryLeaf{Bytes(sig.bytes.begin(), sig.bytes.end()), envelope}));
    index_communities(position, cs.bytes());
}

std::optional<std::uint64_t> CentralStore::log_index_of(const std::string& device_id,
                                                        std::uint64_t seq) {
    const auto i = db_.query_value<std::int64_t>(
        "SELECT l.idx FROM accepted_entry e JOIN log_leaf l ON l.kind = 1 AND l.ref = e.position "
        "WHERE e.device_id = ?1 AND e.seq = ?2 UNION ALL SELECT l.idx FROM quarantined_entry q "
        "JOIN log_leaf l ON l.kind = 2 AND l.ref = q.rowid WHERE q.device_id = ?1 AND q.seq = ?2 "
        "LIMIT 1",
        device_id, static_cast<std::int64_t>(seq));
    if (!i)
        return std::nullopt;
    return static_cast<std::uint64_t>(*i);
}

void CentralStore::index_communities(std::int64_t position, ByteView applied) {
    Resolver resolve(db_);
    std::set<std::string> communities;
    for (store::ChangesetIterator it(applied); it.next() && !communities.count("*");) {
        const auto key = it.primary_key();
        if (key.size() != 1 || !std::holds_alternative<std::string>(key[0]))
            continue;
        const auto c = resolve.community_of(std::string(it.table()), std::get<std::string>(key[0]));
        communities.insert(c ? *c : "*");
    }
    for (const auto& c : communities) {
        db_.execute("INSERT INTO accepted_entry_community(community_id, position) VALUES (?1, ?2)",
                    c, position);
    }
}

Status CentralStore::approve(const std::string& approval_id, const AdminSigner& approver,
                             const crypto::SigningKey& central_key, domain::EpochMs now) {
    auto st = db_.prepare(
        "SELECT subject, prepared_by, changeset, approved_by, rejected_by FROM pending_approval "
        "WHERE id = ?1");
    st.bind(1, approval_id);
    if (!st.step())
        return fail(Errc::not_authorized,
                    "没有待审核的记录 / nothing to approve with id " + approval_id);
    const std::string subject = st.column<std::string>(0);
    const std::string preparer = st.column<std::string>(1);
    const Bytes changeset = st.column<Bytes>(2);
    const bool done = !st.is_null(3);
    const bool rejected = !st.is_null(4);
    st.reset();
    if (done)
        return fail(Errc::not_authorized, "已审核过 / already approved");
    if (rejected)
        return fail(Errc::not_authorized, "已退回,不能再审核 / turned down: it cannot be approved");
    if (approver.staff_id == preparer) {
        audit(now, "admin:" + approver.login, "approval.approve", subject, "refused",
              "maker is never checker");
        return fail(Errc::not_authorized,
                    "编制人不能审核自己编制的名单 / the preparer cannot approve their own list");
    }
    record_central(central_key, now, [&](store::Database& db, const domain::Stamp& stamp) {
        // The staged list applies whole or not at all.
        (void)store::apply_changeset(
            db, changeset, [](const store::Conflict& c) -> store::ConflictAction {
                throw store::StoreError(store::Errc::bad_conflict_answer,
                                        "staged change no longer applies cleanly (" +
                                            std::string(store::to_string(c.kind)) + " on " +
                                            c.table + ")");
            });
        // Every day the staged change creates, or lists entitlements for,
        // is approved by this act (a day approved before stays as it was).
        std::set<std::string> days;
        store::ChangesetIterator it(changeset);
        while (it.next()) {
            if (it.op() != store::Op::insert)
                continue;
            if (it.table() == "disbursement_day") {
                days.insert(std::get<std::string>(it.primary_key().at(0)));
            } else if (it.table() == "entitlement") {
                if (auto d = it.new_value(1); d && std::holds_alternative<std::string>(*d))
                    days.insert(std::get<std::string>(*d));
            }
        }
        for (const auto& d : days) {
            db.execute(
                "UPDATE disbursement_day SET approved_by_staff_id = ?1, origin_device = "
                "'central', hlc = ?2 WHERE id = ?3 AND approved_by_staff_id IS NULL",
                approver.staff_id, stamp.hlc.packed, d);
        }
        db.execute(
            "UPDATE pending_approval SET approved_by = ?1, approved_at_ms = ?2 WHERE id = ?3",
            approver.staff_id, now, approval_id);
        record_admin_action(approver, "approval.approve", approval_id,
                            "day " + subject + ", prepared by " + preparer, now);
    });
    return {};
}

Status CentralStore::reject(const std::string& approval_id, const AdminSigner& admin,
                            const std::string& reason, domain::EpochMs now) {
    if (reason.empty())
        return fail(Errc::not_authorized, "退回须写明原因 / a reason is required");
    store::Transaction tx(db_);
    db_.execute(
        "UPDATE pending_approval SET rejected_by = ?1, rejected_at_ms = ?2, rejected_reason = ?3 "
        "WHERE id = ?4 AND approved_by IS NULL AND rejected_by IS NULL",
        admin.staff_id, now, reason, approval_id);
    if (db_.changes() == 0) {
        return fail(Errc::not_authorized,
                    "没有待审核的这份名单 / nothing waiting for approval with id " + approval_id);
    }
    record_admin_action(admin, "approval.reject", approval_id, reason, now);
    tx.commit();
    return {};
}

void CentralStore::audit(domain::EpochMs now, const std::string& actor, const std::string& action,
                         const std::string& subject, const std::string& outcome,
                         const std::string& detail) {
    db_.execute(
        "INSERT INTO audit(at_ms, actor, action, subject, outcome, detail) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6)",
        now, actor, action, subject, outcome, detail);
}

std::optional<sync::Hash32> CentralStore::accepted_hash(const std::string& device_id,
                                                        std::uint64_t seq) {
    const auto stored = db_.query_value<Bytes>(
        "SELECT entry_hash FROM accepted_entry WHERE device_id = ?1 AND seq = ?2 UNION ALL "
        "SELECT entry_hash FROM parked_entry WHERE device_id = ?1 AND seq = ?2 UNION ALL "
        "SELECT entry_hash FROM quarantined_entry WHERE device_id = ?1 AND seq = ?2",
        device_id, seq);
    if (!stored || stored->size() != sizeof(sync::Hash32))
        return std::nullopt;
    sync::Hash32 h{};
    std::copy(stored->begin(), stored->end(), h.begin());
    return h;
}

std::uint64_t CentralStore::head() {
    return static_cast<std::uint64_t>(
        db_.query_value<std::int64_t>("SELECT coalesce(max(position), 0) FROM accepted_entry")
            .value_or(0));
}

std::int64_t CentralStore::max_hlc() {
    return db_.query_value<std::int64_t>("SELECT coalesce(max(hlc), 0) FROM accepted_entry")
        .value_or(0);
}

std::vector<LoggedEntry> CentralStore::entries_after(std::uint64_t cursor, std::uint32_t limit,
                                                     const std::string& community) {
    std::vector<LoggedEntry> out;
    auto st = community.empty()
                  ? db_.prepare(
                        "SELECT position, device_id, applied, hlc FROM accepted_entry WHERE "
                        "position > ?1 ORDER BY position LIMIT ?2")
                  : db_.prepare(R"(SELECT e.position, e.device_id, e.applied, e.hlc
                         FROM accepted_entry e WHERE e.position IN (
                             SELECT position FROM accepted_entry_community
                             WHERE community_id IN (?3, '*') AND position > ?1)
                         ORDER BY e.position LIMIT ?2)");
    st.bind(1, static_cast<std::int64_t>(cursor));
    st.bind(2, limit);
    if (!community.empty())
        st.bind(3, community);
    while (st.step()) {
        out.push_back({static_cast<std::uint64_t>(st.column<std::int64_t>(0)),
                       st.column<std::string>(1), st.column<Bytes>(2), st.column<std::int64_t>(3)});
    }
    return out;
}

ApplyResult CentralStore::apply(const DecodedEntry& entry, domain::EpochMs now) {
    const Device& device = entry.device;
    const std::uint64_t seq = entry.seq;
    store::Transaction tx(db_);
    // What central actually applies (omitted conflicting rows excluded) is
    // what other devices will pull: captured while applying, unless the
    // device's own changeset is that already: as a session writes it and
    // applied with no conflict, it is the same changes (the rows of a table
    // perhaps in another order; store::as_a_session_writes_it). Nothing
    // after the apply writes a replicated table but a column merge, which
    // only an apply with conflicts makes. Capturing cost a sixth of a push.
    std::optional<store::Session> applied;
    const auto capture = [&] {
        applied.emplace(db_);
        for (const auto& t : domain::replicated_tables())
            applied->attach_checked(t);
    };
    const bool as_sent = store::as_a_session_writes_it(entry.changeset);
    if (!as_sent)
        capture();
    std::vector<PendingConflict> conflicts;
    std::vector<ColumnMerge> merges;
    bool missing_parent = false;
    // An entry that meets no conflict goes in through cached statements
    // (store::apply_cleanly says why: every sqlite3changeset_apply makes
    // all of central's statements compile again); one that meets any
    // conflict is applied as below, where each is handled. apply_cleanly
    // changes nothing when it returns false, so the capture can start after.
    const bool clean = store::apply_cleanly(db_, entry.changeset);
    if (!clean && !applied)
        capture();
    const auto report =
        clean ? store::ApplyReport{}
              : store::apply_changeset(db_, entry.changeset, [&](const store::Conflict& c) {
                    if (c.kind == store::ConflictKind::foreign_key) {
                        missing_parent = true;
                        return store::ConflictAction::abort;
                    }
                    if (c.kind == store::ConflictKind::data && c.op == store::Op::update) {
                        auto m = merge_columns(columns_of(db_, c.table), c, entry.hlc, device.id);
                        if (!m.clash || mergeable(c.table)) {
                            merges.push_back(std::move(m));
                            return store::ConflictAction::omit;
                        }
                    }
                    // Central's row stays; the device's version is kept in the conflict record.
                    std::string key;
                    for (const auto& k : c.key)
                        key += (key.empty() ? "" : ",") + store::to_display(k);
                    conflicts.push_back({std::string(store::to_string(c.kind)), c.table, key,
                                         store::to_display(c.local),
                                         store::to_display(c.incoming_old),
                                         store::to_display(c.incoming_new), ""});
                    return store::ConflictAction::omit;
                });
    if (report.aborted) {
        tx.rollback();
        return {ApplyResult::Kind::missing_parent, 0,
                missing_parent ? "引用的记录尚未到达中心,稍后重发 / a referenced record has not "
                                 "reached central yet; it will be sent again"
                               : "apply aborted"};
    }
    for (const auto& m : merges) {
        write_merge(db_, m);
        if (!m.lost.empty()) {
            conflicts.push_back({"COLUMN_MERGE", m.table, "'" + m.id + "'", m.central_row,
                                 m.incoming_old, m.incoming_new,
                                 "同一字段两处修改,按时间先后取后者;落选的值 / the later edit "
                                 "(HLC) kept; the other value: " +
                                     m.lost});
        }
    }
    if (auto st = flag_domain_conflicts(db_, entry, conflicts); !st) {
        tx.rollback();
        return {ApplyResult::Kind::rule_failed, 0, st.failure().message, {}};
    }
    if (auto st = redeem_enrolment_codes(entry, now); !st) {
        tx.rollback();
        audit(now, "device:" + device.id, "staff_key.register", std::to_string(seq), "refused",
              st.failure().message);
        return {ApplyResult::Kind::rule_failed, 0, st.failure().message, st.code()};
    }
    for (const auto& c : conflicts) {
        db_.execute(
            R"(INSERT INTO conflict(id, kind, table_name, row_key, device_id, seq, central_row, incoming_old,
                          incoming_new, detail, detected_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))",
            domain::new_id(now), c.kind, c.table, c.key, device.id, seq, c.central_row,
            c.incoming_old, c.incoming_new, c.detail, now);
    }
    const store::Changeset captured = applied ? applied->changeset() : store::Changeset{};
    const ByteView applied_bytes = applied ? captured.bytes() : entry.changeset;
    // Flagged on what it records: the skew of a device central measured as
    // off stays with each entry accepted from it meanwhile.
    db_.execute(
        R"(INSERT INTO accepted_entry(device_id, seq, entry_hash, signature, envelope, applied, hlc, accepted_at_ms,
                                      clock_skew_ms)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))",
        device.id, seq, ByteView(entry.hash), entry.signature.view(), entry.envelope, applied_bytes,
        entry.hlc, now, device.clock_skewed() ? device.clock_skew_ms : std::nullopt);
    const auto position = db_.last_insert_rowid();  // before any other insert moves it
    const auto log_index =
        merkle_log().append(LeafSource::accepted_entry, position,
                            sync::encode(sync::EntryLeaf{
                                Bytes(entry.signature.bytes.begin(), entry.signature.bytes.end()),
                                Bytes(entry.envelope.begin(), entry.envelope.end())}));
    observe_hlc(entry.hlc);
    index_communities(position, applied_bytes);
    if (entry.from_parking) {
        db_.execute("DELETE FROM parked_entry WHERE device_id = ?1 AND seq = ?2", device.id, seq);
        db_.execute(
            "UPDATE conflict SET state = 'resolved', resolution = 'applied', resolved_by = "
            "'central', resolved_at_ms = ?1, reason = '父记录已到达 / the parent arrived' WHERE "
            "kind = 'PARKED' AND device_id = ?2 AND seq = ?3 AND state = 'open'",
            now, device.id, seq);
        // Or released from quarantine by an admin (whose signed action says who).
        db_.execute(
            "UPDATE quarantined_entry SET released_at_ms = ?1, released_by = 'admin' WHERE "
            "device_id = ?2 AND seq = ?3 AND released_at_ms IS NULL",
            now, device.id, seq);
        db_.execute(
            "UPDATE conflict SET state = 'resolved', resolution = 'applied', resolved_by = "
            "'central', resolved_at_ms = ?1, reason = '管理员放行 / released by an admin' WHERE "
            "kind = 'QUARANTINED' AND device_id = ?2 AND seq = ?3 AND state = 'open'",
            now, device.id, seq);
    } else {
        db_.execute("UPDATE device SET last_seq = ?1, last_hash = ?2, last_hlc = ?3 WHERE id = ?4",
                    seq, ByteView(entry.hash), entry.hlc, device.id);
    }
    audit(now, "device:" + device.id, entry.from_parking ? "entry.unpark" : "entry.push",
          std::to_string(seq), "accepted",
          std::to_string(entry.rows.size()) + " rows, " + std::to_string(conflicts.size()) +
              " conflicts");
    tx.commit();
    // What the device hears: the kinds of disagreement its entry raised.
    std::set<std::string> kinds;
    for (const auto& c : conflicts)
        kinds.insert(c.kind);
    std::string flagged;
    for (const auto& k : kinds)
        flagged += (flagged.empty() ? "" : ", ") + k;
    return {
        ApplyResult::Kind::applied,
        conflicts.size(),
        flagged.empty() ? "" : "已接收,待管理员处理 / accepted, flagged for an admin: " + flagged,
        {},
        log_index};
}

Status CentralStore::redeem_enrolment_codes(const DecodedEntry& entry, domain::EpochMs now) {
    const domain::EpochMs signed_at = domain::Hlc{entry.hlc}.wall_ms();
    for (const auto& r : entry.rows) {
        if (r.table != "staff_key" || r.op != store::Op::insert)
            continue;
        const auto code_key = r.after.find("enrolment_key");
        const auto staff = r.after.find("staff_id");
        const Bytes* key =
            code_key == r.after.end() ? nullptr : std::get_if<Bytes>(&code_key->second);
        const std::string* staff_id =
            staff == r.after.end() ? nullptr : std::get_if<std::string>(&staff->second);
        auto refused = [&](const std::string& why) {
            return fail(Errc::staff_key_refused, why + " [staff_key " + r.id + "]");
        };
        if (!key || !staff_id)
            return refused("没有登记码 / no enrolment code");
        auto st = db_.prepare(
            "SELECT staff_id, created_at_ms, expires_at_ms, used_at_ms IS NOT NULL FROM "
            "staff_enrolment_code WHERE code_key = ?1");
        st.bind(1, *key);
        if (!st.step())
            return refused("登记码不是中心发出的 / central issued no such code");
        if (st.column<std::string>(0) != *staff_id)
            return refused("登记码是发给另一个人的 / the code was issued to someone else");
        if (st.column<bool>(3))
            return refused("登记码已用过 / the code was used already");
        if (signed_at > st.column<std::int64_t>(2) ||
            signed_at < st.column<std::int64_t>(1) - sync::kMaxClockSkewMs)
            return refused("登记码已过期 / the code had expired when the key was made");
        st.reset();
        db_.execute(
            "UPDATE staff_enrolment_code SET used_at_ms = ?1, used_by_key = ?2, used_by_device = "
            "?3 "
            "WHERE code_key = ?4",
            now, r.id, entry.device.id, *key);
        audit(now, "device:" + entry.device.id, "staff_key.register", *staff_id, "ok",
              "key " + r.id);
    }
    return {};
}

Result<StaffCode> CentralStore::create_staff_code(const AdminSigner& admin,
                                                  const std::string& staff_id,
                                                  domain::EpochMs ttl_ms, domain::EpochMs now) {
    auto active = db_.query_value<int>("SELECT active FROM staff WHERE id = ?1", staff_id);
    if (!active) {
        audit(now, "admin:" + admin.login, "staff_code.create", staff_id, "refused",
              "no such staff");
        return fail(Errc::bad_request, "工作人员不存在 / no staff member " + staff_id);
    }
    if (*active == 0)
        return fail(Errc::bad_request, "该工作人员已停用 / the staff member is no longer active");
    if (ttl_ms < 3600000 || ttl_ms > 30LL * 86400000)
        return fail(Errc::bad_request, "有效期 1 到 720 小时 / ttl: 1 to 720 hours");
    const auto code = crypto::EnrolmentCode::generate();
    store::Transaction tx(db_);
    db_.execute(
        R"(INSERT INTO staff_enrolment_code(code_key, staff_id, created_by, created_at_ms, expires_at_ms)
                  VALUES (?1, ?2, ?3, ?4, ?5))",
        code.public_key().view(), staff_id, admin.login, now, now + ttl_ms);
    record_admin_action(admin, "staff_code.create", staff_id,
                        "code key " + crypto::fingerprint(code.public_key()) + ", valid until " +
                            std::to_string(now + ttl_ms),
                        now);
    tx.commit();
    return StaffCode{code.text(), now + ttl_ms};
}

Status CentralStore::revoke_staff_key(const std::string& key_id, const AdminSigner& admin,
                                      const std::string& reason,
                                      const crypto::SigningKey& central_key, domain::EpochMs now) {
    try {
        if (reason.empty())
            throw Refused{{Errc::bad_request, "请写明理由 / a reason is required"}};
        record_central(central_key, now, [&](store::Database& db, const domain::Stamp& stamp) {
            const auto revoked = db.query_value<std::optional<std::int64_t>>(
                "SELECT revoked_at_ms FROM staff_key WHERE id = ?1", key_id);
            if (!revoked)
                throw Refused{{Errc::bad_request, "没有该密钥 / no staff key " + key_id}};
            if (*revoked)
                throw Refused{{Errc::bad_request, "该密钥已停用 / the key was revoked already"}};
            db.execute(
                "UPDATE staff_key SET revoked_at_ms = ?1, revoked_reason = ?2, origin_device = "
                "'central', hlc = ?3 WHERE id = ?4",
                now, reason, stamp.hlc.packed, key_id);
            record_admin_action(admin, "staff_key.revoke", key_id, reason, now);
        });
    } catch (const Refused& r) {
        audit(now, "admin:" + admin.login, "staff_key.revoke", key_id, "refused",
              r.failure.message);
        return r.failure;
    }
    return {};
}

Status CentralStore::set_staff_household(const std::string& staff_id,
                                         const std::optional<std::string>& household_id,
                                         const AdminSigner& admin,
                                         const crypto::SigningKey& central_key,
                                         domain::EpochMs now) {
    try {
        record_central(central_key, now, [&](store::Database& db, const domain::Stamp& stamp) {
            if (!db.query_value<int>("SELECT 1 FROM staff WHERE id = ?1", staff_id))
                throw Refused{{Errc::bad_request, "工作人员不存在 / no staff member " + staff_id}};
            if (household_id &&
                !db.query_value<int>("SELECT 1 FROM household WHERE id = ?1", *household_id)) {
                throw Refused{{Errc::bad_request, "没有该住户 / no household " + *household_id}};
            }
            db.execute(
                "UPDATE staff SET household_id = ?1, origin_device = 'central', hlc = ?2 WHERE id "
                "= ?3",
                household_id, stamp.hlc.packed, staff_id);
            record_admin_action(admin, "staff.household", staff_id, household_id.value_or("(none)"),
                                now);
        });
    } catch (const Refused& r) {
        audit(now, "admin:" + admin.login, "staff.household", staff_id, "refused",
              r.failure.message);
        return r.failure;
    }
    return {};
}

void CentralStore::note_device_clock(const std::string& device_id, std::int64_t skew_ms,
                                     domain::EpochMs now) {
    store::Transaction tx(db_);
    db_.execute("UPDATE device SET clock_skew_ms = ?1, clock_checked_at_ms = ?2 WHERE id = ?3",
                skew_ms, now, device_id);
    const bool skewed = std::abs(skew_ms) > sync::kMaxClockSkewMs;
    if (skewed && !db_.query_value<int>("SELECT 1 FROM conflict WHERE kind = 'CLOCK_SKEW' AND "
                                        "device_id = ?1 AND state = 'open'",
                                        device_id)) {
        const auto minutes = skew_ms / 60000;
        db_.execute(
            R"(INSERT INTO conflict(id, kind, table_name, row_key, device_id, seq, detail, detected_at_ms)
                      VALUES (?1, 'CLOCK_SKEW', 'device', ?2, ?2, 0, ?3, ?4))",
            domain::new_id(now), device_id,
            std::string("设备时钟比中心") + (skew_ms > 0 ? "快 " : "慢 ") +
                std::to_string(std::abs(minutes)) +
                " 分钟;其记录的时间不可全信 / the device clock is " +
                std::to_string(std::abs(minutes)) + " minutes " +
                (skew_ms > 0 ? "ahead of" : "behind") +
                " central's: the times it records are flagged",
            now);
        audit(now, "device:" + device_id, "device.clock", device_id, "skewed",
              std::to_string(skew_ms) + " ms");
    }
    tx.commit();
}

void CentralStore::in_one_transaction(const std::function<void()>& work) {
    store::Transaction tx(db_);
    work();
    tx.commit();
}

void CentralStore::park(const ParkedEntry& e, domain::EpochMs now) {
    store::Transaction tx(db_);
    db_.execute(
        R"(INSERT INTO parked_entry(device_id, seq, entry_hash, signature, envelope, waiting_for, parked_at_ms)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))",
        e.device_id, e.seq, ByteView(e.hash), e.signature, e.envelope, e.waiting_for, now);
    db_.execute("UPDATE device SET last_seq = ?1, last_hash = ?2, last_hlc = ?3 WHERE id = ?4",
                e.seq, ByteView(e.hash), e.hlc, e.device_id);
    db_.execute(
        R"(INSERT INTO conflict(id, kind, table_name, row_key, device_id, seq, detail, detected_at_ms)
                  VALUES (?1, 'PARKED', ?2, ?3, ?4, ?5, ?6, ?7))",
        domain::new_id(now), e.waiting_for.substr(0, e.waiting_for.find(' ')),
        e.waiting_for.substr(e.waiting_for.find(' ') + 1), e.device_id, e.seq,
        "等待父记录 " + e.waiting_for + " 到达后自动应用 / waiting for " + e.waiting_for +
            "; applied when it arrives",
        now);
    audit(now, "device:" + e.device_id, "entry.park", std::to_string(e.seq), "parked",
          "waiting for " + e.waiting_for);
    tx.commit();
}

std::vector<ParkedEntry> CentralStore::parked() {
    std::vector<ParkedEntry> out;
    auto st = db_.prepare(
        "SELECT device_id, seq, entry_hash, signature, envelope, waiting_for FROM parked_entry "
        "ORDER BY parked_at_ms, device_id, seq");
    while (st.step()) {
        ParkedEntry p;
        p.device_id = st.column<std::string>(0);
        p.seq = static_cast<std::uint64_t>(st.column<std::int64_t>(1));
        const Bytes h = st.column<Bytes>(2);
        std::copy(h.begin(), h.end(), p.hash.begin());
        p.signature = st.column<Bytes>(3);
        p.envelope = st.column<Bytes>(4);
        p.waiting_for = st.column<std::string>(5);
        out.push_back(std::move(p));
    }
    return out;
}

std::optional<Resolution> resolution_from(std::string_view name) {
    for (auto r : {Resolution::keep_central, Resolution::take_incoming, Resolution::void_payment}) {
        if (name == to_string(r))
            return r;
    }
    return std::nullopt;
}

const char* to_string(Resolution r) {
    switch (r) {
        case Resolution::keep_central:
            return "keep_central";
        case Resolution::take_incoming:
            return "take_incoming";
        case Resolution::void_payment:
            return "void_payment";
    }
    return "?";
}

namespace {

struct OpenConflict {
    std::string table, key, device_id, kind;
    std::int64_t seq = 0;
};

OpenConflict load_open_conflict(store::Database& db, const std::string& conflict_id) {
    auto st = db.prepare(
        "SELECT state, table_name, row_key, device_id, seq, kind FROM conflict WHERE id = ?1");
    st.bind(1, conflict_id);
    if (!st.step())
        throw Refused{{Errc::conflict_not_open, "没有这个冲突 / no conflict " + conflict_id}};
    if (st.column<std::string>(0) != "open")
        throw Refused{
            {Errc::conflict_not_open, "该冲突已处理 / this conflict was already resolved"}};
    return {st.column<std::string>(1), st.column<std::string>(2), st.column<std::string>(3),
            st.column<std::string>(5), st.column<std::int64_t>(4)};
}

// The device's change to the conflict's row, exactly as it signed it.
void take_incoming(store::Database& db, const OpenConflict& c) {
    if (c.kind != "DATA" && c.kind != "CONFLICT" && c.kind != "COLUMN_MERGE" &&
        c.kind != "DOUBLE_DELIVERY" && c.kind != "DELIVERED_AND_RETURNED") {
        throw Refused{{Errc::not_authorized, "此类冲突不能直接采用设备的值 / a " + c.kind +
                                                 " conflict cannot be settled by taking the "
                                                 "device's value"}};
    }
    const auto envelope = db.query_value<Bytes>(
        "SELECT envelope FROM accepted_entry WHERE device_id = ?1 AND seq = ?2", c.device_id,
        c.seq);
    const auto env = sync::decode_envelope(envelope.value_or(Bytes{}));
    if (!env)
        throw Refused{env.failure()};
    const store::Changeset one =
        store::filter_changeset(env->changeset, [&](const store::ChangesetIterator& it) {
            std::string k;
            for (const auto& v : it.primary_key())
                k += (k.empty() ? "" : ",") + store::to_display(v);
            return it.table() == c.table && k == c.key;
        });
    if (one.empty()) {
        throw Refused{{Errc::conflict_not_open,
                       "设备的这条修改已找不到 / the device's change to this row is not in its "
                       "entry"}};
    }
    (void)store::apply_changeset(db, one.bytes(), [](const store::Conflict& x) {
        return x.kind == store::ConflictKind::data || x.kind == store::ConflictKind::conflict
                   ? store::ConflictAction::replace
                   : store::ConflictAction::omit;
    });
}

// One of a double payment's payments is void; the money went out, so its
// amount is to be recovered from whoever received it.
void void_payment(store::Database& db, const OpenConflict& c, const std::string& payment_id,
                  const std::string& reason, const AdminSigner& admin, const domain::Stamp& stamp) {
    const domain::EpochMs now = stamp.now_ms;
    if (c.kind != "DOUBLE_PAYMENT") {
        throw Refused{{Errc::not_authorized,
                       "只有重复发放可以作废其中一笔 / only a DOUBLE_PAYMENT voids a payment"}};
    }
    auto st = db.prepare(R"(
        SELECT p.amount_fen FROM payment p
        WHERE p.id = ?1 AND p.entitlement_id = ?2 AND p.kind = 'payment'
          AND NOT EXISTS (SELECT 1 FROM payment_void v WHERE v.payment_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM payment r WHERE r.reverses_payment_id = p.id))");
    st.bind_all(payment_id, unquoted(c.key));
    if (!st.step()) {
        throw Refused{
            {Errc::not_authorized, "该笔发放不是此应发记录的有效发放 / " + payment_id +
                                       " is not an effective payment of this entitlement"}};
    }
    const domain::Fen amount = st.column<domain::Fen>(0);
    st.reset();
    const auto hlc = stamp.hlc.packed;
    db.execute(
        R"(INSERT INTO payment_void(id, payment_id, reason, decided_by_staff_id, decided_at_ms, origin_device, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'central', ?6))",
        domain::new_id(now), payment_id, reason, admin.staff_id, now, hlc);
    db.execute(
        R"(INSERT INTO recovery_task(id, payment_id, amount_fen, state, created_at_ms, origin_device, hlc)
                 VALUES (?1, ?2, ?3, 'open', ?4, 'central', ?5))",
        domain::new_id(now), payment_id, amount, now, hlc);
}

}  // namespace

Status CentralStore::resolve_conflict(const std::string& conflict_id, const Decision& decision,
                                      const AdminSigner& admin,
                                      const crypto::SigningKey& central_key, domain::EpochMs now) {
    try {
        if (decision.reason.empty())
            throw Refused{{Errc::not_authorized, "请写明理由 / a reason is required"}};
        record_central(central_key, now, [&](store::Database& db, const domain::Stamp& stamp) {
            const std::string detail = settle(db, conflict_id, decision, admin, stamp, now);
            record_admin_action(admin, "conflict.resolve", conflict_id,
                                detail + ": " + decision.reason, now);
        });
    } catch (const Refused& r) {
        audit(now, "admin:" + admin.login, "conflict.resolve", conflict_id, "refused",
              r.failure.message);
        return r.failure;
    }
    return {};
}

std::string CentralStore::settle(store::Database& db, const std::string& conflict_id,
                                 const Decision& decision, const AdminSigner& admin,
                                 const domain::Stamp& stamp, domain::EpochMs now) {
    const OpenConflict c = load_open_conflict(db, conflict_id);
    if (c.kind == "PARKED") {
        throw Refused{{Errc::not_authorized,
                       "暂存记录在父记录到达时自动应用 / a parked entry is applied when "
                       "its parent arrives"}};
    }
    if (c.kind == "QUARANTINED") {
        throw Refused{{Errc::not_authorized,
                       "隔离记录请在原因修正后放行(quarantine release)/ release a quarantined "
                       "entry once its cause is fixed (quarantine release)"}};
    }
    std::string detail = std::string(to_string(decision.resolution)) + " " + c.table + " " + c.key;
    if (decision.resolution == Resolution::take_incoming) {
        take_incoming(db, c);
    } else if (decision.resolution == Resolution::void_payment) {
        void_payment(db, c, decision.payment_id, decision.reason, admin, stamp);
        detail += " payment " + decision.payment_id;
    }
    db.execute(
        "UPDATE conflict SET state = 'resolved', resolution = ?1, resolved_by = ?2, "
        "resolved_at_ms = ?3, reason = ?4 WHERE id = ?5 AND state = 'open'",
        to_string(decision.resolution), admin.login, now, decision.reason, conflict_id);
    return detail;
}

Result<int> CentralStore::resolve_conflict_group(const std::string& group, const Decision& decision,
                                                 const AdminSigner& admin,
                                                 const crypto::SigningKey& central_key,
                                                 domain::EpochMs now) {
    int settled = 0;
    try {
        if (decision.reason.empty())
            throw Refused{{Errc::not_authorized, "请写明理由 / a reason is required"}};
        if (decision.resolution == Resolution::void_payment) {
            throw Refused{{Errc::not_authorized,
                           "作废发放须逐笔处理 / voiding a payment is decided one payment at a "
                           "time"}};
        }
        const auto cause = parse_conflict_group(group);
        if (!cause)
            throw Refused{{Errc::conflict_not_open, "没有这组冲突 / no conflict group " + group}};
        record_central(central_key, now, [&](store::Database& db, const domain::Stamp& stamp) {
            std::vector<std::string> ids;
            auto st = db.prepare(
                "SELECT id FROM conflict WHERE state = 'open' AND device_id = ?1 AND seq = ?2 AND "
                "kind = ?3 AND table_name = ?4 ORDER BY id");
            st.bind_all(cause->device_id, cause->seq, cause->kind, cause->table);
            while (st.step())
                ids.push_back(st.column<std::string>(0));
            st.reset();
            if (ids.empty()) {
                throw Refused{{Errc::conflict_not_open,
                               "这组冲突没有待处理的 / nothing open in conflict group " + group}};
            }
            for (const auto& id : ids)
                settle(db, id, decision, admin, stamp, now);
            settled = static_cast<int>(ids.size());
            // One decision, signed once, for everything the one entry caused.
            record_admin_action(admin, "conflict.resolve_group", group,
                                std::string(to_string(decision.resolution)) + " " +
                                    std::to_string(settled) + " conflicts: " + decision.reason,
                                now);
        });
    } catch (const Refused& r) {
        audit(now, "admin:" + admin.login, "conflict.resolve_group", group, "refused",
              r.failure.message);
        return r.failure;
    }
    return settled;
}

std::string conflict_group_of(const std::string& device_id, std::int64_t seq,
                              const std::string& kind, const std::string& table) {
    return device_id + ":" + std::to_string(seq) + ":" + kind + ":" + table;
}

std::optional<ConflictCause> parse_conflict_group(const std::string& group) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= group.size(); ++i) {
        if (i == group.size() || group[i] == ':') {
            parts.push_back(group.substr(start, i - start));
            start = i + 1;
        }
    }
    if (parts.size() != 4 || parts[1].empty() ||
        parts[1].find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return ConflictCause{parts[0], std::stoll(parts[1]), parts[2], parts[3]};
}

Status CentralStore::correct_amount(const std::string& entitlement_id, domain::Fen amount_fen,
                                    const std::string& reason, const AdminSigner& admin,
                                    const crypto::SigningKey& central_key, domain::EpochMs now) {
    try {
        if (reason.empty())
            throw Refused{{Errc::not_authorized, "请写明理由 / a reason is required"}};
        if (amount_fen <= 0)
            throw Refused{{Errc::not_authorized, "金额必须大于零 / the amount must be positive"}};
        record_central(central_key, now, [&](store::Database& db, const domain::Stamp& stamp) {
            const auto old = db.query_value<domain::Fen>(
                "SELECT amount_fen FROM entitlement WHERE id = ?1", entitlement_id);
            if (!old) {
                throw Refused{
                    {Errc::not_authorized, "没有该应发记录 / no entitlement " + entitlement_id}};
            }
            db.execute(
                "UPDATE entitlement SET amount_fen = ?1, origin_device = 'central', hlc = ?2 WHERE "
                "id = ?3",
                amount_fen, stamp.hlc.packed, entitlement_id);
            record_admin_action(
                admin, "entitlement.correct_amount", entitlement_id,
                std::to_string(*old) + " -> " + std::to_string(amount_fen) + " fen: " + reason,
                now);
        });
    } catch (const Refused& r) {
        audit(now, "admin:" + admin.login, "entitlement.correct_amount", entitlement_id, "refused",
              r.failure.message);
        return r.failure;
    }
    return {};
}

}  // namespace gridsync::central
