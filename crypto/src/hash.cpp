#include "gridsync/crypto/hash.hpp"

#include <cstring>
#include <stdexcept>

#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {
namespace {

void check_lengths(std::size_t out_len, std::size_t key_len) {
    if (out_len < crypto_generichash_BYTES_MIN || out_len > crypto_generichash_BYTES_MAX) {
        throw Error(Errc::bad_length, "BLAKE2b output must be 16..64 bytes");
    }
    if (key_len != 0 &&
        (key_len < crypto_generichash_KEYBYTES_MIN || key_len > crypto_generichash_KEYBYTES_MAX)) {
        throw Error(Errc::bad_length, "BLAKE2b key must be 16..64 bytes");
    }
}

}  // namespace

std::optional<Bytes> from_base64(std::string_view text) {
    ensure_initialized();
    Bytes out(text.size() / 4 * 3 + 3);
    std::size_t n = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size()) {
        return std::nullopt;
    }
    out.resize(n);
    return out;
}

std::string to_base64(ByteView data) {
    ensure_initialized();
    std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data.data(), data.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // libsodium writes a terminating NUL
    return out;
}

Digest32 sha256(ByteView data) {
    ensure_initialized();
    Digest32 d;
    crypto_hash_sha256(d.data(), data.data(), data.size());
    return d;
}

Sha256::Sha256() {
    ensure_initialized();
    crypto_hash_sha256_init(&state_);
}

void Sha256::update(ByteView data) {
    crypto_hash_sha256_update(&state_, data.data(), data.size());
}

Digest32 Sha256::finish() {
    Digest32 d;
    crypto_hash_sha256_final(&state_, d.data());
    return d;
}

Bytes blake2b_keyed(ByteView key, ByteView data, std::size_t out_len) {
    ensure_initialized();
    check_lengths(out_len, key.size());
    Bytes out(out_len);
    crypto_generichash(out.data(), out.size(), data.data(), data.size(),
                       key.empty() ? nullptr : key.data(), key.size());
    return out;
}

Bytes blake2b(ByteView data, std::size_t out_len) {
    return blake2b_keyed({}, data, out_len);
}

Digest32 blake2b_256(ByteView data) {
    Digest32 d;
    const Bytes b = blake2b(data, d.size());
    std::memcpy(d.data(), b.data(), d.size());
    return d;
}

Blake2b::Blake2b(std::size_t out_len, ByteView key) : out_len_(out_len) {
    ensure_initialized();
    check_lengths(out_len, key.size());
    crypto_generichash_init(&state_, key.empty() ? nullptr : key.data(), key.size(), out_len);
}

Blake2b::~Blake2b() {
    sodium_memzero(&state_, sizeof state_);
}

void Blake2b::update(ByteView data) {
    crypto_generichash_update(&state_, data.data(), data.size());
}

Bytes Blake2b::finish() {
    if (finished_)
        throw std::logic_error("Blake2b::finish called twice");
    finished_ = true;
    Bytes out(out_len_);
    crypto_generichash_final(&state_, out.data(), out.size());
    return out;
}

}  // namespace gridsync::crypto
