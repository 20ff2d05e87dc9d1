#include "gridsync/store/database.hpp"

#include <mutex>

#include <string>

namespace gridsync::store {

namespace {
const char* synchronous_name(Synchronous s) {
    switch (s) {
        case Synchronous::off:
            return "OFF";
        case Synchronous::normal:
            return "NORMAL";
        case Synchronous::full:
            return "FULL";
        case Synchronous::extra:
            return "EXTRA";
    }
    return "FULL";
}
}  // namespace

Database Database::open(const std::filesystem::path& path, const OpenOptions& options) {
    // SQLite counts every allocation under a global mutex unless told not
    // to; gridsync never reads those counts. Only possible before SQLite
    // initialises itself, so once, before the first connection.
    static std::once_flag quiet_allocator;
    std::call_once(quiet_allocator, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (options.read_only) {
        flags |= SQLITE_OPEN_READONLY;
    } else {
        flags |= SQLITE_OPEN_READWRITE;
        if (options.create)
            flags |= SQLITE_OPEN_CREATE;
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db(raw, path);  // owns the handle even when open failed
    if (rc != SQLITE_OK) {
        const std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        throw StoreError(sqlite_error_code(rc),
                         "cannot open database " + path.string() + ": " + msg);
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    if (!options.read_only)
        db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA foreign_keys=ON");
    db.exec(std::string("PRAGMA synchronous=") + synchronous_name(options.synchronous));
    if (options.cache_kib)
        db.exec("PRAGMA cache_size=-" + std::to_string(*options.cache_kib));
    return db;
}

void Database::check(int rc, std::string_view sql) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
        return;
    const int ext = sqlite3_extended_errcode(handle());
    // The connection's message belongs to its last error; when rc came from
    // elsewhere (session API), fall back to the generic text of rc.
    const std::string msg =
        (ext & 0xff) == (rc & 0xff) ? sqlite3_errmsg(handle()) : sqlite3_errstr(rc);
    throw StoreError(sqlite_error_code((ext & 0xff) == (rc & 0xff) ? ext : rc), msg,
                     std::string(sql));
}

void Database::exec(std::string_view sql) {
    const std::string s(sql);
    check(sqlite3_exec(handle(), s.c_str(), nullptr, nullptr, nullptr), sql);
}

Statement Database::prepare(std::string_view sql) {
    return Statement(handle(), sql, cache_);
}

namespace detail {

StatementCache::~StatementCache() {
    for (auto& [sql, stmt] : idle_)
        sqlite3_finalize(stmt);
}

sqlite3_stmt* StatementCache::take(const std::string& sql) noexcept {
    auto it = idle_.find(sql);
    if (it == idle_.end())
        return nullptr;
    sqlite3_stmt* s = it->second;
    idle_.erase(it);
    return s;
}

void StatementCache::give_back(const std::string& sql, sqlite3_stmt* stmt) noexcept {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (idle_.size() >= kLimit) {
        sqlite3_finalize(stmt);
        return;
    }
    try {
        idle_.emplace(sql, stmt);
    } catch (...) {
        sqlite3_finalize(stmt);
    }
}

}  // namespace detail

int Database::user_version() {
    return query_value<int>("PRAGMA user_version").value_or(0);
}

void Database::set_user_version(int version) {
    exec("PRAGMA user_version=" + std::to_string(version));
}

// ---- Statement ---------------------------------------------------------------

Statement::Statement(sqlite3* db, std::string_view sql,
                     std::shared_ptr<detail::StatementCache> cache)
    : db_(db), key_(sql) {
    if (sqlite3_stmt* idle = cache->take(key_)) {
        stmt_.reset(idle);
    } else {
        *this = Statement(db, sql);
        key_ = std::string(sql);
    }
    home_ = cache;
}

Statement::~Statement() {
    if (!stmt_)
        return;
    if (auto home = home_.lock())
        home->give_back(key_, stmt_.release());
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    const int rc =
        sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) {
        throw StoreError(sqlite_error_code(sqlite3_extended_errcode(db)), sqlite3_errmsg(db),
                         std::string(sql));
    }
    if (raw == nullptr)
        throw StoreError(sqlite_error_code(SQLITE_MISUSE), "empty SQL", std::string(sql));
}

int Statement::parameter_index(std::string_view name) const {
    const std::string n(name);
    const int i = sqlite3_bind_parameter_index(stmt_.get(), n.c_str());
    if (i == 0)
        throw StoreError(Errc::no_such_parameter, "no parameter " + n, std::string(sql()));
    return i;
}

void Statement::check_bind(int rc, int index) {
    if (rc != SQLITE_OK) {
        throw StoreError(sqlite_error_code(rc),
                         std::string("cannot bind parameter ") + std::to_string(index) + ": " +
                             sqlite3_errstr(rc),
                         std::string(sql()));
    }
}

void Statement::bind_null(int index) {
    check_bind(sqlite3_bind_null(stmt_.get(), index), index);
}
void Statement::bind_int64(int index, std::int64_t v) {
    check_bind(sqlite3_bind_int64(stmt_.get(), index, v), index);
}
void Statement::bind_double(int index, double v) {
    check_bind(sqlite3_bind_double(stmt_.get(), index, v), index);
}
void Statement::bind_text(int index, std::string_view v) {
    check_bind(
        sqlite3_bind_text64(stmt_.get(), index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        index);
}
void Statement::bind_blob(int index, ByteView v) {
    // A zero-length blob must stay a blob, not become NULL.
    check_bind(v.empty()
                   ? sqlite3_bind_zeroblob(stmt_.get(), index, 0)
                   : sqlite3_bind_blob64(stmt_.get(), index, v.data(), v.size(), SQLITE_TRANSIENT),
               index);
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Leave the statement reusable; the error stays reported through the throw.
    const int ext = sqlite3_extended_errcode(db_);
    const std::string msg = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_.get());
    throw StoreError(sqlite_error_code(ext), msg, std::string(sql()));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() noexcept {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

void Statement::require_type(int col, ColumnType want, const char* type_name) const {
    const ColumnType got = column_type(col);
    if (got == want)
        return;
    if (want == ColumnType::real && got == ColumnType::integer)
        return;
    static constexpr const char* names[] = {"?", "INTEGER", "REAL", "TEXT", "BLOB", "NULL"};
    throw StoreError(
        Errc::type_mismatch,
        "column " + std::to_string(col) + " (" +
            (sqlite3_column_name(stmt_.get(), col) ? sqlite3_column_name(stmt_.get(), col) : "?") +
            ") holds " + names[static_cast<int>(got)] + ", read as " + type_name,
        std::string(sql()));
}

std::int64_t Statement::column_int64(int col) const {
    require_type(col, ColumnType::integer, "integer");
    return sqlite3_column_int64(stmt_.get(), col);
}
double Statement::column_double(int col) const {
    require_type(col, ColumnType::real, "double");
    return sqlite3_column_double(stmt_.get(), col);
}
std::string Statement::column_text(int col) const {
    require_type(col, ColumnType::text, "text");
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}
Bytes Statement::column_blob(int col) const {
    require_type(col, ColumnType::blob, "blob");
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_.get(), col));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col));
    return p ? Bytes(p, p + n) : Bytes{};
}
Value Statement::value(int col) const {
    return value_from_sqlite(sqlite3_column_value(stmt_.get(), col));
}

// ---- Transaction ---------------------------------------------------------------

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
    if (db_.in_transaction()) {
        // Inside another transaction: a savepoint, durable when the outer
        // one commits (central applies a push batch this way, one commit).
        // Cached statements, not exec: a replay or a push opens and releases
        // one per entry, and exec parses its SQL every time.
        db_.prepare("SAVEPOINT gridsync_nested").run();
        nested_ = true;
        active_ = true;
        return;
    }
    switch (kind) {
        case Kind::deferred:
            db_.prepare("BEGIN DEFERRED").run();
            break;
        case Kind::immediate:
            db_.prepare("BEGIN IMMEDIATE").run();
            break;
        case Kind::exclusive:
            db_.prepare("BEGIN EXCLUSIVE").run();
            break;
    }
    active_ = true;
}

Transaction::~Transaction() {
    if (!active_)
        return;
    // Cannot throw from here; a failed ROLLBACK leaves SQLite to roll back
    // when the connection closes.
    sqlite3_exec(db_.handle(),
                 nested_ ? "ROLLBACK TO gridsync_nested; RELEASE gridsync_nested" : "ROLLBACK",
                 nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    if (!active_)
        throw StoreError(sqlite_error_code(SQLITE_MISUSE), "commit without an active transaction");
    db_.prepare(nested_ ? "RELEASE gridsync_nested" : "COMMIT").run();
    active_ = false;
}

void Transaction::rollback() {
    if (!active_)
        return;
    active_ = false;
    db_.exec(nested_ ? "ROLLBACK TO gridsync_nested; RELEASE gridsync_nested" : "ROLLBACK");
}

}  // namespace gridsync::store
