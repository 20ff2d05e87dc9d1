#pragma once
// Pull: each device receives, from its cursor on, the accepted changes of its
// scope only, as a batch signed by central's key.
#include "gridsync/central/merkle_log.hpp"
#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

class PullService {
  public:
    // `log_key` signs the verifiable log's checkpoints (a key of its own in
    // service; tests that do not look at the log may leave it to the
    // central key).
    PullService(CentralBackend& backend, const crypto::SigningKey& central_key,
                domain::Clock& clock, const crypto::SigningKey* log_key = nullptr,
                CheckpointPolicy policy = {})
        : store_(backend),
          key_(central_key),
          clock_(clock),
          log_signer_{kLogOrigin, log_key ? *log_key : central_key},
          policy_(policy) {}

    // `signed_request`: an encoded sync::Signed whose body is a PullRequest
    // signed by the device. Returns an encoded sync::Signed whose body is the
    // PullBatch, signed by central. Failures: central::Errc unknown_device,
    // revoked, bad_signature, malformed.
    Result<Bytes> serve(ByteView signed_request);

  private:
    std::optional<sync::LogProofs> log_proofs(const Device& device, const sync::PullRequest& req,
                                              domain::EpochMs now);
    CentralBackend& store_;
    const crypto::SigningKey& key_;
    domain::Clock& clock_;
    LogSigner log_signer_;
    CheckpointPolicy policy_;
};

}  // namespace gridsync::central
