#pragma once
// A structural check of changeset bytes, run before SQLite parses them.
//
// Changesets arrive from other machines and are untrusted until checked.
// SQLite 3.40's iterator does not always refuse malformed input: a changeset
// cut inside its first table header makes sqlite3changeset_next() loop
// forever (seen with Debian 12's 3.40.1). So every changeset gridsync reads
// passes this validator first, in memory or as it streams past.
//
// The format (SQLite's ext/session/sqlite3session.c, full changesets only):
//   changeset := { table-header change* }*
//   table-header := 'T' varint(ncol) u8[ncol] pk-flags  name '\0'
//   change := op(u8: 18 INSERT, 23 UPDATE, 9 DELETE) indirect(u8: 0|1) record{1 or 2}
//   record := value[ncol]  (INSERT: new; DELETE: old; UPDATE: old then new)
//   value := 0 (absent, UPDATE only) | 1 i64 BE | 2 f64 BE | 3 varint(n) text[n]
//          | 4 varint(n) blob[n] | 5 (NULL)
// Patchsets ('P') are refused: gridsync ships full changesets only.
#include <cstdint>

#include "gridsync/bytes.hpp"
#include "gridsync/store/streams.hpp"

namespace gridsync::store {

struct ChangesetLimits {
    std::uint32_t max_columns = 2000;  // SQLite's SQLITE_MAX_COLUMN default
    std::uint32_t max_table_name = 256;
    std::uint64_t max_value_bytes = 16u << 20;  // one text or blob value
};

class ChangesetValidator {
  public:
    explicit ChangesetValidator(ChangesetLimits limits = {}) : limits_(limits) {}

    // Throws StoreError(malformed_changeset) at the first structural error,
    // naming the byte offset.
    void feed(ByteView chunk);
    // Throws when the input ended inside a table header or a change.
    void finish();

    std::uint64_t changes() const noexcept { return changes_; }
    std::uint64_t tables() const noexcept { return tables_; }

  private:
    enum class State {
        table_or_op,
        ncol,
        pk_flags,
        table_name,
        indirect,
        value_type,
        skip,
        value_len
    };
    [[noreturn]] void reject(const char* why) const;
    void begin_value_or_end_change();

    ChangesetLimits limits_;
    State state_ = State::table_or_op;
    std::uint64_t offset_ = 0;
    bool have_table_ = false;
    std::uint32_t ncol_ = 0;
    std::uint32_t remaining_ = 0;  // pk flags or values left in this change
    std::uint32_t name_len_ = 0;
    std::uint8_t op_ = 0;
    std::uint64_t skip_ = 0;  // bytes of a value still to pass over
    std::uint64_t varint_ = 0;
    int varint_bytes_ = 0;
    std::uint64_t changes_ = 0;
    std::uint64_t tables_ = 0;
};

// Validates a whole in-memory changeset.
void validate_changeset(ByteView changeset, ChangesetLimits limits = {});

// Passes bytes through from `inner`, validating as they go; throws from
// read() at the first structural error or at a truncated end.
class ValidatingSource final : public ByteSource {
  public:
    explicit ValidatingSource(ByteSource& inner, ChangesetLimits limits = {})
        : inner_(inner), validator_(limits) {}
    std::size_t read(std::span<std::uint8_t> out) override;

  private:
    ByteSource& inner_;
    ChangesetValidator validator_;
    bool finished_ = false;
};

}  // namespace gridsync::store
