#pragma once
// Entries central refused for good but kept whole (ingest.hpp): the list an
// admin reads, and the release once the cause is fixed (a permission given
// back, a household link corrected, central upgraded). One service under the
// command line (`gridsync-central quarantine`) and the admin API
// (/admin/api/quarantine).
#include <string>
#include <vector>

#include "gridsync/central/backend.hpp"
#include "gridsync/central/ingest.hpp"
#include "gridsync/central/parts.hpp"

namespace gridsync::central {

class QuarantineDesk {
  public:
    QuarantineDesk(CentralBackend& backend, AdminRegistry& admins, Ingest& ingest,
                   const crypto::PublicKey& central_key)
        : backend_(backend), admins_(admins), ingest_(ingest), central_key_(central_key) {}

    // Newest first; released ones too with `all`.
    std::vector<QuarantinedEntry> list(bool all = false);
    // Whether central's signature over the quarantine decision verifies.
    bool decision_verifies(const QuarantinedEntry& e) const;
    // Checks the entry again against today's rules and data and applies it
    // if it passes; the admin's decision is signed and audited either way.
    // A reason is required. Failures: bad_request (no reason),
    // not_quarantined, and the refusal that still holds.
    Result<std::string> release(const std::string& device_id, std::uint64_t seq,
                                const AdminSigner& admin, const std::string& reason,
                                domain::EpochMs now);

  private:
    CentralBackend& backend_;
    AdminRegistry& admins_;
    Ingest& ingest_;
    crypto::PublicKey central_key_;
};

}  // namespace gridsync::central
