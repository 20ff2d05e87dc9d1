#include "gridsync/store/backup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <memory>

#include "gridsync/store/errors.hpp"

namespace gridsync::store {

namespace {

struct BackupFinisher {
    void operator()(sqlite3_backup* b) const noexcept { sqlite3_backup_finish(b); }
};

void sync_path(const std::filesystem::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

BackupReport backup_to(Database& source, const std::filesystem::path& destination) {
    const auto partial = std::filesystem::path(destination.string() + ".partial");
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    BackupReport report;
    {
        // A plain rollback-journal file: a backup is one self-contained file.
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(partial.c_str(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
        std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> dest(raw, &sqlite3_close_v2);
        if (rc != SQLITE_OK) {
            throw StoreError(sqlite_error_code(rc),
                             "无法建立备份文件 / cannot create the backup " + partial.string());
        }
        std::unique_ptr<sqlite3_backup, BackupFinisher> backup(
            sqlite3_backup_init(dest.get(), "main", source.handle(), "main"));
        if (!backup) {
            throw StoreError(sqlite_error_code(sqlite3_extended_errcode(dest.get())),
                             std::string("备份无法开始 / backup could not start: ") +
                                 sqlite3_errmsg(dest.get()));
        }
        // All pages in one step: one read transaction on the source, one
        // snapshot, however busy the writers are (WAL lets them go on).
        int step = SQLITE_OK;
        for (int attempt = 0; attempt < 100; ++attempt) {
            step = sqlite3_backup_step(backup.get(), -1);
            if (step != SQLITE_BUSY && step != SQLITE_LOCKED)
                break;
            sqlite3_sleep(50);
        }
        if (step != SQLITE_DONE) {
            throw StoreError(sqlite_error_code(step),
                             std::string("备份失败 / backup failed: ") + sqlite3_errstr(step));
        }
        report.pages = sqlite3_backup_pagecount(backup.get());
        backup.reset();
        if (const int finish = sqlite3_errcode(dest.get()); finish != SQLITE_OK) {
            throw StoreError(sqlite_error_code(finish), std::string("备份失败 / backup failed: ") +
                                                            sqlite3_errmsg(dest.get()));
        }
    }
    sync_path(partial);
    std::filesystem::rename(partial, destination);
    sync_path(destination.parent_path().empty() ? "." : destination.parent_path());
    report.bytes = static_cast<std::int64_t>(std::filesystem::file_size(destination));
    return report;
}

std::string integrity_check(Database& db) {
    return db.query_value<std::string>("PRAGMA integrity_check").value_or("no answer");
}

}  // namespace gridsync::store
