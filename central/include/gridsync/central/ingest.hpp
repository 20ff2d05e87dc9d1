#pragma once
// Push: what central does with each signed entry a device sends.
//
//  1. Find the device by the id that names the signer; refuse unknown or revoked.
//  2. Verify the signature over the exact received envelope bytes; only then decode.
//  3. Check versions, the sequence (duplicate -> acknowledged again; a different
//     entry at an accepted seq -> forked chain, a security event), and the link.
//  4. Validate the changeset and decode it once into row changes; authorize each
//     against the device's role and scope.
//  5. In one transaction: apply (what cannot merge becomes a conflict record,
//     both sides kept), take a second look at every signed record, append the
//     exact signed bytes to the accepted log, advance the device's chain, audit.
// The cores share the signature checks: step 2 for a whole batch runs before
// the writer is taken (verify_batch), and the second look's staff signatures
// of the whole batch run at once before its commit (domain's
// DeferredSignatureChecks; if one fails, the batch is taken again one check
// at a time, so what is kept is what serial checking keeps).
// An entry whose rows refer to a parent central has not seen is parked: kept
// whole in the chain, acknowledged, applied (steps 4-5) when the parent arrives.
//
// Refusals carry their transient bit (sync/refusals.hpp). One refused in
// steps 1-3 (or for a transient reason: a clock still ahead) changes
// nothing but the audit log; the device keeps it and offers it again, and
// its later entries in the batch wait behind it. One refused for a permanent
// reason in steps 4-5 (a role, a scope, a rule) was signed and links: it is
// quarantined, kept whole with central's signed decision, and the device's
// chain goes on past it, so one entry never blocks a device for good.
#include <map>

#include "gridsync/central/backend.hpp"
#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/sync/protocol.hpp"
#include "gridsync/tlog/merkle.hpp"

namespace gridsync::central {

class Ingest {
  public:
    // `central_key` signs quarantine decisions.
    Ingest(CentralBackend& backend, domain::Clock& clock, const crypto::SigningKey& central_key)
        : store_(backend), clock_(clock), key_(central_key) {}

    // Entries are taken in order; after a device's entry is refused (not
    // quarantined), its later entries in the batch are refused as a
    // sequence gap (transient). The answer is in the batch's protocol
    // version, with central's epoch.
    //
    // `checked`: the device signatures verified already, before the writer
    // was taken (verify_batch); an entry whose device key is not the one
    // they were checked with is verified again here.
    struct PreVerified {
        crypto::PublicKey key;
        std::vector<std::uint8_t> ok;  // per entry of the batch
        struct Verdict {
            crypto::PublicKey key;
            bool verifies = false;
        };
    };
    sync::PushAcks push(const sync::PushBatch& batch, const PreVerified* checked = nullptr);
    sync::EntryAck ingest(const sync::SignedEntry& entry,
                          std::optional<PreVerified::Verdict> signature_checked = std::nullopt);
    // Step 2 for a whole batch from the device of `key`, on every core
    // (crypto::verify_each); touches no storage, so no lock is needed.
    static PreVerified verify_batch(const crypto::PublicKey& key, const sync::PushBatch& batch);
    // Applies parked entries whose parents are now here; returns how many.
    std::size_t release_parked();
    // A quarantined entry checked again against today's rules and data,
    // applied if it passes (message: what was applied); refused again, it
    // stays quarantined; once applied, entries parked behind it follow. The
    // caller (QuarantineDesk) records the admin's signed decision and audits.
    // Failures: not_quarantined, and the refusal that still holds.
    Result<std::string> release_quarantined(const std::string& device_id, std::uint64_t seq);

    // What steps 4-5 made of an entry whose chain checks passed (or that
    // was kept earlier): applied, parked, or a refusal not yet quarantined.
    struct Checked;

  private:
    // The batch's entries in order, inside push's transaction.
    void take(const sync::PushBatch& batch, const PreVerified* checked, sync::PushAcks& out);
    CentralBackend& store_;
    domain::Clock& clock_;
    const crypto::SigningKey& key_;
    // The log's root at each size entries of this batch name as their anchor.
    std::map<std::uint64_t, tlog::Hash> anchor_roots_;
};

}  // namespace gridsync::central
