#pragma once
// A sheet as an office hands it over: a CSV file (UTF-8 with or without a
// byte order mark, or GB18030) or the first worksheet of an .xlsx workbook,
// read into records that keep the line (CSV) or row (xlsx) a person sees, so
// every problem can be named where they will look for it.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/error.hpp"
#include "gridsync/office/encoding.hpp"

namespace gridsync::office {

struct Record {
    int line = 0;  // 1-based: the CSV line the record starts on, or the worksheet row
    std::vector<std::string> fields;  // as written, UTF-8; trailing empty cells dropped
};

struct Sheet {
    std::vector<Record> records;  // the header is records[0]; blank lines are left out
    std::string format;           // "csv utf-8", "csv utf-8 bom", "csv gb18030", "xlsx"
};

struct SheetLimits {
    std::size_t max_bytes = 64u << 20;  // the file, and any part of a workbook unpacked
    std::size_t max_records = 200000;
    std::size_t max_fields = 200;
};

// RFC 4180 records of UTF-8 text: quoted fields may hold commas, doubled
// quotes and line breaks; CRLF or LF; a file whose first line has tabs and
// no commas is read as tab-separated (Excel's "text" export). Failures
// bad_csv (a quote never closed, naming its line), too_large.
Result<Sheet> parse_csv(std::string_view utf8, const SheetLimits& limits = {});

// The first worksheet of an .xlsx workbook: shared and inline strings,
// numbers as Excel shows them (15 significant digits, so 680.2 stays 680.2).
// Failures bad_xlsx, too_large.
Result<Sheet> read_xlsx(ByteView workbook, const SheetLimits& limits = {});

// Either of the above, by the file's first bytes: a zip is a workbook,
// anything else CSV text in `encoding`.
Result<Sheet> read_sheet(ByteView file, Encoding encoding, const SheetLimits& limits = {});

// Leading and trailing spaces, tabs and ideographic spaces (U+3000) removed:
// what a cell "says".
std::string trimmed(std::string_view cell);

}  // namespace gridsync::office
