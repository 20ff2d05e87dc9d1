#pragma once
#include <system_error>

namespace gridsync::crypto {

// Stable numbers: they travel in logs and API answers. Append, never renumber.
enum class Errc {
    init_failed = 1,           // libsodium could not start (no entropy source)
    bad_length = 2,            // a key, nonce or signature of the wrong size
    sealed_malformed = 3,      // a sealed file that is not one, or is cut short
    sealed_unsupported = 4,    // a sealed file from a newer version or unknown algorithm
    wrong_pin_or_damaged = 5,  // the PIN is wrong, or the sealed bytes were changed
    out_of_memory = 6,         // secure memory or the KDF's memory could not be had
    bad_public_key = 7,        // a public key that is not a valid curve point
    decrypt_failed = 8,        // AEAD authentication failed: tampered, truncated or wrong key
    io = 9,                    // a key file could not be read or written
    weak_pin = 10,             // a PIN shorter than the minimum
};

const std::error_category& category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace gridsync::crypto

template <>
struct std::is_error_code_enum<gridsync::crypto::Errc> : std::true_type {};
