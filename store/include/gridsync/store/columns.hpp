#pragma once
// A table's column names as SQLite has them, in column order: how a
// changeset's positional values get their names (changesets carry none).
#include <string>
#include <vector>

#include "gridsync/store/database.hpp"

namespace gridsync::store {

// Empty for a table the database does not have.
std::vector<std::string> column_names(Database& db, const std::string& table);

}  // namespace gridsync::store
