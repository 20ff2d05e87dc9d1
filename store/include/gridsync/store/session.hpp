#pragma once
// Capture of local changes with SQLite's session extension.
#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/store/changeset.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::store {

// Tables the session extension would silently not capture (or capture only
// in part): no primary key, or a primary key column that allows NULL (rows
// with a NULL key are skipped). Returns "table: reason" lines; empty is good.
std::vector<std::string> uncapturable_tables(Database& db, const std::vector<std::string>& tables);

class Session {
  public:
    explicit Session(Database& db, const char* schema = "main");
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    Session(Session&&) noexcept = default;
    Session& operator=(Session&&) noexcept = default;

    // Starts capturing `table`. Throws not_capturable for a table that does
    // not exist or that uncapturable_tables() names.
    void attach(const std::string& table);
    // For a table already proven capturable (uncapturable_tables() at start-up):
    // skips the per-call schema lookup on hot paths.
    void attach_checked(const std::string& table);

    bool empty() const noexcept { return sqlite3session_isempty(session_.get()) != 0; }
    void set_enabled(bool on) noexcept { sqlite3session_enable(session_.get(), on ? 1 : 0); }
    void set_indirect(bool on) noexcept { sqlite3session_indirect(session_.get(), on ? 1 : 0); }

    // Full changesets (old and new values of every changed row) are what
    // gridsync ships; patchsets cannot show what a conflicting row held.
    Changeset changeset();
    Changeset patchset();
    void changeset(ByteSink& sink);

  private:
    struct Deleter {
        void operator()(sqlite3_session* s) const noexcept { sqlite3session_delete(s); }
    };
    Database* db_;
    std::unique_ptr<sqlite3_session, Deleter> session_;
};

}  // namespace gridsync::store
