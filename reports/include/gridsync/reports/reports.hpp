#pragma once
// The figures the subdistrict is judged by (docs/REPORTS.md), computed the
// same way at central (the subdistrict, a service point, a community or a
// grid) and on an edge (what it holds), from the replicated tables alone:
//  - reconciliation (资金安全、财务审计): per session, per day and programme,
//    every payment with its payer and verifier, every unpaid entitlement;
//  - delivery (限时办结): per grid leader and service item;
//  - attendance (日常考勤): per person, and the 8+4 window left uncovered;
//  - assessment (三考两评, the monthly part): per person and per community.
// Each is a set of office::Table (CSV, .xlsx, JSON, the console's printed
// page). Money is summed in fen and shown in 元.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/domain/clock.hpp"
#include "gridsync/error.hpp"
#include "gridsync/office/table.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::reports {

enum class ReportKind { reconciliation, delivery, attendance, assessment };
std::optional<ReportKind> report_kind_from(std::string_view name);
const char* to_string(ReportKind kind);
const char* title_of(ReportKind kind);

// Which part of the subdistrict: everything (no field set), one service
// point's communities, one community, or one grid of a community.
struct Scope {
    std::optional<std::string> service_point_id;
    std::optional<std::string> community_id;
    std::optional<std::string> grid_id;
    std::string label;  // "全街道", "民生路社区", "民生路社区第1网格"
};

// From the codes people use: a service point's code, a community's code,
// a grid's number or name (with its community). Failure bad_input naming
// what does not exist.
Result<Scope> resolve_scope(store::Database& db, const std::string& service_point_code,
                            const std::string& community_code, const std::string& grid);

// An edge's own part: its community, or a grid device's grid.
Result<Scope> device_scope(store::Database& db, const std::string& community_id,
                           const std::string& grid_id);

struct Report {
    ReportKind kind = ReportKind::reconciliation;
    std::string title;
    std::vector<office::Table> tables;  // the first is the summary
};

// `month` is "YYYY-MM" (local); `now` bounds what is "overdue now" and
// days still running.
Result<Report> make_report(store::Database& db, ReportKind kind, const Scope& scope,
                           const std::string& month, domain::EpochMs now);

// {"kind", "title", "tables": [{"name", "title", "notes", "columns":
// [{"heading", "kind"}], "rows", "totals", "footer"}]}; yuan cells are fen
// as integers, percent cells basis points (columns say which).
std::string to_json(const Report& report);

enum class FileFormat { csv, xlsx, json };
// From --format, else the file's extension; nullopt when neither says.
std::optional<FileFormat> file_format(const std::string& format, const std::string& path);

// Writes the report: .xlsx one sheet per table; .json the whole report;
// CSV the first table to `path` and each further one beside it
// ("path-未领明细.csv"). Returns the files written. Failure write_failed.
Result<std::vector<std::string>> write_report(const Report& report, FileFormat format,
                                              const std::string& path);

// The tables as lines of text for a terminal (tab-separated, totals last).
std::vector<std::string> text_lines(const Report& report);

// The assessment's score out of 100 from its parts (basis points each,
// nullopt where a part does not apply to the person): weights 40
// attendance, 30 deliveries in time, 30 satisfaction, renormalised over the
// parts that apply. nullopt when none applies.
std::optional<std::int64_t> assessment_score(std::optional<std::int64_t> attendance_bp,
                                             std::optional<std::int64_t> on_time_bp,
                                             std::optional<std::int64_t> satisfied_bp);

}  // namespace gridsync::reports
