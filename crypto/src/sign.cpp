#include "gridsync/crypto/sign.hpp"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "gridsync/crypto/enrolment_code.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kSeedBytes == crypto_sign_SEEDBYTES);

std::optional<PublicKey> PublicKey::from(ByteView b) {
    if (b.size() != kPublicKeyBytes)
        return std::nullopt;
    PublicKey k;
    std::memcpy(k.bytes.data(), b.data(), kPublicKeyBytes);
    return k;
}

std::optional<Signature> Signature::from(ByteView b) {
    if (b.size() != kSignatureBytes)
        return std::nullopt;
    Signature s;
    std::memcpy(s.bytes.data(), b.data(), kSignatureBytes);
    return s;
}

Bytes framed_message(SigningContext context, ByteView message) {
    const auto name = context.name();
    if (name.empty() || name.size() > 255) {
        throw Error(Errc::bad_length, "signing context must be 1..255 bytes");
    }
    Bytes out;
    out.reserve(1 + name.size() + message.size());
    out.push_back(static_cast<std::uint8_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

SigningKey SigningKey::generate() {
    return from_seed(SecureBuffer::random(kSeedBytes).view());
}

SigningKey SigningKey::from_seed(ByteView seed) {
    if (seed.size() != kSeedBytes)
        throw Error(Errc::bad_length, "Ed25519 seed must be 32 bytes");
    SecureBuffer secret(crypto_sign_SECRETKEYBYTES);
    PublicKey pk;
    crypto_sign_seed_keypair(pk.bytes.data(), secret.data(), seed.data());
    return SigningKey(std::move(secret), pk);
}

SecureBuffer SigningKey::seed() const {
    SecureBuffer out(kSeedBytes);
    crypto_sign_ed25519_sk_to_seed(out.data(), secret_.data());
    return out;
}

Signature SigningKey::sign_raw(ByteView message) const {
    Signature sig;
    crypto_sign_detached(sig.bytes.data(), nullptr, message.data(), message.size(), secret_.data());
    return sig;
}

Signature SigningKey::sign(SigningContext context, ByteView message) const {
    return sign_raw(framed_message(context, message));
}

bool verify_raw(const PublicKey& key, ByteView message, const Signature& sig) {
    ensure_initialized();
    return crypto_sign_verify_detached(sig.bytes.data(), message.data(), message.size(),
                                       key.bytes.data()) == 0;
}

bool verify(const PublicKey& key, SigningContext context, ByteView message, const Signature& sig) {
    return verify_raw(key, framed_message(context, message), sig);
}

std::vector<std::uint8_t> verify_each(std::span<const VerifyJob> jobs, unsigned threads) {
    std::vector<std::uint8_t> ok(jobs.size(), 0);
    // Below a few jobs a thread costs more than it saves (~50 us each).
    constexpr std::size_t kPerThread = 8;
    const std::size_t n =
        std::clamp<std::size_t>(jobs.size() / kPerThread, 1, std::max(1u, threads));
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        for (std::size_t i = next++; i < jobs.size(); i = next++)
            ok[i] =
                verify(jobs[i].key, jobs[i].context, jobs[i].message, jobs[i].signature) ? 1 : 0;
    };
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < n; ++t)
        helpers.emplace_back(work);
    work();
    for (auto& h : helpers)
        h.join();  // every verdict written before `ok` is handed back
    return ok;
}

std::string fingerprint(const PublicKey& key) {
    static constexpr std::string_view prefix = "gridsync/fingerprint/v1";
    Blake2b h(16);
    h.update(as_bytes(prefix));
    h.update(key.view());
    Bytes d = h.finish();
    d.resize(10);
    // 80 bits -> 16 groups of 5 bits, most significant first.
    return crockford_groups(d, 16);
}

}  // namespace gridsync::crypto
