#include "gridsync/store/changeset.hpp"

#include <cstring>
#include <limits>
#include <map>

#include "gridsync/store/changeset_format.hpp"
#include "gridsync/store/errors.hpp"
#include "stream_callbacks.hpp"

namespace gridsync::store {

namespace {

using detail::read_source;
using detail::SinkContext;
using detail::SourceContext;
using detail::write_sink;

void check_session_rc(int rc, const char* what) {
    if (rc != SQLITE_OK) {
        throw StoreError(sqlite_error_code(rc), std::string(what) + ": " + sqlite3_errstr(rc));
    }
}

int checked_size(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw StoreError(sqlite_error_code(SQLITE_TOOBIG),
                         "changeset over 2 GiB: use the streamed functions");
    }
    return static_cast<int>(n);
}

void* mutable_data(ByteView b) {
    return const_cast<std::uint8_t*>(b.data());
}

// ---- reading one change from any sqlite3_changeset_iter ----------------------

std::optional<Value> iter_value(sqlite3_changeset_iter* it, int col, bool old_side) {
    sqlite3_value* v = nullptr;
    const int rc = old_side ? sqlite3changeset_old(it, col, &v) : sqlite3changeset_new(it, col, &v);
    if (rc != SQLITE_OK || v == nullptr)
        return std::nullopt;
    return value_from_sqlite(v);
}

Row iter_row(sqlite3_changeset_iter* it, int columns, bool old_side, Op op) {
    // INSERT has no old side and DELETE no new side; asking is SQLITE_MISUSE.
    if ((old_side && op == Op::insert) || (!old_side && op == Op::erase))
        return Row(static_cast<std::size_t>(columns));
    Row row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c)
        row.push_back(iter_value(it, c, old_side));
    return row;
}

std::vector<bool> iter_pk_columns(sqlite3_changeset_iter* it) {
    unsigned char* flags = nullptr;
    int n = 0;
    check_session_rc(sqlite3changeset_pk(it, &flags, &n), "sqlite3changeset_pk");
    std::vector<bool> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        out[static_cast<std::size_t>(i)] = flags[i] != 0;
    return out;
}

std::vector<Value> iter_primary_key(sqlite3_changeset_iter* it, int columns, Op op) {
    const auto pk = iter_pk_columns(it);
    std::vector<Value> key;
    for (int c = 0; c < columns; ++c) {
        if (!pk[static_cast<std::size_t>(c)])
            continue;
        auto v = iter_value(it, c, op != Op::insert);
        key.push_back(v ? std::move(*v) : Value{Null{}});
    }
    return key;
}

struct OpInfo {
    const char* table;
    int columns;
    Op op;
    bool indirect;
};

OpInfo iter_op(sqlite3_changeset_iter* it) {
    OpInfo info{"", 0, Op::insert, false};
    int op = 0;
    int indirect = 0;
    check_session_rc(sqlite3changeset_op(it, &info.table, &info.columns, &op, &indirect),
                     "sqlite3changeset_op");
    info.op = static_cast<Op>(op);
    info.indirect = indirect != 0;
    return info;
}

// ---- apply -------------------------------------------------------------------

struct ApplyContext {
    const ConflictHandler* handler;
    const ApplyOptions* options;
    ApplyReport report;
    std::exception_ptr error;
    bool bad_answer = false;
    bool handler_aborted = false;
};

int filter_trampoline(void* ctx, const char* table) {
    auto* c = static_cast<ApplyContext*>(ctx);
    try {
        return c->options->table_filter(table) ? 1 : 0;
    } catch (...) {
        c->error = std::current_exception();
        return 0;
    }
}

int conflict_trampoline(void* ctx, int kind, sqlite3_changeset_iter* it) {
    auto* c = static_cast<ApplyContext*>(ctx);
    if (c->error)
        return SQLITE_CHANGESET_ABORT;
    try {
        Conflict conflict;
        conflict.kind = static_cast<ConflictKind>(kind);
        if (conflict.kind == ConflictKind::foreign_key) {
            check_session_rc(sqlite3changeset_fk_conflicts(it, &conflict.foreign_key_violations),
                             "sqlite3changeset_fk_conflicts");
        } else {
            const OpInfo info = iter_op(it);
            conflict.op = info.op;
            conflict.table = info.table;
            conflict.key = iter_primary_key(it, info.columns, info.op);
            conflict.incoming_old = iter_row(it, info.columns, true, info.op);
            conflict.incoming_new = iter_row(it, info.columns, false, info.op);
            if (conflict.kind == ConflictKind::data || conflict.kind == ConflictKind::conflict) {
                conflict.local.reserve(static_cast<std::size_t>(info.columns));
                for (int col = 0; col < info.columns; ++col) {
                    sqlite3_value* v = nullptr;
                    check_session_rc(sqlite3changeset_conflict(it, col, &v),
                                     "sqlite3changeset_conflict");
                    conflict.local.emplace_back(v ? std::optional<Value>(value_from_sqlite(v))
                                                  : std::nullopt);
                }
            }
        }
        ++c->report.conflicts[static_cast<std::size_t>(kind)];
        const ConflictAction action = (*c->handler)(conflict);
        switch (action) {
            case ConflictAction::omit:
                ++c->report.omitted;
                return SQLITE_CHANGESET_OMIT;
            case ConflictAction::replace:
                if (conflict.kind != ConflictKind::data &&
                    conflict.kind != ConflictKind::conflict) {
                    c->bad_answer = true;
                    return SQLITE_CHANGESET_ABORT;
                }
                ++c->report.replaced;
                return SQLITE_CHANGESET_REPLACE;
            case ConflictAction::abort:
                c->handler_aborted = true;
                return SQLITE_CHANGESET_ABORT;
        }
        c->handler_aborted = true;
        return SQLITE_CHANGESET_ABORT;
    } catch (...) {
        c->error = std::current_exception();
        return SQLITE_CHANGESET_ABORT;
    }
}

ApplyReport finish_apply(Database& db, int rc, ApplyContext& ctx, std::exception_ptr source_error) {
    if (source_error)
        std::rethrow_exception(source_error);
    if (ctx.error)
        std::rethrow_exception(ctx.error);
    if (ctx.bad_answer) {
        throw StoreError(
            Errc::bad_conflict_answer,
            "conflict handler answered REPLACE for a conflict that only allows OMIT or ABORT");
    }
    if (rc == SQLITE_ABORT && ctx.handler_aborted) {
        ctx.report.aborted = true;
        return ctx.report;
    }
    if (rc != SQLITE_OK)
        db.check(rc, "sqlite3changeset_apply");
    return ctx.report;
}

}  // namespace

// ---- SqliteBuffer / Changeset / ChangeGroup ---------------------------------

SqliteBuffer SqliteBuffer::copy_of(ByteView bytes) {
    if (bytes.empty())
        return {};
    void* p = sqlite3_malloc64(bytes.size());
    if (p == nullptr)
        throw StoreError(sqlite_error_code(SQLITE_NOMEM), "out of memory");
    std::memcpy(p, bytes.data(), bytes.size());
    return SqliteBuffer(p, checked_size(bytes.size()));
}

Changeset Changeset::inverted() const {
    validate_changeset(bytes());
    int n = 0;
    void* p = nullptr;
    check_session_rc(sqlite3changeset_invert(checked_size(size()), mutable_data(bytes()), &n, &p),
                     "sqlite3changeset_invert");
    return Changeset(SqliteBuffer(p, n));
}

ChangeGroup::ChangeGroup() {
    sqlite3_changegroup* g = nullptr;
    check_session_rc(sqlite3changegroup_new(&g), "sqlite3changegroup_new");
    group_.reset(g);
}

void ChangeGroup::add(ByteView changeset) {
    validate_changeset(changeset);
    check_session_rc(sqlite3changegroup_add(group_.get(), checked_size(changeset.size()),
                                            mutable_data(changeset)),
                     "sqlite3changegroup_add");
}

void ChangeGroup::add(ByteSource& changeset) {
    ValidatingSource checked(changeset);
    SourceContext ctx{&checked, nullptr};
    const int rc = sqlite3changegroup_add_strm(group_.get(), read_source, &ctx);
    if (ctx.error)
        std::rethrow_exception(ctx.error);
    check_session_rc(rc, "sqlite3changegroup_add_strm");
}

Changeset ChangeGroup::output() {
    int n = 0;
    void* p = nullptr;
    check_session_rc(sqlite3changegroup_output(group_.get(), &n, &p), "sqlite3changegroup_output");
    return Changeset(SqliteBuffer(p, n));
}

void ChangeGroup::output(ByteSink& sink) {
    SinkContext ctx{&sink, nullptr};
    const int rc = sqlite3changegroup_output_strm(group_.get(), write_sink, &ctx);
    if (ctx.error)
        std::rethrow_exception(ctx.error);
    check_session_rc(rc, "sqlite3changegroup_output_strm");
}

Changeset concat(std::span<const ByteView> changesets) {
    ChangeGroup g;
    for (ByteView c : changesets)
        g.add(c);
    return g.output();
}

std::string_view to_string(Op op) {
    switch (op) {
        case Op::insert:
            return "INSERT";
        case Op::update:
            return "UPDATE";
        case Op::erase:
            return "DELETE";
    }
    return "?";
}

std::string_view to_string(ConflictKind kind) {
    switch (kind) {
        case ConflictKind::data:
            return "DATA";
        case ConflictKind::not_found:
            return "NOTFOUND";
        case ConflictKind::conflict:
            return "CONFLICT";
        case ConflictKind::constraint:
            return "CONSTRAINT";
        case ConflictKind::foreign_key:
            return "FOREIGN_KEY";
    }
    return "?";
}

// ---- ChangesetIterator -------------------------------------------------------

ChangesetIterator::ChangesetIterator(ByteView changeset, bool invert) {
    validate_changeset(changeset);
    check_session_rc(
        sqlite3changeset_start_v2(&it_, checked_size(changeset.size()), mutable_data(changeset),
                                  invert ? SQLITE_CHANGESETSTART_INVERT : 0),
        "sqlite3changeset_start");
}

ChangesetIterator::ChangesetIterator(ByteSource& source, bool invert)
    : checked_(std::make_unique<ValidatingSource>(source)), source_(checked_.get()) {
    check_session_rc(sqlite3changeset_start_v2_strm(&it_, read_trampoline, this,
                                                    invert ? SQLITE_CHANGESETSTART_INVERT : 0),
                     "sqlite3changeset_start_strm");
}

int ChangesetIterator::read_trampoline(void* ctx, void* data, int* n) {
    auto* self = static_cast<ChangesetIterator*>(ctx);
    SourceContext c{self->source_, nullptr};
    const int rc = read_source(&c, data, n);
    if (c.error)
        self->source_error_ = c.error;
    return rc;
}

ChangesetIterator::~ChangesetIterator() {
    sqlite3changeset_finalize(it_);
}

bool ChangesetIterator::next() {
    if (done_)
        return false;
    const int rc = sqlite3changeset_next(it_);
    if (rc == SQLITE_ROW) {
        const OpInfo info = iter_op(it_);
        table_ = info.table;
        columns_ = info.columns;
        op_ = info.op;
        indirect_ = info.indirect;
        return true;
    }
    done_ = true;
    if (source_error_)
        std::rethrow_exception(source_error_);
    if (rc == SQLITE_DONE)
        return false;
    throw StoreError(sqlite_error_code(rc),
                     std::string("malformed changeset: ") + sqlite3_errstr(rc));
}

std::vector<bool> ChangesetIterator::primary_key_columns() const {
    return iter_pk_columns(it_);
}

std::vector<std::uint8_t> ChangesetIterator::primary_key_flags() const {
    unsigned char* flags = nullptr;
    int n = 0;
    check_session_rc(sqlite3changeset_pk(it_, &flags, &n), "sqlite3changeset_pk");
    return std::vector<std::uint8_t>(flags, flags + n);
}

std::optional<Value> ChangesetIterator::old_value(int col) const {
    if (op_ == Op::insert)
        return std::nullopt;
    return iter_value(it_, col, true);
}

std::optional<Value> ChangesetIterator::new_value(int col) const {
    if (op_ == Op::erase)
        return std::nullopt;
    return iter_value(it_, col, false);
}

Row ChangesetIterator::old_row() const {
    return iter_row(it_, columns_, true, op_);
}
Row ChangesetIterator::new_row() const {
    return iter_row(it_, columns_, false, op_);
}
std::vector<Value> ChangesetIterator::primary_key() const {
    return iter_primary_key(it_, columns_, op_);
}

// ---- apply -------------------------------------------------------------------

ApplyReport apply_changeset(Database& db, ByteView changeset, const ConflictHandler& handler,
                            const ApplyOptions& options) {
    validate_changeset(changeset);
    ApplyContext ctx{&handler, &options};
    const int rc = sqlite3changeset_apply_v2(
        db.handle(), checked_size(changeset.size()), mutable_data(changeset),
        options.table_filter ? filter_trampoline : nullptr, conflict_trampoline, &ctx, nullptr,
        nullptr, options.no_savepoint ? SQLITE_CHANGESETAPPLY_NOSAVEPOINT : 0);
    return finish_apply(db, rc, ctx, nullptr);
}

ApplyReport apply_changeset(Database& db, ByteSource& changeset, const ConflictHandler& handler,
                            const ApplyOptions& options) {
    ApplyContext ctx{&handler, &options};
    ValidatingSource checked(changeset);
    SourceContext src{&checked, nullptr};
    const int rc = sqlite3changeset_apply_v2_strm(
        db.handle(), read_source, &src, options.table_filter ? filter_trampoline : nullptr,
        conflict_trampoline, &ctx, nullptr, nullptr,
        options.no_savepoint ? SQLITE_CHANGESETAPPLY_NOSAVEPOINT : 0);
    return finish_apply(db, rc, ctx, src.error);
}

void set_stream_chunk_size(int bytes) {
    check_session_rc(sqlite3session_config(SQLITE_SESSION_CONFIG_STRMSIZE, &bytes),
                     "sqlite3session_config");
}

namespace {

std::string sql_name(std::string_view name) {
    std::string out = "\"";
    for (const char c : name)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// A table as apply_cleanly writes it: its columns' names and key flags.
struct TableShape {
    std::vector<std::string> names;
    std::vector<std::uint8_t> pk;
};

}  // namespace

bool apply_cleanly(Database& db, ByteView changeset) {
    // First, without writing: tables of the same shape as the changeset's:
    // as many columns, the same primary key (pragma_table_info's pk is
    // SQLite's own flag: the column's place in the key, or 0), which is
    // what sqlite3changeset_apply requires before it touches a table.
    std::map<std::string, TableShape, std::less<>> shapes;
    {
        ChangesetIterator it(changeset);
        while (it.next()) {
            auto known = shapes.find(it.table());
            if (known == shapes.end()) {
                TableShape shape;
                auto st = db.prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid");
                st.bind(1, std::string(it.table()));
                while (st.step()) {
                    shape.names.push_back(st.column<std::string>(0));
                    shape.pk.push_back(static_cast<std::uint8_t>(st.column<int>(1)));
                }
                known = shapes.emplace(std::string(it.table()), std::move(shape)).first;
            }
            if (known->second.pk != it.primary_key_flags())
                return false;
        }
    }
    // Then each change as the statement sqlite3changeset_apply would run
    // for it when nothing conflicts: an UPDATE or DELETE finds its row by
    // the key and every old value it carries ("IS", as SQLite's own), and
    // must touch exactly that row; else it is a conflict, for the full path.
    Transaction savepoint(db);
    try {
        for (ChangesetIterator it(changeset); it.next();) {
            const TableShape& shape = shapes.find(it.table())->second;
            std::string sql;
            std::vector<Value> binds;
            const int columns = it.column_count();
            if (it.op() == Op::insert) {
                sql = "INSERT INTO " + sql_name(it.table()) + " VALUES (";
                for (int i = 0; i < columns; ++i) {
                    auto v = it.new_value(i);
                    if (!v)
                        return false;  // an INSERT carries every column
                    sql += (i ? ", ?" : "?") + std::to_string(i + 1);
                    binds.push_back(std::move(*v));
                }
                sql += ")";
            } else {
                std::string where;
                if (it.op() == Op::update) {
                    std::string set;
                    for (int i = 0; i < columns; ++i) {
                        if (shape.pk[static_cast<std::size_t>(i)])
                            continue;  // a key never changes in an UPDATE
                        if (auto v = it.new_value(i)) {
                            binds.push_back(std::move(*v));
                            set += (set.empty() ? "" : ", ") +
                                   sql_name(shape.names[static_cast<std::size_t>(i)]) + " = ?" +
                                   std::to_string(binds.size());
                        }
                    }
                    if (set.empty())
                        return false;
                    sql = "UPDATE " + sql_name(it.table()) + " SET " + set;
                } else {
                    sql = "DELETE FROM " + sql_name(it.table());
                }
                for (int i = 0; i < columns; ++i) {
                    auto old = it.old_value(i);
                    if (!old) {
                        if (shape.pk[static_cast<std::size_t>(i)])
                            return false;
                        continue;
                    }
                    binds.push_back(std::move(*old));
                    where += (where.empty() ? " WHERE " : " AND ") +
                             sql_name(shape.names[static_cast<std::size_t>(i)]) + " IS ?" +
                             std::to_string(binds.size());
                }
                sql += where;
            }
            auto st = db.prepare(sql);
            for (std::size_t i = 0; i < binds.size(); ++i)
                st.bind(static_cast<int>(i + 1), binds[i]);
            st.run();
            if (db.changes() != 1)
                return false;  // not found, or not as the device saw it: a conflict
        }
    } catch (const StoreError&) {
        return false;  // the savepoint rolls back: nothing of it stays
    }
    savepoint.commit();
    return true;
}

}  // namespace gridsync::store
