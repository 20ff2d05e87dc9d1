#pragma once
// Central's verifiable log (docs/AUDIT.md): every accepted entry, held
// entry, admin action and registered key as a leaf of an RFC 6962 Merkle
// tree, and the checkpoints central signs of it with a key of its own.
//
// Stored as the hashes of complete subtrees (log_hash, about two rows per
// leaf) and, per leaf, which row of central's append-only tables holds its
// bytes (log_leaf): the bytes are never stored twice, and a row changed or
// removed under a leaf no longer hashes to it. Appends happen inside the
// transaction that accepts what they log, so a crash keeps both or neither;
// a checkpoint is signed over stored hashes only, so two checkpoints of one
// size always carry one root.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/log_leaf.hpp"
#include "gridsync/sync/protocol.hpp"
#include "gridsync/tlog/merkle.hpp"
#include "gridsync/tlog/note.hpp"

namespace gridsync::central {

// The name in every checkpoint central signs (C2SP origin line).
inline constexpr const char* kLogOrigin = "gridsync.central/log";

// Who signs checkpoints.
struct LogSigner {
    std::string origin = kLogOrigin;
    const crypto::SigningKey& key;
    tlog::NoteVerifier verifier() const { return {origin, tlog::KeyType::note, key.public_key()}; }
};

struct CheckpointPolicy {
    std::uint64_t every_leaves = 1000;     // a checkpoint at least this often while entries arrive
    domain::EpochMs every_ms = 10 * 1000;  // and at least this often
};

// When a checkpoint counts as witnessed: cosigned, it or a later one, by
// community laptops of this many communities (a witness verified that each
// checkpoint it cosigns extends the one before).
inline constexpr std::size_t kWitnessCommunities = 2;

struct StoredCheckpoint {
    std::uint64_t size = 0;
    tlog::Hash root{};
    std::string note;  // signed by the log key only
    domain::EpochMs signed_at_ms = 0;
};

// A witness's cosignature central holds (a community laptop's).
struct Cosignature {
    std::uint64_t size = 0;
    std::string device_id;
    std::string community_id;
    std::uint64_t time_s = 0;
    std::string line;  // "— name base64\n"
};

// What the witnesses vouch for.
struct Witnessing {
    std::size_t needed = kWitnessCommunities;
    // The largest tree size that `needed` communities cosigned (a checkpoint
    // of that size or larger); 0 when none is witnessed yet.
    std::uint64_t witnessed_size = 0;
    struct Witness {
        std::string community_id, device_id;
        std::uint64_t size = 0;  // the largest checkpoint it cosigned
        std::uint64_t time_s = 0;
    };
    std::vector<Witness> latest;  // per community, its furthest cosignature, furthest first
};

// A log alarm a device raised (sync/log_check.hpp) and reported in a pull
// request (protocol 5), as central keeps it for the console.
struct DeviceAlarm {
    std::string device_id;
    std::uint64_t alarm_id = 0;
    domain::EpochMs at_ms = 0;
    std::string kind, detail, held_note, offered_note;
    // signed: every note it carries verifies with the log key (central
    // signed the evidence against itself); unsigned: one does not; none.
    std::string evidence;
    domain::EpochMs received_at_ms = 0;
    std::optional<domain::EpochMs> cleared_at_ms;
    std::string cleared_reason;
};

// Where a leaf's bytes are kept: a row of one of central's append-only
// tables (the leaf format's kind follows from it).
enum class LeafSource : std::uint8_t {
    accepted_entry = 1,       // entry leaf
    quarantined_entry = 2,    // entry leaf of an entry held unapplied
    admin_action = 3,         // admin_action leaf
    device = 4,               // device_key leaf
    admin_account = 5,        // admin_key leaf
    quarantine_decision = 6,  // quarantined leaf (the same quarantined_entry row)
    baseline = 7,             // baseline leaf (log_baseline)
    epoch = 8,                // epoch leaf (log_epoch, which holds its bytes)
};

struct LeafRef {
    std::uint64_t index = 0;
    LeafSource source = LeafSource::accepted_entry;
    std::int64_t ref = 0;  // rowid in the source table
    tlog::Hash hash{};
};

class MerkleLog final : public tlog::HashSource {
  public:
    explicit MerkleLog(store::Database& db) : db_(db) {}

    // In the caller's transaction (when it has one): `leaf` is `source`'s row `ref`, encoded.
    // Returns the leaf's index.
    std::uint64_t append(LeafSource source, std::int64_t ref, ByteView leaf);
    std::uint64_t size();
    tlog::Hash complete(unsigned level, std::uint64_t index) override;
    std::optional<std::uint64_t> leaf_of(LeafSource source, std::int64_t ref);
    std::vector<LeafRef> leaves(std::uint64_t from, std::uint32_t limit);
    // The bytes of a leaf, read again from the row it names (nullopt: gone).
    std::optional<Bytes> leaf_bytes(LeafSource source, std::int64_t ref);

    std::optional<StoredCheckpoint> latest();
    std::optional<StoredCheckpoint> checkpoint_at(std::uint64_t size);
    std::vector<StoredCheckpoint> checkpoints();
    // Signs a checkpoint of the tree as it is, in its own transaction, when
    // one is due: the tree grew since the last, and `policy` says so or a
    // caller `wants` one (a device waiting for proofs). Returns the latest.
    std::optional<StoredCheckpoint> checkpoint(const LogSigner& signer, domain::EpochMs now,
                                               bool wanted, const CheckpointPolicy& policy = {});

    // When the log is empty but the replicated tables are not (a database
    // older than the log, or one loaded before it), logs every row they hold
    // as baseline leaves first: what an auditor replays before the first
    // entry. Nothing happens otherwise. Returns the leaves written.
    std::uint64_t take_baseline(domain::EpochMs now);

    // Keeps a witness's cosignature of the checkpoint of `size` (verified by
    // the caller). One per device and size.
    void add_cosignature(const Cosignature& c);
    std::vector<Cosignature> cosignatures(std::uint64_t size);
    Witnessing witnessing(std::size_t needed = kWitnessCommunities);
    // The checkpoint note with every cosignature central holds for it.
    std::string published_note(const StoredCheckpoint& c);

    // Keeps a device's report of an alarm: a new one, or the clearing of one
    // central holds (an alarm changes once, when cleared). The evidence is
    // judged against `log_key`. Returns true when central learnt something.
    bool keep_alarm(const std::string& device_id, const sync::AlarmReport& report,
                    const tlog::NoteVerifier& log_key, domain::EpochMs now);
    // Open ones (their devices have not cleared them) first, each part
    // newest first; and how many are open.
    std::vector<DeviceAlarm> alarms(std::size_t limit = 200);
    std::uint64_t open_alarms();

  private:
    store::Database& db_;
};

}  // namespace gridsync::central
