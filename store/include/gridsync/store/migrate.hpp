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
//
// `component` names whose schema this is. Empty (the default) keeps the
// version in PRAGMA user_version: the replicated schema. A named component
// (e.g. "sync.local": tables that never replicate) keeps its own version in
// the table gridsync_schema, so two schemas can share one file, and one
// transaction.
MigrationReport migrate(Database& db, std::span<const Migration> migrations,
                        std::string_view component = {});

}  // namespace gridsync::store
