#pragma once
// Community centers' "8+4" roster (错时工作制): normal hours, early duty from
// 2 h before opening, late duty until 2 h after closing, so the door is open
// from opening - 2 h to closing + 2 h. Check-ins are never refused for want of
// a shift: they are recorded and flagged.
#include <optional>
#include <string>
#include <vector>

#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

inline constexpr EpochMs kDefaultGraceMs = 15 * 60 * 1000;
inline constexpr EpochMs kDefaultSkewBoundMs = 5 * 60 * 1000;

struct RosterEntry {
    std::string staff_id;
    std::string kind;  // normal | early | late
    std::optional<std::string> backup_staff_id;
};
// Adds shifts for one community and local date; start and end come from the
// community's hours and the kind. Returns the shift ids.
Result<std::vector<std::string>> add_roster(store::Database& db, const Stamp& stamp,
                                            const std::string& community_id,
                                            const std::string& local_date,
                                            const std::vector<RosterEntry>& entries);

struct CheckInput {
    std::string community_id;
    std::string kind;  // in | out
    // Device clock minus the last central time seen, when the device has synced.
    std::optional<EpochMs> clock_skew_ms;
    EpochMs skew_bound_ms = kDefaultSkewBoundMs;
};
struct CheckResult {
    std::string check_id;
    std::optional<std::string> shift_id;
    std::vector<std::string> flags;  // no_shift, clock_skew
};
// Signed by the staff member. `stamp.now_ms` is the device's clock.
Result<CheckResult> check_in_out(store::Database& db, const Stamp& stamp, const Signer& staff,
                                 const CheckInput& in);

// Central's second look: signed by the staff member's registered key.
Status verify_shift_check(store::Database& db, const std::string& check_id);

// A person's rostered shifts from `from_date` to `to_date` (YYYY-MM-DD, local).
struct RosterShiftView {
    std::string shift_id;
    std::string staff_id;
    std::string staff_name;
    std::string local_date;
    std::string kind;
    EpochMs starts_at_ms = 0, ends_at_ms = 0;
    std::optional<std::string> backup_staff_id;
};
std::vector<RosterShiftView> roster_of(store::Database& db, const std::string& community_id,
                                       const std::optional<std::string>& staff_id,
                                       const std::string& from_date, const std::string& to_date);

struct ShiftAttendance {
    std::string shift_id;
    std::string staff_id;
    std::string staff_name;
    std::string kind;
    EpochMs starts_at_ms, ends_at_ms;
    std::optional<EpochMs> first_in_ms, last_out_ms;
    EpochMs late_ms = 0;        // beyond the grace
    EpochMs left_early_ms = 0;  // beyond the grace
    EpochMs present_ms = 0;     // time checked in within the shift
    bool absent = false;
    std::optional<std::string> backup_staff_id;  // the shift's B (AB角)
    // A absent and B checked in during A's shift: the shift was covered, and
    // B is credited with the time (AB角制度).
    EpochMs covered_by_backup_ms = 0;
};
std::vector<ShiftAttendance> attendance(store::Database& db, const std::string& community_id,
                                        const std::string& local_date,
                                        EpochMs grace_ms = kDefaultGraceMs);

struct Interval {
    EpochMs from_ms, to_ms;
};
// Stretches of the community's open hours (opening - 2 h .. closing + 2 h)
// when nobody was checked in. `until_ms` caps an unfinished day.
std::vector<Interval> coverage_gaps(store::Database& db, const std::string& community_id,
                                    const std::string& local_date, EpochMs until_ms);

struct DoublePresence {
    std::string staff_id;
    std::string staff_name;
    std::string community_a, community_b;
    Interval overlap;
};
// One person checked in at two places at once.
std::vector<DoublePresence> double_presence(store::Database& db, const std::string& local_date,
                                            EpochMs until_ms);

struct MonthlyAttendance {
    std::string staff_id;
    std::string staff_name;
    int shifts = 0, attended = 0, absent = 0, late = 0, left_early = 0;
    int absences_covered = 0;    // of this person's absences, those their B covered
    int covered_for_others = 0;  // shifts this person covered as someone's B
    EpochMs worked_ms = 0;
    EpochMs covering_ms = 0;  // time credited as a B
};
// month: "YYYY-MM".
std::vector<MonthlyAttendance> monthly_summary(store::Database& db, const std::string& community_id,
                                               const std::string& month, EpochMs until_ms,
                                               EpochMs grace_ms = kDefaultGraceMs);

}  // namespace gridsync::domain
