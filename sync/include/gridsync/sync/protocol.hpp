#pragma once
// Messages between an edge and central, and their bytes.
//
// Every message is a cereal portable binary archive, little endian:
//   u8 endianness marker (1), u16 protocol version (kProtocolVersion), u8 message type,
//   then the message's fields in the order documented beside each struct.
// Strings and byte strings are u64 length + bytes; sequences are u64 count +
// elements. Decoders refuse lengths beyond the bounds below or the input.
#include <cstdint>
#include <string>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/error.hpp"
#include "gridsync/sync/envelope.hpp"

namespace gridsync::sync {

// Version history of the protocol:
//   1: push of signed entries, acknowledgements.
inline constexpr std::uint16_t kProtocolVersion = 1;

inline constexpr std::size_t kMaxEntriesPerBatch = 10000;
inline constexpr std::size_t kMaxBatchBytes = 64u << 20;

enum class MessageType : std::uint8_t { push_batch = 1, push_acks = 2 };

// One outbox entry as it travels: who signed, the signature, and the exact
// envelope bytes signed. Central reads device_id, verifies the signature over
// `envelope`, and only then decodes it.
struct SignedEntry {
    std::string device_id;
    Bytes signature;  // 64 bytes
    Bytes envelope;
};

// push_batch: u64 n, then n x (device_id, signature, envelope)
struct PushBatch {
    std::vector<SignedEntry> entries;
};

// Why an entry was not applied. Stable numbers, append only.
enum class AckStatus : std::uint8_t {
    accepted = 0,   // applied now
    duplicate = 1,  // the same entry was applied before: acknowledged again, not reapplied
    rejected = 2,   // refused; `code` and `message` say why; the device keeps it
};

// push_acks: u64 n, then n x (u64 seq, u8 status, string code, string message), i64 central_time_ms
struct EntryAck {
    std::uint64_t seq = 0;
    AckStatus status = AckStatus::rejected;
    std::string code;     // "category:number", e.g. "gridsync.central:3"
    std::string message;  // Chinese, then English
};
struct PushAcks {
    std::vector<EntryAck> acks;
    std::int64_t central_time_ms = 0;
};

Bytes encode(const PushBatch& m);
Bytes encode(const PushAcks& m);
// Failures: sync::Errc::malformed_envelope (bad bytes), unsupported_version
// (naming both versions).
Result<PushBatch> decode_push_batch(ByteView bytes);
Result<PushAcks> decode_push_acks(ByteView bytes);

}  // namespace gridsync::sync
