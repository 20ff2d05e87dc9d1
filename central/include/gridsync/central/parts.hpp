#pragma once
// Central's storage by responsibility. `CentralStore` (store.hpp) is the one
// SQLite class that implements them all, as it implements CentralBackend
// (what ingest and pull need); each service and adapter depends only on the
// parts it uses:
//
//   Ingest, PullService           CentralBackend
//   ImportService, DayPlanner     CentralLog, ApprovalQueue, AdminRegistry
//   Router                        CentralBackend, DeviceRegistry (and AdminApi's parts)
//   AdminApi                      CentralParts: all of the below
//   reports/                      a store::Database read view, nothing else
#include <functional>
#include <optional>
#include <string>

#include "gridsync/central/admin.hpp"
#include "gridsync/central/backend.hpp"
#include "gridsync/crypto/kx.hpp"
#include "gridsync/crypto/sealed.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/envelope.hpp"

namespace gridsync::central {

struct Device {
    std::string id;
    std::string name;
    std::string role;  // community_laptop | grid_device
    std::string staff_id;
    std::string community_id;
    std::string grid_id;  // grid devices only
    crypto::PublicKey signing_key;
    crypto::KxPublicKey kx_key;
    bool revoked = false;
    std::uint64_t last_seq = 0;
    sync::Hash32 last_hash{};
    std::int64_t last_hlc = 0;  // of the last entry accepted (or parked)
    // The device clock minus central's at its last pull, when measured.
    std::optional<std::int64_t> clock_skew_ms;
    bool clock_skewed() const;  // measured beyond sync::kMaxClockSkewMs
};

// How an admin settles a conflict between a device's change and central's row.
enum class Resolution {
    keep_central,   // central's row stands (or the flag is acknowledged); both stay on record
    take_incoming,  // the device's version of the row replaces central's, through the log
    void_payment,   // DOUBLE_PAYMENT: one payment is void, its amount to be recovered
};
std::optional<Resolution> resolution_from(std::string_view name);
const char* to_string(Resolution r);

struct Decision {
    Resolution resolution = Resolution::keep_central;
    std::string reason;      // required
    std::string payment_id;  // void_payment: the payment that is void
};

// What one entry caused: every conflict of one kind in one table that one
// device's entry raised (a second laptop opening the same day: one DATA
// conflict per entitlement). Its key, "DEVICE:SEQ:KIND:TABLE", names the group.
struct ConflictCause {
    std::string device_id;
    std::int64_t seq = 0;
    std::string kind, table;
};
std::string conflict_group_of(const std::string& device_id, std::int64_t seq,
                              const std::string& kind, const std::string& table);
std::optional<ConflictCause> parse_conflict_group(const std::string& group);

// A one-time staff enrolment code, as an admin hands it over.
struct StaffCode {
    std::string code;  // "XXXX-XXXX-XXXX-XXXX"
    domain::EpochMs expires_at_ms = 0;
};

struct TokenGrant {
    std::string staff_id;
    std::string role;
    std::string community_id;
    std::string grid_id;
    domain::EpochMs ttl_ms = 24LL * 3600 * 1000;
};

// What central writes itself, captured as one entry of the accepted log.
using CentralWrite = std::function<void(store::Database&, const domain::Stamp&)>;

// The accepted log's own side and the audit trail: for services that change
// the replicated data (imports, decisions) so that devices receive it.
class CentralLog {
  public:
    virtual ~CentralLog() = default;
    // The replicated tables and central's own, for reading.
    virtual store::Database& read_view() = 0;
    // Runs `write` in one transaction with capture and appends what it
    // changed as central's signed entry (nothing when nothing changed).
    virtual void record(const crypto::SigningKey& central_key, domain::EpochMs now,
                        const CentralWrite& write) = 0;
    virtual void audit(domain::EpochMs now, const std::string& actor, const std::string& action,
                       const std::string& subject, const std::string& outcome,
                       const std::string& detail) = 0;
};

// What an admin's login checks, read apart from the check: Argon2id takes
// about a second, and central's one writer must not wait for it (a push
// would), so a caller reads these under its lock and checks without it.
struct AdminCredentials {
    std::string login, staff_id, password_hash;
    Bytes sealed_key, signing_key;
};
// The password against its Argon2id hash, then the admin's key unsealed
// and matched with the registered one; no account (nullopt) costs the same
// Argon2id work. Touches no database. Failure admin_login_failed, one
// answer for an unknown login and a wrong password.
Result<AdminSigner> open_admin_key(const std::optional<AdminCredentials>& account,
                                   ByteView password);

// Admin accounts and their signed actions.
class AdminRegistry {
  public:
    virtual ~AdminRegistry() = default;
    // An enabled account's credentials; nullopt when there is none.
    virtual std::optional<AdminCredentials> admin_credentials(const std::string& login) = 0;
    virtual Status add_admin(const AdminSigner* by_admin, const std::string& login,
                             const std::string& staff_id, ByteView password, domain::EpochMs now,
                             crypto::KdfParams kdf) = 0;
    virtual Result<AdminSigner> unlock_admin(const std::string& login, ByteView password,
                                             domain::EpochMs now) = 0;
    // Inside the transaction that carries the action out.
    virtual void record_admin_action(const AdminSigner& admin, const std::string& action,
                                     const std::string& subject, const std::string& detail,
                                     domain::EpochMs now) = 0;
};

// Maker and checker: changes staged whole until a second admin approves.
class ApprovalQueue {
  public:
    virtual ~ApprovalQueue() = default;
    // Captures `write` and rolls it back; it waits in pending_approval. Its id.
    virtual std::string stage(const AdminSigner& preparer, const std::string& subject,
                              domain::EpochMs now, const CentralWrite& write) = 0;
    virtual Status approve(const std::string& approval_id, const AdminSigner& approver,
                           const crypto::SigningKey& central_key, domain::EpochMs now) = 0;
    virtual Status reject(const std::string& approval_id, const AdminSigner& admin,
                          const std::string& reason, domain::EpochMs now) = 0;
};

// Devices and the one-time tokens that enroll them.
class DeviceRegistry {
  public:
    virtual ~DeviceRegistry() = default;
    virtual std::optional<Device> device(const std::string& device_id) = 0;
    virtual std::string create_token(const AdminSigner& admin, const TokenGrant& grant,
                                     domain::EpochMs now) = 0;
    virtual Result<Device> enroll(const std::string& token, const std::string& device_name,
                                  const crypto::PublicKey& signing_key,
                                  const crypto::KxPublicKey& kx_key, domain::EpochMs now) = 0;
    virtual Status revoke(const std::string& device_id, const AdminSigner& admin,
                          const std::string& reason, domain::EpochMs now) = 0;
};

// An admin's decisions on what devices disagreed about.
class ConflictDesk {
  public:
    virtual ~ConflictDesk() = default;
    virtual Status resolve_conflict(const std::string& conflict_id, const Decision& decision,
                                    const AdminSigner& admin, const crypto::SigningKey& central_key,
                                    domain::EpochMs now) = 0;
    virtual Result<int> resolve_conflict_group(const std::string& group, const Decision& decision,
                                               const AdminSigner& admin,
                                               const crypto::SigningKey& central_key,
                                               domain::EpochMs now) = 0;
    virtual Status correct_amount(const std::string& entitlement_id, domain::Fen amount_fen,
                                  const std::string& reason, const AdminSigner& admin,
                                  const crypto::SigningKey& central_key, domain::EpochMs now) = 0;
};

// Staff keys (docs/SECURITY.md) and where staff live.
class StaffKeyDesk {
  public:
    virtual ~StaffKeyDesk() = default;
    virtual Result<StaffCode> create_staff_code(const AdminSigner& admin,
                                                const std::string& staff_id, domain::EpochMs ttl_ms,
                                                domain::EpochMs now) = 0;
    virtual Status revoke_staff_key(const std::string& key_id, const AdminSigner& admin,
                                    const std::string& reason,
                                    const crypto::SigningKey& central_key, domain::EpochMs now) = 0;
    virtual Status set_staff_household(const std::string& staff_id,
                                       const std::optional<std::string>& household_id,
                                       const AdminSigner& admin,
                                       const crypto::SigningKey& central_key,
                                       domain::EpochMs now) = 0;
};

// Every part, for the admin API, which serves them all.
struct CentralParts {
    CentralLog& log;
    AdminRegistry& admins;
    ApprovalQueue& approvals;
    DeviceRegistry& devices;
    ConflictDesk& conflicts;
    StaffKeyDesk& staff_keys;
};

}  // namespace gridsync::central
