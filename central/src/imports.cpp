#include "gridsync/central/imports.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "gridsync/central/errors.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/organisation.hpp"
#include "gridsync/domain/reference.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/text_rules.hpp"
#include "gridsync/office/sheet.hpp"
#include "gridsync/store/changeset.hpp"

namespace gridsync::central {

namespace {

using domain::Change;

// One column of a kind's file.
struct Field {
    const char* key;      // English, also accepted as a heading (scripts)
    const char* heading;  // what the template's header says
    bool required;
    const char* note;     // what goes in it
    const char* example;  // the template's example row
};

struct KindSpec {
    ImportKind kind;
    const char* name;
    const char* title;
    std::vector<Field> fields;
};

const std::vector<KindSpec>& specs() {
    static const std::vector<KindSpec> all = {
        {ImportKind::organisation,
         "organisation",
         "组织架构",
         {{"service_point_code", "办事点编号", true, "如 MSL", "MSL"},
          {"service_point_name", "办事点名称", true, "", "民生路办事点"},
          {"community_code", "社区编号", true, "如 C01", "C01"},
          {"community_name", "社区名称", true, "", "民生路社区"},
          {"grid", "网格", false, "第N网格或编号;一行一个网格", "第1网格"},
          {"opens", "开门时间", false, "正常班开始,如 09:00(早班提前2小时)", "09:00"},
          {"closes", "关门时间", false, "正常班结束,如 17:00(晚班延后2小时)", "17:00"}}},
        {ImportKind::staff,
         "staff",
         "工作人员",
         {{"staff_number", "工号", true, "每人唯一", "C01-W01"},
          {"name", "姓名", true, "", "王芳"},
          {"post", "岗位", true, "办事点工作人员/社区工作者/网格负责人/管理员", "社区工作者"},
          {"service_point", "办事点", false, "办事点工作人员填:编号或名称", ""},
          {"community", "社区编号", false, "社区工作者、网格负责人填", "C01"},
          {"grid", "网格", false, "网格负责人填:负责的网格", ""},
          {"phone", "电话", false, "", "13800000001"},
          {"active", "在岗", false, "是/否,默认是", "是"}}},
        {ImportKind::residents,
         "residents",
         "居民",
         {{"community", "社区编号", true, "", "C01"},
          {"grid", "网格", true, "第N网格或编号", "第1网格"},
          {"address", "地址", true, "楼栋/单元/门牌", "1栋1单元101"},
          {"name", "姓名", true, "", "张三"},
          {"id_number", "身份证号码", true, "18位,单元格设为文本", "500103195003040019"},
          {"phone", "电话", false, "", ""}}},
        {ImportKind::proxies,
         "proxies",
         "代领人",
         {{"resident_id_number", "居民身份证号码", true, "", "500103195003040019"},
          {"proxy_name", "代领人姓名", true, "", "张小三"},
          {"relation", "关系", true, "配偶/子女/父母/其他", "子女"},
          {"proxy_id_number", "代领人身份证号码", true, "", "500103198001020025"}}},
        {ImportKind::programmes,
         "programmes",
         "救助项目",
         {{"code", "项目编号", true, "如 dibao", "dibao"},
          {"name", "项目名称", true, "", "最低生活保障金(低保)"},
          {"unpaid_rule", "未领处理", true, "结转(未领的转到下一个发放日)或作废", "结转"}}},
        {ImportKind::catalogue,
         "catalogue",
         "服务事项目录",
         {{"code", "事项编号", true, "", "elderly_card"},
          {"name", "事项名称", true, "", "老年人优待证"},
          {"category", "类别", true, "七大类之一", "民政与养老助残"},
          {"due_working_days", "办结时限(工作日)", true, "1 到 90", "10"},
          {"handling", "办理方式", false, "立即办/承诺办/报送办,默认承诺办", "承诺办"},
          {"active", "启用", false, "是/否,默认是", "是"}}},
        {ImportKind::calendar,
         "calendar",
         "工作日历",
         {{"date", "日期", true, "YYYY-MM-DD", "2026-10-01"},
          {"kind", "类型", true, "休息日(工作日放假)或上班(周末调休上班)", "休息日"},
          {"name", "名称", true, "", "国庆节"}}},
        {ImportKind::certificates,
         "certificates",
         "办结证件",
         {{"print_code", "打印码", true, "证件上的条码", "GS-C01-20261201-0001"},
          {"item", "事项", true, "事项编号或名称", "老年人优待证"},
          {"id_number", "身份证号码", true, "证件所属居民", "500103195003040019"},
          {"name", "姓名", false, "填写时须与居民一致", "张三"},
          {"finished", "办结时间", false, "YYYY-MM-DD [HH:MM],默认导入时", "2026-12-01 10:30"}}},
        {ImportKind::roster,
         "roster",
         "排班",
         {{"community", "社区编号", true, "", "C01"},
          {"date", "日期", true, "YYYY-MM-DD", "2026-12-01"},
          {"kind", "班次", true, "正常班/早班/晚班", "正常班"},
          {"staff", "工号", true, "A角", "C01-W01"},
          {"backup", "B角工号", false, "A角不在时顶岗", "C01-W02"}}},
        {ImportKind::days,
         "days",
         "发放日",
         {{"community", "社区编号", true, "", "C01"},
          {"date", "发放日期", true, "每社区每月两个", "2026-12-05"},
          {"staff", "发放人员工号", true, "两名办事点人员和社区人员,用、或;分隔",
           "MSL01、MSL02、C01-W01"}}},
        {ImportKind::entitlements,
         "entitlements",
         "发放名单",
         {{"community", "社区编号", true, "", "C01"},
          {"date", "发放日期", true, "已安排的发放日", "2026-12-05"},
          {"id_number", "身份证号码", true, "领取人", "500103195003040019"},
          {"name", "姓名", true, "须与居民一致", "张三"},
          {"amount", "金额(元)", true, "最多两位小数", "700.00"},
          {"program", "项目", false, "项目编号或名称;不填时用 --program", "dibao"},
          {"period", "所属月份", false, "YYYY-MM,默认发放日期所在月", "2026-12"}}},
    };
    return all;
}

const KindSpec& spec_of(ImportKind kind) {
    for (const auto& s : specs()) {
        if (s.kind == kind)
            return s;
    }
    throw std::logic_error("no spec for import kind");
}

// A heading as compared: ASCII lower case, no spaces, no "(…)" or "（…）"
// part, so "金额(元)", "金额（元）" and "金额" are one heading.
std::string heading_key(std::string_view h) {
    std::string s = office::trimmed(h);
    for (const char* open : {"(", "\xEF\xBC\x88"}) {
        const auto at = s.find(open);
        if (at != std::string::npos && at > 0)
            s = s.substr(0, at);
    }
    std::string out;
    for (const char c : s) {
        if (c == ' ' || c == '\t' || c == '*')
            continue;
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return out;
}

std::string field_label(const Field& f) {
    return std::string(f.heading);
}

// The rows of one file, by field key.
class Rows {
  public:
    Rows(const KindSpec& spec, office::Sheet& sheet, std::vector<ImportProblem>& problems)
        : spec_(spec), sheet_(sheet), problems_(problems) {
        const auto& header = sheet.records.at(0);
        for (std::size_t c = 0; c < header.fields.size(); ++c) {
            const std::string k = heading_key(header.fields[c]);
            if (k.empty())
                continue;
            bool known = false;
            for (const auto& f : spec.fields) {
                if (k == heading_key(f.heading) || k == f.key) {
                    if (columns_.count(f.key)) {
                        problem(header.line, static_cast<int>(c) + 1, f,
                                "这一列重复了 / this column appears twice");
                    }
                    columns_[f.key] = c;
                    known = true;
                }
            }
            if (!known) {
                problems_.push_back({header.line, static_cast<int>(c) + 1, header.fields[c],
                                     "不认识的列名“" + header.fields[c] + "”,应为:" + expected() +
                                         " / unknown column"});
            }
        }
        for (const auto& f : spec.fields) {
            if (f.required && !columns_.count(f.key)) {
                problems_.push_back(
                    {header.line, 0, f.heading,
                     std::string("缺少“") + f.heading + "”列 / missing column " + f.key});
            }
        }
    }

    bool header_ok() const { return problems_.empty(); }
    std::size_t size() const { return sheet_.records.size() - 1; }

    // Row i (0-based, after the header).
    struct Row {
        Rows& rows;
        office::Record& record;
        bool bad = false;

        int line() const { return record.line; }
        bool has(const char* key) const { return !get(key).empty(); }
        // The cell, trimmed; "" when the column is absent or the cell empty.
        std::string get(const char* key) const {
            auto it = rows.columns_.find(key);
            if (it == rows.columns_.end() || it->second >= record.fields.size())
                return "";
            return office::trimmed(record.fields[it->second]);
        }
        // Reports a problem in this row's cell of `key`.
        void problem(const char* key, const std::string& message) {
            bad = true;
            const Field& f = rows.field(key);
            auto it = rows.columns_.find(key);
            rows.problem(record.line,
                         it == rows.columns_.end() ? 0 : static_cast<int>(it->second) + 1, f,
                         message);
        }
        // A required cell: reports it empty.
        std::string need(const char* key) {
            std::string v = get(key);
            if (v.empty())
                problem(key, std::string("“") + rows.field(key).heading + "”不能为空 / required");
            return v;
        }
        // Wipes a cell that held a clear ID number.
        void wipe(const char* key) {
            auto it = rows.columns_.find(key);
            if (it != rows.columns_.end() && it->second < record.fields.size()) {
                auto& s = record.fields[it->second];
                std::fill(s.begin(), s.end(), '\0');
            }
        }
    };

    template <class F>
    void each(F&& f) {
        for (std::size_t i = 1; i < sheet_.records.size(); ++i) {
            Row row{*this, sheet_.records[i]};
            f(row);
        }
    }

    void problem(int line, int column, const Field& f, const std::string& message) {
        problems_.push_back({line, column, field_label(f), message});
    }

    const Field& field(const char* key) const {
        for (const auto& f : spec_.fields) {
            if (std::string_view(f.key) == key)
                return f;
        }
        throw std::logic_error(std::string("no field ") + key);
    }

  private:
    std::string expected() const {
        std::string s;
        for (const auto& f : spec_.fields)
            s += (s.empty() ? "" : "、") + std::string(f.heading);
        return s;
    }
    const KindSpec& spec_;
    office::Sheet& sheet_;
    std::vector<ImportProblem>& problems_;
    std::map<std::string, std::size_t> columns_;
};

using Row = Rows::Row;

void count(ImportOutcome& out, Change c) {
    (c == Change::created ? out.created : c == Change::updated ? out.updated : out.unchanged)++;
}

// Lookups every kind shares; each reports into the row.
struct Lookup {
    store::Database& db;
    const crypto::SecureBuffer& id_key;

    std::optional<std::string> community(Row& row, const char* key) {
        const std::string code = row.need(key);
        if (code.empty())
            return std::nullopt;
        auto id = db.query_value<std::string>("SELECT id FROM community WHERE code = ?1", code);
        if (!id)
            row.problem(key, "社区编号不存在 / no community with code " + code);
        return id;
    }
    std::optional<std::string> grid(Row& row, const char* key, const std::string& community_id) {
        const std::string text = row.need(key);
        if (text.empty())
            return std::nullopt;
        auto g = domain::find_grid(db, community_id, text);
        if (!g) {
            row.problem(key, g.failure().message);
            return std::nullopt;
        }
        return g->id;
    }
    struct StaffRef {
        std::string id, name, role;
        bool active;
    };
    std::optional<StaffRef> staff(Row& row, const char* key, const std::string& number) {
        auto st = db.prepare("SELECT id, name, role, active FROM staff WHERE staff_number = ?1");
        st.bind(1, number);
        if (!st.step()) {
            row.problem(key, "工号不存在 / no staff member with number " + number);
            return std::nullopt;
        }
        StaffRef s{st.column<std::string>(0), st.column<std::string>(1), st.column<std::string>(2),
                   st.column<int>(3) != 0};
        if (!s.active) {
            row.problem(key, s.name + "(" + number + ")已不在岗 / is no longer active");
            return std::nullopt;
        }
        return s;
    }
    // A clear ID number, checked, as its keyed digest and last 4; the cell
    // is wiped whatever happens.
    std::optional<std::pair<Bytes, std::string>> id_number(Row& row, const char* key) {
        const std::string text = row.need(key);
        std::optional<std::pair<Bytes, std::string>> out;
        if (!text.empty()) {
            static const std::regex scientific(R"(^\d(\.\d+)?[eE]\+?\d+$)");
            if (std::regex_match(text, scientific)) {
                row.problem(key, "身份证号码被 Excel 当成了数字(" + text +
                                     "),请把该列设为“文本”后重新填写 / Excel turned the ID "
                                     "number into a number: format the column as text and type it "
                                     "again");
            } else if (auto id = domain::ResidentIdNumber::parse(text); !id) {
                row.problem(key, id.failure().message);
            } else {
                out = std::pair{id->digest(id_key), id->last4()};
            }
        }
        row.wipe(key);
        return out;
    }
    // The resident an ID number names.
    struct ResidentRef {
        std::string id, name;
    };
    std::optional<ResidentRef> resident(Row& row, const char* key) {
        auto id = id_number(row, key);
        if (!id)
            return std::nullopt;
        auto st = db.prepare("SELECT id, name FROM resident WHERE id_digest = ?1");
        st.bind(1, id->first);
        if (!st.step()) {
            row.problem(key,
                        "没有这个身份证号码的居民(先导入居民)/ no resident with this ID "
                        "number (import residents first)");
            return std::nullopt;
        }
        return ResidentRef{st.column<std::string>(0), st.column<std::string>(1)};
    }
    std::optional<std::string> date(Row& row, const char* key) {
        const std::string text = row.need(key);
        if (text.empty())
            return std::nullopt;
        auto d = domain::parse_local_date(text);
        if (!d)
            row.problem(key, "日期应为 YYYY-MM-DD / a date such as 2026-12-05, not " + text);
        return d;
    }
    void text(Row& row, const char* key, std::size_t max_chars, bool required = true) {
        const std::string v = required ? row.need(key) : row.get(key);
        if (v.empty())
            return;
        if (auto why = domain::text_problem(v, max_chars))
            row.problem(key, std::string(row.rows.field(key).heading) + *why);
    }
    // A code: letters, digits, - and _ only.
    void code(Row& row, const char* key) {
        static const std::regex ok(R"(^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$)");
        const std::string v = row.need(key);
        if (!v.empty() && !std::regex_match(v, ok)) {
            row.problem(key,
                        "编号只能含字母、数字、- 和 _(最多 40 个)/ a code of letters, "
                        "digits, - and _ only: " +
                            v);
        }
    }
    void phone(Row& row, const char* key) {
        static const std::regex ok(R"(^[0-9+][0-9 -]{4,19}$)");
        const std::string v = row.get(key);
        if (!v.empty() && !std::regex_match(v, ok))
            row.problem(key, "电话号码格式不对 / not a phone number: " + v);
    }
};

// "09:00" -> 540.
std::optional<int> minute_of_day(const std::string& text) {
    static const std::regex hm(R"(^(\d{1,2})[:：](\d{2})$)");
    std::smatch m;
    if (!std::regex_match(text, m, hm))
        return std::nullopt;
    const int h = std::stoi(m[1]), mi = std::stoi(m[2]);
    if (h > 23 || mi > 59)
        return std::nullopt;
    return h * 60 + mi;
}

// An amount of 元 as offices write it: "700", "700.5", "1,234.00", "￥700.00", "700元".
std::optional<domain::Fen> amount_of(std::string text) {
    std::string clean;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "\xC2\xA5") == 0 || text.compare(i, 3, "\xEF\xBF\xA5") == 0) {
            i += text[i] == '\xC2' ? 1 : 2;  // ¥ or ￥
            continue;
        }
        if (text.compare(i, 3, "元") == 0 && i + 3 == text.size())
            break;
        if (text[i] == ',' || text[i] == ' ')
            continue;
        clean += text[i];
    }
    return domain::parse_yuan(clean);
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        auto t = office::trimmed(cur);
        if (!t.empty())
            out.push_back(t);
        cur.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, 3, "、") == 0 || text.compare(i, 3, "；") == 0 ||
            text.compare(i, 3, "，") == 0) {
            flush();
            i += 3;
        } else if (text[i] == ';' || text[i] == ',' || text[i] == '/' || text[i] == ' ') {
            flush();
            ++i;
        } else {
            cur += text[i++];
        }
    }
    flush();
    return out;
}

// The grid a row of the organisation file names, as the community counts
// them: "1", "第1网格" and "民生路社区第1网格" are one grid.
std::string grid_name_for(const std::string& community_name, const std::string& text) {
    if (const auto n = domain::grid_number(text); n && text.find("社区") == std::string::npos)
        return community_name + "第" + std::to_string(*n) + "网格";
    if (!text.empty() &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return community_name + "第" + text + "网格";
    return text;
}

}  // namespace

std::optional<ImportKind> import_kind_from(std::string_view name) {
    for (const auto& s : specs()) {
        if (name == s.name || name == s.title)
            return s.kind;
    }
    return std::nullopt;
}

const char* to_string(ImportKind kind) {
    return spec_of(kind).name;
}

const char* title_of(ImportKind kind) {
    return spec_of(kind).title;
}

const std::vector<ImportKind>& import_kinds() {
    static const std::vector<ImportKind> kinds = [] {
        std::vector<ImportKind> k;
        for (const auto& s : specs())
            k.push_back(s.kind);
        return k;
    }();
    return kinds;
}

std::string describe(const ImportProblem& p) {
    std::string where = "第 " + std::to_string(p.line) + " 行";
    if (p.column > 0)
        where += "第 " + std::to_string(p.column) + " 列";
    if (!p.heading.empty())
        where += "(" + p.heading + ")";
    return where + " line " + std::to_string(p.line) +
           (p.column > 0 ? " column " + std::to_string(p.column) : "") + ": " + p.message;
}

office::Table ImportService::template_for(ImportKind kind) {
    const auto& spec = spec_of(kind);
    office::Table t;
    t.sheet_name = spec.title;
    std::vector<office::Cell> example;
    for (const auto& f : spec.fields) {
        t.columns.push_back({f.heading, office::CellKind::text,
                             std::string(f.required ? "必填。" : "选填。") + f.note});
        example.push_back(std::string(f.example));
    }
    t.rows.push_back(std::move(example));
    return t;
}

ImportOutcome ImportService::run(const AdminSigner& admin, const ImportRequest& req,
                                 domain::EpochMs now) {
    ImportOutcome out;
    out.kind = req.kind;
    out.file_digest = to_hex(crypto::blake2b(req.file));
    const auto& spec = spec_of(req.kind);
    const std::string action = std::string("import.") + spec.name;
    auto refused = [&](const std::string& why) {
        log_.audit(now, "admin:" + admin.login, action, req.file_name, "refused",
                   why + "; file BLAKE2b " + out.file_digest);
        return out;
    };
    auto sheet = office::read_sheet(req.file, req.encoding);
    if (!sheet) {
        out.problems.push_back({0, 0, "", sheet.failure().message});
        return refused("unreadable file");
    }
    out.format = sheet->format;
    if (sheet->records.empty()) {
        out.problems.push_back({1, 0, "",
                                "文件是空的,第一行应为表头 / the file is empty: the "
                                "first line is the header"});
        return refused("empty file");
    }
    Rows rows(spec, *sheet, out.problems);
    if (!rows.header_ok())
        return refused("bad header");
    out.rows = static_cast<int>(rows.size());
    auto& db = log_.read_view();
    Lookup look{db, id_key_};
    // Each kind checks every row into `writes`, then writes them all in one go.
    std::vector<std::function<Change(store::Database&, const domain::Stamp&)>> writes;
    std::string subject;
    int fresh_entitlements = 0;

    switch (req.kind) {
        case ImportKind::organisation: {
            std::map<std::string, std::string> point_names;  // code -> name, within the file
            std::map<std::string, std::string> community_points;
            rows.each([&](Row& row) {
                look.code(row, "service_point_code");
                look.text(row, "service_point_name", 50);
                look.code(row, "community_code");
                look.text(row, "community_name", 50);
                look.text(row, "grid", 50, false);
                const std::string sp = row.get("service_point_code"),
                                  sp_name = row.get("service_point_name"),
                                  code = row.get("community_code"),
                                  name = row.get("community_name"), grid = row.get("grid");
                if (auto [it, fresh] = point_names.emplace(sp, sp_name);
                    !fresh && it->second != sp_name) {
                    row.problem("service_point_name",
                                "同一办事点编号有两个名称 / one code, two names: " + it->second);
                }
                if (auto [it, fresh] = community_points.emplace(code, sp);
                    !fresh && it->second != sp) {
                    row.problem("service_point_code",
                                "同一社区属于两个办事点 / one community under two service points");
                }
                std::optional<int> opens, closes;
                if (row.has("opens") && !(opens = minute_of_day(row.get("opens"))))
                    row.problem("opens", "时间应为 HH:MM / a time such as 09:00");
                if (row.has("closes") && !(closes = minute_of_day(row.get("closes"))))
                    row.problem("closes", "时间应为 HH:MM / a time such as 17:00");
                if (opens && closes &&
                    (*closes - *opens < 240 || *opens < 120 || *closes > 1439 - 120)) {
                    row.problem("closes",
                                "开门到关门至少 4 小时,早晚班各 2 小时要在当天内 / "
                                "at least 4 hours open, and room for 2 h early and "
                                "late duty within the day");
                }
                if (row.bad)
                    return;
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    const auto p = domain::put_service_point(w, stamp, {sp, sp_name});
                    const auto c =
                        domain::put_community(w, stamp, {code, name, p.id, opens, closes});
                    Change change = p.change == Change::unchanged ? c.change : Change::updated;
                    if (p.change == Change::created || c.change == Change::created)
                        change = Change::created;
                    if (!grid.empty()) {
                        const auto existing = domain::find_grid(w, c.id, grid);
                        if (!existing) {
                            domain::put_grid(w, stamp, c.id, grid_name_for(name, grid));
                            change = Change::created;
                        }
                    }
                    return change;
                });
            });
            break;
        }
        case ImportKind::staff: {
            std::set<std::string> numbers;
            std::map<std::string, std::string> grid_leaders;  // grid id -> staff number
            rows.each([&](Row& row) {
                const std::string number = row.need("staff_number");
                look.code(row, "staff_number");
                if (!number.empty() && !numbers.insert(number).second)
                    row.problem("staff_number", "工号在文件中重复 / the number appears twice");
                look.text(row, "name", domain::kMaxNameChars);
                const auto role = domain::role_code(row.need("post"));
                if (!role && row.has("post")) {
                    row.problem("post",
                                "岗位应为 办事点工作人员/社区工作者/网格负责人/管理员 / "
                                "unknown post: " +
                                    row.get("post"));
                }
                look.phone(row, "phone");
                bool active = true;
                if (row.has("active")) {
                    if (auto a = domain::yes_no(row.get("active")))
                        active = *a;
                    else
                        row.problem("active", "在岗应为 是/否 / yes or no");
                }
                std::optional<std::string> community, point, grid;
                if (role == "service_point_staff") {
                    const std::string p = row.need("service_point");
                    if (!p.empty()) {
                        point = db.query_value<std::string>(
                            "SELECT id FROM service_point WHERE code = ?1 OR name = ?1", p);
                        if (!point)
                            row.problem("service_point", "办事点不存在 / no service point " + p);
                    }
                } else if (role == "community_worker" || role == "grid_leader") {
                    community = look.community(row, "community");
                    if (role == "grid_leader" && community) {
                        grid = look.grid(row, "grid", *community);
                        if (grid) {
                            if (auto [it, fresh] = grid_leaders.emplace(*grid, number); !fresh) {
                                row.problem("grid", "这个网格已有负责人 " + it->second +
                                                        "(同一文件)/ the grid already has a "
                                                        "leader in this file");
                            }
                        }
                    }
                }
                if (row.bad || !role)
                    return;
                domain::StaffInput in{
                    number, row.get("name"),
                    *role,  community,
                    point,  row.has("phone") ? std::optional(row.get("phone")) : std::nullopt,
                    active};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    const auto put = domain::put_staff(w, stamp, in);
                    Change change = put.change;
                    if (grid &&
                        domain::set_grid_leader(w, stamp, *grid, put.id) != Change::unchanged &&
                        change == Change::unchanged)
                        change = Change::updated;
                    return change;
                });
            });
            break;
        }
        case ImportKind::residents: {
            std::set<Bytes> digests;
            rows.each([&](Row& row) {
                const auto community = look.community(row, "community");
                std::optional<std::string> grid;
                if (community)
                    grid = look.grid(row, "grid", *community);
                look.text(row, "address", domain::kMaxAddressChars);
                look.text(row, "name", domain::kMaxNameChars);
                look.phone(row, "phone");
                const auto id = look.id_number(row, "id_number");
                if (id && !digests.insert(id->first).second)
                    row.problem("id_number",
                                "身份证号码在文件中重复 / the ID number appears twice");
                if (row.bad || !grid || !id)
                    return;
                domain::ResidentInput in{
                    *grid,
                    row.get("address"),
                    row.get("name"),
                    id->first,
                    id->second,
                    row.has("phone") ? std::optional(row.get("phone")) : std::nullopt};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    return domain::put_resident(w, stamp, in).resident.change;
                });
            });
            break;
        }
        case ImportKind::proxies: {
            rows.each([&](Row& row) {
                const auto resident = look.resident(row, "resident_id_number");
                look.text(row, "proxy_name", domain::kMaxNameChars);
                const auto relation = domain::relation_code(row.need("relation"));
                if (!relation && row.has("relation"))
                    row.problem("relation",
                                "关系应为 配偶/子女/父母/其他 / spouse, child, parent or other");
                const auto proxy = look.id_number(row, "proxy_id_number");
                if (row.bad || !resident || !relation || !proxy)
                    return;
                domain::ProxyInput in{resident->id, row.get("proxy_name"), *relation, proxy->first,
                                      proxy->second};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    return domain::put_proxy(w, stamp, in).change;
                });
            });
            break;
        }
        case ImportKind::programmes: {
            rows.each([&](Row& row) {
                look.code(row, "code");
                look.text(row, "name", 50);
                const auto rule = domain::unpaid_rule_code(row.need("unpaid_rule"));
                if (!rule && row.has("unpaid_rule"))
                    row.problem("unpaid_rule", "未领处理应为 结转 或 作废 / carry over or lapse");
                if (row.bad || !rule)
                    return;
                domain::ProgramInput in{row.get("code"), row.get("name"), *rule};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    return domain::put_program(w, stamp, in).change;
                });
            });
            break;
        }
        case ImportKind::catalogue: {
            rows.each([&](Row& row) {
                look.code(row, "code");
                look.text(row, "name", 50);
                look.text(row, "category", 30);
                int due = 0;
                const std::string d = row.need("due_working_days");
                if (!d.empty()) {
                    static const std::regex digits(R"(^\d{1,2}$)");
                    if (!std::regex_match(d, digits) || (due = std::stoi(d)) < 1 || due > 90)
                        row.problem("due_working_days",
                                    "办结时限为 1 到 90 个工作日 / 1 to 90 working days");
                }
                std::string handling = "promised";
                if (row.has("handling")) {
                    if (auto h = domain::handling_code(row.get("handling")))
                        handling = *h;
                    else
                        row.problem("handling", "办理方式应为 立即办/承诺办/报送办");
                }
                bool active = true;
                if (row.has("active")) {
                    if (auto a = domain::yes_no(row.get("active")))
                        active = *a;
                    else
                        row.problem("active", "启用应为 是/否 / yes or no");
                }
                if (row.bad)
                    return;
                domain::ServiceType in{row.get("code"), row.get("name"), row.get("category"), due,
                                       handling,        active};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    return domain::put_service_type(w, stamp, in).change;
                });
            });
            break;
        }
        case ImportKind::calendar: {
            std::set<std::string> dates;
            rows.each([&](Row& row) {
                const auto date = look.date(row, "date");
                if (date && !dates.insert(*date).second)
                    row.problem("date", "日期在文件中重复 / the date appears twice");
                const auto kind = domain::calendar_kind_code(row.need("kind"));
                if (!kind && row.has("kind"))
                    row.problem("kind", "类型应为 休息日 或 上班 / holiday or workday");
                look.text(row, "name", 30);
                if (row.bad || !date || !kind)
                    return;
                domain::CalendarDayInput in{*date, *kind, row.get("name")};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    return domain::put_calendar_day(w, stamp, in).change;
                });
            });
            break;
        }
        case ImportKind::certificates: {
            std::set<std::string> codes;
            rows.each([&](Row& row) {
                const std::string code = row.need("print_code");
                static const std::regex printable(R"(^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$)");
                if (!code.empty() && !std::regex_match(code, printable))
                    row.problem(
                        "print_code",
                        "打印码只能含字母、数字和 - _ . / / letters, digits and - _ . / only");
                if (!code.empty() && !codes.insert(code).second)
                    row.problem("print_code", "打印码在文件中重复 / the print code appears twice");
                const std::string item = row.need("item");
                std::optional<std::string> type;
                if (!item.empty()) {
                    auto st = db.prepare(
                        "SELECT code, active FROM certificate_type WHERE code = ?1 OR name = ?1");
                    st.bind(1, item);
                    if (!st.step()) {
                        row.problem("item",
                                    "目录中没有这个事项 / no such item in the catalogue: " + item);
                    } else if (st.column<int>(1) == 0) {
                        row.problem("item",
                                    "该事项已停用 / the item is no longer offered: " + item);
                    } else {
                        type = st.column<std::string>(0);
                    }
                }
                const auto resident = look.resident(row, "id_number");
                if (resident && row.has("name") && row.get("name") != resident->name) {
                    row.problem("name", "姓名与身份证号码对应的居民(" + resident->name +
                                            ")不一致 / the name does not match the resident");
                }
                std::optional<domain::EpochMs> finished;
                if (row.has("finished")) {
                    finished = domain::parse_local_time(row.get("finished"));
                    if (!finished) {
                        row.problem("finished",
                                    "办结时间应为 YYYY-MM-DD HH:MM / a time such as "
                                    "2026-12-01 10:30");
                    } else if (*finished > now + 3600000) {
                        row.problem("finished", "办结时间在将来 / finished in the future");
                    }
                }
                if (row.bad || !type || !resident)
                    return;
                // A print code already issued is the same certificate again, or a mistake.
                auto existing = db.prepare(
                    "SELECT c.resident_id, t.code FROM certificate c JOIN certificate_type t ON "
                    "t.id = c.type_id WHERE c.print_code = ?1");
                existing.bind(1, code);
                if (existing.step()) {
                    if (existing.column<std::string>(0) != resident->id ||
                        existing.column<std::string>(1) != *type) {
                        row.problem("print_code",
                                    "打印码已用于另一份证件 / the print code belongs "
                                    "to another certificate");
                        return;
                    }
                    writes.push_back(
                        [](store::Database&, const domain::Stamp&) { return Change::unchanged; });
                    return;
                }
                domain::IssueCertificate in{*type, resident->id, code, finished};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    (void)domain::issue_certificate(w, stamp, in).value();
                    return Change::created;
                });
            });
            break;
        }
        case ImportKind::roster: {
            std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
            rows.each([&](Row& row) {
                const auto community = look.community(row, "community");
                const auto date = look.date(row, "date");
                const auto kind = domain::shift_kind_code(row.need("kind"));
                if (!kind && row.has("kind"))
                    row.problem("kind", "班次应为 正常班/早班/晚班 / normal, early or late");
                std::optional<Lookup::StaffRef> a, b;
                if (const std::string n = row.need("staff"); !n.empty())
                    a = look.staff(row, "staff", n);
                if (row.has("backup"))
                    b = look.staff(row, "backup", row.get("backup"));
                if (a && b && a->id == b->id)
                    row.problem("backup", "B角不能是A角本人 / the B cannot be the A");
                if (community && date && kind && a &&
                    !seen.insert({*community, *date, *kind, a->id}).second) {
                    row.problem("staff", "同一人同一天同一班次重复 / the same shift appears twice");
                }
                if (row.bad || !community || !date || !kind || !a)
                    return;
                domain::RosterShiftInput in{*community, *date, *kind, a->id,
                                            b ? std::optional(b->id) : std::nullopt};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    return domain::put_roster_shift(w, stamp, in).change;
                });
            });
            break;
        }
        case ImportKind::days: {
            std::map<std::pair<std::string, std::string>, std::set<std::string>> per_month;
            rows.each([&](Row& row) {
                const auto community = look.community(row, "community");
                const auto date = look.date(row, "date");
                std::vector<std::string> staff;
                int service_point_staff = 0;
                for (const auto& number : split_list(row.need("staff"))) {
                    if (auto s = look.staff(row, "staff", number)) {
                        if (s->role != "service_point_staff" && s->role != "community_worker") {
                            row.problem("staff", s->name + "(" + number +
                                                     ")不是办事点或社区工作人员 / is not "
                                                     "service-point or community staff");
                        }
                        service_point_staff += s->role == "service_point_staff";
                        staff.push_back(s->id);
                    }
                }
                if (!row.bad && service_point_staff < 2) {
                    row.problem("staff",
                                "发放日需要两名办事点工作人员 / a disbursement day "
                                "needs two service-point staff");
                }
                if (community && date) {
                    auto& dates = per_month[{*community, date->substr(0, 7)}];
                    if (dates.empty()) {
                        auto st = db.prepare(
                            "SELECT local_date FROM disbursement_day WHERE community_id = ?1 AND "
                            "substr(local_date, 1, 7) = ?2");
                        st.bind(1, *community);
                        st.bind(2, date->substr(0, 7));
                        while (st.step())
                            dates.insert(st.column<std::string>(0));
                    }
                    dates.insert(*date);
                    if (dates.size() > 2) {
                        row.problem("date",
                                    "每个社区每月只有两个发放日 / two disbursement days "
                                    "per community per month");
                    }
                }
                if (row.bad || !community || !date)
                    return;
                domain::DisbursementDayInput in{*community, *date, admin.staff_id, staff};
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    return domain::put_disbursement_day(w, stamp, in).change;
                });
            });
            break;
        }
        case ImportKind::entitlements: {
            std::set<std::tuple<std::string, std::string, std::string>> seen;
            // What lists still waiting for approval already hold: a second
            // list with the same entitlement would fail at approval, so it is
            // refused now, naming the list it is in.
            std::map<std::tuple<std::string, std::string, std::string>, std::string> waiting;
            {
                auto st = db.prepare(
                    "SELECT id, changeset FROM pending_approval WHERE approved_by IS NULL AND "
                    "rejected_by IS NULL");
                while (st.step()) {
                    const std::string approval = st.column<std::string>(0);
                    const Bytes cs = st.column<Bytes>(1);
                    store::ChangesetIterator it(cs);
                    while (it.next()) {
                        if (it.table() != "entitlement" || it.op() != store::Op::insert)
                            continue;
                        auto text = [&](int col) {
                            auto v = it.new_value(col);
                            return v && std::holds_alternative<std::string>(*v)
                                       ? std::get<std::string>(*v)
                                       : std::string();
                        };
                        waiting[{text(2), text(3), text(4)}] = approval;
                    }
                }
            }
            std::set<std::string> days_named;
            rows.each([&](Row& row) {
                const auto community = look.community(row, "community");
                const auto date = look.date(row, "date");
                std::optional<std::string> day;
                if (community && date) {
                    day = db.query_value<std::string>(
                        "SELECT id FROM disbursement_day WHERE community_id = ?1 AND local_date = "
                        "?2",
                        *community, *date);
                    if (!day) {
                        row.problem("date",
                                    "该社区这一天没有安排发放日(先导入发放日)/ no "
                                    "disbursement day planned (import days first)");
                    } else if (db.query_value<int>(
                                   "SELECT 1 FROM disbursement_session s JOIN session_closing c "
                                   "ON c.session_id = s.id WHERE s.disbursement_day_id = ?1",
                                   *day)) {
                        row.problem("date", "这个发放日已结束 / the day has been closed");
                    }
                }
                const std::string program_text =
                    row.has("program") ? row.get("program") : req.program;
                std::optional<std::string> program;
                if (program_text.empty()) {
                    row.problem("program",
                                "缺少项目:填写“项目”列或用 --program / no programme: "
                                "fill the column or give --program");
                } else {
                    program = db.query_value<std::string>(
                        "SELECT id FROM aid_program WHERE code = ?1 OR name = ?1", program_text);
                    if (!program)
                        row.problem("program", "救助项目不存在 / no aid programme " + program_text);
                }
                std::string period = date ? date->substr(0, 7) : "";
                if (row.has("period")) {
                    static const std::regex month(R"(^\d{4}-(0[1-9]|1[0-2])$)");
                    period = row.get("period");
                    if (!std::regex_match(period, month))
                        row.problem("period", "所属月份应为 YYYY-MM / a month such as 2026-12");
                }
                const auto resident = look.resident(row, "id_number");
                const std::string name = row.need("name");
                if (resident && !name.empty() && name != resident->name) {
                    row.problem("name", "姓名与身份证号码对应的居民(" + resident->name +
                                            ")不一致 / the name does not match the resident");
                }
                std::optional<domain::Fen> fen;
                if (const std::string a = row.need("amount"); !a.empty()) {
                    fen = amount_of(a);
                    if (!fen || *fen <= 0) {
                        row.problem("amount",
                                    "金额应为正数,最多两位小数(精确到分)/ a positive "
                                    "amount with at most two decimals: " +
                                        a);
                        fen.reset();
                    }
                }
                if (resident && program && !period.empty() &&
                    !seen.insert({resident->id, *program, period}).second) {
                    row.problem("id_number",
                                "同一人同一项目同一月份在文件中重复 / the same "
                                "entitlement appears twice");
                }
                if (resident && program) {
                    if (auto w = waiting.find({resident->id, *program, period});
                        w != waiting.end()) {
                        row.problem("id_number", "已在待审核的名单 " + w->second +
                                                     " 中 / already on a list waiting for "
                                                     "approval");
                    }
                }
                if (row.bad || !day || !program || !resident || !fen)
                    return;
                auto existing = db.prepare(
                    "SELECT id, amount_fen, disbursement_day_id FROM entitlement WHERE "
                    "beneficiary_id = ?1 AND program_id = ?2 AND period = ?3");
                existing.bind_all(resident->id, *program, period);
                if (existing.step()) {
                    if (existing.column<domain::Fen>(1) != *fen) {
                        row.problem("amount",
                                    "该月已有这项发放,金额为 " +
                                        domain::format_yuan(existing.column<domain::Fen>(1)) +
                                        " 元;更正请用 correct-amount / already on a list "
                                        "with another amount: use correct-amount");
                    } else {
                        writes.push_back([](store::Database&, const domain::Stamp&) {
                            return Change::unchanged;
                        });
                    }
                    return;
                }
                days_named.insert(*date);
                ++fresh_entitlements;
                const std::string day_id = *day, beneficiary = resident->id, program_id = *program;
                const domain::Fen amount = *fen;
                writes.push_back([=](store::Database& w, const domain::Stamp& stamp) {
                    w.execute(
                        R"(INSERT INTO entitlement(id, disbursement_day_id, beneficiary_id, program_id, period,
                                      amount_fen, session_id, origin_device, hlc)
                                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8))",
                        domain::new_id(stamp.now_ms), day_id, beneficiary, program_id, period,
                        amount, stamp.device_id, stamp.hlc.packed);
                    return Change::created;
                });
            });
            for (const auto& d : days_named)
                subject += (subject.empty() ? "" : ",") + d;
            break;
        }
    }
    if (!out.ok())
        return refused(std::to_string(out.problems.size()) + " problems");

    const std::string detail = std::to_string(out.rows) + " rows; file " + req.file_name + " (" +
                               out.format + "), BLAKE2b " + out.file_digest;
    if (req.kind == ImportKind::entitlements) {
        // Maker and checker: the list waits, whole, for a second admin. A
        // file that brings nothing new leaves nothing to approve.
        if (fresh_entitlements == 0) {
            out.unchanged = static_cast<int>(writes.size());
            log_.audit(now, "admin:" + admin.login, action, req.file_name, "unchanged", detail);
            return out;
        }
        out.approval_id = approvals_.stage(admin, "entitlements " + subject, now,
                                           [&](store::Database& w, const domain::Stamp& stamp) {
                                               for (auto& write : writes)
                                                   count(out, write(w, stamp));
                                           });
        log_.audit(now, "admin:" + admin.login, action, req.file_name, "staged",
                   detail + "; approval " + out.approval_id);
        return out;
    }
    log_.record(central_key_, now, [&](store::Database& w, const domain::Stamp& stamp) {
        for (auto& write : writes)
            count(out, write(w, stamp));
        if (out.created + out.updated > 0) {
            admins_.record_admin_action(admin, action, req.file_name,
                                        detail + "; " + std::to_string(out.created) + " created, " +
                                            std::to_string(out.updated) + " updated, " +
                                            std::to_string(out.unchanged) + " unchanged",
                                        now);
        }
    });
    if (out.created + out.updated == 0)
        log_.audit(now, "admin:" + admin.login, action, req.file_name, "unchanged", detail);
    return out;
}

}  // namespace gridsync::central
