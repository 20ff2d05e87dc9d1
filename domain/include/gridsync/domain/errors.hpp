#pragma once
// Refusals of the domain rules. Each has a stable number (append, never
// renumber): it reaches the CLI's --json output, central's answers and logs.
#include <system_error>

namespace gridsync::domain {

enum class Errc {
    bad_id_number = 1,          // not a valid GB 11643 number
    not_found = 2,              // no such certificate, staff member, entitlement, ...
    not_custodian = 3,          // delivering or handing over a certificate you do not hold
    already_delivered = 4,      // the certificate was delivered already
    id_mismatch = 5,            // the recipient's ID number does not match the record
    not_grid_leader = 6,        // not the leader of the resident's grid
    recipient_missing = 7,      // a delivery or payment without an identified recipient
    bad_signature = 8,          // a staff signature that does not verify with their registered key
    same_person = 9,            // one person in two roles that must be two people
    amount_mismatch = 10,       // the amount differs from the entitlement
    already_paid = 11,          // the entitlement has an effective payment already
    session_not_open = 12,      // no open disbursement session for that
    not_rostered = 13,          // not rostered for this session or day
    not_checked_in = 14,        // rostered, but not checked in
    maker_is_checker = 15,      // prepared the entitlement list, cannot pay or verify from it
    conflict_of_interest = 16,  // payer or verifier is the beneficiary or in their household
    assigned_elsewhere = 17,    // entitlement assigned to another session; needs an override
    variance_unexplained = 18,  // cash does not balance and no explanation was written
    bad_input = 19,             // a value out of range or missing
    proxy_not_registered = 20,  // a proxy who was not registered beforehand
    wrong_state = 21,           // not allowed in the record's current state
    role_not_allowed = 22,      // the staff member's role may not do this
    key_revoked = 23,           // the signer's key on this device was revoked by an admin
    key_exists = 24,            // the person already has an active key on this device
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace gridsync::domain

template <>
struct std::is_error_code_enum<gridsync::domain::Errc> : std::true_type {};
