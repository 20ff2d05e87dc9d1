#include <algorithm>

#include "gridsync/office/errors.hpp"
#include "gridsync/office/sheet.hpp"

namespace gridsync::office {

namespace {

void drop_trailing_empty(std::vector<std::string>& fields) {
    while (!fields.empty() && trimmed(fields.back()).empty())
        fields.pop_back();
}

}  // namespace

std::string trimmed(std::string_view cell) {
    static constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
    for (bool changed = true; changed;) {
        changed = false;
        while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t' ||
                                 cell.front() == '\r' || cell.front() == '\n')) {
            cell.remove_prefix(1);
            changed = true;
        }
        while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t' || cell.back() == '\r' ||
                                 cell.back() == '\n')) {
            cell.remove_suffix(1);
            changed = true;
        }
        if (cell.substr(0, 3) == kIdeographicSpace) {
            cell.remove_prefix(3);
            changed = true;
        }
        if (cell.size() >= 3 && cell.substr(cell.size() - 3) == kIdeographicSpace) {
            cell.remove_suffix(3);
            changed = true;
        }
    }
    return std::string(cell);
}

Result<Sheet> parse_csv(std::string_view text, const SheetLimits& limits) {
    if (text.size() > limits.max_bytes)
        return fail(Errc::too_large, "文件太大 / the file is too large");
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    const std::string_view first_line = text.substr(0, text.find('\n'));
    const char separator = (first_line.find(',') == std::string_view::npos &&
                            first_line.find('\t') != std::string_view::npos)
                               ? '\t'
                               : ',';
    Sheet sheet;
    sheet.format = "csv";
    int line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
        Record rec;
        rec.line = line;
        rec.fields.emplace_back();
        bool quoted = false;
        int quote_line = 0;
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (quoted) {
                if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                    rec.fields.back() += '"';
                    ++i;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    if (c == '\n')
                        ++line;
                    rec.fields.back() += c;
                }
            } else if (c == '"' && trimmed(rec.fields.back()).empty()) {
                rec.fields.back().clear();
                quoted = true;
                quote_line = line;
            } else if (c == separator) {
                if (rec.fields.size() >= limits.max_fields)
                    return fail(Errc::too_large, "第 " + std::to_string(line) +
                                                     " 行列数太多 / line " + std::to_string(line) +
                                                     ": too many columns");
                rec.fields.emplace_back();
            } else if (c == '\n') {
                ++i;
                break;
            } else if (c != '\r') {
                rec.fields.back() += c;
            }
        }
        if (quoted) {
            return fail(Errc::bad_csv,
                        "第 " + std::to_string(quote_line) + " 行的引号没有结束 / line " +
                            std::to_string(quote_line) + ": a quote is never closed");
        }
        ++line;
        drop_trailing_empty(rec.fields);
        if (rec.fields.empty())
            continue;  // a blank line, or one of only commas
        if (sheet.records.size() >= limits.max_records)
            return fail(Errc::too_large, "行数太多 / too many lines");
        sheet.records.push_back(std::move(rec));
    }
    return sheet;
}

Result<Sheet> read_sheet(ByteView file, Encoding encoding, const SheetLimits& limits) {
    if (file.size() > limits.max_bytes)
        return fail(Errc::too_large, "文件太大 / the file is too large");
    if (file.size() >= 4 && file[0] == 'P' && file[1] == 'K' && file[2] == 3 && file[3] == 4)
        return read_xlsx(file, limits);
    auto text = decode_text(file, encoding);
    if (!text)
        return text.failure();
    auto sheet = parse_csv(text->utf8, limits);
    if (!sheet)
        return sheet.failure();
    sheet->format = std::string("csv ") + to_string(text->encoding) + (text->had_bom ? " bom" : "");
    return sheet;
}

}  // namespace gridsync::office
