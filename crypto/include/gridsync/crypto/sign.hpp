#pragma once
// Ed25519 identities of devices, staff and central.
//
// Every gridsync signature is made over a context-framed message:
//     u8 len(context) || context (ASCII) || message
// so a signature made for one purpose (say, a staff member vouching for a
// payment) can never be presented as valid for another (a changeset envelope).
// The raw RFC 8032 operations exist for known-answer tests and interop only.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;
inline constexpr std::size_t kSeedBytes = 32;

struct PublicKey {
    std::array<std::uint8_t, kPublicKeyBytes> bytes{};

    // nullopt when `b` is not 32 bytes. (Whether it is a valid point is checked
    // by verify, which rejects small-order and non-canonical keys.)
    static std::optional<PublicKey> from(ByteView b);
    ByteView view() const { return bytes; }
    std::string hex() const { return to_hex(bytes); }
    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

struct Signature {
    std::array<std::uint8_t, kSignatureBytes> bytes{};

    static std::optional<Signature> from(ByteView b);
    ByteView view() const { return bytes; }
    friend bool operator==(const Signature&, const Signature&) = default;
};

// The purpose a signature is made for, e.g. "gridsync/changeset-envelope/v1".
// At most 255 ASCII bytes.
class SigningContext {
  public:
    constexpr explicit SigningContext(std::string_view name) : name_(name) {}
    constexpr std::string_view name() const { return name_; }

  private:
    std::string_view name_;
};

// The exact bytes a context-framed signature covers.
Bytes framed_message(SigningContext context, ByteView message);

class SigningKey {
  public:
    static SigningKey generate();
    // The RFC 8032 "secret key" is this 32-byte seed.
    static SigningKey from_seed(ByteView seed);

    const PublicKey& public_key() const noexcept { return public_key_; }
    // The seed, for sealing to disk. Stays in secure memory.
    SecureBuffer seed() const;

    Signature sign(SigningContext context, ByteView message) const;
    Signature sign_raw(ByteView message) const;

  private:
    SigningKey(SecureBuffer secret, PublicKey pk) : secret_(std::move(secret)), public_key_(pk) {}
    SecureBuffer secret_;  // libsodium's 64-byte form: seed || public key
    PublicKey public_key_;
};

bool verify(const PublicKey& key, SigningContext context, ByteView message, const Signature& sig);
bool verify_raw(const PublicKey& key, ByteView message, const Signature& sig);

// Many signatures at once: libsodium has no batch verification, so the
// jobs are shared over up to `threads` threads, the caller's among them
// (a push's entries are checked on every core before central's one writer
// is taken). One verdict per job, in order: 1 when it verifies.
struct VerifyJob {
    PublicKey key;
    SigningContext context;
    ByteView message;
    Signature signature;
};
std::vector<std::uint8_t> verify_each(std::span<const VerifyJob> jobs, unsigned threads);

// A short, human-comparable name of a public key, read aloud or compared by
// eye when a device or a staff member enrolls: 16 characters of Crockford
// base32 (no I, L, O, U) in four groups, e.g. "7KQ2-M9XD-4RTB-W1ZC". 80 bits of
// BLAKE2b over a fixed prefix and the key.
std::string fingerprint(const PublicKey& key);

}  // namespace gridsync::crypto
