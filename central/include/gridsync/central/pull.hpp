#pragma once
// Pull: each device receives, from its cursor on, the accepted changes of its
// scope only, as a batch signed by central's key.
#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

class PullService {
  public:
    PullService(CentralBackend& backend, const crypto::SigningKey& central_key,
                domain::Clock& clock)
        : store_(backend), key_(central_key), clock_(clock) {}

    // `signed_request`: an encoded sync::Signed whose body is a PullRequest
    // signed by the device. Returns an encoded sync::Signed whose body is the
    // PullBatch, signed by central. Failures: central::Errc unknown_device,
    // revoked, bad_signature, malformed.
    Result<Bytes> serve(ByteView signed_request);

  private:
    CentralBackend& store_;
    const crypto::SigningKey& key_;
    domain::Clock& clock_;
};

}  // namespace gridsync::central
