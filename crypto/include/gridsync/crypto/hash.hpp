#pragma once
// BLAKE2b, plain and keyed. A keyed digest is how a resident's ID number is
// matched on a device without the number being stored: the key is held by the
// subdistrict, the device keeps only the digest.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sodium.h>

#include "gridsync/bytes.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

using Digest32 = std::array<std::uint8_t, 32>;

// Output length 16..64 bytes; a key, when given, 16..64 bytes.
Bytes blake2b(ByteView data, std::size_t out_len = 32);
Bytes blake2b_keyed(ByteView key, ByteView data, std::size_t out_len = 32);
Digest32 blake2b_256(ByteView data);

// Base64 (RFC 4648, with padding) as browsers write it in data: URLs, by
// libsodium; nullopt for anything that is not. Not a hash, but the same
// library's, and kept beside it.
std::optional<Bytes> from_base64(std::string_view text);
std::string to_base64(ByteView data);

// SHA-256 (FIPS 180-4), for formats that name it: RFC 6962 Merkle trees and
// C2SP signed notes (tlog/). gridsync's own hashes are BLAKE2b.
Digest32 sha256(ByteView data);
class Sha256 {
  public:
    Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(ByteView data);
    Digest32 finish();

  private:
    crypto_hash_sha256_state state_;
};

// Incremental hashing, for data that arrives in pieces (hash chains over
// streamed changesets).
class Blake2b {
  public:
    explicit Blake2b(std::size_t out_len = 32, ByteView key = {});
    Blake2b(const Blake2b&) = delete;
    Blake2b& operator=(const Blake2b&) = delete;
    ~Blake2b();

    void update(ByteView data);
    Bytes finish();

  private:
    crypto_generichash_state state_;
    std::size_t out_len_;
    bool finished_ = false;
};

}  // namespace gridsync::crypto
