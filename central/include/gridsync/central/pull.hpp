#pragma once
// Pull: each device receives, from its cursor on, the accepted changes of its
// scope only, as a batch signed by central's key.
#include <functional>

#include "gridsync/central/merkle_log.hpp"
#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

// Where a pull's work runs. Its few writes (the request's number, the
// device's clock, its alarms and cosignature, a checkpoint it waits for)
// go through `write`, one at a time with pushes; everything it answers
// with is read through `read`, in one read transaction, so the batch, the
// digest and the proofs all show one state. The router gives the writer
// under its lock and a reader of its pool (readers.hpp): a pull then waits
// for a push only for its writes. Unset, both run on the service's backend.
struct PullAccess {
    using Work = std::function<void(CentralBackend&)>;
    std::function<void(const Work&)> write, read;
};

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
    void set_access(PullAccess access) { access_ = std::move(access); }

  private:
    // What the write step decided for the log section: the checkpoint to
    // prove against (nullopt: none yet) and the leaves the device asked about.
    struct LogPlan {
        std::optional<StoredCheckpoint> checkpoint;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> asked;  // seq, leaf
    };
    // The write step: nullopt when the request may be answered.
    std::optional<Failure> note_request(CentralBackend& store, const Device& device,
                                        const sync::PullRequest& req, domain::EpochMs now,
                                        LogPlan& plan);
    // The read step: the batch, on one state.
    Result<sync::PullBatch> read_batch(CentralBackend& store, const sync::PullRequest& req,
                                       const LogPlan& plan, domain::EpochMs now);
    void write(const PullAccess::Work& work);
    void read(const PullAccess::Work& work);
    CentralBackend& store_;
    PullAccess access_;
    const crypto::SigningKey& key_;
    domain::Clock& clock_;
    LogSigner log_signer_;
    CheckpointPolicy policy_;
};

}  // namespace gridsync::central
