// Workbooks through libxlsxwriter (Debian's libxlsxwriter-dev).
#include <xlsxwriter.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>

#include "gridsync/office/errors.hpp"
#include "gridsync/office/table.hpp"
#include "gridsync/text.hpp"

namespace gridsync::office {

namespace {

struct WorkbookCloser {
    void operator()(lxw_workbook* wb) const {
        if (wb)
            workbook_close(wb);
    }
};

// How wide a column looks: a Chinese character is two Latin ones wide.
double display_width(std::string_view s) {
    double w = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        w += n >= 3 ? 2.0 : 1.0;
        i += n;
    }
    return w;
}

// Excel refuses sheet names over 31 characters or with []:*?/\ in them.
std::string sheet_name(const Table& t, std::size_t index, std::set<std::string>& used) {
    std::string base = t.sheet_name.empty() ? t.title : t.sheet_name;
    std::string clean;
    for (const char c : base) {
        if (std::string_view("[]:*?/\\").find(c) == std::string_view::npos)
            clean += c;
    }
    // Cut on a character boundary at 31 characters.
    std::string cut;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < clean.size() && chars < 28;) {
        const auto c = static_cast<unsigned char>(clean[i]);
        const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        cut += clean.substr(i, n);
        i += n;
        ++chars;
    }
    if (cut.empty())
        cut = "Sheet";
    std::string name = cut;
    for (int k = 2; !used.insert(name).second; ++k)
        name = cut + "(" + std::to_string(k) + ")";
    (void)index;
    return name;
}

}  // namespace

Status write_xlsx(const std::filesystem::path& path, const std::vector<Table>& tables) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    std::unique_ptr<lxw_workbook, WorkbookCloser> wb(
        workbook_new_opt(path.string().c_str(), &options));
    if (!wb)
        return fail(Errc::write_failed, "无法建立工作簿 / could not create " + path.string());
    lxw_format* title = workbook_add_format(wb.get());
    format_set_bold(title);
    format_set_font_size(title, 14);
    lxw_format* heading = workbook_add_format(wb.get());
    format_set_bold(heading);
    format_set_bg_color(heading, 0xE8EEF7);
    format_set_border(heading, LXW_BORDER_THIN);
    format_set_text_wrap(heading);
    lxw_format* text = workbook_add_format(wb.get());
    format_set_num_format(text, "@");  // typed digits stay text: ID numbers, codes, phones
    lxw_format* yuan = workbook_add_format(wb.get());
    format_set_num_format(yuan, "#,##0.00");
    lxw_format* percent = workbook_add_format(wb.get());
    format_set_num_format(percent, "0.00%");
    lxw_format* total = workbook_add_format(wb.get());
    format_set_bold(total);
    format_set_top(total, LXW_BORDER_THIN);
    lxw_format* total_yuan = workbook_add_format(wb.get());
    format_set_bold(total_yuan);
    format_set_top(total_yuan, LXW_BORDER_THIN);
    format_set_num_format(total_yuan, "#,##0.00");
    std::set<std::string> used;
    for (std::size_t t = 0; t < tables.size(); ++t) {
        const Table& tb = tables[t];
        const std::string name = sheet_name(tb, t, used);
        lxw_worksheet* ws = workbook_add_worksheet(wb.get(), name.c_str());
        if (!ws)
            return fail(Errc::write_failed, "无法添加工作表 / could not add sheet " + name);
        lxw_row_t row = 0;
        if (!tb.title.empty()) {
            worksheet_write_string(ws, row++, 0, tb.title.c_str(), title);
            for (const auto& n : tb.notes)
                worksheet_write_string(ws, row++, 0, n.c_str(), nullptr);
            ++row;
        }
        const lxw_row_t header_row = row;
        std::vector<double> widths;
        for (std::size_t c = 0; c < tb.columns.size(); ++c) {
            const auto& col = tb.columns[c];
            worksheet_write_string(ws, row, static_cast<lxw_col_t>(c), col.heading.c_str(),
                                   heading);
            if (!col.note.empty()) {
                worksheet_write_comment(ws, row, static_cast<lxw_col_t>(c), col.note.c_str());
            }
            widths.push_back(display_width(col.heading));
        }
        ++row;
        worksheet_freeze_panes(ws, row, 0);
        auto write_row = [&](const std::vector<Cell>& cells, bool is_total) {
            for (std::size_t c = 0; c < cells.size(); ++c) {
                const CellKind kind = c < tb.columns.size() ? tb.columns[c].kind : CellKind::text;
                const auto col = static_cast<lxw_col_t>(c);
                if (const auto* s = std::get_if<std::string>(&cells[c])) {
                    worksheet_write_string(ws, row, col, s->c_str(), is_total ? total : text);
                    if (c < widths.size())
                        widths[c] = std::max(widths[c], display_width(*s));
                } else if (const auto* n = std::get_if<std::int64_t>(&cells[c])) {
                    double v = static_cast<double>(*n);
                    lxw_format* f = nullptr;
                    if (kind == CellKind::yuan) {
                        v /= 100.0;
                        f = is_total ? total_yuan : yuan;
                    } else if (kind == CellKind::percent) {
                        v /= 10000.0;
                        f = percent;
                    } else if (is_total) {
                        f = total;
                    }
                    worksheet_write_number(ws, row, col, v, f);
                    if (c < widths.size())
                        widths[c] = std::max(widths[c], display_width(cell_text(cells[c], kind)));
                }
            }
            ++row;
        };
        for (const auto& r : tb.rows)
            write_row(r, false);
        if (!tb.totals.empty())
            write_row(tb.totals, true);
        if (!tb.footer.empty()) {
            ++row;
            for (const auto& f : tb.footer)
                worksheet_write_string(ws, row++, 0, f.c_str(), nullptr);
        }
        for (std::size_t c = 0; c < widths.size(); ++c) {
            // Text columns stay text for what someone types into them later.
            worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                 std::clamp(widths[c] + 2, 8.0, 48.0),
                                 tb.columns[c].kind == CellKind::text ? text : nullptr);
        }
        (void)header_row;
    }
    lxw_workbook* raw = wb.release();
    if (const lxw_error err = workbook_close(raw); err != LXW_NO_ERROR) {
        return fail(Errc::write_failed, std::string("无法写出工作簿 / could not write ") +
                                            path.string() + ": " + lxw_strerror(err));
    }
    return {};
}

Result<Bytes> xlsx_bytes(const std::vector<Table>& tables,
                         const std::filesystem::path& scratch_dir) {
    static std::atomic<unsigned> counter{0};
    const auto path = scratch_dir / (".workbook-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(counter++) + ".xlsx");
    if (auto st = write_xlsx(path, tables); !st) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        return st.failure();
    }
    std::ifstream in(path, std::ios::binary);
    Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return out;
}

}  // namespace gridsync::office
