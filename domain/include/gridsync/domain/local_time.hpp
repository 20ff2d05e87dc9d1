#pragma once
// Store UTC; show China Standard Time (UTC+8, no daylight saving).
#include <string>

#include "gridsync/domain/clock.hpp"

namespace gridsync::domain {

inline constexpr EpochMs kChinaOffsetMs = 8LL * 3600 * 1000;
inline constexpr EpochMs kDayMs = 24LL * 3600 * 1000;

// "2026-11-30 20:34" in Asia/Shanghai.
std::string format_local(EpochMs utc_ms);
// "2026-11-30": the local date a UTC instant falls on.
std::string local_date(EpochMs utc_ms);
// UTC ms of local midnight starting `date` ("YYYY-MM-DD"); -1 when malformed.
EpochMs local_midnight_utc(const std::string& date);

}  // namespace gridsync::domain
