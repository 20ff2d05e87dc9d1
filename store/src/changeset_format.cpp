#include "gridsync/store/changeset_format.hpp"

#include <algorithm>
#include <string>

#include "gridsync/store/errors.hpp"

namespace gridsync::store {

namespace {
constexpr std::uint8_t kTableHeader = 'T';
constexpr std::uint8_t kPatchsetHeader = 'P';
constexpr std::uint8_t kInsert = 18;  // SQLITE_INSERT
constexpr std::uint8_t kUpdate = 23;  // SQLITE_UPDATE
constexpr std::uint8_t kDelete = 9;   // SQLITE_DELETE
}  // namespace

void ChangesetValidator::reject(const char* why) const {
    throw StoreError(Errc::malformed_changeset, std::string("malformed changeset at byte ") +
                                                    std::to_string(offset_) + ": " + why);
}

// After a value: the next value, or the end of this change.
void ChangesetValidator::begin_value_or_end_change() {
    if (remaining_ > 0) {
        state_ = State::value_type;
    } else {
        ++changes_;
        state_ = State::table_or_op;
    }
}

void ChangesetValidator::feed(ByteView chunk) {
    std::size_t i = 0;
    while (i < chunk.size()) {
        if (state_ == State::skip) {
            const std::uint64_t n = std::min<std::uint64_t>(skip_, chunk.size() - i);
            skip_ -= n;
            i += static_cast<std::size_t>(n);
            offset_ += n;
            if (skip_ == 0)
                begin_value_or_end_change();
            continue;
        }
        const std::uint8_t b = chunk[i];
        switch (state_) {
            case State::table_or_op:
                if (b == kTableHeader) {
                    state_ = State::ncol;
                    varint_ = 0;
                    varint_bytes_ = 0;
                } else if (b == kPatchsetHeader) {
                    reject("a patchset, not a changeset");
                } else if (b == kInsert || b == kUpdate || b == kDelete) {
                    if (!have_table_)
                        reject("a change before any table header");
                    op_ = b;
                    state_ = State::indirect;
                } else {
                    reject("expected a table header or an operation");
                }
                break;
            case State::ncol:
            case State::value_len: {
                // SQLite varint: 7 bits a byte, high bit continues; the 9th byte carries 8.
                if (varint_bytes_ == 8) {
                    varint_ = (varint_ << 8) | b;
                    ++varint_bytes_;
                } else {
                    varint_ = (varint_ << 7) | (b & 0x7f);
                    ++varint_bytes_;
                    if (b & 0x80)
                        break;
                }
                if (state_ == State::ncol) {
                    if (varint_ == 0 || varint_ > limits_.max_columns)
                        reject("column count out of range");
                    ncol_ = static_cast<std::uint32_t>(varint_);
                    remaining_ = ncol_;
                    state_ = State::pk_flags;
                } else {
                    if (varint_ > limits_.max_value_bytes)
                        reject("value longer than the limit");
                    skip_ = varint_;
                    state_ = State::skip;
                    if (skip_ == 0)
                        begin_value_or_end_change();
                }
                break;
            }
            case State::pk_flags:
                if (--remaining_ == 0) {
                    state_ = State::table_name;
                    name_len_ = 0;
                }
                break;
            case State::table_name:
                if (b == 0) {
                    if (name_len_ == 0)
                        reject("empty table name");
                    have_table_ = true;
                    ++tables_;
                    state_ = State::table_or_op;
                } else if (++name_len_ > limits_.max_table_name) {
                    reject("table name too long or not terminated");
                }
                break;
            case State::indirect:
                if (b > 1)
                    reject("indirect flag is neither 0 nor 1");
                remaining_ = op_ == kUpdate ? 2 * ncol_ : ncol_;
                state_ = State::value_type;
                break;
            case State::value_type:
                --remaining_;
                switch (b) {
                    case 0:
                        if (op_ != kUpdate)
                            reject("absent value outside an UPDATE");
                        begin_value_or_end_change();
                        break;
                    case 1:
                    case 2:
                        skip_ = 8;
                        state_ = State::skip;
                        break;
                    case 3:
                    case 4:
                        varint_ = 0;
                        varint_bytes_ = 0;
                        state_ = State::value_len;
                        break;
                    case 5:
                        begin_value_or_end_change();
                        break;
                    default:
                        reject("unknown value type");
                }
                break;
            case State::skip:
                break;  // handled above
        }
        ++i;
        ++offset_;
    }
}

void ChangesetValidator::finish() {
    if (state_ != State::table_or_op)
        reject("input ends inside a table header or a change");
}

void validate_changeset(ByteView changeset, ChangesetLimits limits) {
    ChangesetValidator v(limits);
    v.feed(changeset);
    v.finish();
}

std::size_t ValidatingSource::read(std::span<std::uint8_t> out) {
    const std::size_t n = inner_.read(out);
    if (n > 0) {
        validator_.feed(ByteView(out.data(), n));
    } else if (!finished_) {
        finished_ = true;
        validator_.finish();
    }
    return n;
}

}  // namespace gridsync::store
