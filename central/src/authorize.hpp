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

// Decodes a validated changeset; failure malformed for a key that is not a
// single TEXT id or a table central does not know.
Result<std::vector<RowChange>> decode_changes(store::Database& db, ByteView changeset);

// Failure not_authorized or out_of_scope, naming the table and row.
Status authorize(store::Database& db, const Device& device, const std::vector<RowChange>& changes);

}  // namespace gridsync::central
