#pragma once
// The leaves of central's verifiable log (docs/AUDIT.md): everything central
// accepts or decides that an auditor must be able to check, in the exact
// bytes that were signed. A leaf's hash in the Merkle tree is
// tlog::leaf_hash(encode(leaf)).
//
// Leaf bytes (cereal portable binary, little endian; strings and byte
// strings are u64 length + bytes):
//   u8 endianness marker (1), u16 kLogLeafVersion, u8 kind, then by kind:
//   1 entry        bytes signature, bytes envelope: a device's or central's
//                  entry as accepted (signature over the envelope, kEnvelopeContext)
//   2 quarantined  bytes decision, bytes decision_signature: central's signed
//                  decision to hold an entry unapplied (kQuarantineContext); the
//                  entry itself is the entry leaf just before it
//   3 admin_action string login, bytes body, bytes signature: an admin's
//                  signed action (central/admin.hpp, kAdminActionContext)
//   4 device_key   string device_id, string role, string staff_id,
//                  string community_id, string grid_id, bytes signing_key,
//                  bytes kx_key, i64 enrolled_at_ms: a device central enrolled
//   5 admin_key    string login, string staff_id, bytes signing_key,
//                  string created_by ("" for the first admin), i64 created_at_ms
//   6 baseline     string table, i64 taken_at_ms, bytes changeset: rows central
//                  held before its log began (a database older than the log,
//                  central/merkle_log.hpp), as a changeset of INSERTs, one
//                  table and at most kBaselineRows rows per leaf
//   7 epoch        string epoch_id, u64 accepted_base, u64 restored_size,
//                  i64 at_ms: central was restored from a backup and began a
//                  new epoch (PROTOCOL.md, "Epochs") with its accepted log at
//                  accepted_base and this tree at restored_size leaves (this
//                  leaf's index): checkpoints and anchors of larger sizes
//                  from before it belong to the history the restore lost
// An entry central holds appears as an entry leaf once when accepted, or
// when quarantined (then with the decision leaf after it) and again when an
// admin releases it and it is applied. Staff keys are registered by device entries (a staff_key
// row) and revoked by central's entries, so they are in the log as entries.
#include <cstdint>
#include <string>
#include <variant>

#include "gridsync/bytes.hpp"
#include "gridsync/error.hpp"
#include "gridsync/tlog/merkle.hpp"

namespace gridsync::sync {

// Version history of the leaf format (each leaf carries the oldest version
// that has its kind, so the bytes of a kind never change once logged):
//   1: first version (kinds 1-5).
//   2: kind 6, baseline.
//   3: kind 7, epoch.
inline constexpr std::uint16_t kLogLeafVersion = 3;
inline constexpr std::size_t kBaselineRows = 5000;

enum class LeafKind : std::uint8_t {
    entry = 1,
    quarantined = 2,
    admin_action = 3,
    device_key = 4,
    admin_key = 5,
    baseline = 6,
    epoch = 7,
};

struct EntryLeaf {
    Bytes signature, envelope;
};
struct QuarantinedLeaf {
    Bytes decision, decision_signature;
};
struct AdminActionLeaf {
    std::string login;
    Bytes body, signature;
};
struct DeviceKeyLeaf {
    std::string device_id, role, staff_id, community_id, grid_id;
    Bytes signing_key, kx_key;
    std::int64_t enrolled_at_ms = 0;
};
struct AdminKeyLeaf {
    std::string login, staff_id;
    Bytes signing_key;
    std::string created_by;
    std::int64_t created_at_ms = 0;
};
struct BaselineLeaf {
    std::string table;
    std::int64_t taken_at_ms = 0;
    Bytes changeset;
};
struct EpochLeaf {
    std::string epoch_id;
    std::uint64_t accepted_base = 0;  // central's accepted log position it restarted from
    std::uint64_t restored_size = 0;  // the tree's size when restored: this leaf's index
    std::int64_t at_ms = 0;
};
using LogLeaf = std::variant<EntryLeaf, QuarantinedLeaf, AdminActionLeaf, DeviceKeyLeaf,
                             AdminKeyLeaf, BaselineLeaf, EpochLeaf>;

LeafKind kind_of(const LogLeaf& leaf);
Bytes encode(const LogLeaf& leaf);
// Failures: malformed_envelope, unsupported_version.
Result<LogLeaf> decode_log_leaf(ByteView bytes);

// The leaf hash of an entry, as a device computes it from its own outbox.
tlog::Hash entry_leaf_hash(ByteView signature, ByteView envelope);

}  // namespace gridsync::sync
