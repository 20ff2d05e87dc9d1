#pragma once
// What admins look at, as JSON: the conflicts (a list with counts per kind,
// one conflict with both sides), the devices. The command line (--json) and
// the admin HTTP API (admin_api.hpp) show the same documents.
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/kx.hpp"

namespace gridsync::central {

struct ConflictFilter {
    std::string state = "open";   // open | resolved | all
    std::string kind;             // empty: every kind
    std::string community;        // community code; empty: every community
    std::int64_t min_age_ms = 0;  // detected at least this long ago
};

// {"conflicts":[{id, kind, table, row, device, device_name, community,
// seq, detected_at_ms, state, detail, resolution, resolved_by}], "counts":
// {kind: open count}, "communities":[{code, name}]}
boost::json::object conflict_list(store::Database& db, const ConflictFilter& filter,
                                  domain::EpochMs now);
// The same conflicts by cause (one device entry, one kind, one table), each
// group with its key for resolve_conflict_group and how many it holds.
boost::json::array conflict_groups(store::Database& db, const ConflictFilter& filter,
                                   domain::EpochMs now);

// One conflict with "sides": [{key, label, fields:{column: value}, payment_id?}]
// (central's row and the device's version, or the events that disagree) and
// "decisions": what an admin may decide for its kind. nullopt: no such id.
std::optional<boost::json::object> conflict_detail(store::Database& db,
                                                   const std::string& conflict_id);

// [{id, name, role, staff_id, community, grid, entries, enrolled_at_ms, revoked}]
boost::json::array device_list(store::Database& db);

// The verifiable log (docs/AUDIT.md): {leaves, checkpoint_size,
// checkpoint_at_ms, witnesses_needed, witnessed_size, witnesses: [{community,
// community_id, device, device_id, size, at_ms}], open_alarms, alarms:
// [{device, device_id, alarm_id, at_ms, kind, detail, evidence, held_note,
// offered_note, received_at_ms, open, cleared_at_ms?, cleared_reason?}]},
// each community with the furthest checkpoint one of its laptops cosigned,
// furthest first; the alarms devices reported, open ones first.
boost::json::object log_view(store::Database& db);

// [{key_id, staff_id, staff, device_id, device, fingerprint, enrolled_at_ms,
// with_code, revoked_at_ms, revoked_reason}]: every key a person has had
// (`staff_id` empty: everyone's), oldest first.
boost::json::array staff_key_list(store::Database& db, const std::string& staff_id);

// A token grant from what an admin types: a community code and, for a grid
// device, the grid as people name it ("1", "第1网格" or its full name). A
// grid device is bound to that grid's leader: `staff_id` empty means the
// leader, another person is refused. Failure bad_request, naming the field.
Result<TokenGrant> token_grant(store::Database& db, const std::string& staff_id,
                               const std::string& role, const std::string& community_code,
                               const std::string& grid, int ttl_hours);

// What a new device is given: the one-time token and central's X25519 key.
std::string enrollment_code(const std::string& token, const crypto::KxPublicKey& central_kx);

struct ApprovalSummary;
struct ImportOutcome;
// A staged list with its totals (DayPlanner), money as "700.00".
boost::json::object approval_json(const ApprovalSummary& a);
// Quarantined entries as the console and `quarantine --json` show them.
class QuarantineDesk;
boost::json::array quarantine_json(store::Database& db, QuarantineDesk& desk, bool all);
// What an import did, or the problems by line and column (ImportService).
boost::json::object import_outcome_json(const ImportOutcome& r);

}  // namespace gridsync::central
