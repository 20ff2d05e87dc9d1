#include "gridsync/sync/scope.hpp"

#include <bit>
#include <cstring>

#include "gridsync/crypto/hash.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/store/changeset_writer.hpp"

namespace gridsync::sync {

namespace {

// Every replicated table is keyed by `id`, its first column (schema.cpp);
// the flags are read from SQLite anyway so a schema change cannot slip by.
std::vector<std::uint8_t> primary_key_flags(store::Database& db, const std::string& table) {
    std::vector<std::uint8_t> flags;
    auto st = db.prepare("SELECT pk FROM pragma_table_info(?1) ORDER BY cid");
    st.bind(1, table);
    while (st.step())
        flags.push_back(static_cast<std::uint8_t>(st.column<std::int64_t>(0)));
    return flags;
}

class DigestWriter {
  public:
    void u8(std::uint8_t v) { h_.update(ByteView(&v, 1)); }
    void u64(std::uint64_t v) {
        std::uint8_t b[8];
        for (int i = 0; i < 8; ++i)
            b[i] = static_cast<std::uint8_t>(v >> (8 * i));
        h_.update(ByteView(b, 8));
    }
    void bytes(ByteView v) {
        u64(v.size());
        h_.update(v);
    }
    void value(const store::Value& v) {
        if (std::holds_alternative<store::Null>(v)) {
            u8(0);
        } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
            u8(1);
            u64(static_cast<std::uint64_t>(*i));
        } else if (const auto* d = std::get_if<double>(&v)) {
            u8(2);
            u64(std::bit_cast<std::uint64_t>(*d));
        } else if (const auto* s = std::get_if<std::string>(&v)) {
            u8(3);
            bytes(as_bytes(*s));
        } else {
            u8(4);
            bytes(std::get<Bytes>(v));
        }
    }
    Hash32 finish() {
        const Bytes out = h_.finish();
        Hash32 h{};
        std::memcpy(h.data(), out.data(), h.size());
        return h;
    }

  private:
    crypto::Blake2b h_{32};
};

// The rows of `table` the SQL condition keeps, from `after_id` on, in
// primary-key order. Table names come from the schema, never from input.
store::Statement select_rows(store::Database& db, const std::string& table, const ScopeQuery* scope,
                             const std::string& after_id) {
    std::string where = scope ? scope->where(table) : "";
    std::string sql = "SELECT * FROM " + table + " WHERE id > ?" +
                      std::to_string((scope ? scope->params.size() : 0) + 1);
    if (!where.empty())
        sql += " AND (" + where + ")";
    auto st = db.prepare(sql + " ORDER BY id");
    int i = 0;
    if (scope) {
        for (const auto& p : scope->params)
            st.bind(++i, p);
    }
    st.bind(i + 1, after_id);
    return st;
}

Hash32 digest(store::Database& db, const ScopeQuery* scope, const RowFilter* in_scope) {
    DigestWriter d;
    for (const auto& table : domain::replicated_tables()) {
        d.bytes(as_bytes(table));
        std::uint64_t rows = 0;
        auto st = select_rows(db, table, scope, "");
        while (st.step()) {
            if (in_scope && !(*in_scope)(table, st.column<std::string>(0)))
                continue;
            ++rows;
            for (int c = 0; c < st.column_count(); ++c)
                d.value(st.value(c));
        }
        d.u64(rows);
    }
    return d.finish();
}

SnapshotPage snapshot(store::Database& db, const ScopeQuery* scope, const RowFilter* in_scope,
                      const SnapshotPosition& from, std::size_t max_rows);

}  // namespace

Hash32 scope_digest(store::Database& db, const RowFilter& in_scope) {
    return digest(db, nullptr, &in_scope);
}

Hash32 scope_digest(store::Database& db, const ScopeQuery& scope) {
    return digest(db, &scope, nullptr);
}

SnapshotPage snapshot_page(store::Database& db, const RowFilter& in_scope,
                           const SnapshotPosition& from, std::size_t max_rows) {
    return snapshot(db, nullptr, &in_scope, from, max_rows);
}

SnapshotPage snapshot_page(store::Database& db, const ScopeQuery& scope,
                           const SnapshotPosition& from, std::size_t max_rows) {
    return snapshot(db, &scope, nullptr, from, max_rows);
}

namespace {

SnapshotPage snapshot(store::Database& db, const ScopeQuery* scope, const RowFilter* in_scope,
                      const SnapshotPosition& from, std::size_t max_rows) {
    SnapshotPage page;
    page.next = from;
    const auto& tables = domain::replicated_tables();
    for (std::uint32_t t = from.table; t < tables.size(); ++t) {
        const std::string& table = tables[t];
        store::ChangesetWriter writer;
        bool begun = false;
        auto st = select_rows(db, table, scope, t == from.table ? from.after_id : std::string());
        bool full = false;
        while (st.step()) {
            std::string id = st.column<std::string>(0);
            if (in_scope && !(*in_scope)(table, id))
                continue;
            if (!begun) {
                writer.begin_table(table, primary_key_flags(db, table));
                begun = true;
            }
            store::Row row;
            for (int c = 0; c < st.column_count(); ++c)
                row.emplace_back(st.value(c));
            writer.change(store::Op::insert, false, {}, row);
            page.next = {t, std::move(id)};
            if (++page.rows == max_rows) {
                full = true;
                break;
            }
        }
        st.reset();
        if (begun) {
            const store::Changeset cs = writer.finish();
            page.changesets.emplace_back(cs.bytes().begin(), cs.bytes().end());
        }
        if (full)
            return page;
        page.next = {t + 1, ""};
    }
    page.done = true;
    return page;
}

}  // namespace

}  // namespace gridsync::sync
