#pragma once
// Store errors. A failure from SQLite keeps SQLite's extended result code (in
// the "sqlite" category), its message and the SQL that failed; failures found
// by the store itself use store::Errc.
#include <string>
#include <system_error>

#include "gridsync/error.hpp"

namespace gridsync::store {

// Stable numbers. Append, never renumber.
enum class Errc {
    type_mismatch = 1,        // a column read as a type it does not hold
    newer_schema = 2,         // the database was written by a newer gridsync
    bad_migrations = 3,       // the migration list is not 1..N in order
    not_capturable = 4,       // a table the session extension would silently skip
    bad_conflict_answer = 5,  // REPLACE given for a conflict kind that does not allow it
    stream_failed = 6,        // a changeset stream's source or sink failed
    no_such_parameter = 7,    // bind by a name the statement does not have
    malformed_changeset = 8,  // changeset bytes that do not follow the format
};

const std::error_category& category() noexcept;
const std::error_category& sqlite_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}
inline std::error_code sqlite_error_code(int extended_code) noexcept {
    return {extended_code, sqlite_category()};
}

class StoreError : public Error {
  public:
    StoreError(std::error_code code, const std::string& message, std::string sql = {})
        : Error(code, sql.empty() ? message : message + " [SQL: " + sql + "]"),
          sql_(std::move(sql)) {}
    // The statement that failed, when there was one.
    const std::string& sql() const noexcept { return sql_; }
    // SQLite's extended result code, or 0 when the error is the store's own.
    int sqlite_code() const noexcept {
        return code().category() == sqlite_category() ? code().value() : 0;
    }
    // A failure of the storage, not of what was asked: a full or failing
    // disk, a lock held elsewhere, memory. The transaction rolled back and
    // the same work can succeed later; any other failure would fail again.
    bool storage_may_recover() const noexcept;

  private:
    std::string sql_;
};

}  // namespace gridsync::store

template <>
struct std::is_error_code_enum<gridsync::store::Errc> : std::true_type {};
