#pragma once
// Writes changesets in SQLite's session format (see changeset_format.hpp), so
// central can hand each device only the rows of its scope: a changeset is
// filtered change by change and written again, byte for byte as SQLite would.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gridsync/store/changeset.hpp"

namespace gridsync::store {

class ChangesetWriter {
  public:
    // pk_flags as SQLite keeps them: 0 for a non-key column, else the
    // column's 1-based position in the primary key.
    void begin_table(std::string_view name, const std::vector<std::uint8_t>& pk_flags);
    // old_row: DELETE and UPDATE; new_row: INSERT and UPDATE. Absent values
    // (nullopt) are allowed only in an UPDATE.
    void change(Op op, bool indirect, const Row& old_row, const Row& new_row);
    Changeset finish();
    bool empty() const { return bytes_.empty(); }

  private:
    void value(const std::optional<Value>& v);
    void varint(std::uint64_t v);
    Bytes bytes_;
    std::size_t columns_ = 0;
};

// The changes of `changeset` for which `keep` answers true, as a changeset of
// their own (empty when none is kept). Validates the input first.
Changeset filter_changeset(ByteView changeset,
                           const std::function<bool(const ChangesetIterator&)>& keep);

// Whether `changeset` is exactly as SQLite's session writes one: each row
// once, no indirect change, an INSERT with every new value, a DELETE with
// every old value, an UPDATE whose old values are its key and the columns
// it changes, each to a different value. Applied with no conflict, such a
// changeset is byte for byte what a session capturing the apply would write,
// but for the order of rows within a table (a session keeps them in a hash
// table): the same changes. Central keeps it as what it applied instead of
// capturing again (CentralStore::apply); anything else a device could send
// is captured.
bool as_a_session_writes_it(ByteView changeset);

}  // namespace gridsync::store
