#include "gridsync/store/errors.hpp"

#include <sqlite3.h>

namespace gridsync::store {
namespace {

class StoreCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "gridsync.store"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::type_mismatch:
                return "column holds another type";
            case Errc::newer_schema:
                return "数据库来自更新版本的 gridsync / database was written by a newer gridsync";
            case Errc::bad_migrations:
                return "migration list is not numbered 1..N";
            case Errc::not_capturable:
                return "table cannot be captured by the session extension";
            case Errc::bad_conflict_answer:
                return "REPLACE is only allowed for DATA and CONFLICT";
            case Errc::stream_failed:
                return "changeset stream failed";
            case Errc::no_such_parameter:
                return "no such SQL parameter";
            case Errc::malformed_changeset:
                return "变更集格式错误 / malformed changeset";
        }
        return "unknown store error";
    }
};

class SqliteCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sqlite"; }
    std::string message(int ev) const override { return sqlite3_errstr(ev); }
};

}  // namespace

const std::error_category& category() noexcept {
    static const StoreCategory instance;
    return instance;
}

const std::error_category& sqlite_category() noexcept {
    static const SqliteCategory instance;
    return instance;
}

}  // namespace gridsync::store
