#pragma once
// The Outbox: every local write, captured and signed.
//
// Outbox::record runs a domain write inside one IMMEDIATE transaction with a
// session attached to every replicated table. If the write changed anything,
// the changeset goes into a signed, hash-chained ChangesetEnvelope appended
// to the outbox table in the same transaction: no write without its entry,
// no entry without its write. A refused write (a failed Result, or an
// exception) rolls everything back.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/crash_point.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/store/session.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::sync {

// Creates or upgrades the replicated schema and the device-local tables
// (outbox, node state) in one file.
void open_node_schema(store::Database& db);

// Verifies a device's whole chain as stored in its outbox: every entry
// decodes, is signed by `device_key`, names this device, follows its
// predecessor in seq and hash, matches its stored hash, and carries a
// well-formed changeset.
struct ChainReport {
    bool ok = true;
    std::uint64_t entries = 0;
    std::optional<std::uint64_t> first_broken_seq;
    std::error_code code;
    std::string reason;
};
ChainReport verify_chain(store::Database& db, const std::string& device_id,
                         const crypto::PublicKey& device_key);
// The same over any stored copy of a chain (central's accepted_entry, an
// export): `rows` yields seq, envelope, signature, entry_hash in seq order.
ChainReport verify_chain(store::Statement& rows, const std::string& device_id,
                         const crypto::PublicKey& device_key);

// An unacknowledged entry that verified: its exact bytes, and its changes.
struct PendingEntry {
    std::uint64_t seq = 0;
    Bytes envelope;
    Bytes signature;
    Bytes changeset;
};
struct PendingEntries {
    std::vector<PendingEntry> entries;  // oldest first, each one verified and linked
    // The first entry that does not verify (damaged on disk, say): it and
    // everything after it are neither pushed nor replayed by a pull.
    std::optional<ChainReport> broken;
};

template <class T>
struct Recorded {
    T value;
    std::optional<std::uint64_t> seq;  // the outbox entry, if anything changed
};

class Outbox {
  public:
    // The HLC resumes from the last value persisted in `db`. Records take
    // their times from `clock`; the HLC orders them by `ordering` (default:
    // `clock`) corrected by the offset from central's clock measured at the
    // last pull, so a device whose clock is days off still stamps its
    // entries near central's time (docs/SECURITY.md, clocks). A simulation
    // scripts record times with `clock` and orders by the real one.
    Outbox(store::Database& db, std::string device_id, const crypto::SigningKey& device_key,
           domain::Clock& clock, domain::Clock* ordering = nullptr);

    // `write(const domain::Stamp&)` returns Result<T>.
    template <class T, class F>
    Result<Recorded<T>> record_as(F&& write);

    // Observes a remote HLC (after a pull), so later local writes order after it.
    void observe(domain::Hlc remote) { hlc_.observe(remote); }
    // This device's clock minus central's, as a pull measured it.
    void set_central_offset(domain::EpochMs offset_ms) { ordering_.set_offset(offset_ms); }
    domain::Hlc last_hlc() const { return hlc_.last(); }
    const std::string& device_id() const { return device_id_; }

    // The oldest entries central has not acknowledged yet, at most `max`,
    // each verified before it is trusted (signature, stored hash, link from
    // the last acknowledged entry), up to the first that is not.
    PendingEntries pending(std::size_t max_entries = SIZE_MAX);
    // The same, as they go on the wire.
    PushBatch pending_batch(std::size_t max_entries);
    // Marks what central accepted (or had accepted before), and what it
    // quarantined (kept whole at central, the chain gone on past it; listed
    // by quarantined()). Rejected entries stay pending: nothing is dropped.
    std::size_t acknowledge(const PushAcks& acks);
    // Entries after `seq` that central acknowledged become pending again:
    // central no longer holds them (restored from a backup). Returns how many.
    std::size_t reoffer_after(std::uint64_t seq);

    // The entries central quarantined, with its reason: shown on the device
    // until an admin releases them (a later pull brings their rows back).
    struct Quarantined {
        std::uint64_t seq = 0;
        std::string code;
        std::string message;
        domain::EpochMs at_ms = 0;
    };
    std::vector<Quarantined> quarantined();

    struct Status {
        std::uint64_t entries = 0;
        std::uint64_t pending = 0;  // not yet acknowledged by central
        std::uint64_t last_seq = 0;
        std::uint64_t acked_seq = 0;
        std::uint64_t quarantined = 0;  // acknowledged as quarantined by central
    };
    Status status();

  private:
    // One recording in progress: the transaction, its capture and its stamp.
    struct Pending {
        explicit Pending(Outbox& o);
        store::Transaction tx;
        store::Session session;
        domain::Stamp stamp;
    };
    std::optional<std::uint64_t> append(Pending& p);

    domain::Stamp next_stamp();

    store::Database& db_;
    std::string device_id_;
    const crypto::SigningKey& key_;
    domain::Clock& clock_;
    domain::OffsetClock ordering_;
    domain::HlcClock hlc_;
};

template <class T, class F>
Result<Recorded<T>> Outbox::record_as(F&& write) {
    Pending p(*this);
    Result<T> r = write(p.stamp);
    if (!r.ok())
        return r.failure();  // p.tx rolls back
    auto seq = append(p);
    crash_point("edge.entry.signed");  // signed and in the outbox, not committed
    p.tx.commit();
    crash_point("edge.entry.committed");
    return Recorded<T>{std::move(r).value(), seq};
}

// Which rows an outbox entry carried, to show "pending until central accepts it".
bool row_pending(store::Database& db, const std::string& table, const std::string& row_id);

}  // namespace gridsync::sync
