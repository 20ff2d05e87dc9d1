#include "gridsync/crypto/sealed.hpp"

#include <sodium.h>

#include <cstring>
#include <string_view>

#include "gridsync/crypto/aead.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/file.hpp"

namespace gridsync::crypto {
namespace {

constexpr std::string_view kMagic = "GSSEAL";
constexpr std::uint8_t kAlgArgon2idXChaCha = 1;
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
static_assert(kSaltBytes == 16);
static_assert(kSealedHeaderBytes == 6 + 2 + 1 + 1 + 4 + 4 + kSaltBytes + kAeadNonceBytes);

// A damaged or hostile header must not make us spend minutes or gigabytes.
constexpr std::uint32_t kMaxOpslimit = 16;
constexpr std::uint32_t kMaxMemlimitKib = 1024 * 1024;  // 1 GiB
constexpr std::size_t kMaxSecretBytes = 4096;

void put_u16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_u32(Bytes& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint16_t get_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t get_u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Argon2id(pin, salt) -> 32-byte AEAD key in secure memory.
Result<SecureBuffer> derive_key(ByteView pin, ByteView salt, KdfParams params) {
    SecureBuffer key(kAeadKeyBytes);
    if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(pin.data()), pin.size(),
                      salt.data(), params.opslimit,
                      static_cast<std::size_t>(params.memlimit_kib) * 1024,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return fail(Errc::out_of_memory, "Argon2id could not allocate its memory");
    }
    return key;
}

}  // namespace

KdfParams KdfParams::interactive() {
    return {static_cast<std::uint32_t>(crypto_pwhash_OPSLIMIT_INTERACTIVE),
            static_cast<std::uint32_t>(crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024)};
}
KdfParams KdfParams::moderate() {
    return {static_cast<std::uint32_t>(crypto_pwhash_OPSLIMIT_MODERATE),
            static_cast<std::uint32_t>(crypto_pwhash_MEMLIMIT_MODERATE / 1024)};
}
KdfParams KdfParams::minimum() {
    return {static_cast<std::uint32_t>(crypto_pwhash_OPSLIMIT_MIN),
            static_cast<std::uint32_t>(crypto_pwhash_MEMLIMIT_MIN / 1024)};
}

Bytes seal_secret(ByteView secret, ByteView pin, KdfParams params) {
    ensure_initialized();
    if (pin.size() < kMinPinBytes)
        throw Error(Errc::weak_pin, "PIN must have at least 4 characters");
    if (secret.empty() || secret.size() > kMaxSecretBytes) {
        throw Error(Errc::bad_length, "sealed secret must be 1..4096 bytes");
    }
    if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN || params.opslimit > kMaxOpslimit ||
        params.memlimit_kib < crypto_pwhash_MEMLIMIT_MIN / 1024 ||
        params.memlimit_kib > kMaxMemlimitKib) {
        throw Error(Errc::bad_length, "Argon2id parameters out of range");
    }

    Bytes out;
    out.reserve(kSealedHeaderBytes + secret.size() + kAeadTagBytes);
    out.insert(out.end(), kMagic.begin(), kMagic.end());
    put_u16(out, kSealedFormatVersion);
    out.push_back(kAlgArgon2idXChaCha);
    out.push_back(0);
    put_u32(out, params.opslimit);
    put_u32(out, params.memlimit_kib);
    const Bytes salt = random_bytes(kSaltBytes);
    out.insert(out.end(), salt.begin(), salt.end());
    const AeadNonce nonce = random_nonce();
    out.insert(out.end(), nonce.begin(), nonce.end());

    auto key = derive_key(pin, salt, params);
    if (!key)
        throw Error(key.failure().code, key.failure().message);
    const Bytes ct = aead_encrypt(*key, nonce, ByteView(out).first(kSealedHeaderBytes), secret);
    out.insert(out.end(), ct.begin(), ct.end());
    return out;
}

Result<SecureBuffer> unseal_secret(ByteView sealed, ByteView pin) {
    ensure_initialized();
    if (sealed.size() < kSealedHeaderBytes + kAeadTagBytes + 1 ||
        std::memcmp(sealed.data(), kMagic.data(), kMagic.size()) != 0) {
        return fail(Errc::sealed_malformed, "not a gridsync sealed key, or cut short");
    }
    const std::uint8_t* h = sealed.data();
    const std::uint16_t version = get_u16(h + 6);
    if (version != kSealedFormatVersion || h[8] != kAlgArgon2idXChaCha) {
        return fail(Errc::sealed_unsupported,
                    "sealed key format version " + std::to_string(version) + " algorithm " +
                        std::to_string(h[8]) + " is not supported (this build reads version 1)");
    }
    const KdfParams params{get_u32(h + 10), get_u32(h + 14)};
    if (h[9] != 0 || params.opslimit < crypto_pwhash_OPSLIMIT_MIN ||
        params.opslimit > kMaxOpslimit || params.memlimit_kib < crypto_pwhash_MEMLIMIT_MIN / 1024 ||
        params.memlimit_kib > kMaxMemlimitKib) {
        return fail(Errc::sealed_malformed, "sealed key header has out-of-range parameters");
    }
    const ByteView ct = sealed.subspan(kSealedHeaderBytes);
    if (ct.size() - kAeadTagBytes > kMaxSecretBytes) {
        return fail(Errc::sealed_malformed, "sealed key is larger than any gridsync secret");
    }
    AeadNonce nonce;
    std::memcpy(nonce.data(), h + 34, nonce.size());

    auto key = derive_key(pin, sealed.subspan(18, kSaltBytes), params);
    if (!key)
        return key.failure();
    SecureBuffer secret(ct.size() - kAeadTagBytes);
    auto st = aead_decrypt_into(*key, nonce, sealed.first(kSealedHeaderBytes), ct, secret.span());
    if (!st)
        return fail(Errc::wrong_pin_or_damaged,
                    "PIN 码错误或密钥文件已损坏 / wrong PIN or damaged key file");
    return secret;
}

Status seal_secret_to_file(const std::filesystem::path& path, ByteView secret,
                           const SecureBuffer& pin, KdfParams params) {
    return write_file_atomic(path, seal_secret(secret, pin.view(), params));
}

Result<SecureBuffer> unseal_secret_from_file(const std::filesystem::path& path,
                                             const SecureBuffer& pin) {
    constexpr std::size_t kMaxKeyFile = 4096;  // a sealed secret is at most 58 + 4096 + 16 bytes
    auto bytes = read_file(path, kMaxKeyFile + 128);
    if (!bytes)
        return fail(Errc::io, bytes.failure().message);
    return unseal_secret(*bytes, pin.view());
}

std::string hash_password(ByteView password, KdfParams params) {
    if (password.size() < kMinPinBytes)
        throw Error(Errc::weak_pin, "password shorter than " + std::to_string(kMinPinBytes));
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, reinterpret_cast<const char*>(password.data()), password.size(),
                          params.opslimit,
                          static_cast<std::size_t>(params.memlimit_kib) * 1024) != 0) {
        throw Error(Errc::out_of_memory, "Argon2id could not get its memory");
    }
    return std::string(out);
}

bool verify_password(const std::string& hash, ByteView password) {
    if (hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_verify(hash.c_str(), reinterpret_cast<const char*>(password.data()),
                                    password.size()) == 0;
}

}  // namespace gridsync::crypto
