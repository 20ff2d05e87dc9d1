#pragma once
// One SQLite value, owned, as it appears in a changeset or a conflict.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gridsync/bytes.hpp"

struct sqlite3_value;

namespace gridsync::store {

struct Null {
    friend bool operator==(Null, Null) = default;
};

using Value = std::variant<Null, std::int64_t, double, std::string, Bytes>;

// A row as a changeset carries it: a column is absent (nullopt) when the
// changeset does not hold it (the unchanged columns of an UPDATE).
using Row = std::vector<std::optional<Value>>;

Value value_from_sqlite(sqlite3_value* v);

// For messages and logs: 42, 3.5, 'text', x'00ff', NULL.
std::string to_display(const Value& v);
std::string to_display(const Row& row);

}  // namespace gridsync::store
