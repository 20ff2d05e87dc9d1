#pragma once
// X25519 key exchange (libsodium crypto_kx): a device and central each derive
// the same pair of transport keys, one per direction, from their own key pair
// and the other's public key.
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

inline constexpr std::size_t kKxPublicKeyBytes = 32;

struct KxPublicKey {
    std::array<std::uint8_t, kKxPublicKeyBytes> bytes{};
    static std::optional<KxPublicKey> from(ByteView b);
    ByteView view() const { return bytes; }
    friend bool operator==(const KxPublicKey&, const KxPublicKey&) = default;
};

class KxKeyPair {
  public:
    static KxKeyPair generate();
    static KxKeyPair from_seed(ByteView seed32);
    // The seed, for sealing to disk (from_seed makes the same pair again).
    const SecureBuffer& seed() const noexcept { return seed_; }
    const KxPublicKey& public_key() const noexcept { return public_key_; }

  private:
    friend struct KxAccess;
    KxKeyPair(SecureBuffer seed, SecureBuffer secret, KxPublicKey pk)
        : seed_(std::move(seed)), secret_(std::move(secret)), public_key_(pk) {}
    SecureBuffer seed_;
    SecureBuffer secret_;
    KxPublicKey public_key_;
};

// rx decrypts what the peer sent; tx encrypts what we send. The client's tx is
// the server's rx and the other way round.
struct SessionKeys {
    SecureBuffer rx;
    SecureBuffer tx;
};

// Anonymous sealed box (libsodium crypto_box_seal) to an X25519 key: how a
// new device sends its enrollment token to central before they share keys.
Bytes seal_to(const KxPublicKey& recipient, ByteView message);
// Failure decrypt_failed: not sealed to this key pair, or changed on the way.
Result<Bytes> open_sealed(const KxKeyPair& recipient, ByteView sealed);

// Failure bad_public_key: the peer's key is a point that must be refused.
Result<SessionKeys> client_session_keys(const KxKeyPair& client, const KxPublicKey& server);
Result<SessionKeys> server_session_keys(const KxKeyPair& server, const KxPublicKey& client);

}  // namespace gridsync::crypto
