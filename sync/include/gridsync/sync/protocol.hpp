#pragma once
// Messages between an edge and central, and their bytes.
//
// Every message is a cereal portable binary archive, little endian:
//   u8 endianness marker (1), u16 protocol version, u8 message type,
//   then the message's fields in the order documented beside each struct.
// A decoder takes any version in [kOldestProtocolVersion, kProtocolVersion]
// and records it in the message's `version`; an encoder writes the layout of
// the message's `version`, so central answers each device in the version it
// spoke. Fields marked "(v3)" are absent from version 2.
// Strings and byte strings are u64 length + bytes; sequences are u64 count +
// elements. Decoders refuse lengths beyond the bounds below or the input.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/error.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/scope.hpp"
#include "gridsync/tlog/merkle.hpp"

namespace gridsync::sync {

// Version history of the protocol:
//   1: push of signed entries, acknowledgements; pull of central-signed batches.
//   2: pull starts a new device from a scoped snapshot (paged, resumable) and
//      ends with a digest of the device's scope, so drift is detected.
//   3: every refusal in an acknowledgement carries its transient bit; an
//      entry refused for good is quarantined (ack status 3) and the chain
//      goes on past it; acknowledgements and pull batches carry central's
//      epoch (a restore starts a new one) with what central holds of the
//      device's chain, so a device re-offers what a restore lost; a pull
//      request carries a number above the device's last, so a replayed one
//      is refused.
//   4: central's verifiable log (docs/AUDIT.md): an acknowledgement names
//      the log leaf of each entry it took; a pull request names the last
//      checkpoint the device verified, the leaves it wants proved and, from
//      a community laptop, its cosignature of that checkpoint; a pull batch
//      carries central's latest checkpoint (a C2SP signed note, with the
//      witnesses' cosignatures), the consistency proof from the device's
//      checkpoint and the inclusion proofs asked for.
//   5: a pull request reports the device's log alarms central has not heard
//      of yet (raised, or cleared since), with their evidence, so the
//      console shows them (docs/AUDIT.md).
inline constexpr std::uint16_t kProtocolVersion = 5;
inline constexpr std::uint16_t kOldestProtocolVersion = 2;

// Clocks (docs/SECURITY.md). An entry's HLC may be at most this far ahead of
// central's clock, and a device whose clock differs from central's by more
// is shown as skewed; an edge orders its writes by its clock corrected by
// the offset it measured at its last pull, so an honest device stays inside.
inline constexpr std::int64_t kMaxClockSkewMs = 5 * 60 * 1000;
// No HLC before 2024-01-01 UTC is a real one: an entry stamped earlier (0,
// say) is refused.
inline constexpr std::int64_t kHlcFloorMs = 1704067200000;

inline constexpr std::size_t kMaxEntriesPerBatch = 10000;
inline constexpr std::size_t kMaxBatchBytes = 64u << 20;

enum class MessageType : std::uint8_t {
    push_batch = 1,
    push_acks = 2,
    pull_request = 3,
    pull_batch = 4,
    enroll_request = 5,
    enroll_response = 6
};

inline constexpr crypto::SigningContext kPullRequestContext{"gridsync/pull-request/v1"};
inline constexpr crypto::SigningContext kPullBatchContext{"gridsync/pull-batch/v1"};

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
    std::uint16_t version = kProtocolVersion;
};

// Why an entry was not applied. Stable numbers, append only.
enum class AckStatus : std::uint8_t {
    accepted = 0,   // applied now
    duplicate = 1,  // the same entry was applied before: acknowledged again, not reapplied
    rejected = 2,   // refused; `code` and `message` say why; the device keeps it and offers it
                    // again (transient), or an admin must act (permanent, chain not verified)
    // (v3) refused for a permanent reason, but signed and linked: central keeps
    // it whole in quarantine (a signed, audited decision) and the device's
    // chain goes on past it; an admin may release it once the cause is fixed.
    quarantined = 3,
};

// Central's epoch as a device sees it on every contact (v3). A restore from
// a backup starts a new epoch: the log up to `base` is as before, and
// `device_seq` is the last entry of the receiving device's chain central
// holds. A device whose acknowledged entries go beyond it offers them again.
struct CentralEpoch {
    std::string id;                // random, hex; changes on every restore
    std::uint64_t base = 0;        // log positions up to here survived the restore (0: first epoch)
    std::uint64_t device_seq = 0;  // the receiving device's last seq central holds
    bool operator==(const CentralEpoch&) const = default;
};

// push_acks: u64 n, then n x (u64 seq, u8 status, [v3: u8 transient], string code,
// string message, [v4: u8 has_leaf, u64 leaf]), i64 central_time_ms,
// [v3: epoch = string id, u64 base, u64 device_seq]
struct EntryAck {
    std::uint64_t seq = 0;
    AckStatus status = AckStatus::rejected;
    std::string code;        // "category:number", e.g. "gridsync.central:3"
    std::string message;     // Chinese, then English
    bool transient = false;  // (v3) sending it again later can succeed (refusals.hpp)
    // (v4) accepted, duplicate or quarantined: the index of the entry's leaf in
    // central's log, which every later checkpoint must prove it includes.
    std::optional<std::uint64_t> log_index;
};
struct PushAcks {
    std::vector<EntryAck> acks;
    std::int64_t central_time_ms = 0;
    std::optional<CentralEpoch> epoch;  // v3
    std::uint16_t version = kProtocolVersion;
};

// pull_request: string device_id, u64 cursor, u32 max_entries, i64 device_time_ms,
// u8 want_digest, snapshot, [v3: u64 request_seq], [v4: u64 verified_size,
// u64 n, n x u64 seq, string cosignature], [v5: u64 n, n x alarm report
// (u64 id, i64 at_ms, string kind, string detail, string held_note, string
// offered_note, i64 cleared_at_ms (0: open), string cleared_reason)]. A snapshot field is u8 0
// (none), or u8 1, u64 at, u32 next_table, string next_after_id.
// Sent signed by the device (kPullRequestContext) as a Signed message.
//
// cursor 0 without a snapshot asks for one: central answers with its
// current rows of the scope, page by page, and the log position S they
// continue from; the device sends S and the page position back until the
// last page moves its cursor to S. Rows that change while the pages are read
// are sent again from the log after S: applying central's changes over a
// newer row converges, as in a fuzzy checkpoint followed by redo.
// (v5) A log alarm as its device reports it (sync/log_check.hpp): central
// keeps it for the console; the notes are its evidence, each a checkpoint
// central's log key signed (or empty).
struct AlarmReport {
    std::uint64_t id = 0;  // the device's own number for it
    std::int64_t at_ms = 0;
    std::string kind, detail, held_note, offered_note;
    std::int64_t cleared_at_ms = 0;  // 0 while open
    std::string cleared_reason;
    bool operator==(const AlarmReport&) const = default;
};
inline constexpr std::size_t kMaxAlarmReports = 16;

struct PullRequest {
    std::string device_id;
    std::uint64_t cursor = 0;  // the last position the device has applied
    std::uint32_t max_entries = 1000;
    std::int64_t device_time_ms = 0;
    bool want_digest = true;                 // answer the last batch with the scope digest
    std::optional<SnapshotCursor> snapshot;  // while a snapshot is being read
    // (v3) Above every number this device sent before: central refuses a
    // request whose number is not, so a captured request cannot be replayed.
    std::uint64_t request_seq = 0;
    // (v4) The size of the last checkpoint of central's log this device
    // verified (0: none), the seqs of its own entries it wants proved
    // included (at most kMaxProofsPerBatch), and, from a community laptop that
    // verified that checkpoint, its cosignature line over it (tlog/note.hpp;
    // empty: none).
    std::uint64_t verified_size = 0;
    std::vector<std::uint64_t> prove_seqs;
    std::string cosignature;
    // (v5) Log alarms this device raised or cleared that central has not
    // acknowledged hearing of (at most kMaxAlarmReports, oldest first).
    std::vector<AlarmReport> alarms;
    std::uint16_t version = kProtocolVersion;
};

inline constexpr std::size_t kMaxProofsPerBatch = 1000;
inline constexpr std::size_t kMaxProofHashes = 64;
inline constexpr std::size_t kMaxNoteBytes = 64 * 1024;

// (v4) What a pull batch proves of central's log. A hash is 32 raw bytes.
struct InclusionProof {
    std::uint64_t seq = 0;   // the device's entry
    std::uint64_t leaf = 0;  // its leaf in the log
    std::vector<tlog::Hash> path;
};
struct LogProofs {
    std::string log_key;                    // the log's verifier key (vkey): pinned on first sight
    std::string checkpoint;                 // the latest signed checkpoint note, with cosignatures
    std::vector<tlog::Hash> consistency;    // from the request's verified_size
    std::vector<InclusionProof> inclusion;  // the asked-for entries the checkpoint covers
};

// One accepted entry as a device in scope sees it: only its rows.
struct PulledEntry {
    std::uint64_t position = 0;  // in central's accepted log
    std::string origin_device;
    std::int64_t hlc = 0;
    Bytes changeset;  // filtered to the device's scope; may be empty
};

// pull_batch: u64 from, u64 to, u8 more, i64 central_time_ms, u64 n, then n x
// (u64 position, string origin, i64 hlc, bytes changeset), then snapshot (as in
// pull_request), bytes scope_digest (32 bytes, or
// empty when not asked for or not the last batch), [v3: epoch as in push_acks],
// [v4: u8 has_log, then string log_key, string checkpoint, u64 n, n x hash
// (consistency), u64 m, m x (u64 seq, u64 leaf, u64 k, k x hash)].
// Sent signed by central (kPullBatchContext); the edge verifies with the
// central key it pinned at enrollment before decoding.
struct PullBatch {
    std::uint64_t from_cursor = 0;
    std::uint64_t to_cursor = 0;
    bool more = false;
    std::int64_t central_time_ms = 0;
    std::vector<PulledEntry> entries;  // a snapshot page's entries have position 0
    // Set on a snapshot page that has more pages after it. The last page
    // has none, and to_cursor S.
    std::optional<SnapshotCursor> snapshot;
    // The last batch (more false) answers want_digest with the digest of
    // the device's scope at to_cursor (sync/scope.hpp).
    std::optional<Hash32> scope_digest;
    std::optional<CentralEpoch> epoch;  // v3
    std::optional<LogProofs> log;       // v4: absent while central's log is empty
    std::uint16_t version = kProtocolVersion;
};

// A message and the signature over its exact bytes: u64+signer, u64+signature, u64+body.
struct Signed {
    std::string signer;
    Bytes signature;
    Bytes body;
};

Bytes encode(const PullRequest& m);
Bytes encode(const PullBatch& m);
Bytes encode(const Signed& m);
Result<PullRequest> decode_pull_request(ByteView bytes);
Result<PullBatch> decode_pull_batch(ByteView bytes);
Result<Signed> decode_signed(ByteView bytes);

Bytes encode(const PushBatch& m);
Bytes encode(const PushAcks& m);
// Failures: sync::Errc::malformed_envelope (bad bytes), unsupported_version
// (naming both versions).
Result<PushBatch> decode_push_batch(ByteView bytes);
Result<PushAcks> decode_push_acks(ByteView bytes);

}  // namespace gridsync::sync
