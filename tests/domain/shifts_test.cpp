#include <gtest/gtest.h>

#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/shifts.hpp"
#include "node_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

constexpr EpochMs kMin = 60 * 1000;
constexpr EpochMs kHour = 60 * kMin;
// 2026-12-01 local midnight, UTC ms. Community hours: 09:00-17:00 (defaults).
constexpr EpochMs kMidnight = 1796054400000;

class ShiftTest : public ::testing::Test {
  protected:
    test::Node n;
    std::string community = n.community(0);
    std::string other_community = n.community(1);
    std::string a = n.staff_where("community_worker", community, 0).id;
    std::string b = n.staff_where("community_worker", community, 1).id;
    std::string c = n.staff_where("community_worker", community, 2).id;

    void SetUp() override {
        n.clock.set(kMidnight);
        n.must<std::vector<std::string>>([&](const Stamp& st) {
            return add_roster(n.db, st, community, "2026-12-01",
                              {{a, "early", b},
                               {a, "normal", std::nullopt},
                               {b, "normal", a},
                               {c, "late", std::nullopt}});
        });
    }

    CheckResult check(const std::string& staff, const std::string& kind, EpochMs at,
                      const std::string& where = "", std::optional<EpochMs> skew = std::nullopt) {
        n.clock.set(at);
        return n.must<CheckResult>([&](const Stamp& st) {
            return check_in_out(n.db, st, n.signer(staff),
                                {where.empty() ? community : where, kind, skew});
        });
    }
};

}  // namespace

TEST_F(ShiftTest, RosterFollowsEightPlusFour) {
    auto st = n.db.prepare(
        "SELECT kind, starts_at_ms, ends_at_ms FROM roster_shift WHERE staff_id = ?1 ORDER BY "
        "starts_at_ms");
    st.bind(1, a);
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.column<std::string>(0), "early");
    EXPECT_EQ(st.column<std::int64_t>(1), kMidnight + 7 * kHour);
    EXPECT_EQ(st.column<std::int64_t>(2), kMidnight + 9 * kHour);
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.column<std::int64_t>(2) - st.column<std::int64_t>(1), 8 * kHour);
}

TEST_F(ShiftTest, CheckInMatchesAShiftAndIsSigned) {
    const auto r = check(b, "in", kMidnight + 9 * kHour + 3 * kMin);
    EXPECT_TRUE(r.shift_id.has_value());
    EXPECT_TRUE(r.flags.empty());
    EXPECT_EQ(n.db.query_value<int>("SELECT length(signature) FROM shift_check WHERE id = ?1",
                                    r.check_id),
              64);
}

TEST_F(ShiftTest, CheckInWithoutAShiftIsRecordedAndFlagged) {
    const std::string stranger = n.staff_where("community_worker", community, 3).id;
    const auto r = check(stranger, "in", kMidnight + 10 * kHour);
    EXPECT_FALSE(r.shift_id.has_value());
    EXPECT_EQ(r.flags, std::vector<std::string>{"no_shift"});
    EXPECT_EQ(
        n.db.query_value<std::string>("SELECT flags FROM shift_check WHERE id = ?1", r.check_id),
        "no_shift");
}

TEST_F(ShiftTest, ClockSkewBeyondTheBoundIsFlagged) {
    EXPECT_TRUE(check(b, "in", kMidnight + 9 * kHour, "", 2 * kMin).flags.empty());
    const auto r = check(b, "out", kMidnight + 17 * kHour, "", -20 * kMin);
    EXPECT_EQ(r.flags, std::vector<std::string>{"clock_skew"});
}

TEST_F(ShiftTest, LatenessAndEarlyLeavingBeyondTheGrace) {
    check(a, "in", kMidnight + 7 * kHour + 10 * kMin);  // early shift, 10 min late: within grace
    check(a, "out", kMidnight + 9 * kHour);
    check(b, "in", kMidnight + 9 * kHour + 40 * kMin);  // 40 min late
    check(b, "out", kMidnight + 16 * kHour);            // 1 h early
    const auto att = attendance(n.db, community, "2026-12-01");
    ASSERT_EQ(att.size(), 4u);
    for (const auto& x : att) {
        if (x.staff_id == a && x.kind == "early") {
            EXPECT_EQ(x.late_ms, 0);
            EXPECT_FALSE(x.absent);
        }
        if (x.staff_id == b) {
            EXPECT_EQ(x.late_ms, 40 * kMin);
            EXPECT_EQ(x.left_early_ms, kHour);
        }
        if (x.staff_id == c) {
            EXPECT_TRUE(x.absent);
        }
    }
}

TEST_F(ShiftTest, CoverageGapsAreTheOpenHoursNobodyWasIn) {
    check(a, "in", kMidnight + 7 * kHour);
    check(a, "out", kMidnight + 12 * kHour);
    check(b, "in", kMidnight + 13 * kHour);
    check(b, "out", kMidnight + 17 * kHour);
    const auto gaps = coverage_gaps(n.db, community, "2026-12-01", kMidnight + kDayMs);
    ASSERT_EQ(gaps.size(), 2u);
    EXPECT_EQ(gaps[0].from_ms, kMidnight + 12 * kHour);
    EXPECT_EQ(gaps[0].to_ms, kMidnight + 13 * kHour);
    EXPECT_EQ(gaps[1].from_ms, kMidnight + 17 * kHour);  // the late duty never came
    EXPECT_EQ(gaps[1].to_ms, kMidnight + 19 * kHour);
}

TEST_F(ShiftTest, OnePersonAtTwoPlacesAtOnceIsFlagged) {
    check(a, "in", kMidnight + 9 * kHour);
    check(a, "in", kMidnight + 10 * kHour, other_community);
    check(a, "out", kMidnight + 11 * kHour, other_community);
    const auto dp = double_presence(n.db, "2026-12-01", kMidnight + 12 * kHour);
    ASSERT_EQ(dp.size(), 1u);
    EXPECT_EQ(dp[0].staff_id, a);
    EXPECT_EQ(dp[0].overlap.from_ms, kMidnight + 10 * kHour);
    EXPECT_EQ(dp[0].overlap.to_ms, kMidnight + 11 * kHour);
}

TEST_F(ShiftTest, MonthlySummaryCountsShifts) {
    check(b, "in", kMidnight + 9 * kHour + 30 * kMin);
    check(b, "out", kMidnight + 17 * kHour);
    const auto sum = monthly_summary(n.db, community, "2026-12", kMidnight + kDayMs);
    bool found = false;
    for (const auto& m : sum) {
        if (m.staff_id != b)
            continue;
        found = true;
        EXPECT_EQ(m.shifts, 1);
        EXPECT_EQ(m.attended, 1);
        EXPECT_EQ(m.late, 1);
        EXPECT_EQ(m.worked_ms, 7 * kHour + 30 * kMin);
    }
    EXPECT_TRUE(found);
}

TEST_F(ShiftTest, BadInputIsRefused) {
    auto r = n.outbox->record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(n.db, st, n.signer(a), {community, "sideways", std::nullopt});
    });
    EXPECT_EQ(r.code(), Errc::bad_input);
    auto r2 = n.outbox->record_as<std::vector<std::string>>([&](const Stamp& st) {
        return add_roster(n.db, st, community, "2026-12-32", {{a, "normal", std::nullopt}});
    });
    EXPECT_EQ(r2.code(), Errc::bad_input);
}

TEST_F(ShiftTest, BackToBackShiftsNeedOneCheckInAndOut) {
    // a: early 07:00-09:00 then normal 09:00-17:00, one stretch at the door.
    check(a, "in", kMidnight + 7 * kHour - 5 * kMin);
    check(a, "out", kMidnight + 17 * kHour + 2 * kMin);
    int attended = 0;
    for (const auto& x : attendance(n.db, community, "2026-12-01")) {
        if (x.staff_id != a)
            continue;
        EXPECT_FALSE(x.absent) << x.kind;
        EXPECT_EQ(x.late_ms, 0) << x.kind;
        EXPECT_EQ(x.left_early_ms, 0) << x.kind;
        EXPECT_EQ(x.present_ms, x.ends_at_ms - x.starts_at_ms) << x.kind;
        ++attended;
    }
    EXPECT_EQ(attended, 2);
}
