#include "gridsync/central/store.hpp"

#include "gridsync/central/errors.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/store/migrate.hpp"
#include "gridsync/store/session.hpp"

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

const store::Migration kCentralMigrations[] = {
    {1, "devices, tokens, accepted log, conflicts, audit", kCentralV1}};

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
    return d;
}

}  // namespace

CentralStore CentralStore::open(const std::filesystem::path& path) {
    store::OpenOptions o;
    o.cache_kib = 256 * 1024;
    auto db = store::Database::open(path, o);
    (void)store::migrate(db, domain::migrations());
    (void)store::migrate(db, kCentralMigrations, "central.local");
    const auto problems = store::uncapturable_tables(db, domain::replicated_tables());
    if (!problems.empty())
        throw store::StoreError(store::Errc::not_capturable, problems.front());
    return CentralStore(std::move(db));
}

std::string CentralStore::create_token(const std::string& admin_id, const TokenGrant& g,
                                       domain::EpochMs now) {
    const std::string token = to_hex(crypto::random_bytes(16));
    store::Transaction tx(db_);
    db_.execute(
        R"(INSERT INTO enrollment_token(token_hash, staff_id, role, community_id, grid_id, created_by,
                       created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))",
        token_digest(token), g.staff_id, g.role, g.community_id,
        g.grid_id.empty() ? std::nullopt : std::optional<std::string>(g.grid_id), admin_id, now,
        now + g.ttl_ms);
    audit(now, admin_id, "token.create", g.staff_id, "ok",
          g.role + " " + g.community_id + " " + g.grid_id);
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
        "last_seq, last_hash, kx_key "
        "FROM device WHERE id = ?1");
    st.bind(1, device_id);
    if (!st.step())
        return std::nullopt;
    return read_device(st);
}

Status CentralStore::revoke(const std::string& device_id, const std::string& admin_id,
                            const std::string& reason, domain::EpochMs now) {
    store::Transaction tx(db_);
    db_.execute("UPDATE device SET revoked_at_ms = ?1 WHERE id = ?2 AND revoked_at_ms IS NULL", now,
                device_id);
    const bool changed = db_.changes() > 0;
    audit(now, admin_id, "device.revoke", device_id, changed ? "ok" : "refused", reason);
    tx.commit();
    if (!changed)
        return fail(Errc::unknown_device,
                    "设备不存在或已停用 / no such active device " + device_id);
    return {};
}

void CentralStore::append_central(store::Session& session, const crypto::SigningKey& central_key,
                                  domain::EpochMs now) {
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
    e.hlc = domain::Hlc::from_parts(now, 0).packed;
    e.created_ms = now;
    e.schema_version = domain::kSchemaVersion;
    e.changeset.assign(cs.bytes().begin(), cs.bytes().end());
    const Bytes envelope = sync::encode(e);
    const auto sig = central_key.sign(sync::kEnvelopeContext, envelope);
    const auto hash = sync::entry_hash(envelope, sig);
    db_.execute(
        R"(INSERT INTO accepted_entry(device_id, seq, entry_hash, signature, envelope, applied, hlc, accepted_at_ms)
                   VALUES ('central', ?1, ?2, ?3, ?4, ?5, ?6, ?7))",
        e.seq, ByteView(hash), sig.view(), envelope, cs.bytes(), e.hlc, now);
}

Status CentralStore::approve(const std::string& approval_id, const std::string& approver,
                             const crypto::SigningKey& central_key, domain::EpochMs now) {
    auto st = db_.prepare(
        "SELECT subject, prepared_by, changeset, approved_by FROM pending_approval WHERE id = ?1");
    st.bind(1, approval_id);
    if (!st.step())
        return fail(Errc::not_authorized,
                    "没有待审核的记录 / nothing to approve with id " + approval_id);
    const std::string subject = st.column<std::string>(0);
    const std::string preparer = st.column<std::string>(1);
    const Bytes changeset = st.column<Bytes>(2);
    const bool done = !st.is_null(3);
    st.reset();
    if (done)
        return fail(Errc::not_authorized, "已审核过 / already approved");
    if (approver == preparer) {
        audit(now, approver, "approval.approve", subject, "refused", "maker is never checker");
        return fail(Errc::not_authorized,
                    "编制人不能审核自己编制的名单 / the preparer cannot approve their own list");
    }
    record_central(central_key, now, [&](store::Database& db) {
        // The staged list applies whole or not at all.
        (void)store::apply_changeset(
            db, changeset, [](const store::Conflict& c) -> store::ConflictAction {
                throw store::StoreError(store::Errc::bad_conflict_answer,
                                        "staged change no longer applies cleanly (" +
                                            std::string(store::to_string(c.kind)) + " on " +
                                            c.table + ")");
            });
        // Every day the staged change creates is approved by this act.
        store::ChangesetIterator it(changeset);
        while (it.next()) {
            if (it.table() == "disbursement_day" && it.op() == store::Op::insert) {
                db.execute("UPDATE disbursement_day SET approved_by_staff_id = ?1 WHERE id = ?2",
                           approver, std::get<std::string>(it.primary_key().at(0)));
            }
        }
        db.execute(
            "UPDATE pending_approval SET approved_by = ?1, approved_at_ms = ?2 WHERE id = ?3",
            approver, now, approval_id);
        audit(now, approver, "approval.approve", subject, "ok", "prepared by " + preparer);
    });
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

}  // namespace gridsync::central
