#include "gridsync/crypto/aead.hpp"

#include <sodium.h>

#include "gridsync/crypto/errors.hpp"

namespace gridsync::crypto {

static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

namespace {
void require_key(const SecureBuffer& key) {
    if (key.size() != kAeadKeyBytes)
        throw Error(Errc::bad_length, "AEAD key must be 32 bytes");
}
}  // namespace

AeadNonce random_nonce() {
    AeadNonce n;
    random_fill(n);
    return n;
}

Bytes aead_encrypt(const SecureBuffer& key, const AeadNonce& nonce, ByteView associated,
                   ByteView plaintext) {
    require_key(key);
    Bytes out(plaintext.size() + kAeadTagBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.data(), &written, plaintext.data(), plaintext.size(), associated.data(),
        associated.size(), nullptr, nonce.data(), key.data());
    out.resize(static_cast<std::size_t>(written));
    return out;
}

Status aead_decrypt_into(const SecureBuffer& key, const AeadNonce& nonce, ByteView associated,
                         ByteView ciphertext, std::span<std::uint8_t> out) {
    require_key(key);
    if (ciphertext.size() < kAeadTagBytes || out.size() != ciphertext.size() - kAeadTagBytes) {
        return fail(Errc::decrypt_failed, "ciphertext shorter than its tag, or output size wrong");
    }
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.data(), &written, nullptr, ciphertext.data(), ciphertext.size(), associated.data(),
            associated.size(), nonce.data(), key.data()) != 0) {
        sodium_memzero(out.data(), out.size());
        return fail(Errc::decrypt_failed, "authentication tag does not verify");
    }
    return {};
}

Result<Bytes> aead_decrypt(const SecureBuffer& key, const AeadNonce& nonce, ByteView associated,
                           ByteView ciphertext) {
    if (ciphertext.size() < kAeadTagBytes) {
        return fail(Errc::decrypt_failed, "ciphertext shorter than its tag");
    }
    Bytes out(ciphertext.size() - kAeadTagBytes);
    auto st = aead_decrypt_into(key, nonce, associated, ciphertext, out);
    if (!st)
        return st.failure();
    return out;
}

}  // namespace gridsync::crypto
