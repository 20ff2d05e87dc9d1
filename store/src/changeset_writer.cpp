#include "gridsync/store/changeset_writer.hpp"

#include <cstring>
#include <set>

#include "gridsync/store/errors.hpp"

namespace gridsync::store {

void ChangesetWriter::varint(std::uint64_t v) {
    // SQLite's varint: big-endian groups of 7 bits, high bit set on all but
    // the last; a 9th byte, if needed, carries 8 bits.
    std::uint8_t buf[10];
    if (v & (0xffULL << 56)) {
        buf[8] = static_cast<std::uint8_t>(v);
        v >>= 8;
        for (int i = 7; i >= 0; --i) {
            buf[i] = static_cast<std::uint8_t>((v & 0x7f) | 0x80);
            v >>= 7;
        }
        bytes_.insert(bytes_.end(), buf, buf + 9);
        return;
    }
    int n = 0;
    do {
        buf[n++] = static_cast<std::uint8_t>((v & 0x7f) | 0x80);
        v >>= 7;
    } while (v != 0);
    buf[0] &= 0x7f;
    for (int i = n - 1; i >= 0; --i)
        bytes_.push_back(buf[i]);
}

void ChangesetWriter::begin_table(std::string_view name,
                                  const std::vector<std::uint8_t>& pk_flags) {
    bytes_.push_back('T');
    varint(pk_flags.size());
    bytes_.insert(bytes_.end(), pk_flags.begin(), pk_flags.end());
    bytes_.insert(bytes_.end(), name.begin(), name.end());
    bytes_.push_back(0);
    columns_ = pk_flags.size();
}

void ChangesetWriter::value(const std::optional<Value>& v) {
    if (!v) {
        bytes_.push_back(0);
        return;
    }
    auto be64 = [&](std::uint64_t x) {
        for (int i = 7; i >= 0; --i)
            bytes_.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
    };
    if (std::holds_alternative<std::int64_t>(*v)) {
        bytes_.push_back(1);
        be64(static_cast<std::uint64_t>(std::get<std::int64_t>(*v)));
    } else if (std::holds_alternative<double>(*v)) {
        bytes_.push_back(2);
        std::uint64_t bits = 0;
        const double d = std::get<double>(*v);
        std::memcpy(&bits, &d, sizeof bits);
        be64(bits);
    } else if (const auto* s = std::get_if<std::string>(&*v)) {
        bytes_.push_back(3);
        varint(s->size());
        bytes_.insert(bytes_.end(), s->begin(), s->end());
    } else if (const auto* b = std::get_if<Bytes>(&*v)) {
        bytes_.push_back(4);
        varint(b->size());
        bytes_.insert(bytes_.end(), b->begin(), b->end());
    } else {
        bytes_.push_back(5);
    }
}

void ChangesetWriter::change(Op op, bool indirect, const Row& old_row, const Row& new_row) {
    if (columns_ == 0)
        throw StoreError(Errc::malformed_changeset, "a change before its table header");
    bytes_.push_back(static_cast<std::uint8_t>(op));
    bytes_.push_back(indirect ? 1 : 0);
    auto record = [&](const Row& row) {
        if (row.size() != columns_)
            throw StoreError(Errc::malformed_changeset, "row width differs from the table's");
        for (const auto& v : row)
            value(v);
    };
    if (op != Op::insert)
        record(old_row);
    if (op != Op::erase)
        record(new_row);
}

Changeset ChangesetWriter::finish() {
    Changeset out = Changeset::copy_of(bytes_);
    bytes_.clear();
    columns_ = 0;
    return out;
}

Changeset filter_changeset(ByteView changeset,
                           const std::function<bool(const ChangesetIterator&)>& keep) {
    ChangesetWriter w;
    ChangesetIterator it(changeset);
    std::string current_table;
    while (it.next()) {
        if (!keep(it))
            continue;
        if (it.table() != current_table) {
            current_table = std::string(it.table());
            w.begin_table(current_table, it.primary_key_flags());
        }
        w.change(it.op(), it.indirect(), it.old_row(), it.new_row());
    }
    return w.finish();
}

bool as_a_session_writes_it(ByteView changeset) {
    std::set<std::string> rows;
    for (ChangesetIterator it(changeset); it.next();) {
        if (it.indirect())
            return false;
        const auto pk = it.primary_key_flags();
        std::string row(it.table());
        bool changes = false;
        for (int i = 0; i < it.column_count(); ++i) {
            const bool key = pk[static_cast<std::size_t>(i)] != 0;
            const auto old_value = it.old_value(i);
            const auto new_value = it.new_value(i);
            switch (it.op()) {
                case Op::insert:
                    if (old_value || !new_value)
                        return false;
                    break;
                case Op::erase:
                    if (!old_value || new_value)
                        return false;
                    break;
                case Op::update:
                    if (key ? !old_value || new_value
                            : old_value.has_value() != new_value.has_value() ||
                                  (new_value && *new_value == *old_value))
                        return false;
                    changes = changes || (!key && new_value);
                    break;
            }
            if (key) {
                const auto& v = it.op() == Op::insert ? *new_value : *old_value;
                row += '\0' + std::to_string(v.index()) + ':' + to_display(v);
            }
        }
        if ((it.op() == Op::update && !changes) || !rows.insert(std::move(row)).second)
            return false;
    }
    return true;
}

}  // namespace gridsync::store
