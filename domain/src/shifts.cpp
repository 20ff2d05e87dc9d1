#include "gridsync/domain/shifts.hpp"

#include <algorithm>
#include <map>

#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "refusal.hpp"

namespace gridsync::domain {

using detail::refuse;

namespace {

constexpr EpochMs kMinute = 60 * 1000;
constexpr EpochMs kTwoHours = 120 * kMinute;

struct Hours {
    EpochMs opens, closes;  // UTC ms of normal opening and closing that day
};

Hours community_hours(store::Database& db, const std::string& community_id,
                      const std::string& local_date) {
    auto st = db.prepare("SELECT opens_at_minute, closes_at_minute FROM community WHERE id = ?1");
    st.bind(1, community_id);
    if (!st.step())
        refuse(Errc::not_found, "社区不存在 / no community " + community_id);
    const EpochMs midnight = local_midnight_utc(local_date);
    if (midnight < 0)
        refuse(Errc::bad_input, "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD: " + local_date);
    return {midnight + st.column<std::int64_t>(0) * kMinute,
            midnight + st.column<std::int64_t>(1) * kMinute};
}

// Checked-in intervals of one person at one community within [from, to):
// each "in" runs to the next "out" (or `to` if none).
std::vector<Interval> presence(store::Database& db, const std::string& staff_id,
                               const std::string& community_id, EpochMs from, EpochMs to) {
    std::vector<Interval> out;
    auto st = db.prepare(
        "SELECT kind, at_ms FROM shift_check WHERE staff_id = ?1 AND community_id = ?2 AND at_ms "
        ">= ?3 AND at_ms < ?4 "
        "ORDER BY at_ms, hlc");
    st.bind_all(staff_id, community_id, from, to);
    std::optional<EpochMs> open;
    while (st.step()) {
        const std::string kind = st.column<std::string>(0);
        const EpochMs at = st.column<std::int64_t>(1);
        if (kind == "in") {
            if (!open)
                open = at;
        } else if (open) {
            out.push_back({*open, at});
            open.reset();
        }
    }
    if (open && *open < to)
        out.push_back({*open, to});
    return out;
}

std::vector<Interval> merge(std::vector<Interval> v) {
    std::sort(v.begin(), v.end(),
              [](const Interval& a, const Interval& b) { return a.from_ms < b.from_ms; });
    std::vector<Interval> out;
    for (const auto& i : v) {
        if (!out.empty() && i.from_ms <= out.back().to_ms) {
            out.back().to_ms = std::max(out.back().to_ms, i.to_ms);
        } else {
            out.push_back(i);
        }
    }
    return out;
}

}  // namespace

Result<std::vector<std::string>> add_roster(store::Database& db, const Stamp& stamp,
                                            const std::string& community_id,
                                            const std::string& local_date,
                                            const std::vector<RosterEntry>& entries) {
    return detail::guarded([&] {
        const Hours h = community_hours(db, community_id, local_date);
        std::vector<std::string> ids;
        for (const auto& e : entries) {
            detail::load_staff(db, e.staff_id);
            EpochMs from = 0, to = 0;
            if (e.kind == "normal") {
                from = h.opens;
                to = h.closes;
            } else if (e.kind == "early") {
                from = h.opens - kTwoHours;
                to = h.opens;
            } else if (e.kind == "late") {
                from = h.closes;
                to = h.closes + kTwoHours;
            } else {
                refuse(Errc::bad_input,
                       "班次类型应为 normal/early/late / shift kind must be normal, early or late");
            }
            const std::string id = new_id(stamp.now_ms);
            db.execute(
                R"(INSERT INTO roster_shift(id, community_id, staff_id, local_date, kind, starts_at_ms, ends_at_ms,
                              backup_staff_id, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))",
                id, community_id, e.staff_id, local_date, e.kind, from, to, e.backup_staff_id,
                stamp.device_id, stamp.hlc.packed);
            ids.push_back(id);
        }
        return ids;
    });
}

Result<CheckResult> check_in_out(store::Database& db, const Stamp& stamp, const Signer& staff,
                                 const CheckInput& in) {
    return detail::guarded([&] {
        if (in.kind != "in" && in.kind != "out")
            refuse(Errc::bad_input, "签到类型应为 in/out / kind must be in or out");
        const auto s = detail::load_staff(db, staff.staff_id);
        if (!db.query_value<int>("SELECT 1 FROM community WHERE id = ?1", in.community_id)) {
            refuse(Errc::not_found, "社区不存在 / no community " + in.community_id);
        }
        CheckResult r;
        r.check_id = new_id(stamp.now_ms);
        // The shift this belongs to: for "in", the one starting nearest (up to
        // 2 h early, or any time before it ends); for "out", the one ending nearest.
        auto st = db.prepare(
            in.kind == "in"
                ? "SELECT id FROM roster_shift WHERE staff_id = ?1 AND community_id = ?2 "
                  "AND ?3 BETWEEN starts_at_ms - 7200000 AND ends_at_ms "
                  "ORDER BY abs(starts_at_ms - ?3) LIMIT 1"
                : "SELECT id FROM roster_shift WHERE staff_id = ?1 AND community_id = ?2 "
                  "AND ?3 BETWEEN starts_at_ms AND ends_at_ms + 7200000 "
                  "ORDER BY abs(ends_at_ms - ?3) LIMIT 1");
        st.bind_all(s.id, in.community_id, stamp.now_ms);
        if (st.step())
            r.shift_id = st.column<std::string>(0);
        if (!r.shift_id)
            r.flags.push_back("no_shift");
        if (in.clock_skew_ms && std::llabs(*in.clock_skew_ms) > in.skew_bound_ms)
            r.flags.push_back("clock_skew");
        std::string flags;
        for (const auto& f : r.flags)
            flags += (flags.empty() ? "" : ",") + f;

        ShiftCheckRecord rec{r.check_id,      s.id,    in.community_id,
                             stamp.device_id, in.kind, stamp.now_ms};
        const auto sig =
            detail::sign_as(db, stamp, {s.id, staff.key}, kShiftCheckContext, canonical_bytes(rec));
        db.execute(
            R"(INSERT INTO shift_check(id, staff_id, community_id, device_id, kind, at_ms, shift_id, clock_skew_ms,
                          flags, signature, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?4, ?11))",
            r.check_id, s.id, in.community_id, stamp.device_id, in.kind, stamp.now_ms, r.shift_id,
            in.clock_skew_ms, flags, sig.view(), stamp.hlc.packed);
        return r;
    });
}

// A shift is judged by presence, not by which shift a check-in was matched
// to: someone on early then normal duty checks in once at 07:00 and out once
// at 17:00, and has attended both.
Status verify_shift_check(store::Database& db, const std::string& check_id) {
    return detail::guarded([&] {
        auto st = db.prepare(
            "SELECT id, staff_id, community_id, device_id, kind, at_ms, signature, origin_device, "
            "hlc FROM shift_check WHERE id = ?1");
        st.bind(1, check_id);
        if (!st.step())
            refuse(Errc::not_found, "考勤记录不存在 / no check-in " + check_id);
        const ShiftCheckRecord rec{st.column<std::string>(0), st.column<std::string>(1),
                                   st.column<std::string>(2), st.column<std::string>(3),
                                   st.column<std::string>(4), st.column<std::int64_t>(5)};
        if (!detail::verify_as(db, rec.staff_id,
                               {st.column<std::string>(7), st.column<std::int64_t>(8)},
                               kShiftCheckContext, canonical_bytes(rec), st.column<Bytes>(6))) {
            refuse(Errc::bad_signature, "考勤签名无效 / the check-in signature does not verify");
        }
    });
}

std::vector<ShiftAttendance> attendance(store::Database& db, const std::string& community_id,
                                        const std::string& local_date, EpochMs grace_ms) {
    std::vector<ShiftAttendance> out;
    const EpochMs midnight = local_midnight_utc(local_date);
    if (midnight < 0)
        return out;
    auto st = db.prepare(R"(
        SELECT s.id, s.staff_id, p.name, s.kind, s.starts_at_ms, s.ends_at_ms, s.backup_staff_id
        FROM roster_shift s JOIN staff p ON p.id = s.staff_id
        WHERE s.community_id = ?1 AND s.local_date = ?2 ORDER BY s.starts_at_ms, p.name)");
    st.bind_all(community_id, local_date);
    std::map<std::string, std::vector<Interval>> present;  // staff -> that day's presence
    while (st.step()) {
        ShiftAttendance a{st.column<std::string>(0),
                          st.column<std::string>(1),
                          st.column<std::string>(2),
                          st.column<std::string>(3),
                          st.column<std::int64_t>(4),
                          st.column<std::int64_t>(5),
                          std::nullopt,
                          std::nullopt};
        auto [it, fresh] = present.try_emplace(a.staff_id);
        if (fresh)
            it->second = presence(db, a.staff_id, community_id, midnight, midnight + kDayMs);
        for (const auto& i : it->second) {
            if (i.from_ms >= a.ends_at_ms || i.to_ms <= a.starts_at_ms)
                continue;
            a.first_in_ms = a.first_in_ms ? std::min(*a.first_in_ms, i.from_ms) : i.from_ms;
            a.last_out_ms = a.last_out_ms ? std::max(*a.last_out_ms, i.to_ms) : i.to_ms;
            a.present_ms += std::min(i.to_ms, a.ends_at_ms) - std::max(i.from_ms, a.starts_at_ms);
        }
        a.absent = !a.first_in_ms;
        a.backup_staff_id = st.column<std::optional<std::string>>(6);
        if (a.absent && a.backup_staff_id) {
            auto [b, b_fresh] = present.try_emplace(*a.backup_staff_id);
            if (b_fresh)
                b->second =
                    presence(db, *a.backup_staff_id, community_id, midnight, midnight + kDayMs);
            for (const auto& i : b->second) {
                if (i.from_ms < a.ends_at_ms && i.to_ms > a.starts_at_ms) {
                    a.covered_by_backup_ms +=
                        std::min(i.to_ms, a.ends_at_ms) - std::max(i.from_ms, a.starts_at_ms);
                }
            }
        }
        if (a.first_in_ms && *a.first_in_ms > a.starts_at_ms + grace_ms)
            a.late_ms = *a.first_in_ms - a.starts_at_ms;
        if (a.last_out_ms && *a.last_out_ms < a.ends_at_ms - grace_ms)
            a.left_early_ms = a.ends_at_ms - *a.last_out_ms;
        out.push_back(a);
    }
    return out;
}

std::vector<Interval> coverage_gaps(store::Database& db, const std::string& community_id,
                                    const std::string& local_date, EpochMs until_ms) {
    const Hours h = [&] {
        try {
            return community_hours(db, community_id, local_date);
        } catch (const detail::Refusal&) {
            return Hours{0, 0};
        }
    }();
    if (h.opens == 0 && h.closes == 0)
        return {};
    const EpochMs door_opens = h.opens - kTwoHours;
    const EpochMs door_closes = std::min(h.closes + kTwoHours, until_ms);
    if (door_closes <= door_opens)
        return {};
    std::vector<Interval> all;
    auto staff = db.prepare(
        "SELECT DISTINCT staff_id FROM shift_check WHERE community_id = ?1 AND at_ms BETWEEN ?2 "
        "AND ?3");
    staff.bind_all(community_id, door_opens - kDayMs, door_closes);
    while (staff.step()) {
        for (const auto& i : presence(db, staff.column<std::string>(0), community_id,
                                      door_opens - kDayMs, door_closes)) {
            all.push_back(i);
        }
    }
    std::vector<Interval> gaps;
    EpochMs cursor = door_opens;
    for (const auto& i : merge(std::move(all))) {
        if (i.to_ms <= cursor)
            continue;
        if (i.from_ms > cursor)
            gaps.push_back({cursor, std::min(i.from_ms, door_closes)});
        cursor = std::max(cursor, i.to_ms);
        if (cursor >= door_closes)
            break;
    }
    if (cursor < door_closes)
        gaps.push_back({cursor, door_closes});
    return gaps;
}

std::vector<DoublePresence> double_presence(store::Database& db, const std::string& local_date,
                                            EpochMs until_ms) {
    const EpochMs from = local_midnight_utc(local_date);
    const EpochMs to = std::min(from + kDayMs, until_ms);
    std::vector<DoublePresence> out;
    auto people = db.prepare(R"(
        SELECT staff_id, (SELECT name FROM staff WHERE id = staff_id), group_concat(DISTINCT community_id)
        FROM shift_check WHERE at_ms >= ?1 AND at_ms < ?2 GROUP BY staff_id HAVING count(DISTINCT community_id) > 1)");
    people.bind_all(from, to);
    while (people.step()) {
        const std::string staff_id = people.column<std::string>(0);
        auto places = db.prepare(
            "SELECT DISTINCT community_id FROM shift_check WHERE staff_id = ?1 AND at_ms >= ?2 AND "
            "at_ms < ?3");
        places.bind_all(staff_id, from, to);
        std::vector<std::pair<std::string, std::vector<Interval>>> at;
        while (places.step()) {
            const std::string c = places.column<std::string>(0);
            at.emplace_back(c, presence(db, staff_id, c, from, to));
        }
        for (std::size_t a = 0; a < at.size(); ++a) {
            for (std::size_t b = a + 1; b < at.size(); ++b) {
                for (const auto& x : at[a].second) {
                    for (const auto& y : at[b].second) {
                        const EpochMs lo = std::max(x.from_ms, y.from_ms),
                                      hi = std::min(x.to_ms, y.to_ms);
                        if (lo < hi) {
                            out.push_back({staff_id,
                                           people.column<std::string>(1),
                                           at[a].first,
                                           at[b].first,
                                           {lo, hi}});
                        }
                    }
                }
            }
        }
    }
    return out;
}

std::vector<MonthlyAttendance> monthly_summary(store::Database& db, const std::string& community_id,
                                               const std::string& month, EpochMs until_ms,
                                               EpochMs grace_ms) {
    std::map<std::string, MonthlyAttendance> by_staff;
    auto days = db.prepare(
        "SELECT DISTINCT local_date FROM roster_shift WHERE community_id = ?1 AND "
        "substr(local_date, 1, 7) = ?2 "
        "ORDER BY local_date");
    days.bind_all(community_id, month);
    while (days.step()) {
        const std::string date = days.column<std::string>(0);
        if (local_midnight_utc(date) > until_ms)
            break;
        for (const auto& a : attendance(db, community_id, date, grace_ms)) {
            auto& m = by_staff[a.staff_id];
            m.staff_id = a.staff_id;
            m.staff_name = a.staff_name;
            ++m.shifts;
            if (a.absent) {
                ++m.absent;
                if (a.covered_by_backup_ms > 0) {
                    ++m.absences_covered;
                    auto& b = by_staff[*a.backup_staff_id];
                    if (b.staff_id.empty()) {
                        b.staff_id = *a.backup_staff_id;
                        b.staff_name = db.query_value<std::string>(
                                             "SELECT name FROM staff WHERE id = ?1", b.staff_id)
                                           .value_or("");
                    }
                    ++b.covered_for_others;
                    b.covering_ms += a.covered_by_backup_ms;
                }
                continue;
            }
            ++m.attended;
            if (a.late_ms > 0)
                ++m.late;
            if (a.left_early_ms > 0)
                ++m.left_early;
            m.worked_ms += a.present_ms;
        }
    }
    std::vector<MonthlyAttendance> out;
    for (auto& [id, m] : by_staff)
        out.push_back(std::move(m));
    return out;
}

std::vector<RosterShiftView> roster_of(store::Database& db, const std::string& community_id,
                                       const std::optional<std::string>& staff_id,
                                       const std::string& from_date, const std::string& to_date) {
    std::vector<RosterShiftView> out;
    auto st = db.prepare(R"(
        SELECT r.id, r.staff_id, s.name, r.local_date, r.kind, r.starts_at_ms, r.ends_at_ms, r.backup_staff_id
        FROM roster_shift r JOIN staff s ON s.id = r.staff_id
        WHERE r.community_id = ?1 AND (?2 IS NULL OR r.staff_id = ?2)
          AND r.local_date BETWEEN ?3 AND ?4
        ORDER BY r.local_date, r.starts_at_ms, s.name)");
    st.bind_all(community_id, staff_id, from_date, to_date);
    while (st.step()) {
        out.push_back({st.column<std::string>(0), st.column<std::string>(1),
                       st.column<std::string>(2), st.column<std::string>(3),
                       st.column<std::string>(4), st.column<std::int64_t>(5),
                       st.column<std::int64_t>(6), st.column<std::optional<std::string>>(7)});
    }
    return out;
}

}  // namespace gridsync::domain
