#pragma once
#include <system_error>

namespace gridsync::sync {

// Stable numbers. Append, never renumber.
enum class Errc {
    malformed_envelope = 1,   // bytes that are not a well-formed envelope
    unsupported_version = 2,  // an envelope format or schema version this build does not read
    bad_signature = 3,        // the device signature does not verify
    broken_chain = 4,         // seq gap, or prev_hash not the previous entry's hash
    hash_mismatch = 5,        // the stored entry hash does not match the entry
    wrong_device = 6,         // an entry naming another device
    malformed_changeset = 7,  // the changeset inside does not validate
    transport_failed = 8,     // central could not be reached, or did not answer in time
    remote_refused = 9,       // central answered with an error
    device_revoked = 10,      // central refused: this device was revoked
    scope_diverged = 11,      // the device's data differs from central's after a re-download
    central_busy = 12,   // central refused for now (busy, throttled, a replay): try again later
    log_untrusted = 13,  // central's verifiable log failed a check: an alarm is open
    no_such_alarm = 14,  // no open log alarm with that id
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace gridsync::sync

template <>
struct std::is_error_code_enum<gridsync::sync::Errc> : std::true_type {};
