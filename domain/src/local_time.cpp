#include "gridsync/domain/local_time.hpp"

#include <chrono>
#include <cstdio>

namespace gridsync::domain {

namespace {
std::chrono::sys_days local_day(EpochMs utc_ms, EpochMs& ms_of_day) {
    const EpochMs local = utc_ms + kChinaOffsetMs;
    EpochMs days = local / kDayMs;
    ms_of_day = local % kDayMs;
    if (ms_of_day < 0) {
        ms_of_day += kDayMs;
        --days;
    }
    return std::chrono::sys_days{std::chrono::days{days}};
}
}  // namespace

std::string format_local(EpochMs utc_ms) {
    EpochMs ms = 0;
    const std::chrono::year_month_day ymd{local_day(utc_ms, ms)};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60));
    return buf;
}

std::string local_date(EpochMs utc_ms) {
    return format_local(utc_ms).substr(0, 10);
}

EpochMs local_midnight_utc(const std::string& date) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3)
        return -1;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (!ymd.ok())
        return -1;
    const auto days = std::chrono::sys_days{ymd}.time_since_epoch().count();
    return static_cast<EpochMs>(days) * kDayMs - kChinaOffsetMs;
}

}  // namespace gridsync::domain
