#pragma once
// A device's check of central's verifiable log (docs/AUDIT.md), on every
// pull of protocol 4: the checkpoint is signed by the log key pinned on
// first sight, consistent with the last one this device verified, and
// proves the inclusion of this device's entries at the leaves central
// promised in its acknowledgements. Anything else raises an alarm, keeps
// both checkpoints as evidence, and the device stops trusting central (no
// pull is applied) until the alarm is cleared by someone who has looked.
//
// A restore from a backup (a new epoch, PROTOCOL.md) also shrinks or forks
// the tree: it raises a "restored" alarm that is kept as evidence but does
// not stop the device, since the epoch protocol has it offer again what the
// restore lost. Its trust moves to the new epoch's checkpoints.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/protocol.hpp"
#include "gridsync/tlog/note.hpp"

namespace gridsync::sync {

struct LogAlarm {
    std::int64_t id = 0;
    domain::EpochMs at_ms = 0;
    // log_key_changed | bad_checkpoint | rolled_back | forked | inclusion_failed |
    // withheld | restored | split_view
    std::string kind;
    std::string detail;        // Chinese, then English
    std::string held_note;     // the checkpoint this device had verified
    std::string offered_note;  // what central offered instead
    bool open = true;
};

// Whether `kind` is one of LogAlarm's kinds (central keeps no report of
// another).
bool is_alarm_kind(std::string_view kind);

// The name a device cosigns checkpoints under (c2sp.org/tlog-cosignature),
// with its device key: "gridsync.witness/<device id>".
std::string witness_name(const std::string& device_id);

// Fills a request's v4 fields: the last checkpoint verified, the
// acknowledged entries not yet proved included (oldest first, bounded), and
// this device's cosignature of that checkpoint when it has not sent one for
// it yet (central keeps community laptops' as witnesses, docs/AUDIT.md), and
// (v5) the alarms central has not heard of as they stand now.
void add_log_requests(store::Database& db, PullRequest& req, const crypto::SigningKey& device_key,
                      domain::EpochMs now);

// Central answered the last request with a batch it signed: it heard the
// alarms that request reported.
void alarm_reports_heard(store::Database& db);

// Checks a batch's log proofs in its own transaction (an alarm outlives the
// refused pull). Failure sync::Errc::log_untrusted when an alarm is open
// (now or from before).
Status check_log(store::Database& db, const PullBatch& batch, domain::EpochMs now);

struct VerifiedCheckpoint {
    tlog::Checkpoint checkpoint;
    std::string note;
    std::string epoch;
    domain::EpochMs verified_at_ms = 0;
};
std::optional<VerifiedCheckpoint> verified_checkpoint(store::Database& db);
std::vector<LogAlarm> log_alarms(store::Database& db, bool open_only);
// Every checkpoint this device verified, as notes (what an auditor collects).
std::vector<std::string> verified_notes(store::Database& db);
// Witnesses comparing notes in the field: a checkpoint another device
// verified (its `gridsync-edge log --json`, carried over by hand) against
// the ones this device verified. Both signed by the pinned log key, of one
// size and two roots: central showed the two devices different trees (a
// split view), proved by its own signatures; a split_view alarm is raised
// with both notes, and pulls stop as for any alarm. Only a checkpoint of
// the epoch this device trusts now is held against it (an older epoch's,
// from before a restore, is another history by right). Of a size it never
// verified, it cannot tell without a proof from central.
enum class Comparison { agrees, split_view, other_size };
struct ComparedCheckpoint {
    Comparison result = Comparison::other_size;
    std::uint64_t size = 0;
    std::int64_t alarm_id = 0;  // for split_view
};
// Failure bad_signature (not a checkpoint of the pinned log key, or no key
// pinned yet).
Result<ComparedCheckpoint> compare_checkpoint(store::Database& db, const std::string& note,
                                              domain::EpochMs now);

// Clears an open alarm with the reason of whoever looked; the next pull
// trusts central's current checkpoint afresh. Failure no_such_alarm.
Status clear_log_alarm(store::Database& db, std::int64_t id, const std::string& reason,
                       domain::EpochMs now);

}  // namespace gridsync::sync
