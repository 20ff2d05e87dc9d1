#pragma once
// The seam between central's rules and central's storage.
//
// Ingest verifies, authorizes, validates and decodes an entry once into row
// changes (ingest.hpp); PullService filters and signs what devices receive
// (pull.hpp). Neither writes a table. A backend takes a decoded entry and
// applies it atomically with its conflict records, the append to the
// accepted log, the device's chain and the audit entry, and serves the log
// from a cursor. CentralStore (store.hpp) is the embedded SQLite backend; a
// replicated engine can take its place behind this interface without
// touching the protocol or the rules.
//
// Reads for authorization, scope and the scope digest go through
// read_view(): an SQLite database holding the replicated model. For the
// embedded backend it is central's own database; a replicated engine would
// hand out its local replica (SQLite-based engines keep one per node).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/central/merkle_log.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/store/changeset.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/store/value.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

struct Device;

// One change of a changeset, decoded once, with column names.
struct RowChange {
    store::Op op;
    std::string table;
    std::string id;                             // every replicated table has a single TEXT key
    std::map<std::string, store::Value> after;  // new values present in the change
    std::set<std::string> changed;              // columns an UPDATE changes
};

// An entry Ingest has verified (signature over the exact bytes, sequence,
// chain link), validated, decoded and authorized.
struct DecodedEntry {
    const Device& device;
    std::uint64_t seq;
    sync::Hash32 hash;
    const crypto::Signature& signature;
    ByteView envelope;  // the exact signed bytes, for the log
    ByteView changeset;
    std::int64_t hlc;
    const std::vector<RowChange>& rows;
    // Parked or quarantined earlier (its chain already advanced): now its
    // parent is here, or an admin released it.
    bool from_parking = false;
};

// An entry central holds whole without having applied it: its signature,
// sequence and link checked, the device's chain advanced past it.
struct HeldEntry {
    std::string device_id;
    std::uint64_t seq = 0;
    std::int64_t hlc = 0;
    sync::Hash32 hash{};
    Bytes signature;
    Bytes envelope;
};

// An entry accepted into the device's chain whose rows wait for a parent
// central has not seen: kept whole, applied when the parent arrives.
struct ParkedEntry : HeldEntry {
    std::string waiting_for;  // "table 'id'" of the missing parent
};

// An entry refused for a permanent reason after its signature, sequence and
// link were checked (docs/PROTOCOL.md, "Refusals"): kept whole with
// central's signed decision, and the device's chain goes on past it. An
// admin releases it (applied then, if it passes) once the cause is fixed.
struct QuarantinedEntry : HeldEntry {
    std::string code;    // "gridsync.central:N"
    std::string reason;  // Chinese, then English
    Bytes decision;      // the canonical text central signed (quarantine_decision)
    Bytes decision_signature;
    domain::EpochMs at_ms = 0;
    std::optional<domain::EpochMs> released_at_ms;
    std::string released_by;
};

// What central signs when it quarantines an entry, under
// kQuarantineContext: "gridsync quarantine v1\n" then device id, seq, entry
// hash (hex), code and time (ms), one per line.
inline constexpr crypto::SigningContext kQuarantineContext{"gridsync/quarantine/v1"};
Bytes quarantine_decision(const QuarantinedEntry& e);

struct ApplyResult {
    enum class Kind {
        applied,  // in the log; `conflicts` rows kept both sides (`message` names their kinds)
        missing_parent,  // a row refers to one central has not seen: nothing written
        rule_failed,     // a domain rule failed on the applied rows: nothing written
    };
    Kind kind = Kind::applied;
    std::size_t conflicts = 0;
    std::string message;
    // rule_failed: the refusal's own code when central has one for it
    // (staff_key_refused); otherwise rule_failed with the domain's message.
    std::error_code code;
    // applied: the entry's leaf in the verifiable log.
    std::optional<std::uint64_t> log_index;
};

// One accepted entry as the log keeps it: what central applied.
struct LoggedEntry {
    std::uint64_t position = 0;
    std::string device_id;
    Bytes applied;
    std::int64_t hlc = 0;
};

class CentralBackend {
  public:
    virtual ~CentralBackend() = default;

    virtual std::optional<Device> device(const std::string& device_id) = 0;
    // Every enrolled device, and whether it is revoked: what the server
    // judges a request's head by, without waiting for the store.
    virtual std::map<std::string, bool> device_standings() = 0;
    // The hash of the entry accepted (or parked) from `device_id` at `seq`, if any.
    virtual std::optional<sync::Hash32> accepted_hash(const std::string& device_id,
                                                      std::uint64_t seq) = 0;
    // All of it or nothing: apply (a row that cannot merge becomes a conflict
    // record, central's row stays), check the domain rules again on what was
    // applied, flag a second effective payment of one entitlement, append
    // the signed bytes and the applied changeset to the log, advance the
    // device's chain, audit.
    virtual ApplyResult apply(const DecodedEntry& entry, domain::EpochMs now) = 0;
    // Keeps an entry whose parent has not arrived (signature, sequence and
    // link already checked), advances the device's chain, records a PARKED
    // conflict and audits; apply(from_parking) later takes it out.
    virtual void park(const ParkedEntry& entry, domain::EpochMs now) = 0;
    // What waits, oldest first.
    virtual std::vector<ParkedEntry> parked() = 0;
    // Up to `limit` entries after `cursor`, in acceptance order; with a
    // community, only entries that touch it (or every community).
    virtual std::vector<LoggedEntry> entries_after(std::uint64_t cursor, std::uint32_t limit,
                                                   const std::string& community = "") = 0;
    // The last position in the log (0 when empty).
    virtual std::uint64_t head() = 0;
    // The highest HLC in the log: a device bootstrapped from a snapshot
    // observes it, so its next writes order after everything it received.
    virtual std::int64_t max_hlc() = 0;
    virtual store::Database& read_view() = 0;
    // A device's clock as measured at a pull (its time minus central's):
    // kept with the device; past sync::kMaxClockSkewMs an open CLOCK_SKEW
    // record (one per device while open) shows it to admins, and entries
    // accepted from the device meanwhile carry the skew.
    virtual void note_device_clock(const std::string& device_id, std::int64_t skew_ms,
                                   domain::EpochMs now) = 0;
    // Keeps an entry refused for good (its decision signed), advances the
    // device's chain past it, records a QUARANTINED conflict and audits.
    virtual void quarantine(const QuarantinedEntry& entry) = 0;
    virtual std::optional<QuarantinedEntry> quarantined(const std::string& device_id,
                                                        std::uint64_t seq) = 0;
    // Newest first; only those not released unless `all`.
    virtual std::vector<QuarantinedEntry> quarantined_entries(bool all) = 0;
    // Central's epoch as `device` sees it (protocol v3): a restore starts a new one.
    virtual sync::CentralEpoch epoch_for(const Device& device) = 0;
    // Keeps the number of a device's pull request; false when it is not
    // above the last one kept (a replay), or a version-2 request comes from
    // a device that has sent version 3.
    virtual bool note_pull_request(const std::string& device_id, std::uint64_t request_seq,
                                   std::uint16_t version) = 0;
    // Runs `work` (several apply/park/audit calls) as one atomic, durable
    // unit: a push batch costs one commit. Each call inside still succeeds
    // or fails on its own.
    virtual void in_one_transaction(const std::function<void()>& work) = 0;
    virtual void audit(domain::EpochMs now, const std::string& actor, const std::string& action,
                       const std::string& subject, const std::string& outcome,
                       const std::string& detail) = 0;
    // The verifiable log over this backend's storage (merkle_log.hpp).
    virtual MerkleLog merkle_log() = 0;
    // The leaf of `device_id`'s entry `seq` in the log: its acceptance, or
    // its quarantine when it was not applied (nullopt: neither, or parked).
    virtual std::optional<std::uint64_t> log_index_of(const std::string& device_id,
                                                      std::uint64_t seq) = 0;
    // The same storage through a connection of its own that only reads
    // (nullptr: this backend has one connection only). Each read
    // transaction on it sees the state as of its first read (SQLite's WAL
    // snapshot), so a pull read on one never waits for the writer, and the
    // writer never waits for it. Its write methods fail (read-only).
    virtual std::unique_ptr<CentralBackend> open_reader() { return nullptr; }
};

}  // namespace gridsync::central
