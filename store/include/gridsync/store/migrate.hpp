#pragma once
// Schema migrations keyed on PRAGMA user_version.
#include <span>
#include <string_view>

#include "gridsync/store/database.hpp"

namespace gridsync::store {

struct Migration {
    int version;  // 1, 2, 3, ... with no gaps
    std::string_view description;
    std::string_view sql;
};

struct MigrationReport {
    int from_version;
    int to_version;
};

// Applies every migration above the database's user_version, each in its own
// IMMEDIATE transaction that also sets user_version: a crash leaves the
// database at the last completed version, never half-way through one.
// Throws bad_migrations if the list is not 1..N in order, and newer_schema
// (touching nothing) when the database is already past N.
MigrationReport migrate(Database& db, std::span<const Migration> migrations);

}  // namespace gridsync::store
