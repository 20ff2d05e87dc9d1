#include "gridsync/store/errors.hpp"

#include <sqlite3.h>

#include "gridsync/error_category.hpp"

namespace gridsync::store {

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.store",
        {
            {Errc::type_mismatch, "column holds another type"},
            {Errc::newer_schema,
             "数据库来自更新版本的 gridsync / database was written by a newer gridsync"},
            {Errc::bad_migrations, "migration list is not numbered 1..N"},
            {Errc::not_capturable, "table cannot be captured by the session extension"},
            {Errc::bad_conflict_answer, "REPLACE is only allowed for DATA and CONFLICT"},
            {Errc::stream_failed, "changeset stream failed"},
            {Errc::no_such_parameter, "no such SQL parameter"},
            {Errc::malformed_changeset, "变更集格式错误 / malformed changeset"},
        });
    return instance;
}

namespace {
class SqliteCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sqlite"; }
    std::string message(int ev) const override { return sqlite3_errstr(ev); }
};
}  // namespace

const std::error_category& sqlite_category() noexcept {
    static const SqliteCategory instance;
    return instance;
}

bool StoreError::storage_may_recover() const noexcept {
    switch (sqlite_code() & 0xff) {  // the primary code of an extended one
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_NOMEM:
        case SQLITE_CANTOPEN:
        case SQLITE_PROTOCOL:
            return true;
        default:
            return false;
    }
}

}  // namespace gridsync::store
