#pragma once
// A consistent copy of a live database (SQLite's online backup API), while
// other connections and processes go on writing: the copy is one read
// transaction's snapshot, so it holds every transaction committed before
// the backup began and none half done. Written beside its destination and
// renamed into place, so a crash never leaves a half-written backup under
// its final name.
#include <cstdint>
#include <filesystem>

#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::store {

struct BackupReport {
    std::int64_t pages = 0;
    std::int64_t bytes = 0;
};

// Throws StoreError when SQLite fails (disk full, unreadable source).
BackupReport backup_to(Database& source, const std::filesystem::path& destination);

// "ok", or SQLite's first complaint (PRAGMA integrity_check).
std::string integrity_check(Database& db);

}  // namespace gridsync::store
