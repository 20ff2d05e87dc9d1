# SQLite's session extension is compiled in only when the library was built with
# SQLITE_ENABLE_SESSION and SQLITE_ENABLE_PREUPDATE_HOOK. Debian's build has both;
# a build without them would link but silently capture nothing, so stop here.
include(CheckCSourceRuns)

function(gridsync_require_sqlite_session)
    set(CMAKE_REQUIRED_LIBRARIES SQLite::SQLite3)
    set(CMAKE_REQUIRED_DEFINITIONS -DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_PREUPDATE_HOOK)
    check_c_source_runs([[
#include <sqlite3.h>
int main(void) {
    if (!sqlite3_compileoption_used("ENABLE_SESSION")) return 1;
    if (!sqlite3_compileoption_used("ENABLE_PREUPDATE_HOOK")) return 2;
    sqlite3* db = 0;
    sqlite3_session* s = 0;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 3;
    if (sqlite3session_create(db, "main", &s) != SQLITE_OK) return 4;
    sqlite3session_delete(s);
    sqlite3_close(db);
    return 0;
}
]] GRIDSYNC_SQLITE_HAS_SESSION)
    if(NOT GRIDSYNC_SQLITE_HAS_SESSION)
        message(FATAL_ERROR
            "The SQLite library found (${SQLite3_LIBRARIES}, version ${SQLite3_VERSION}) was built "
            "without SQLITE_ENABLE_SESSION and SQLITE_ENABLE_PREUPDATE_HOOK. gridsync records every "
            "change through the session extension and cannot work without it. Install Debian's "
            "libsqlite3-dev, whose build has both.")
    endif()
endfunction()
