#pragma once
// What a report or a template is before it becomes a file: a titled table
// with typed columns. The same Table is written as CSV (UTF-8 with a byte
// order mark, so Excel shows the Chinese), as an .xlsx workbook (numbers as
// numbers, yuan with two decimals, text as text), as JSON by the callers,
// and as the console's printable page.
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/error.hpp"

namespace gridsync::office {

enum class CellKind {
    text,
    integer,
    yuan,     // the cell holds fen; shown as 元 with two decimals
    percent,  // the cell holds basis points (1/10000); shown as 12.34%
};

struct Column {
    std::string heading;
    CellKind kind = CellKind::text;
    std::string note;  // templates: what goes in the column, shown under the heading
};

// Empty, text, or an integer (fen for yuan columns, basis points for percents).
using Cell = std::variant<std::monostate, std::string, std::int64_t>;

struct Table {
    std::string sheet_name;          // a workbook sheet's name (≤ 31 characters)
    std::string title;               // the first line of the sheet and the page
    std::vector<std::string> notes;  // scope, period, when made: under the title
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
    std::vector<Cell> totals;         // a last "合计" row, when not empty
    std::vector<std::string> footer;  // e.g. signature lines on the printed page
};

// A cell as text: yuan "1234.50", percent "12.34%", integers in full.
std::string cell_text(const Cell& cell, CellKind kind);

// UTF-8 with a byte order mark, CRLF, the header first (so the file can be
// filled in and imported again), then the rows and totals. Fields that would
// start a formula in Excel are made text (csv_field).
std::string to_csv(const Table& table);

// One sheet per table, the title and notes above a frozen header; text
// columns are formatted as text so ID numbers and codes keep their digits
// when someone types into a template. Failure write_failed.
Status write_xlsx(const std::filesystem::path& path, const std::vector<Table>& tables);

// The same workbook as bytes (written through a temporary file beside
// `scratch_dir`, since libxlsxwriter writes only to files).
Result<Bytes> xlsx_bytes(const std::vector<Table>& tables,
                         const std::filesystem::path& scratch_dir);

}  // namespace gridsync::office
