#pragma once
// XChaCha20-Poly1305 (IETF): authenticated encryption with a 24-byte nonce,
// large enough to pick at random for every message.
#include <array>
#include <cstdint>
#include <span>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 24;
inline constexpr std::size_t kAeadTagBytes = 16;

using AeadNonce = std::array<std::uint8_t, kAeadNonceBytes>;

AeadNonce random_nonce();

// Returns ciphertext || tag (plaintext.size() + 16 bytes).
Bytes aead_encrypt(const SecureBuffer& key, const AeadNonce& nonce, ByteView associated,
                   ByteView plaintext);

// Decrypts into `out`, which must be exactly ciphertext.size() - 16 bytes: the
// way to decrypt a secret straight into secure memory. Nothing is written to
// `out` unless the tag verifies; on failure `out` is
// wiped, so no unauthenticated plaintext is ever left behind. Failure: decrypt_failed, or
// bad_length.
Status aead_decrypt_into(const SecureBuffer& key, const AeadNonce& nonce, ByteView associated,
                         ByteView ciphertext, std::span<std::uint8_t> out);

Result<Bytes> aead_decrypt(const SecureBuffer& key, const AeadNonce& nonce, ByteView associated,
                           ByteView ciphertext);

}  // namespace gridsync::crypto
