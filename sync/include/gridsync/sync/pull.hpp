#pragma once
// The edge's side of pull: ask for what came after the cursor, then apply it
// the way a rebase works. Local entries central has not acknowledged are set
// aside (their changes undone), central's changes applied, and the local ones
// replayed on top, all in one transaction: a pull never loses or overwrites an
// unpushed local write, and what clashes is recorded (local_clash), never dropped.
#include <cstdint>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/sync/outbox.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::sync {

// An encoded Signed PullRequest from the device's cursor (or from where a
// snapshot being read stopped).
Bytes make_pull_request(store::Database& db, const std::string& device_id,
                        const crypto::SigningKey& device_key, domain::Clock& clock,
                        std::uint32_t max_entries = 1000, bool want_digest = true);

struct PullOutcome {
    std::size_t entries = 0;        // central entries applied
    std::size_t snapshot_rows = 0;  // rows of a snapshot page applied
    std::size_t clashes = 0;        // rows recorded in local_clash
    std::uint64_t cursor = 0;       // the new cursor
    bool more = false;              // central has more after this batch
    bool snapshot = false;          // a snapshot is being read
    // Central's digest of this device's scope differs from what the device
    // holds: a scoped re-download (begin_repair) is due.
    bool diverged = false;
    // Nothing was applied: central was restored (a new epoch; the cursor
    // moved back to its base), or holds less of this device's chain than it
    // acknowledged (`reoffered` entries are pending again). Push, then pull.
    bool central_restored = false;
    std::size_t reoffered = 0;
};

// What a device makes of central's epoch (protocol v3, on every answer),
// in one transaction: a new epoch moves the pull cursor (and a snapshot in
// progress) back to the epoch's base; entries this device had acknowledged
// beyond what central holds of its chain become pending again, so they are
// offered again and the chain goes on. Nothing of the device's is deleted.
struct EpochCheck {
    bool restored = false;      // a new epoch that moved the cursor back
    std::size_t reoffered = 0;  // acknowledged entries made pending again
};
EpochCheck observe_epoch(store::Database& db, Outbox& outbox, const CentralEpoch& epoch);

// Verifies central's signature over the exact bytes before decoding.
// Failures: sync::Errc::bad_signature, malformed_envelope, unsupported_version.
Result<PullOutcome> apply_pull(store::Database& db, Outbox& outbox,
                               const crypto::PublicKey& central_key, ByteView signed_batch,
                               domain::Clock& clock);

std::uint64_t pull_cursor(store::Database& db);

// Starts a scoped re-download that keeps the unpushed writes: in one
// transaction, the local changes are set aside, every replicated row is
// removed and the cursor goes back to 0. The next pulls read a snapshot; the
// set-aside changes are replayed on the last batch, as on every pull. Until
// then they are safe in the outbox, not visible in the tables. Only entries
// that verify are set aside (Outbox::pending).
void begin_repair(store::Database& db, Outbox& outbox, domain::EpochMs now);
// True between begin_repair and the pull that completes it.
bool repair_in_progress(store::Database& db);

// When central's scope digest last matched this device's data (0: never).
domain::EpochMs scope_verified_at(store::Database& db);

// Removes every replicated row and resets the cursor (a revoked device's
// purge; the first step of a repair). The outbox stays.
void wipe_replicated(store::Database& db);

}  // namespace gridsync::sync
