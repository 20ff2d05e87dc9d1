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

// Called after each pulled batch: entries applied so far, and the cursor.
using Progress = std::function<void(std::size_t pulled, std::uint64_t cursor)>;

struct RoundReport {
    std::size_t accepted = 0, duplicates = 0, rejected = 0;
    std::size_t pulled = 0, clashes = 0;
    std::vector<EntryAck> rejections;
};

class SyncClient {
  public:
    SyncClient(store::Database& db, Outbox& outbox, const crypto::SigningKey& device_key,
               const crypto::KxKeyPair& device_kx, CentralPin central, Transport& transport,
               domain::Clock& clock);

    // Failures: transport_failed, remote_refused, bad_signature (a pull not
    // signed by the pinned key). A failure part-way keeps what was done.
    Result<RoundReport> round(std::size_t batch_size = 500, const Progress& progress = {});

  private:
    Result<Bytes> call(const std::string& path, ByteView plaintext);

    store::Database& db_;
    Outbox& outbox_;
    const crypto::SigningKey& device_key_;
    CentralPin central_;
    Transport& transport_;
    domain::Clock& clock_;
    crypto::SessionKeys keys_;
};

}  // namespace gridsync::sync
