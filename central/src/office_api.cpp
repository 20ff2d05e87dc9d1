#include "office_api.hpp"

#include <boost/json.hpp>

#include "gridsync/central/day_planner.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/central/imports.hpp"
#include "gridsync/central/views.hpp"
#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/organisation.hpp"
#include "gridsync/office/table.hpp"
#include "gridsync/reports/reports.hpp"

namespace gridsync::central {

namespace json = boost::json;
using web::json_answer;

namespace {

HttpAnswer refusal(Errc code, const std::string& message) {
    return failure_answer(Failure{make_error_code(code), message});
}

std::string param(const std::map<std::string, std::string>& q, const std::string& name) {
    auto it = q.find(name);
    return it == q.end() ? "" : it->second;
}

// "reconciliation.xlsx" -> ("reconciliation", "xlsx").
std::pair<std::string, std::string> split_extension(const std::string& name) {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos)
        return {name, ""};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

// A file to save: its name in UTF-8 (RFC 5987) and a plain fallback.
HttpAnswer download(Bytes body, const std::string& content_type, const std::string& ascii_name,
                    const std::string& name) {
    HttpAnswer a{200, content_type, std::move(body), {}};
    std::string encoded;
    for (const unsigned char ch : name) {
        if (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') {
            encoded += static_cast<char>(ch);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", ch);
            encoded += buf;
        }
    }
    a.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + ascii_name +
                                                      "\"; filename*=UTF-8''" + encoded);
    return a;
}

HttpAnswer table_file(const std::vector<office::Table>& tables, const std::string& format,
                      std::size_t table, const std::string& ascii_name, const std::string& name,
                      const std::filesystem::path& scratch) {
    if (format == "csv") {
        if (table >= tables.size())
            return refusal(Errc::bad_request, "没有这张表 / no such table");
        const std::string text = office::to_csv(tables[table]);
        return download(Bytes(text.begin(), text.end()), "text/csv; charset=utf-8",
                        ascii_name + ".csv", name + ".csv");
    }
    auto bytes = office::xlsx_bytes(tables, scratch);
    if (!bytes)
        return refusal(Errc::bad_request, bytes.failure().message);
    return download(std::move(*bytes),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ascii_name + ".xlsx", name + ".xlsx");
}

}  // namespace

std::optional<HttpAnswer> office_report(store::Database& db, const OfficeCall& c) {
    const auto& seg = c.segments;
    const bool get = c.call.method == "GET";
    if (seg.empty())
        return std::nullopt;
    const auto scratch = db.path().parent_path();
    if (seg[0] == "reports" && seg.size() == 2 && get) {
        const auto [name, format] = split_extension(seg[1]);
        const auto kind = reports::report_kind_from(name);
        if (!kind || (!format.empty() && format != "xlsx" && format != "csv"))
            return refusal(Errc::bad_request,
                           "报表为 reconciliation、delivery、attendance、assessment");
        auto scope = reports::resolve_scope(db, param(c.query, "service_point"),
                                            param(c.query, "community"), param(c.query, "grid"));
        if (!scope)
            return refusal(Errc::bad_request, scope.failure().message);
        domain::EpochMs as_of = c.now;
        if (!param(c.query, "as_of").empty()) {
            const auto t = domain::parse_local_time(param(c.query, "as_of"));
            if (!t)
                return refusal(Errc::bad_request, "as_of: YYYY-MM-DD HH:MM");
            as_of = *t;
        }
        const std::string month = param(c.query, "month").empty()
                                      ? domain::local_date(c.now).substr(0, 7)
                                      : param(c.query, "month");
        auto report = reports::make_report(db, *kind, *scope, month, as_of);
        if (!report)
            return refusal(Errc::bad_request, report.failure().message);
        if (format.empty()) {
            auto j = json::parse(reports::to_json(*report)).as_object();
            j["scope"] = scope->label;
            j["month"] = month;
            j["made_at_ms"] = c.now;
            return json_answer(j);
        }
        std::size_t table = 0;
        if (const auto t = param(c.query, "table"); !t.empty())
            table = static_cast<std::size_t>(std::strtoul(t.c_str(), nullptr, 10));
        return table_file(report->tables, format, table, std::string(name) + "-" + month,
                          std::string(reports::title_of(*kind)) + "-" + scope->label + "-" + month,
                          scratch);
    }
    return std::nullopt;
}

std::optional<HttpAnswer> office_route(const CentralParts& parts, const CentralKeys& keys,
                                       const OfficeCall& c) {
    const auto& seg = c.segments;
    const bool get = c.call.method == "GET", post = c.call.method == "POST";
    auto& db = parts.log.read_view();
    const auto scratch = db.path().parent_path();
    if (seg.empty())
        return std::nullopt;

    if (seg[0] == "imports" && seg.size() == 1 && get) {
        json::array kinds;
        for (const auto k : import_kinds()) {
            const auto t = ImportService::template_for(k);
            json::array fields;
            for (const auto& col : t.columns)
                fields.push_back({{"heading", col.heading}, {"note", col.note}});
            kinds.push_back({{"kind", to_string(k)}, {"title", title_of(k)}, {"fields", fields}});
        }
        return json_answer(json::object{{"kinds", std::move(kinds)}});
    }
    if (seg[0] == "imports" && seg.size() == 2 && post) {
        const auto kind = import_kind_from(seg[1]);
        if (!kind)
            return refusal(Errc::bad_request, "没有这种表 / no such list: " + seg[1]);
        const auto encoding = office::parse_encoding(
            param(c.query, "encoding").empty() ? "auto" : param(c.query, "encoding"));
        if (!encoding)
            return refusal(Errc::bad_request, "encoding: auto | utf-8 | gb18030");
        c.subject = param(c.query, "name");
        ImportService imports(parts.log, parts.approvals, parts.admins, keys.signing, keys.id_key);
        const auto r = imports.run(
            c.admin,
            {*kind, c.call.body, *encoding, param(c.query, "name"), param(c.query, "program")},
            c.now);
        // Refused files answer 422 with every problem: the page shows them by row.
        auto answer = web::json_answer(import_outcome_json(r), r.ok() ? 200 : 422);
        return answer;
    }
    if (seg[0] == "templates" && seg.size() == 2 && get) {
        const auto [name, format] = split_extension(seg[1]);
        std::vector<ImportKind> kinds;
        if (name == "all") {
            kinds = import_kinds();
        } else if (auto k = import_kind_from(name)) {
            kinds.push_back(*k);
        } else {
            return refusal(Errc::bad_request, "没有这种模板 / no such template: " + name);
        }
        if ((format != "xlsx" && format != "csv") || (format == "csv" && kinds.size() > 1))
            return refusal(Errc::bad_request, "模板为 KIND.xlsx、KIND.csv 或 all.xlsx");
        std::vector<office::Table> tables;
        for (const auto k : kinds)
            tables.push_back(ImportService::template_for(k));
        return table_file(tables, format, 0, "template-" + name,
                          std::string(name == "all" ? "全部模板" : title_of(kinds[0])) + "模板",
                          scratch);
    }
    if (seg[0] == "approvals") {
        DayPlanner planner(parts.log, parts.approvals, parts.admins, keys.signing);
        if (seg.size() == 1 && get) {
            const std::string state =
                param(c.query, "state").empty() ? "waiting" : param(c.query, "state");
            json::array list;
            for (const auto& a : planner.approvals(state)) {
                auto j = approval_json(a);
                j["mine"] = a.prepared_by_staff_id == c.admin.staff_id;
                list.push_back(std::move(j));
            }
            return json_answer(json::object{{"approvals", std::move(list)}});
        }
        if (seg.size() == 3 && post) {
            c.subject = seg[1];
            if (seg[2] == "approve") {
                auto r = planner.approve(seg[1], c.admin, c.now);
                if (!r)
                    return failure_answer(r.failure());
                domain::Fen carried = 0;
                for (const auto& m : r->carried)
                    carried += m.amount_fen;
                return json_answer(json::object{{"approved", seg[1]},
                                                {"carried_over", r->carried.size()},
                                                {"carried_over_fen", carried}});
            }
            if (seg[2] == "reject") {
                const auto body = web::json_body(c.call);
                if (!body)
                    return refusal(Errc::bad_request, "请求应为 JSON / a JSON body is required");
                if (auto st =
                        planner.reject(seg[1], c.admin, web::text_field(*body, "reason"), c.now);
                    !st)
                    return failure_answer(st.failure());
                return json_answer(json::object{{"rejected", seg[1]}});
            }
        }
    }
    if (seg[0] == "scopes" && seg.size() == 1 && get) {
        json::array points, communities;
        auto sp =
            db.prepare("SELECT coalesce(code, ''), name FROM service_point ORDER BY code, name");
        while (sp.step())
            points.push_back(
                {{"code", sp.column<std::string>(0)}, {"name", sp.column<std::string>(1)}});
        auto cm = db.prepare("SELECT id, code, name FROM community ORDER BY code");
        while (cm.step()) {
            json::array grids;
            for (const auto& g : domain::grids_of(db, cm.column<std::string>(0))) {
                grids.push_back(
                    {{"name", g.name}, {"number", g.number ? json::value(*g.number) : nullptr}});
            }
            communities.push_back({{"code", cm.column<std::string>(1)},
                                   {"name", cm.column<std::string>(2)},
                                   {"grids", std::move(grids)}});
        }
        return json_answer(json::object{{"service_points", std::move(points)},
                                        {"communities", std::move(communities)},
                                        {"month", domain::local_date(c.now).substr(0, 7)}});
    }
    if (auto report = office_report(db, c))
        return report;
    return std::nullopt;
}

}  // namespace gridsync::central
