#include "refusal.hpp"

#include <algorithm>

#include "gridsync/domain/deferred_checks.hpp"

#include "gridsync/domain/hlc.hpp"

namespace gridsync::domain::detail {

StaffRow load_staff(store::Database& db, const std::string& staff_id) {
    auto st = db.prepare(
        "SELECT id, name, role, community_id, household_id, active FROM staff WHERE id = ?1");
    st.bind(1, staff_id);
    if (!st.step())
        refuse(Errc::not_found, "工作人员不存在 / no staff member " + staff_id);
    return StaffRow{st.column<std::string>(0),
                    st.column<std::string>(1),
                    st.column<std::string>(2),
                    st.column<std::optional<std::string>>(3),
                    st.column<std::optional<std::string>>(4),
                    st.column<bool>(5)};
}

crypto::Signature sign_as(store::Database& db, const Stamp& stamp, const Signer& signer,
                          crypto::SigningContext context, ByteView message) {
    const StaffRow staff = load_staff(db, signer.staff_id);
    if (!staff.active)
        refuse(Errc::role_not_allowed, staff.name + " 已停用 / is no longer active");
    auto st = db.prepare(
        "SELECT revoked_at_ms IS NOT NULL FROM staff_key WHERE staff_id = ?1 AND device_id = ?2 "
        "AND public_key = ?3");
    st.bind_all(signer.staff_id, stamp.device_id, signer.key->public_key().view());
    if (!st.step()) {
        refuse(Errc::bad_signature, staff.name + " 的密钥未在本设备登记 / the key used is not " +
                                        staff.name + "'s key registered on this device");
    }
    if (st.column<bool>(0)) {
        refuse(Errc::key_revoked, staff.name +
                                      " 在本设备的密钥已被管理员停用,请用新的登记码重新登记 / " +
                                      staff.name + "'s key on this device was revoked");
    }
    return signer.key->sign(context, message);
}

bool verify_as(store::Database& db, const std::string& staff_id, const SignedAt& at,
               crypto::SigningContext context, ByteView message, ByteView signature) {
    const auto sig = crypto::Signature::from(signature);
    if (!sig)
        return false;
    // A key's start needs no check: a record can only reach central after
    // the entry that registered its key (the device's chain is in order),
    // and central verifies it then. Its end is the revocation.
    auto st = db.prepare(
        "SELECT public_key FROM staff_key WHERE staff_id = ?1 AND device_id = ?2 "
        "AND (revoked_at_ms IS NULL OR revoked_at_ms > ?3)");
    st.bind_all(staff_id, at.device_id, Hlc{at.hlc}.wall_ms());
    std::vector<crypto::PublicKey> keys;
    while (st.step()) {
        if (const auto pk = crypto::PublicKey::from(st.column<Bytes>(0)))
            keys.push_back(*pk);
    }
    if (keys.empty())
        return false;
    if (auto* later = DeferredSignatureChecks::current()) {
        later->note(std::move(keys), context, Bytes(message.begin(), message.end()), *sig);
        return true;  // for now: the caller keeps nothing unless all verify
    }
    for (const auto& pk : keys) {
        if (crypto::verify(pk, context, message, *sig))
            return true;
    }
    return false;
}

}  // namespace gridsync::domain::detail

namespace gridsync::domain {

namespace {
thread_local DeferredSignatureChecks* in_force = nullptr;
}  // namespace

DeferredSignatureChecks::DeferredSignatureChecks() : outer_(in_force) {
    in_force = this;
}

DeferredSignatureChecks::~DeferredSignatureChecks() {
    in_force = outer_;
}

DeferredSignatureChecks* DeferredSignatureChecks::current() {
    return in_force;
}

void DeferredSignatureChecks::note(std::vector<crypto::PublicKey> keys,
                                   crypto::SigningContext context, Bytes message,
                                   const crypto::Signature& signature) {
    checks_.push_back({std::move(keys), context, std::move(message), signature});
}

bool DeferredSignatureChecks::all_verify(unsigned threads) {
    std::vector<crypto::VerifyJob> jobs;
    std::vector<std::size_t> of_check;
    for (std::size_t c = 0; c < checks_.size(); ++c) {
        for (const auto& key : checks_[c].keys) {
            jobs.push_back({key, checks_[c].context, checks_[c].message, checks_[c].signature});
            of_check.push_back(c);
        }
    }
    const auto verdicts = crypto::verify_each(jobs, threads);
    std::vector<std::uint8_t> passed(checks_.size(), 0);
    for (std::size_t j = 0; j < jobs.size(); ++j)
        passed[of_check[j]] |= verdicts[j];
    checks_.clear();
    return std::all_of(passed.begin(), passed.end(), [](std::uint8_t p) { return p != 0; });
}

}  // namespace gridsync::domain
