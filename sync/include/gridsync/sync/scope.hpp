#pragma once
// What a device holds of the replicated model, two ways:
//  - a digest, so an edge that has drifted from central (a restored backup,
//    a bug, a row that left its scope) notices and repairs itself;
//  - a snapshot, page by page, so a new device starts from central's current
//    rows instead of replaying the whole log.
// Both walk the replicated tables parent-first, rows in primary-key order,
// and both keep only the rows `in_scope` accepts: central passes the
// device's scope, an edge passes "everything I hold".
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/store/database.hpp"
#include "gridsync/sync/envelope.hpp"

namespace gridsync::sync {

using RowFilter = std::function<bool(const std::string& table, const std::string& id)>;

// The same choice as SQL, so a scope is read with one query per table
// instead of lookups per row: for each table a condition on its columns
// ("" for every row, "0" for none) over the text parameters ?1, ?2, ...
struct ScopeQuery {
    std::function<std::string(const std::string& table)> where;
    std::vector<std::string> params;
};

// BLAKE2b-256 over every in-scope row, in the order above. Each table adds
// u64 len + name; each row adds, per column in schema order, a tag (0 NULL,
// 1 integer, 2 real, 3 text, 4 blob) and the value (i64/f64 little endian,
// u64 len + bytes for text and blob); each table ends with u64 row count.
Hash32 scope_digest(store::Database& db, const RowFilter& in_scope);
Hash32 scope_digest(store::Database& db, const ScopeQuery& scope);

// Where a snapshot continues: the table's index in domain::replicated_tables()
// and the last primary key sent from it.
struct SnapshotPosition {
    std::uint32_t table = 0;
    std::string after_id;
    friend bool operator==(const SnapshotPosition&, const SnapshotPosition&) = default;
};

// A snapshot being read: the log position S its rows continue from, and
// where its next page starts.
struct SnapshotCursor {
    std::uint64_t at = 0;
    SnapshotPosition next;
    friend bool operator==(const SnapshotCursor&, const SnapshotCursor&) = default;
};

struct SnapshotPage {
    std::vector<Bytes> changesets;  // INSERTs, one changeset per table, parents first
    SnapshotPosition next;
    bool done = false;
    std::size_t rows = 0;
};

// Up to `max_rows` in-scope rows from `from` on.
SnapshotPage snapshot_page(store::Database& db, const RowFilter& in_scope,
                           const SnapshotPosition& from, std::size_t max_rows);
SnapshotPage snapshot_page(store::Database& db, const ScopeQuery& scope,
                           const SnapshotPosition& from, std::size_t max_rows);

}  // namespace gridsync::sync
