#pragma once
// Central's SQLite database: the replicated model (the same schema as every
// edge) plus what only central keeps: devices, enrollment tokens, the
// append-only log of accepted entries, conflicts and the audit log.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "gridsync/central/admin.hpp"
#include "gridsync/central/backend.hpp"
#include "gridsync/central/merkle_log.hpp"
#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/kx.hpp"
#include "gridsync/crypto/sealed.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/store/session.hpp"
#include "gridsync/sync/envelope.hpp"

namespace gridsync::central {

class CentralStore final : public CentralBackend,
                           public CentralLog,
                           public AdminRegistry,
                           public ApprovalQueue,
                           public DeviceRegistry,
                           public ConflictDesk,
                           public StaffKeyDesk {
  public:
    // Opens (creating or upgrading) central's database. Central keeps a larger
    // page cache: it applies into tables that hold the whole subdistrict.
    static CentralStore open(const std::filesystem::path& path);

    store::Database& db() { return db_; }
    // The verifiable log over this database (merkle_log.hpp).
    MerkleLog merkle_log() override { return MerkleLog(db_); }
    std::optional<std::uint64_t> log_index_of(const std::string& device_id,
                                              std::uint64_t seq) override;
    // This store as each of its parts (parts.hpp).
    CentralParts parts() { return {*this, *this, *this, *this, *this, *this}; }

    // CentralBackend: the embedded SQLite backend.
    std::optional<Device> device(const std::string& device_id) override;
    std::map<std::string, bool> device_standings() override;
    std::optional<sync::Hash32> accepted_hash(const std::string& device_id,
                                              std::uint64_t seq) override;
    ApplyResult apply(const DecodedEntry& entry, domain::EpochMs now) override;
    void park(const ParkedEntry& entry, domain::EpochMs now) override;
    void quarantine(const QuarantinedEntry& entry) override;
    std::optional<QuarantinedEntry> quarantined(const std::string& device_id,
                                                std::uint64_t seq) override;
    std::vector<QuarantinedEntry> quarantined_entries(bool all) override;
    sync::CentralEpoch epoch_for(const Device& device) override;
    bool note_pull_request(const std::string& device_id, std::uint64_t request_seq,
                           std::uint16_t version) override;
    // Starts a new epoch at the log's head (after a restore): devices see
    // it on their next contact and offer again what this database lacks.
    std::string begin_epoch(domain::EpochMs now);
    void in_one_transaction(const std::function<void()>& work) override;
    std::vector<ParkedEntry> parked() override;
    std::vector<LoggedEntry> entries_after(std::uint64_t cursor, std::uint32_t limit,
                                           const std::string& community = "") override;
    std::uint64_t head() override;
    std::int64_t max_hlc() override;
    store::Database& read_view() override { return db_; }
    // A read-only CentralStore over the same file (backend.hpp): no
    // migration, no baseline; its reads are this store's reads.
    std::unique_ptr<CentralBackend> open_reader() override;
    void note_device_clock(const std::string& device_id, std::int64_t skew_ms,
                           domain::EpochMs now) override;
    // Append-only audit trail: who did what, to what, with which outcome.
    void audit(domain::EpochMs now, const std::string& actor, const std::string& action,
               const std::string& subject, const std::string& outcome,
               const std::string& detail) override;

    // Central's own writes (imports, issued certificates, prepared days): run
    // `write(db, stamp)` in one transaction with capture, and append what it
    // changed to the accepted log as an entry of origin "central", signed by
    // central's key, so devices receive it through pull like everything
    // else. The stamp's HLC comes from central's one persisted clock
    // (central_stamp): every row written stamps it, and so does the entry.
    template <class F>
    void record_central(const crypto::SigningKey& central_key, domain::EpochMs now, F&& write);
    // CentralLog: the same through the interface.
    void record(const crypto::SigningKey& central_key, domain::EpochMs now,
                const CentralWrite& write) override {
        record_central(central_key, now, write);
    }

    // Central's clock for what it writes, inside the caller's transaction:
    // after every HLC it has issued or accepted, and at least `now`.
    domain::Stamp central_stamp(domain::EpochMs now);

    // Maker and checker: `write(db, stamp)` prepares a change (a disbursement day's
    // entitlement list) that devices must not receive until a second admin
    // approves it. The change is captured and rolled back; it waits, whole,
    // in pending_approval. Returns its id.
    template <class F>
    std::string stage_for_approval(const AdminSigner& preparer, const std::string& subject,
                                   domain::EpochMs now, F&& write);
    // ApprovalQueue: the same through the interface.
    std::string stage(const AdminSigner& preparer, const std::string& subject, domain::EpochMs now,
                      const CentralWrite& write) override {
        return stage_for_approval(preparer, subject, now, write);
    }
    // Applies a staged change through the log, marking the day approved.
    // Refused (not_authorized) when the approver is the preparer, or when it
    // was approved already.
    Status approve(const std::string& approval_id, const AdminSigner& approver,
                   const crypto::SigningKey& central_key, domain::EpochMs now) override;
    // Turns a staged change down (the checker) or withdraws it (the maker),
    // with a reason; signed and audited. Failure not_authorized (unknown,
    // approved or turned down already, no reason).
    Status reject(const std::string& approval_id, const AdminSigner& admin,
                  const std::string& reason, domain::EpochMs now) override;

    // A one-time, expiring token for one staff member, role and scope. Only
    // its BLAKE2b digest is stored; the token itself is returned once.
    std::string create_token(const AdminSigner& admin, const TokenGrant& grant,
                             domain::EpochMs now) override;

    // Admin accounts (admin.hpp). The first is created by `init` (by_admin
    // null, allowed only while there is none); later ones by an admin, signed.
    // The staff member must exist with the admin role. Failures: not_authorized.
    Status add_admin(const AdminSigner* by_admin, const std::string& login,
                     const std::string& staff_id, ByteView password, domain::EpochMs now,
                     crypto::KdfParams kdf = crypto::KdfParams::moderate()) override;
    std::optional<AdminCredentials> admin_credentials(const std::string& login) override;
    // Checks the password against its Argon2id hash and unseals the admin's
    // key (open_admin_key); audited either way. Failures: admin_login_failed
    // (one answer for an unknown login and a wrong password).
    Result<AdminSigner> unlock_admin(const std::string& login, ByteView password,
                                     domain::EpochMs now) override;
    // Signs `action` with the admin's key, checks it against the registered
    // key and appends it to admin_action and audit. Call inside the
    // transaction that carries the action out, so both happen or neither.
    void record_admin_action(const AdminSigner& admin, const std::string& action,
                             const std::string& subject, const std::string& detail,
                             domain::EpochMs now) override;

    // Records a device presenting a token with its public key.
    Result<Device> enroll(const std::string& token, const std::string& device_name,
                          const crypto::PublicKey& signing_key, const crypto::KxPublicKey& kx_key,
                          domain::EpochMs now) override;

    Status revoke(const std::string& device_id, const AdminSigner& admin, const std::string& reason,
                  domain::EpochMs now) override;

    // Settles an open conflict, with a reason, signed by the admin; what it
    // changes goes to devices through the log. Failures: conflict_not_open
    // (unknown, or resolved already: a second resolution, by anyone, is
    // refused), not_authorized (no reason; a decision the kind does not take;
    // a payment that is not one of the entitlement's effective payments).
    Status resolve_conflict(const std::string& conflict_id, const Decision& decision,
                            const AdminSigner& admin, const crypto::SigningKey& central_key,
                            domain::EpochMs now) override;

    // Settles every open conflict of a group with one decision, signed
    // once (keep_central or take_incoming; a payment is voided one at a
    // time). Returns how many. Failures as resolve_conflict.
    Result<int> resolve_conflict_group(const std::string& group, const Decision& decision,
                                       const AdminSigner& admin,
                                       const crypto::SigningKey& central_key,
                                       domain::EpochMs now) override;

    // Corrects an entitlement's amount centrally (signed, through the log).
    // A device that paid the old amount offline gets its payment kept and
    // flagged AMOUNT_CHANGED. Failures: not_authorized.
    Status correct_amount(const std::string& entitlement_id, domain::Fen amount_fen,
                          const std::string& reason, const AdminSigner& admin,
                          const crypto::SigningKey& central_key, domain::EpochMs now) override;

    // Staff keys (docs/SECURITY.md). A one-time code for one person to
    // register a key of theirs on a device; only the key the code derives is
    // kept. Signed and audited. Failure bad_request (unknown or inactive
    // person, ttl outside 1 h .. 30 days).
    Result<StaffCode> create_staff_code(const AdminSigner& admin, const std::string& staff_id,
                                        domain::EpochMs ttl_ms, domain::EpochMs now) override;
    // Revokes one key (a lost laptop, a person who left): nothing signed
    // with it after `now` verifies; what it signed before stays valid.
    // Signed, audited, sent to devices through the log. Failure bad_request.
    Status revoke_staff_key(const std::string& key_id, const AdminSigner& admin,
                            const std::string& reason, const crypto::SigningKey& central_key,
                            domain::EpochMs now) override;
    // Links a staff member to the household they live in (nullopt: none), so
    // that no one pays or verifies their own household. Central's field:
    // devices may not write it. Signed, audited, through the log.
    Status set_staff_household(const std::string& staff_id,
                               const std::optional<std::string>& household_id,
                               const AdminSigner& admin, const crypto::SigningKey& central_key,
                               domain::EpochMs now) override;

  private:
    // One conflict settled inside the caller's capturing transaction; what
    // was done, for the signed action.
    std::string settle(store::Database& db, const std::string& conflict_id,
                       const Decision& decision, const AdminSigner& admin,
                       const domain::Stamp& stamp, domain::EpochMs now);
    // Inside apply: each staff key the entry registers must carry a code
    // central issued to that person, unused, valid when the key was made;
    // the code is then used. Failure staff_key_refused.
    Status redeem_enrolment_codes(const DecodedEntry& entry, domain::EpochMs now);
    void append_central(store::Session& session, const crypto::SigningKey& central_key,
                        const domain::Stamp& stamp);
    void observe_hlc(std::int64_t hlc);
    void index_communities(std::int64_t position, ByteView applied);
    explicit CentralStore(store::Database db) : db_(std::move(db)) {}
    store::Database db_;
};

template <class F>
void CentralStore::record_central(const crypto::SigningKey& central_key, domain::EpochMs now,
                                  F&& write) {
    store::Transaction tx(db_);
    const domain::Stamp stamp = central_stamp(now);
    store::Session session(db_);
    for (const auto& t : domain::replicated_tables())
        session.attach_checked(t);
    write(db_, stamp);
    append_central(session, central_key, stamp);
    tx.commit();
}

template <class F>
std::string CentralStore::stage_for_approval(const AdminSigner& preparer,
                                             const std::string& subject, domain::EpochMs now,
                                             F&& write) {
    Bytes staged;
    {
        store::Transaction tx(db_);
        const domain::Stamp stamp = central_stamp(now);
        store::Session session(db_);
        for (const auto& t : domain::replicated_tables())
            session.attach_checked(t);
        write(db_, stamp);
        const store::Changeset cs = session.changeset();
        staged.assign(cs.bytes().begin(), cs.bytes().end());
    }  // rolled back: nothing of it is visible until approved
    const std::string id = domain::new_id(now);
    store::Transaction tx(db_);
    db_.execute(
        "INSERT INTO pending_approval(id, subject, prepared_by, prepared_at_ms, changeset) VALUES "
        "(?1, ?2, ?3, ?4, ?5)",
        id, subject, preparer.staff_id, now, staged);
    record_admin_action(preparer, "approval.stage", id, subject, now);
    tx.commit();
    return id;
}

}  // namespace gridsync::central
