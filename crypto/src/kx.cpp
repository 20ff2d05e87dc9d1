#include "gridsync/crypto/kx.hpp"

#include <sodium.h>

#include <cstring>

#include "gridsync/crypto/errors.hpp"

namespace gridsync::crypto {

static_assert(kKxPublicKeyBytes == crypto_kx_PUBLICKEYBYTES);

struct KxAccess {
    static const SecureBuffer& secret(const KxKeyPair& kp) { return kp.secret_; }
};

std::optional<KxPublicKey> KxPublicKey::from(ByteView b) {
    if (b.size() != kKxPublicKeyBytes)
        return std::nullopt;
    KxPublicKey k;
    std::memcpy(k.bytes.data(), b.data(), b.size());
    return k;
}

KxKeyPair KxKeyPair::generate() {
    return from_seed(SecureBuffer::random(crypto_kx_SEEDBYTES).view());
}

KxKeyPair KxKeyPair::from_seed(ByteView seed32) {
    if (seed32.size() != crypto_kx_SEEDBYTES)
        throw Error(Errc::bad_length, "kx seed must be 32 bytes");
    SecureBuffer secret(crypto_kx_SECRETKEYBYTES);
    KxPublicKey pk;
    crypto_kx_seed_keypair(pk.bytes.data(), secret.data(), seed32.data());
    return KxKeyPair(SecureBuffer::copy_of(seed32), std::move(secret), pk);
}

static_assert(crypto_kx_PUBLICKEYBYTES == crypto_box_PUBLICKEYBYTES);
static_assert(crypto_kx_SECRETKEYBYTES == crypto_box_SECRETKEYBYTES);

Bytes seal_to(const KxPublicKey& recipient, ByteView message) {
    ensure_initialized();
    Bytes out(message.size() + crypto_box_SEALBYTES);
    crypto_box_seal(out.data(), message.data(), message.size(), recipient.bytes.data());
    return out;
}

Result<Bytes> open_sealed(const KxKeyPair& recipient, ByteView sealed) {
    if (sealed.size() < crypto_box_SEALBYTES)
        return fail(Errc::decrypt_failed, "sealed message too short");
    Bytes out(sealed.size() - crypto_box_SEALBYTES);
    if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(),
                             recipient.public_key().bytes.data(),
                             KxAccess::secret(recipient).data()) != 0) {
        return fail(Errc::decrypt_failed, "not sealed to this key, or changed on the way");
    }
    return out;
}

Result<SessionKeys> client_session_keys(const KxKeyPair& client, const KxPublicKey& server) {
    SessionKeys keys{SecureBuffer(crypto_kx_SESSIONKEYBYTES),
                     SecureBuffer(crypto_kx_SESSIONKEYBYTES)};
    if (crypto_kx_client_session_keys(keys.rx.data(), keys.tx.data(),
                                      client.public_key().bytes.data(),
                                      KxAccess::secret(client).data(), server.bytes.data()) != 0) {
        return fail(Errc::bad_public_key, "central's key-exchange public key is not acceptable");
    }
    return keys;
}

Result<SessionKeys> server_session_keys(const KxKeyPair& server, const KxPublicKey& client) {
    SessionKeys keys{SecureBuffer(crypto_kx_SESSIONKEYBYTES),
                     SecureBuffer(crypto_kx_SESSIONKEYBYTES)};
    if (crypto_kx_server_session_keys(keys.rx.data(), keys.tx.data(),
                                      server.public_key().bytes.data(),
                                      KxAccess::secret(server).data(), client.bytes.data()) != 0) {
        return fail(Errc::bad_public_key, "the device's key-exchange public key is not acceptable");
    }
    return keys;
}

}  // namespace gridsync::crypto
