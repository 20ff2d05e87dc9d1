#pragma once
// RAII over sqlite3 and sqlite3_stmt, with typed bind and column access.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "gridsync/bytes.hpp"
#include "gridsync/store/errors.hpp"
#include "gridsync/store/value.hpp"

namespace gridsync::store {

enum class Synchronous { off = 0, normal = 1, full = 2, extra = 3 };

struct OpenOptions {
    // FULL: a committed transaction survives power loss. Edge devices keep
    // FULL: a payment acknowledged on screen must never vanish.
    Synchronous synchronous = Synchronous::full;
    int busy_timeout_ms = 5000;
    bool read_only = false;
    bool create = true;
    // Page cache size in KiB; SQLite's default (2 MiB) when unset.
    std::optional<int> cache_kib;
};

class Statement;

namespace detail {
// Prepared statements a connection keeps for reuse, by their SQL text:
// central and the edge run the same few dozen statements again and again,
// and preparing them costs more than running them.
class StatementCache {
  public:
    StatementCache() = default;
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;
    ~StatementCache();
    sqlite3_stmt* take(const std::string& sql) noexcept;
    void give_back(const std::string& sql, sqlite3_stmt* stmt) noexcept;

  private:
    std::unordered_multimap<std::string, sqlite3_stmt*> idle_;
    static constexpr std::size_t kLimit = 256;
};
}  // namespace detail

class Database {
  public:
    // Opens (or creates) the file in WAL mode with foreign keys enforced.
    static Database open(const std::filesystem::path& path, const OpenOptions& options = {});

    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;

    // Runs one or more statements that return no rows.
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);

    // Prepares, binds `args` to ?1, ?2, ... and runs to completion.
    template <class... Args>
    void execute(std::string_view sql, const Args&... args);

    // The first column of the first row, or nullopt when there is no row.
    template <class T, class... Args>
    std::optional<T> query_value(std::string_view sql, const Args&... args);

    std::int64_t changes() const noexcept { return sqlite3_changes64(handle()); }
    std::int64_t last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(handle()); }
    bool in_transaction() const noexcept { return sqlite3_get_autocommit(handle()) == 0; }

    int user_version();
    void set_user_version(int version);

    sqlite3* handle() const noexcept { return db_.get(); }
    const std::filesystem::path& path() const noexcept { return path_; }

    // Throws StoreError for rc != SQLITE_OK/ROW/DONE, with the connection's message.
    void check(int rc, std::string_view sql = {}) const;

  private:
    struct Closer {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    Database(sqlite3* db, std::filesystem::path path)
        : db_(db), path_(std::move(path)), cache_(std::make_shared<detail::StatementCache>()) {}
    std::unique_ptr<sqlite3, Closer> db_;
    std::filesystem::path path_;
    // Destroyed before db_: idle statements are finalized before the close.
    std::shared_ptr<detail::StatementCache> cache_;
};

enum class ColumnType {
    integer = SQLITE_INTEGER,
    real = SQLITE_FLOAT,
    text = SQLITE_TEXT,
    blob = SQLITE_BLOB,
    null = SQLITE_NULL
};

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_variant : std::false_type {};
template <class... T>
struct is_variant<std::variant<T...>> : std::true_type {};
template <class>
inline constexpr bool always_false = false;
}  // namespace detail

class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql);
    // Reuses a statement `cache` holds for this SQL, and gives it back, reset
    // and with its bindings cleared, when done.
    Statement(sqlite3* db, std::string_view sql, std::shared_ptr<detail::StatementCache> cache);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    ~Statement();

    // Parameters are numbered from 1, as in SQLite. Accepts integers (bool
    // included), floating point, text (string, string_view, char*), blobs
    // (Bytes, ByteView), nullptr for NULL, and std::optional of any of these.
    template <class T>
    Statement& bind(int index, const T& value);
    // Binds ":name" / "@name" / "$name"; throws no_such_parameter if absent.
    template <class T>
    Statement& bind(std::string_view name, const T& value) {
        return bind(parameter_index(name), value);
    }
    template <class... Args>
    Statement& bind_all(const Args&... args) {
        int i = 0;
        (bind(++i, args), ...);
        return *this;
    }

    // True when a row is ready to read; false when the statement is done.
    bool step();
    // Steps to completion, for statements that return no rows.
    void run();
    // Makes the statement ready to run again; bindings are cleared.
    void reset() noexcept;

    int column_count() const noexcept { return sqlite3_column_count(stmt_.get()); }
    std::string_view column_name(int col) const noexcept {
        const char* n = sqlite3_column_name(stmt_.get(), col);
        return n ? std::string_view(n) : std::string_view();
    }
    ColumnType column_type(int col) const noexcept {
        return static_cast<ColumnType>(sqlite3_column_type(stmt_.get(), col));
    }
    bool is_null(int col) const noexcept { return column_type(col) == ColumnType::null; }

    // Columns are numbered from 0, as in SQLite. T is std::int64_t, int, bool,
    // double, std::string, Bytes, or std::optional of one (NULL -> nullopt).
    // Reading a column of another storage class (NULL included, unless T is
    // an optional) throws type_mismatch: a schema bug must not become a zero.
    template <class T>
    T column(int col) const;
    // Any column as the value it holds, whatever its storage class.
    Value value(int col) const;

    std::string_view sql() const noexcept { return sqlite3_sql(stmt_.get()); }
    sqlite3_stmt* handle() const noexcept { return stmt_.get(); }

  private:
    struct Finalizer {
        void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
    };
    int parameter_index(std::string_view name) const;
    void check_bind(int rc, int index);
    void bind_null(int index);
    void bind_int64(int index, std::int64_t v);
    void bind_double(int index, double v);
    void bind_text(int index, std::string_view v);
    void bind_blob(int index, ByteView v);
    void require_type(int col, ColumnType want, const char* type_name) const;

    std::int64_t column_int64(int col) const;
    double column_double(int col) const;
    std::string column_text(int col) const;
    Bytes column_blob(int col) const;

    sqlite3* db_ = nullptr;
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
    std::weak_ptr<detail::StatementCache> home_;
    std::string key_;
};

template <class T>
Statement& Statement::bind(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullptr_t> || std::is_same_v<T, std::nullopt_t> ||
                  std::is_same_v<T, Null>) {
        bind_null(index);
    } else if constexpr (detail::is_variant<T>::value) {
        std::visit([&](const auto& v) { bind(index, v); }, value);
    } else if constexpr (detail::is_optional<T>::value) {
        if (value) {
            bind(index, *value);
        } else {
            bind_null(index);
        }
    } else if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
            if (value > static_cast<T>(INT64_MAX)) {
                throw StoreError(Errc::type_mismatch,
                                 "unsigned value does not fit an SQLite integer");
            }
        }
        bind_int64(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_floating_point_v<T>) {
        bind_double(index, static_cast<double>(value));
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        bind_text(index, std::string_view(value));
    } else if constexpr (std::is_convertible_v<const T&, ByteView>) {
        bind_blob(index, ByteView(value));
    } else {
        static_assert(detail::always_false<T>, "no SQLite binding for this type");
    }
    return *this;
}

template <class T>
T Statement::column(int col) const {
    if constexpr (detail::is_optional<T>::value) {
        if (is_null(col))
            return std::nullopt;
        return column<typename T::value_type>(col);
    } else if constexpr (std::is_same_v<T, bool>) {
        return column_int64(col) != 0;
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        return column_int64(col);
    } else if constexpr (std::is_integral_v<T>) {
        const std::int64_t v = column_int64(col);
        if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
            static_cast<std::uint64_t>(v) >
                static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
            throw StoreError(Errc::type_mismatch, "integer column does not fit the requested type",
                             std::string(sql()));
        }
        return static_cast<T>(v);
    } else if constexpr (std::is_same_v<T, double>) {
        return column_double(col);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return column_text(col);
    } else if constexpr (std::is_same_v<T, Bytes>) {
        return column_blob(col);
    } else {
        static_assert(detail::always_false<T>, "no SQLite column reader for this type");
    }
}

template <class... Args>
void Database::execute(std::string_view sql, const Args&... args) {
    Statement st = prepare(sql);
    st.bind_all(args...);
    st.run();
}

template <class T, class... Args>
std::optional<T> Database::query_value(std::string_view sql, const Args&... args) {
    Statement st = prepare(sql);
    st.bind_all(args...);
    if (!st.step())
        return std::nullopt;
    return st.column<T>(0);
}

// BEGIN IMMEDIATE by default: the write lock is taken at the start, so a
// transaction never fails half-way because another writer got there first.
// Rolls back in the destructor unless commit() was called. Opened inside
// another transaction it is a SAVEPOINT: its rollback undoes only its own
// work, and its commit is durable only when the outer transaction commits.
class Transaction {
  public:
    enum class Kind { deferred, immediate, exclusive };
    explicit Transaction(Database& db, Kind kind = Kind::immediate);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    void commit();
    void rollback();
    bool active() const noexcept { return active_; }

  private:
    Database& db_;
    bool active_ = false;
    bool nested_ = false;
};

}  // namespace gridsync::store
