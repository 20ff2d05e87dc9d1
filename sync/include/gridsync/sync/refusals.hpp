#pragma once
// Why central refuses something, as the refusal crosses the wire: in push
// acknowledgements ("gridsync.central:N", with the transient bit) and in the
// JSON error body of a refused HTTP call ({"code", "message", "retry"}).
// Stable numbers, append only: they reach devices, scripts and the audit log.
// The category keeps the name "gridsync.central" that devices already know.
//
// Transient or permanent, as LiteCore's c4error_mayBeTransient and realm's
// try_again: a transient refusal can succeed if the same thing is sent again
// later, unchanged (a parent that has not arrived, a busy server, a clock
// that has not caught up); a permanent one cannot, until a person changes
// something (a permission, a rule, the device's software). A device keeps
// retrying the first kind; the second kind it shows, and central quarantines
// an entry refused for it (docs/PROTOCOL.md, "Refusals").
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace gridsync::sync {

enum class Refusal {
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
    busy = 26,                 // central is at a limit (connections, memory, requests): later
    replayed_request = 27,     // a pull request central has answered before (its number is
                               // not above the device's last)
    not_quarantined = 28,      // no such quarantined entry, or it was released already
    storage_failed = 29,       // central could not write (a full or failing disk): nothing of
                               // the request was kept, and the same request can be sent again
};

const std::error_category& refusal_category() noexcept;
inline std::error_code make_error_code(Refusal e) noexcept {
    return {static_cast<int>(e), refusal_category()};
}

// Whether sending the same thing again later, unchanged, can succeed. For
// central's refusals, by the table in refusals.cpp; for the transport (no
// answer, a timeout) and a busy server, yes; for anything else, no.
bool may_be_transient(const std::error_code& code) noexcept;

// "gridsync.central:4" and back.
std::string code_text(const std::error_code& code);
std::optional<Refusal> refusal_of(std::string_view code_text);

}  // namespace gridsync::sync

template <>
struct std::is_error_code_enum<gridsync::sync::Refusal> : std::true_type {};
