#include "gridsync/store/session.hpp"

#include "gridsync/store/errors.hpp"
#include "stream_callbacks.hpp"

namespace gridsync::store {

std::vector<std::string> uncapturable_tables(Database& db, const std::vector<std::string>& tables) {
    std::vector<std::string> problems;
    for (const auto& table : tables) {
        Statement info =
            db.prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)");
        info.bind(1, table);
        int columns = 0;
        int pk_columns = 0;
        bool integer_pk = false;
        std::vector<std::string> nullable_pk;
        while (info.step()) {
            ++columns;
            if (info.column<int>(3) == 0)
                continue;
            ++pk_columns;
            integer_pk = info.column<std::string>(1) == "INTEGER";
            if (!info.column<bool>(2))
                nullable_pk.push_back(info.column<std::string>(0));
        }
        if (columns == 0) {
            problems.push_back(table + ": no such table");
        } else if (pk_columns == 0) {
            problems.push_back(table + ": no PRIMARY KEY, so no change to it would be captured");
        } else if (!(pk_columns == 1 && integer_pk)) {
            // A lone INTEGER PRIMARY KEY is the rowid and can never be NULL.
            for (const auto& c : nullable_pk) {
                problems.push_back(table + ": primary key column " + c +
                                   " allows NULL; rows with a NULL key would not be captured");
            }
        }
    }
    return problems;
}

Session::Session(Database& db, const char* schema) : db_(&db) {
    sqlite3_session* s = nullptr;
    db.check(sqlite3session_create(db.handle(), schema, &s), "sqlite3session_create");
    session_.reset(s);
}

void Session::attach(const std::string& table) {
    const auto problems = uncapturable_tables(*db_, {table});
    if (!problems.empty())
        throw StoreError(Errc::not_capturable, problems.front());
    db_->check(sqlite3session_attach(session_.get(), table.c_str()), "sqlite3session_attach");
}

void Session::attach_checked(const std::string& table) {
    db_->check(sqlite3session_attach(session_.get(), table.c_str()), "sqlite3session_attach");
}

Changeset Session::changeset() {
    int n = 0;
    void* p = nullptr;
    db_->check(sqlite3session_changeset(session_.get(), &n, &p), "sqlite3session_changeset");
    return Changeset(SqliteBuffer(p, n));
}

Changeset Session::patchset() {
    int n = 0;
    void* p = nullptr;
    db_->check(sqlite3session_patchset(session_.get(), &n, &p), "sqlite3session_patchset");
    return Changeset(SqliteBuffer(p, n));
}

void Session::changeset(ByteSink& sink) {
    detail::SinkContext ctx{&sink, nullptr};
    const int rc = sqlite3session_changeset_strm(session_.get(), detail::write_sink, &ctx);
    if (ctx.error)
        std::rethrow_exception(ctx.error);
    db_->check(rc, "sqlite3session_changeset_strm");
}

}  // namespace gridsync::store
