#pragma once
// Changesets: owned buffers, a typed iterator, concatenation, inversion, and
// apply with a typed conflict handler. Everything here also has a streamed
// form, so a changeset of any size goes through a bounded buffer.
#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/store/streams.hpp"
#include "gridsync/store/value.hpp"

namespace gridsync::store {

// Memory that SQLite allocated (sqlite3_malloc) and we must sqlite3_free.
class SqliteBuffer {
  public:
    SqliteBuffer() = default;
    SqliteBuffer(void* data, int size) : data_(data), size_(static_cast<std::size_t>(size)) {}
    static SqliteBuffer copy_of(ByteView bytes);

    ByteView view() const noexcept {
        return {static_cast<const std::uint8_t*>(data_.get()), size_};
    }
    std::size_t size() const noexcept { return size_; }

  private:
    struct Free {
        void operator()(void* p) const noexcept { sqlite3_free(p); }
    };
    std::unique_ptr<void, Free> data_;
    std::size_t size_ = 0;
};

class Changeset {
  public:
    Changeset() = default;
    explicit Changeset(SqliteBuffer buffer) : buffer_(std::move(buffer)) {}
    static Changeset copy_of(ByteView bytes) { return Changeset(SqliteBuffer::copy_of(bytes)); }

    ByteView bytes() const noexcept { return buffer_.view(); }
    std::size_t size() const noexcept { return buffer_.size(); }
    bool empty() const noexcept { return buffer_.size() == 0; }

    // The changeset that undoes this one (INSERT <-> DELETE, UPDATE old <-> new).
    // Throws for a malformed changeset (patchsets cannot be inverted).
    Changeset inverted() const;

  private:
    SqliteBuffer buffer_;
};

// Combines changesets as if they were one transaction: an INSERT then an
// UPDATE of the same row become one INSERT, an INSERT then a DELETE vanish.
class ChangeGroup {
  public:
    ChangeGroup();
    void add(ByteView changeset);
    void add(ByteSource& changeset);
    Changeset output();
    void output(ByteSink& sink);

  private:
    struct Deleter {
        void operator()(sqlite3_changegroup* g) const noexcept { sqlite3changegroup_delete(g); }
    };
    std::unique_ptr<sqlite3_changegroup, Deleter> group_;
};

Changeset concat(std::span<const ByteView> changesets);

enum class Op { insert = SQLITE_INSERT, update = SQLITE_UPDATE, erase = SQLITE_DELETE };
std::string_view to_string(Op op);

// Walks a changeset that may be untrusted. Every entry point here checks the
// bytes with ChangesetValidator before SQLite parses them (changeset_format.hpp
// says why): malformed input throws StoreError(malformed_changeset), from the
// constructor for bytes in memory, from next() for a stream.
class ChangesetIterator {
  public:
    explicit ChangesetIterator(ByteView changeset, bool invert = false);
    explicit ChangesetIterator(ByteSource& source, bool invert = false);
    ChangesetIterator(const ChangesetIterator&) = delete;
    ChangesetIterator& operator=(const ChangesetIterator&) = delete;
    ~ChangesetIterator();

    // Moves to the next change; false at the end.
    bool next();

    Op op() const noexcept { return op_; }
    std::string_view table() const noexcept { return table_; }
    int column_count() const noexcept { return columns_; }
    bool indirect() const noexcept { return indirect_; }
    // Which columns form the table's primary key.
    std::vector<bool> primary_key_columns() const;
    // SQLite's own flags: 0, or the column's 1-based position in the key.
    std::vector<std::uint8_t> primary_key_flags() const;
    // Present values only: nullopt for a column the change does not carry
    // (an unchanged column of an UPDATE, any old value of an INSERT).
    std::optional<Value> old_value(int col) const;
    std::optional<Value> new_value(int col) const;
    Row old_row() const;
    Row new_row() const;
    // The primary key of the changed row, in column order.
    std::vector<Value> primary_key() const;

  private:
    static int read_trampoline(void* ctx, void* data, int* n);
    void finish();
    std::unique_ptr<ByteSource> checked_;  // validates a streamed changeset as it passes
    ByteSource* source_ = nullptr;
    sqlite3_changeset_iter* it_ = nullptr;
    std::exception_ptr source_error_;
    Op op_ = Op::insert;
    const char* table_ = "";
    int columns_ = 0;
    bool indirect_ = false;
    bool done_ = false;
};

// ---- apply --------------------------------------------------------------------

enum class ConflictKind {
    data = SQLITE_CHANGESET_DATA,                // the row is there, but not as the change expected
    not_found = SQLITE_CHANGESET_NOTFOUND,       // UPDATE or DELETE of a row that is not there
    conflict = SQLITE_CHANGESET_CONFLICT,        // INSERT of a key that already exists
    constraint = SQLITE_CHANGESET_CONSTRAINT,    // a NOT NULL, CHECK or UNIQUE violation
    foreign_key = SQLITE_CHANGESET_FOREIGN_KEY,  // foreign keys broken once everything applied
};
std::string_view to_string(ConflictKind kind);

enum class ConflictAction {
    omit = SQLITE_CHANGESET_OMIT,
    replace = SQLITE_CHANGESET_REPLACE,
    abort = SQLITE_CHANGESET_ABORT
};

struct Conflict {
    ConflictKind kind = ConflictKind::data;
    // For foreign_key (reported once for the whole changeset, after all
    // changes) only foreign_key_violations is set.
    Op op = Op::insert;
    std::string table;
    std::vector<Value> key;
    Row incoming_old;  // what the change says the row held
    Row incoming_new;  // what the change would make it hold
    Row local;         // what the row holds here (data and conflict only)
    int foreign_key_violations = 0;
};

using ConflictHandler = std::function<ConflictAction(const Conflict&)>;

struct ApplyOptions {
    // Changes to tables for which this returns false are skipped.
    std::function<bool(std::string_view table)> table_filter;
    // Apply without SQLite's own savepoint: for callers that wrap the apply
    // in a transaction of their own together with other writes.
    bool no_savepoint = false;
};

struct ApplyReport {
    bool aborted = false;            // the handler answered abort: nothing was applied
    std::array<int, 6> conflicts{};  // by ConflictKind value
    int omitted = 0;
    int replaced = 0;
    int conflicts_of(ConflictKind k) const { return conflicts[static_cast<std::size_t>(k)]; }
};

// Applies `changeset` to `db`'s main schema. The handler is asked about every
// conflict. REPLACE is only legal for data and conflict; answering it for
// another kind aborts the apply and throws bad_conflict_answer. An exception
// from the handler aborts the apply and propagates. Corrupt input throws.
ApplyReport apply_changeset(Database& db, ByteView changeset, const ConflictHandler& handler,
                            const ApplyOptions& options = {});
ApplyReport apply_changeset(Database& db, ByteSource& changeset, const ConflictHandler& handler,
                            const ApplyOptions& options = {});

// Applies a changeset that meets no conflict through the connection's
// cached statements, in a savepoint, and returns true: each INSERT as a new
// row, each UPDATE and DELETE on the row of its key whose values are the
// old values it carries (as sqlite3changeset_apply matches them). Returns
// false, having changed nothing, when a table is of another shape or any
// change does not go in as it is (a key taken, a row missing or changed
// since, a constraint or a foreign key failing): apply_changeset, with its
// conflict handler, is then the way. When it returns true the result is
// the one apply_changeset would give, with no conflict.
// Why: sqlite3changeset_apply runs PRAGMA defer_foreign_keys, and a flag
// pragma expires every prepared statement of the connection, so each apply
// makes the next query of every statement compile again; a replay of many
// small changesets spends most of its time in SQLite's parser.
bool apply_cleanly(Database& db, ByteView changeset);

// The stream buffer size SQLite uses for every _strm call in this process
// (default 1024 bytes). Set once at start-up, before any stream.
void set_stream_chunk_size(int bytes);

}  // namespace gridsync::store
