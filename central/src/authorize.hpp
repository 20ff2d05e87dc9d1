#pragma once
// Which rows a device may write: by its role (tables, operations, columns)
// and by its scope (its community, or its grid).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gridsync/central/store.hpp"
#include "gridsync/store/changeset.hpp"

namespace gridsync::central {

// One change of a changeset, decoded once, with column names.
struct RowChange {
    store::Op op;
    std::string table;
    std::string id;                             // every replicated table has a single TEXT key
    std::map<std::string, store::Value> after;  // new values present in the change
    std::set<std::string> changed;              // columns an UPDATE changes
};

// Decodes a validated changeset; failure malformed for a key that is not a
// single TEXT id or a table central does not know.
Result<std::vector<RowChange>> decode_changes(store::Database& db, ByteView changeset);

// Failure not_authorized or out_of_scope, naming the table and row.
Status authorize(store::Database& db, const Device& device, const std::vector<RowChange>& changes);

}  // namespace gridsync::central
