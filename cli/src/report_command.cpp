#include "gridsync/cli/report_command.hpp"

#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/reports/reports.hpp"

namespace gridsync::cli {

int report_command(store::Database& db, Args& args, Output& out, const ReportLimits& limits) {
    const std::string name = args.positional.size() > 1 ? args.positional[1] : "";
    const auto kind = reports::report_kind_from(name);
    if (!kind) {
        throw UsageError{"report reconciliation|delivery|attendance|assessment --month YYYY-MM"};
    }
    domain::SystemClock clock;
    // "As of" a time: what was overdue, and which roster days had passed, then.
    domain::EpochMs now = clock.now_ms();
    if (const auto as_of = args.get("as-of")) {
        const auto t = domain::parse_local_time(*as_of);
        if (!t)
            throw UsageError{"--as-of \"YYYY-MM-DD HH:MM\""};
        now = *t;
    }
    const std::string month = args.get("month").value_or(domain::local_date(now).substr(0, 7));
    Result<reports::Scope> scope = reports::Scope{};
    if (!limits.community_id.empty()) {
        if (args.get("service-point") || args.get("community") || args.get("grid")) {
            throw UsageError{
                "本设备只有本社区(网格)的数据,不能另选范围 / this device holds its "
                "own community (or grid) only"};
        }
        scope = reports::device_scope(db, limits.community_id, limits.grid_id);
    } else {
        scope = reports::resolve_scope(db, args.get("service-point").value_or(""),
                                       args.get("community").value_or(""),
                                       args.get("grid").value_or(""));
    }
    if (!scope)
        return out.failure(scope.failure());
    auto report = reports::make_report(db, *kind, *scope, month, now);
    if (!report)
        return out.failure(report.failure());
    if (const auto file = args.get("out")) {
        const auto format = reports::file_format(args.get("format").value_or(""), *file);
        if (!format)
            throw UsageError{"--format csv|xlsx|json(或用文件扩展名 / or the file's extension)"};
        auto written = reports::write_report(*report, *format, *file);
        if (!written)
            return out.failure(written.failure());
        boost::json::array files;
        for (const auto& f : *written) {
            files.push_back(boost::json::string(f));
            out.line("已写出 written: " + f);
        }
        out.data()["files"] = std::move(files);
        return out.finish(Exit::ok);
    }
    if (out.json()) {
        out.data() = boost::json::parse(reports::to_json(*report)).as_object();
        return out.finish(Exit::ok);
    }
    for (const auto& l : reports::text_lines(*report))
        out.line(l);
    return out.finish(Exit::ok);
}

}  // namespace gridsync::cli
