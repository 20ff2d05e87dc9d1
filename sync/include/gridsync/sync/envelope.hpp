#pragma once
// ChangesetEnvelope: one local transaction as it leaves the device.
//
// Envelope bytes (cereal portable binary archive, little endian; cereal writes
// a leading 1-byte endianness marker, 1 = little):
//   u8   cereal endianness marker (1)
//   u16  envelope format version (kEnvelopeVersion)
//   u64  len, then len bytes   device id (UTF-8)
//   u64  seq                   1, 2, 3, ... per device, no gaps
//   u64  32, then 32 bytes     prev_hash: entry_hash of entry seq-1 (zeros for seq 1)
//   i64  hlc                   packed hybrid logical clock of the transaction
//   i64  created_ms            device wall clock, UTC ms
//   u32  schema version        the replicated schema the changeset was captured under
//   u64  len, then len bytes   changeset (SQLite session format, full changeset)
// and from version 2:
//   u64  anchor_size           the size of the last checkpoint of central's log the
//                              device verified when it made the entry (0: none yet)
//   u64  32, then 32 bytes     anchor_root: that checkpoint's root (zeros when none)
//
// The device signs these exact bytes with context kEnvelopeContext. The
// chain links entries through
//   entry_hash = BLAKE2b-256(u8 len || "gridsync/outbox-entry/v1" || envelope || signature)
// so an entry commits to its predecessor's bytes and signature.
#include <array>
#include <cstdint>
#include <string>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/error.hpp"

namespace gridsync::sync {

// Version history of the envelope format:
//   1: first version.
//   2: the anchor (docs/AUDIT.md): every entry names the checkpoint its
//      device last verified, so a history central forks after a device saw
//      it is provable from the log itself. Version 1 is still read.
inline constexpr std::uint16_t kEnvelopeVersion = 2;
inline constexpr std::uint16_t kOldestEnvelopeVersion = 1;

inline constexpr crypto::SigningContext kEnvelopeContext{"gridsync/changeset-envelope/v1"};

// Bounds a decoder enforces before allocating.
inline constexpr std::size_t kMaxDeviceIdBytes = 128;
inline constexpr std::size_t kMaxChangesetBytes = 64u << 20;

using Hash32 = std::array<std::uint8_t, 32>;

struct ChangesetEnvelope {
    std::uint16_t version = kEnvelopeVersion;  // the format written (1 has no anchor)
    std::string device_id;
    std::uint64_t seq = 0;
    Hash32 prev_hash{};
    std::int64_t hlc = 0;
    std::int64_t created_ms = 0;
    std::uint32_t schema_version = 0;
    Bytes changeset;
    std::uint64_t anchor_size = 0;
    Hash32 anchor_root{};
};

Bytes encode(const ChangesetEnvelope& e);

// Refuses (sync::Errc::malformed_envelope / unsupported_version) bytes that
// are not an envelope of a version this build reads, or whose lengths exceed
// the bounds or the input. Never allocates more than the input's size.
Result<ChangesetEnvelope> decode_envelope(ByteView bytes);

Hash32 entry_hash(ByteView envelope, const crypto::Signature& signature);

}  // namespace gridsync::sync
