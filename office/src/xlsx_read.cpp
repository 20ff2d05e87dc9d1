// Reading the first worksheet of an .xlsx file (ECMA-376, SpreadsheetML):
// the zip is opened in memory with minizip, its XML parts with expat.
// Only what a filled-in template holds is read: shared strings, inline
// strings, numbers and booleans. Formulas are read as their cached value.
#include <expat.h>
#include <minizip/unzip.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

#include "gridsync/office/errors.hpp"
#include "gridsync/office/sheet.hpp"

namespace gridsync::office {

namespace {

Failure bad(const std::string& why) {
    return fail(Errc::bad_xlsx, "不是可读取的 Excel 工作簿(" + why +
                                    ")/ not a readable Excel workbook (" + why + ")");
}

// minizip over a byte span: the workbook never touches the disk.
struct MemoryFile {
    ByteView bytes;
    ZPOS64_T at = 0;
};

voidpf ZCALLBACK mem_open(voidpf opaque, const void*, int) {
    return opaque;
}
uLong ZCALLBACK mem_read(voidpf, voidpf stream, void* buf, uLong size) {
    auto* f = static_cast<MemoryFile*>(stream);
    const ZPOS64_T left = f->bytes.size() - std::min<ZPOS64_T>(f->at, f->bytes.size());
    const uLong n = static_cast<uLong>(std::min<ZPOS64_T>(size, left));
    std::memcpy(buf, f->bytes.data() + f->at, n);
    f->at += n;
    return n;
}
uLong ZCALLBACK mem_write(voidpf, voidpf, const void*, uLong) {
    return 0;
}
ZPOS64_T ZCALLBACK mem_tell(voidpf, voidpf stream) {
    return static_cast<MemoryFile*>(stream)->at;
}
long ZCALLBACK mem_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
    auto* f = static_cast<MemoryFile*>(stream);
    ZPOS64_T base = 0;
    if (origin == ZLIB_FILEFUNC_SEEK_CUR)
        base = f->at;
    else if (origin == ZLIB_FILEFUNC_SEEK_END)
        base = f->bytes.size();
    if (base + offset > f->bytes.size())
        return -1;
    f->at = base + offset;
    return 0;
}
int ZCALLBACK mem_close(voidpf, voidpf) {
    return 0;
}
int ZCALLBACK mem_error(voidpf, voidpf) {
    return 0;
}

class Zip {
  public:
    explicit Zip(ByteView bytes) : file_{bytes, 0} {
        zlib_filefunc64_def io{};
        io.zopen64_file = mem_open;
        io.zread_file = mem_read;
        io.zwrite_file = mem_write;
        io.ztell64_file = mem_tell;
        io.zseek64_file = mem_seek;
        io.zclose_file = mem_close;
        io.zerror_file = mem_error;
        io.opaque = &file_;
        zip_ = unzOpen2_64("workbook.xlsx", &io);
    }
    ~Zip() {
        if (zip_)
            unzClose(zip_);
    }
    Zip(const Zip&) = delete;
    Zip& operator=(const Zip&) = delete;
    bool ok() const { return zip_ != nullptr; }

    // One part, unpacked; nullopt when absent. Stops at `limit` bytes
    // whatever the header claims (a zip bomb cannot fill memory).
    Result<std::optional<std::string>> part(const std::string& name, std::size_t limit) {
        if (unzLocateFile(zip_, name.c_str(), 0) != UNZ_OK)
            return std::optional<std::string>{};
        if (unzOpenCurrentFile(zip_) != UNZ_OK)
            return bad("无法打开 " + name);
        std::string out;
        char buf[16384];
        for (;;) {
            const int n = unzReadCurrentFile(zip_, buf, sizeof buf);
            if (n < 0) {
                unzCloseCurrentFile(zip_);
                return bad(name + " 已损坏 damaged");
            }
            if (n == 0)
                break;
            out.append(buf, static_cast<std::size_t>(n));
            if (out.size() > limit) {
                unzCloseCurrentFile(zip_);
                return fail(Errc::too_large, "工作簿太大 / the workbook is too large");
            }
        }
        if (unzCloseCurrentFile(zip_) != UNZ_OK)
            return bad(name + " 校验失败 CRC mismatch");
        return std::optional<std::string>(std::move(out));
    }

  private:
    MemoryFile file_;
    unzFile zip_ = nullptr;
};

std::string_view local_name(const XML_Char* name) {
    std::string_view n(name);
    const auto colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const XML_Char* attribute(const XML_Char** atts, std::string_view local) {
    for (int i = 0; atts[i]; i += 2) {
        if (local_name(atts[i]) == local)
            return atts[i + 1];
    }
    return nullptr;
}

// One SAX pass over an XML part; the handlers see local names.
struct Sax {
    std::function<void(std::string_view, const XML_Char**)> start;
    std::function<void(std::string_view)> end;
    std::function<void(std::string_view)> text;
};

struct SaxRun {
    XML_Parser parser;
    Sax* sax;
};

Status parse_xml(const std::string& xml, Sax& sax, const std::string& part) {
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p)
        return fail(Errc::bad_xlsx, "out of memory");
    SaxRun run{p, &sax};
    XML_SetUserData(p, &run);
    XML_SetElementHandler(
        p,
        [](void* u, const XML_Char* name, const XML_Char** atts) {
            auto* s = static_cast<SaxRun*>(u)->sax;
            if (s->start)
                s->start(local_name(name), atts);
        },
        [](void* u, const XML_Char* name) {
            auto* s = static_cast<SaxRun*>(u)->sax;
            if (s->end)
                s->end(local_name(name));
        });
    XML_SetCharacterDataHandler(p, [](void* u, const XML_Char* text, int len) {
        auto* s = static_cast<SaxRun*>(u)->sax;
        if (s->text)
            s->text(std::string_view(text, static_cast<std::size_t>(len)));
    });
    // Workbooks have no DTD; one that brings its own (entity expansion, the
    // "billion laughs") is refused rather than expanded.
    XML_SetStartDoctypeDeclHandler(
        p, [](void* u, const XML_Char*, const XML_Char*, const XML_Char*, int) {
            XML_StopParser(static_cast<SaxRun*>(u)->parser, XML_FALSE);
        });
    const bool ok =
        XML_Parse(p, xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(p);
    if (!ok)
        return bad(part + " 不是有效的 XML invalid XML");
    return {};
}

// "AB12" -> column 28 (1-based); 0 when not a reference.
int column_of(std::string_view ref) {
    int col = 0;
    for (const char c : ref) {
        if (c >= 'A' && c <= 'Z')
            col = col * 26 + (c - 'A' + 1);
        else
            break;
        if (col > 16384)
            return 0;
    }
    return col;
}

// A number as Excel shows it: 15 significant digits, no trailing zeros.
std::string excel_number(const std::string& v) {
    double d = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc{} || ptr != v.data() + v.size() || !std::isfinite(d))
        return v;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", d);
    return buf;
}

}  // namespace

Result<Sheet> read_xlsx(ByteView workbook, const SheetLimits& limits) {
    if (workbook.size() > limits.max_bytes)
        return fail(Errc::too_large, "文件太大 / the file is too large");
    Zip zip(workbook);
    if (!zip.ok())
        return bad("不是 zip 文件 not a zip file");
    // The first sheet in the workbook's order, through its relationship.
    auto wb = zip.part("xl/workbook.xml", limits.max_bytes);
    if (!wb)
        return wb.failure();
    if (!*wb)
        return bad("缺少 xl/workbook.xml");
    std::string first_rid;
    {
        Sax sax;
        sax.start = [&](std::string_view name, const XML_Char** atts) {
            if (name == "sheet" && first_rid.empty()) {
                if (const auto* id = attribute(atts, "id"))
                    first_rid = id;
            }
        };
        if (auto st = parse_xml(**wb, sax, "workbook.xml"); !st)
            return st.failure();
    }
    std::string sheet_path = "xl/worksheets/sheet1.xml";
    if (auto rels = zip.part("xl/_rels/workbook.xml.rels", limits.max_bytes); rels && *rels) {
        Sax sax;
        sax.start = [&](std::string_view name, const XML_Char** atts) {
            const auto* id = attribute(atts, "Id");
            const auto* target = attribute(atts, "Target");
            if (name == "Relationship" && id && target && first_rid == id) {
                std::string t = target;
                sheet_path = t.rfind("/", 0) == 0 ? t.substr(1) : "xl/" + t;
            }
        };
        if (auto st = parse_xml(**rels, sax, "workbook.xml.rels"); !st)
            return st.failure();
    }
    std::vector<std::string> shared;
    if (auto ss = zip.part("xl/sharedStrings.xml", limits.max_bytes); !ss) {
        return ss.failure();
    } else if (*ss) {
        Sax sax;
        bool in_t = false;
        int phonetic = 0;  // <rPh>: furigana runs, not the cell's text
        sax.start = [&](std::string_view name, const XML_Char**) {
            if (name == "si")
                shared.emplace_back();
            else if (name == "rPh")
                ++phonetic;
            else if (name == "t")
                in_t = true;
        };
        sax.end = [&](std::string_view name) {
            if (name == "t")
                in_t = false;
            else if (name == "rPh")
                --phonetic;
        };
        sax.text = [&](std::string_view text) {
            if (in_t && phonetic == 0 && !shared.empty())
                shared.back().append(text);
        };
        if (auto st = parse_xml(**ss, sax, "sharedStrings.xml"); !st)
            return st.failure();
    }
    auto ws = zip.part(sheet_path, limits.max_bytes);
    if (!ws)
        return ws.failure();
    if (!*ws)
        return bad("缺少工作表 no worksheet");
    Sheet sheet;
    sheet.format = "xlsx";
    Status problem;
    {
        Sax sax;
        Record row;
        int next_row = 1;
        int col = 0;
        std::string type, value;
        bool in_value = false, in_inline = false;
        sax.start = [&](std::string_view name, const XML_Char** atts) {
            if (name == "row") {
                row = Record{};
                const auto* r = attribute(atts, "r");
                row.line = r ? std::atoi(r) : next_row;
                next_row = row.line + 1;
                col = 0;
            } else if (name == "c") {
                const auto* r = attribute(atts, "r");
                col = r ? column_of(r) : col + 1;
                const auto* t = attribute(atts, "t");
                type = t ? t : "n";
                value.clear();
            } else if (name == "v") {
                in_value = true;
            } else if (name == "is") {
                in_inline = true;
            } else if (name == "t" && in_inline) {
                in_value = true;
            }
        };
        sax.text = [&](std::string_view text) {
            if (in_value)
                value.append(text);
        };
        sax.end = [&](std::string_view name) {
            if (name == "v" || name == "t") {
                in_value = false;
            } else if (name == "is") {
                in_inline = false;
            } else if (name == "c") {
                if (col < 1 || static_cast<std::size_t>(col) > limits.max_fields) {
                    if (problem)
                        problem = fail(Errc::too_large, "列数太多 / too many columns");
                    return;
                }
                std::string cell;
                if (type == "s") {
                    const auto i = static_cast<std::size_t>(std::atol(value.c_str()));
                    cell = i < shared.size() ? shared[i] : "";
                } else if (type == "n") {
                    cell = excel_number(value);
                } else if (type == "b") {
                    cell = value == "1" ? "TRUE" : "FALSE";
                } else {
                    cell = value;  // str (a formula's text), inlineStr, e (an error)
                }
                if (row.fields.size() < static_cast<std::size_t>(col))
                    row.fields.resize(static_cast<std::size_t>(col));
                row.fields[static_cast<std::size_t>(col) - 1] = std::move(cell);
            } else if (name == "row") {
                while (!row.fields.empty() && trimmed(row.fields.back()).empty())
                    row.fields.pop_back();
                if (row.fields.empty())
                    return;
                if (sheet.records.size() >= limits.max_records) {
                    if (problem)
                        problem = fail(Errc::too_large, "行数太多 / too many rows");
                    return;
                }
                sheet.records.push_back(std::move(row));
            }
        };
        if (auto st = parse_xml(**ws, sax, sheet_path); !st)
            return st.failure();
    }
    if (!problem)
        return problem.failure();
    return sheet;
}

}  // namespace gridsync::office
