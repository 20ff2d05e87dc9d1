#include "gridsync/store/value.hpp"

#include <sqlite3.h>

#include <cstring>

namespace gridsync::store {

Value value_from_sqlite(sqlite3_value* v) {
    switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER:
            return static_cast<std::int64_t>(sqlite3_value_int64(v));
        case SQLITE_FLOAT:
            return sqlite3_value_double(v);
        case SQLITE_TEXT: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
            return std::string(p, static_cast<std::size_t>(sqlite3_value_bytes(v)));
        }
        case SQLITE_BLOB: {
            const auto* p = static_cast<const std::uint8_t*>(sqlite3_value_blob(v));
            const auto n = static_cast<std::size_t>(sqlite3_value_bytes(v));
            return Bytes(p, p + n);
        }
        default:
            return Null{};
    }
}

std::string to_display(const Value& v) {
    struct Visitor {
        std::string operator()(Null) const { return "NULL"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const { return std::to_string(d); }
        std::string operator()(const std::string& s) const { return "'" + s + "'"; }
        std::string operator()(const Bytes& b) const { return "x'" + to_hex(b) + "'"; }
    };
    return std::visit(Visitor{}, v);
}

std::string to_display(const Row& row) {
    std::string out = "(";
    for (std::size_t i = 0; i < row.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += row[i] ? to_display(*row[i]) : "-";
    }
    return out + ")";
}

}  // namespace gridsync::store
