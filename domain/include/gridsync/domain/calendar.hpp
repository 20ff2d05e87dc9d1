#pragma once
// Working days (工作日), which every time limit of the center (限时办结) is
// counted in: Monday to Friday, except the public holidays and the weekend
// days worked instead (调休) that calendar_day lists. The calendar is data
// an admin imports each year from the State Council's notice; nothing here
// knows a holiday by itself.
#include <optional>
#include <string>

#include "gridsync/domain/clock.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

// "2026-12-05" -> true when it is a working day on this calendar.
bool is_working_day(store::Database& db, const std::string& local_date);

// The date `n` working days after `local_date` (n >= 1; the start date
// itself never counts, as with a promise made today).
std::string add_working_days(store::Database& db, const std::string& local_date, int n);

// When something finished at `from_ms` with a limit of `working_days` is
// due: the end (local midnight after) of that working day.
EpochMs due_after_working_days(store::Database& db, EpochMs from_ms, int working_days);

// Working days after the date of `from_ms` up to and including the date of
// `to_ms` (0 when on the same date); negative when `to_ms` is earlier.
int working_days_between(store::Database& db, EpochMs from_ms, EpochMs to_ms);

// A date as people write it: 2026-12-05, 2026/12/5, 2026.12.5, 2026年12月5日,
// or an Excel date serial (45996); as "YYYY-MM-DD", or nullopt.
std::optional<std::string> parse_local_date(const std::string& text);

// A local time as people write it: any date parse_local_date reads, then
// optionally " HH:MM" (or "HH：MM"); a date alone is its local midnight.
// As UTC epoch ms, or nullopt.
std::optional<EpochMs> parse_local_time(const std::string& text);

// "YYYY-MM-DD" plus `days` calendar days.
std::string add_days(const std::string& local_date, int days);

}  // namespace gridsync::domain
