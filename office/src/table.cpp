#include "gridsync/office/table.hpp"

#include "gridsync/text.hpp"

namespace gridsync::office {

std::string cell_text(const Cell& cell, CellKind kind) {
    if (const auto* s = std::get_if<std::string>(&cell))
        return *s;
    const auto* n = std::get_if<std::int64_t>(&cell);
    if (!n)
        return "";
    switch (kind) {
        case CellKind::yuan:
            return fen_as_yuan(*n);
        case CellKind::percent: {
            const std::string s = fen_as_yuan(*n);  // basis points: the same two-decimal shape
            return s + "%";
        }
        case CellKind::text:
        case CellKind::integer:
            break;
    }
    return std::to_string(*n);
}

std::string to_csv(const Table& table) {
    std::string out = "\xEF\xBB\xBF";
    std::vector<std::string> fields;
    for (const auto& c : table.columns)
        fields.push_back(c.heading);
    out += csv_record(fields);
    auto row = [&](const std::vector<Cell>& cells) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const CellKind kind = i < table.columns.size() ? table.columns[i].kind : CellKind::text;
            line += i ? "," : "";
            // Numbers are written as numbers: only text could be a formula.
            line += std::holds_alternative<std::int64_t>(cells[i])
                        ? cell_text(cells[i], kind)
                        : csv_field(cell_text(cells[i], kind));
        }
        out += line + "\r\n";
    };
    for (const auto& r : table.rows)
        row(r);
    if (!table.totals.empty())
        row(table.totals);
    return out;
}

}  // namespace gridsync::office
