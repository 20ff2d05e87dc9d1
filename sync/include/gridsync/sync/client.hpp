#pragma once
// The edge's sync round over any Transport: push every unacknowledged entry
// in batches, then pull until central has nothing more. No socket, no wall
// clock of its own: both are handed in.
#include <functional>
#include <vector>

#include "gridsync/crypto/kx.hpp"
#include "gridsync/sync/channel.hpp"
#include "gridsync/sync/outbox.hpp"
#include "gridsync/sync/pull.hpp"

namespace gridsync::sync {

// What the device pinned at enrollment.
struct CentralPin {
    crypto::PublicKey signing_key;
    crypto::KxPublicKey kx_key;
};

// Sends the sealed enrollment request and opens central's answer.
Result<EnrollResponse> enroll_device(Transport& transport, const crypto::KxPublicKey& central_kx,
                                     const EnrollRequest& request,
                                     const crypto::KxKeyPair& device_kx);

// Where a round's pull stands, after each batch.
struct PullProgress {
    std::size_t entries = 0;        // log entries applied so far
    std::size_t snapshot_rows = 0;  // snapshot rows applied so far
    std::uint64_t cursor = 0;
    bool snapshot = false;  // still reading a snapshot
};
using Progress = std::function<void(const PullProgress&)>;

struct RoundReport {
    std::size_t accepted = 0, duplicates = 0, rejected = 0;
    std::size_t quarantined = 0;  // refused for good, kept whole at central (notices say why)
    // Central was restored from a backup: the pull went back to the epoch's
    // base, and `reoffered` entries it had lost were offered again.
    bool central_restored = false;
    std::size_t reoffered = 0;
    std::size_t pulled = 0, snapshot_rows = 0, clashes = 0;
    bool repaired = false;  // the scope had drifted and was downloaded again
    std::vector<EntryAck> rejections;
    // Entries central accepted with something to say: parked until a
    // parent arrives, or flagged for an admin (a double payment, say).
    std::vector<EntryAck> notices;
    // An entry of this device's outbox that does not verify (damaged on
    // disk): the push stopped before it, the pull left it alone.
    std::optional<ChainReport> outbox_broken;
};

struct SyncOptions {
    std::size_t push_batch = 500;
    std::uint32_t pull_batch = 1000;
    bool verify_scope = true;  // ask central for the scope digest at the end of a pull...
    // ...when the last match is at least this old (0: every pull). A new or
    // repairing device (cursor 0) always asks. The digest costs central a
    // read of the device's whole scope.
    std::int64_t verify_scope_every_ms = 0;
    bool pull = true;  // false: push what is pending, and stop there
};

class SyncClient {
  public:
    SyncClient(store::Database& db, Outbox& outbox, const crypto::SigningKey& device_key,
               const crypto::KxKeyPair& device_kx, CentralPin central, Transport& transport,
               domain::Clock& clock);

    // Failures: transport_failed, remote_refused, device_revoked,
    // bad_signature (a pull not signed by the pinned key), scope_diverged (the
    // scope still differs after a re-download). A failure part-way keeps what
    // was done; an interrupted snapshot or repair continues next round.
    Result<RoundReport> round(const SyncOptions& options = {}, const Progress& progress = {});

  private:
    Result<Bytes> call(const std::string& path, ByteView plaintext);
    Status push_all(const SyncOptions& options, RoundReport& report);
    // True when the round must push again (entries were made pending).
    Result<bool> pull_all(const SyncOptions& options, const Progress& progress,
                          RoundReport& report);

    store::Database& db_;
    Outbox& outbox_;
    const crypto::SigningKey& device_key_;
    CentralPin central_;
    Transport& transport_;
    domain::Clock& clock_;
    crypto::SessionKeys keys_;
};

}  // namespace gridsync::sync
