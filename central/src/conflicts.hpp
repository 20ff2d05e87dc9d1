#pragma once
// What central does when an entry disagrees with what it holds, beyond the
// row-level conflicts SQLite reports (docs/CONFLICTS.md, class by class).
#include <optional>
#include <string>
#include <vector>

#include "gridsync/central/backend.hpp"
#include "gridsync/store/changeset.hpp"

namespace gridsync::central {

// One disagreement, recorded in the `conflict` table with both sides.
struct PendingConflict {
    std::string kind, table, key, central_row, incoming_old, incoming_new, detail;
};

// Concurrent updates of one row. Columns only one side changed merge (every
// update also rewrites the row's stamp, hlc and origin_device, which alone is
// no disagreement). For residents and households a column both sides changed
// goes to the later HLC, the losing value kept for review; for other tables
// such a clash is a DATA conflict for an admin.
struct ColumnMerge {
    std::string table;
    std::string id;
    std::vector<std::pair<std::string, store::Value>> set;  // what central writes
    std::string lost;                                       // "column: value; ..." of the losers
    bool clash = false;  // a column both sides changed to different values
    std::string central_row, incoming_old, incoming_new;
};

// Tables whose clashing columns are settled by HLC order.
bool mergeable(const std::string& table);

// A conflict's row key as stored ('id', SQLite's quoting) back to the id.
std::string unquoted(const std::string& key);
ColumnMerge merge_columns(const std::vector<std::string>& columns, const store::Conflict& c,
                          std::int64_t incoming_hlc, const std::string& incoming_device);
// Writes the merged columns (central's own change, captured for the log).
void write_merge(store::Database& db, const ColumnMerge& m);

// The domain's disagreements the rows of one applied entry raise: a second
// effective payment, a payment against a corrected amount, a certificate
// delivered twice or delivered and returned, two check-ins of one person at
// one time on two devices. Returns a failure for a rule the entry breaks.
Status flag_domain_conflicts(store::Database& db, const DecodedEntry& entry,
                             std::vector<PendingConflict>& conflicts);

// How close two check-ins of one person on two devices must be to be flagged.
inline constexpr std::int64_t kSimultaneousCheckInMs = 30 * 60 * 1000;

}  // namespace gridsync::central
