#include "gridsync/central/quarantine.hpp"

#include "gridsync/central/errors.hpp"

namespace gridsync::central {

std::vector<QuarantinedEntry> QuarantineDesk::list(bool all) {
    return backend_.quarantined_entries(all);
}

bool QuarantineDesk::decision_verifies(const QuarantinedEntry& e) const {
    const auto sig = crypto::Signature::from(e.decision_signature);
    return sig && e.decision == quarantine_decision(e) &&
           crypto::verify(central_key_, kQuarantineContext, e.decision, *sig);
}

Result<std::string> QuarantineDesk::release(const std::string& device_id, std::uint64_t seq,
                                            const AdminSigner& admin, const std::string& reason,
                                            domain::EpochMs now) {
    const std::string subject = device_id + ":" + std::to_string(seq);
    if (reason.empty())
        return fail(Errc::bad_request, "请写明理由 / a reason is required");
    auto released = ingest_.release_quarantined(device_id, seq);
    if (!released) {
        backend_.audit(now, "admin:" + admin.login, "entry.release", subject, "refused",
                       released.failure().message);
        return released;
    }
    admins_.record_admin_action(admin, "entry.release", subject, reason, now);
    return released;
}

}  // namespace gridsync::central
