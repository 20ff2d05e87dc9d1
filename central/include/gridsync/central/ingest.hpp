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
// An entry whose rows refer to a parent central has not seen is parked: kept
// whole in the chain, acknowledged, applied (steps 4-5) when the parent arrives.
// A refused entry changes nothing but the audit log; the device keeps it.
#include "gridsync/central/backend.hpp"
#include "gridsync/central/parts.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

class Ingest {
  public:
    Ingest(CentralBackend& backend, domain::Clock& clock) : store_(backend), clock_(clock) {}

    // Entries are taken in order; after the first refusal of a device's
    // entry, its later entries in the batch are refused as a sequence gap.
    sync::PushAcks push(const sync::PushBatch& batch);
    sync::EntryAck ingest(const sync::SignedEntry& entry);
    // Applies parked entries whose parents are now here; returns how many.
    std::size_t release_parked();

  private:
    CentralBackend& store_;
    domain::Clock& clock_;
};

}  // namespace gridsync::central
