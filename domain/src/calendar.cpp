#include "gridsync/domain/calendar.hpp"

#include <chrono>
#include <cstdio>
#include <regex>

#include "gridsync/domain/local_time.hpp"

namespace gridsync::domain {

namespace {

std::optional<std::chrono::sys_days> to_days(const std::string& date) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (!ymd.ok())
        return std::nullopt;
    return std::chrono::sys_days{ymd};
}

std::string to_text(std::chrono::sys_days days) {
    const std::chrono::year_month_day ymd{days};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

}  // namespace

std::string add_days(const std::string& local_date, int days) {
    const auto d = to_days(local_date);
    return d ? to_text(*d + std::chrono::days{days}) : "";
}

bool is_working_day(store::Database& db, const std::string& local_date) {
    if (auto kind =
            db.query_value<std::string>("SELECT kind FROM calendar_day WHERE id = ?1", local_date))
        return *kind == "workday";
    const auto d = to_days(local_date);
    if (!d)
        return false;
    const std::chrono::weekday wd{*d};
    return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

std::string add_working_days(store::Database& db, const std::string& local_date, int n) {
    std::string date = local_date;
    // Bounded: no real calendar has a year without working days.
    for (int counted = 0, steps = 0; counted < n && steps < 3660; ++steps) {
        date = add_days(date, 1);
        if (is_working_day(db, date))
            ++counted;
    }
    return date;
}

EpochMs due_after_working_days(store::Database& db, EpochMs from_ms, int working_days) {
    const std::string due_date = add_working_days(db, local_date(from_ms), working_days);
    return local_midnight_utc(add_days(due_date, 1));
}

int working_days_between(store::Database& db, EpochMs from_ms, EpochMs to_ms) {
    const std::string from = local_date(from_ms), to = local_date(to_ms);
    if (to < from)
        return -working_days_between(db, to_ms, from_ms);
    int n = 0;
    for (std::string d = add_days(from, 1); d <= to && n < 3660; d = add_days(d, 1)) {
        if (is_working_day(db, d))
            ++n;
    }
    return n;
}

std::optional<EpochMs> parse_local_time(const std::string& text) {
    static const std::regex with_time(R"(^\s*(.+?)\s+(\d{1,2})(?::|：)(\d{2})\s*$)");
    std::smatch m;
    std::string date_part = text;
    int minutes = 0;
    if (std::regex_match(text, m, with_time)) {
        const int h = std::stoi(m[2]), mi = std::stoi(m[3]);
        if (h > 23 || mi > 59)
            return std::nullopt;
        date_part = m[1];
        minutes = h * 60 + mi;
    }
    const auto date = parse_local_date(date_part);
    if (!date)
        return std::nullopt;
    return local_midnight_utc(*date) + minutes * 60000LL;
}

std::optional<std::string> parse_local_date(const std::string& text) {
    static const std::regex written(
        R"(^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*(?:日)?\s*$)");
    std::smatch m;
    if (std::regex_match(text, m, written)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", std::stoi(m[1]), std::stoi(m[2]),
                      std::stoi(m[3]));
        return to_days(buf) ? std::optional<std::string>(buf) : std::nullopt;
    }
    // An Excel date serial (days since 1899-12-30 in the 1900 system), as a
    // date cell of a workbook reads: only for years 2000 to 2099.
    static const std::regex serial(R"(^\s*(\d{5})\s*$)");
    if (std::regex_match(text, m, serial)) {
        const int n = std::stoi(m[1]);
        if (n < 36526 || n > 73050)
            return std::nullopt;
        const auto epoch =
            std::chrono::sys_days{std::chrono::year{1899} / std::chrono::December / 30};
        return to_text(epoch + std::chrono::days{n});
    }
    return std::nullopt;
}

}  // namespace gridsync::domain
