#pragma once
// Why central refuses something. Stable numbers, append only: they reach
// devices in acknowledgements ("gridsync.central:N") and the audit log.
#include <system_error>

namespace gridsync::central {

enum class Errc {
    unknown_device = 1,  // not enrolled here
    revoked = 2,         // the device was revoked
    bad_signature = 3,   // the device signature does not verify over the received bytes
    sequence_gap = 4,    // an entry is missing before this one
    forked_chain = 5,  // a different entry with a sequence number already accepted (security event)
    broken_chain = 6,  // prev_hash does not link to the last accepted entry
    malformed = 7,     // bytes that do not decode, or a changeset that does not validate
    unsupported_version = 8,  // an envelope, protocol or schema version this central does not take
    not_authorized = 9,       // the device's role may not write this table or make this change
    out_of_scope = 10,        // a row outside the device's community or grid
    rule_failed = 11,  // a domain rule failed on central's second look (signatures, amounts, ...)
    missing_parent = 12,  // a row refers to one central has not seen yet: sent again later
    token_invalid = 13,   // no such enrollment token
    token_expired = 14,
    token_used = 15,
    admin_login_failed = 16,  // wrong login or password, or a key that is not the registered one
    conflict_not_open = 17,   // no such conflict, or it was resolved already
    admin_session = 18,       // the admin API without a valid session (not logged in, expired)
    csrf_failed = 19,         // a state-changing admin call without the session's CSRF token
    too_many_attempts = 20,   // admin logins refused for a while after repeated failures
    bad_request = 21,         // an admin API request that is not valid JSON or lacks a field
    forged_stamp =
        22,  // a row's origin_device is not the signing device, or its hlc not the entry's
    clock_out_of_bounds = 23,  // an entry's HLC too far ahead of central's clock, or before 2024
    hlc_regressed = 24,        // an entry's HLC not after the device's last accepted one
    staff_key_refused = 25,    // a staff key registered without an unused, unexpired code issued
                               // to that person
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace gridsync::central

template <>
struct std::is_error_code_enum<gridsync::central::Errc> : std::true_type {};
