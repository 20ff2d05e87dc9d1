#pragma once
// Secrets at rest: a key sealed under a PIN or passphrase.
//
// Sealed format, version 1 (integers little endian; the 58-byte header is the
// AEAD's associated data, so no parameter can be changed without detection):
//   offset size
//        0    6  magic "GSSEAL"
//        6    2  format version (u16) = 1
//        8    1  algorithm (u8): 1 = Argon2id v1.3 (crypto_pwhash) + XChaCha20-Poly1305-IETF
//        9    1  reserved, 0
//       10    4  Argon2id opslimit (u32)
//       14    4  Argon2id memlimit in KiB (u32)
//       18   16  salt
//       34   24  nonce
//       58    n  ciphertext of the secret || 16-byte tag
#include <cstdint>
#include <filesystem>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

// Version history of the sealed format:
//   1: Argon2id + XChaCha20-Poly1305, header as associated data.
inline constexpr std::uint16_t kSealedFormatVersion = 1;
inline constexpr std::size_t kSealedHeaderBytes = 58;
inline constexpr std::size_t kMinPinBytes = 4;

struct KdfParams {
    std::uint32_t opslimit;
    std::uint32_t memlimit_kib;

    // libsodium's INTERACTIVE limits (64 MiB): a PIN typed at a laptop.
    static KdfParams interactive();
    // libsodium's MODERATE limits (256 MiB): long-lived server keys.
    static KdfParams moderate();
    // The least Argon2id accepts. For tests only: it protects nothing.
    static KdfParams minimum();
};

// Throws Error(weak_pin) for a PIN under kMinPinBytes, Error(out_of_memory)
// when the KDF cannot get its memory.
Bytes seal_secret(ByteView secret, ByteView pin, KdfParams params = KdfParams::interactive());

// Failures: sealed_malformed (not a sealed blob, cut short, parameters out of
// range), sealed_unsupported (newer version, unknown algorithm),
// wrong_pin_or_damaged (the two cannot be told apart, by design), out_of_memory.
Result<SecureBuffer> unseal_secret(ByteView sealed, ByteView pin);

// The same, to and from a key file (written atomically, mode 0600).
Status seal_secret_to_file(const std::filesystem::path& path, ByteView secret,
                           const SecureBuffer& pin, KdfParams params = KdfParams::interactive());
Result<SecureBuffer> unseal_secret_from_file(const std::filesystem::path& path,
                                             const SecureBuffer& pin);

// A login password as libsodium's Argon2id string ("$argon2id$v=19$m=...",
// salt and parameters inside). Throws Error(weak_pin) under kMinPinBytes.
std::string hash_password(ByteView password, KdfParams params = KdfParams::interactive());
// Constant-time in the password; false for a wrong password or a malformed hash.
bool verify_password(const std::string& hash, ByteView password);

}  // namespace gridsync::crypto
