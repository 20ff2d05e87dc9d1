#pragma once
// Text as offices hand it over and take it back: UTF-8 checks, lengths people
// count (characters, not bytes), and CSV records in and out (RFC 4180).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gridsync {

// Well-formed UTF-8: no stray continuation bytes, no truncated sequences, no
// overlong forms, nothing above U+10FFFF, no UTF-16 surrogates.
bool valid_utf8(std::string_view s);

// `s` with every byte that does not start a well-formed sequence replaced
// by U+FFFD: for echoing what a client sent (a request target, a name) into
// a JSON answer or a log line, which must stay valid UTF-8.
std::string replace_invalid_utf8(std::string_view s);

// Code points of valid UTF-8 (a Chinese character counts one).
std::size_t utf8_length(std::string_view s);

// RFC 4180 fields of one CSV record (quotes, doubled quotes, commas inside
// quotes); a UTF-8 byte order mark before the first field is dropped.
std::vector<std::string> split_csv_record(std::string_view line);

// One field for a CSV file a person opens in Excel: a value that would start
// a formula (=, +, -, @, tab, carriage return) is prefixed with an apostrophe
// so Excel shows it as text instead of running it; a value with a comma,
// quote, line break or outer space is quoted, quotes doubled.
std::string csv_field(std::string_view value);

// An amount of fen as 元 with two decimals: "560.00" for 56000, "-0.05"
// for -5 (domain::format_yuan, and every report's money column).
std::string fen_as_yuan(std::int64_t fen);

// A record of csv_field()s joined by commas, ending in CRLF (what Excel writes).
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace gridsync
