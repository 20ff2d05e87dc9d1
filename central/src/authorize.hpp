#pragma once
// Which rows a device may write: by its role (tables, operations, columns)
// and by its scope (its community, or its grid).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gridsync/central/backend.hpp"
#include "gridsync/central/store.hpp"
#include "gridsync/store/changeset.hpp"

namespace gridsync::central {

// The column names of a replicated table, in order (cached per thread).
const std::vector<std::string>& columns_of(store::Database& db, const std::string& table);

// Decodes a validated changeset; failure malformed for a key that is not a
// single TEXT id or a table central does not know.
Result<std::vector<RowChange>> decode_changes(store::Database& db, ByteView changeset);

// The first row a change refers to that is neither in the changes nor in
// central's tables, as "table 'id'": the entry must wait for it.
std::optional<std::string> missing_parent(store::Database& db,
                                          const std::vector<RowChange>& changes);

// What the device's role may write (tables, operations, columns), without
// looking at scope: checked before an entry may wait for a parent.
Status authorize_role(const Device& device, const std::vector<RowChange>& changes);

// The stamps central checks in every row a device writes: its hlc is the
// entry's, its origin_device (always on an insert, when changed on an
// update) and any device_id it names the signing device. Failure
// forged_stamp, naming the row.
Status check_stamps(const Device& device, std::int64_t entry_hlc,
                    const std::vector<RowChange>& changes);

// What each role may write, as docs/PROTOCOL.md prints it (between its
// <!-- permissions --> markers; tests/central/scope_test.cpp checks that the
// two agree): one Markdown row per replicated table, in replication order.
std::string permission_matrix_markdown();

// Role, then scope. Failure not_authorized or out_of_scope, naming the table and row.
Status authorize(store::Database& db, const Device& device, const std::vector<RowChange>& changes);

}  // namespace gridsync::central
