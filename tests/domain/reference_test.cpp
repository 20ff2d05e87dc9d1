#include <gtest/gtest.h>

#include <set>

#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/reference.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/store/migrate.hpp"
#include "temp_dir.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

struct Db {
    test::TempDir dir;
    store::Database db = store::Database::open(dir / "ref.db");
    Stamp stamp{"central", Hlc::from_parts(1000, 0), 1000};
    Db() { (void)store::migrate(db, migrations()); }
};

TEST(Calendar, WeekendsHolidaysAndWorkedWeekendsCount) {
    Db d;
    // 2026-10-01 is a Thursday.
    EXPECT_TRUE(is_working_day(d.db, "2026-10-01"));
    EXPECT_FALSE(is_working_day(d.db, "2026-10-03"));  // Saturday
    EXPECT_EQ(add_working_days(d.db, "2026-10-01", 1), "2026-10-02");
    EXPECT_EQ(add_working_days(d.db, "2026-10-02", 1), "2026-10-05");  // over the weekend
    put_calendar_day(d.db, d.stamp, {"2026-10-01", "holiday", "国庆节"});
    put_calendar_day(d.db, d.stamp, {"2026-10-02", "holiday", "国庆节"});
    put_calendar_day(d.db, d.stamp, {"2026-10-10", "workday", "国庆调休上班"});  // a Saturday
    EXPECT_FALSE(is_working_day(d.db, "2026-10-01"));
    EXPECT_TRUE(is_working_day(d.db, "2026-10-10"));
    EXPECT_EQ(add_working_days(d.db, "2026-09-30", 1), "2026-10-05");
    // 10 working days from 09-30: 10-05..10-09 (5), 10-10 (6), 10-12..10-15 (10).
    EXPECT_EQ(add_working_days(d.db, "2026-09-30", 10), "2026-10-15");
    const EpochMs finished = local_midnight_utc("2026-09-30") + 15 * 3600 * 1000;
    EXPECT_EQ(due_after_working_days(d.db, finished, 10), local_midnight_utc("2026-10-16"));
    EXPECT_EQ(working_days_between(d.db, finished, local_midnight_utc("2026-10-15") + 1), 10);
    EXPECT_EQ(working_days_between(d.db, finished, finished + 3600 * 1000), 0);
}

TEST(Calendar, DatesAsPeopleWriteThem) {
    EXPECT_EQ(parse_local_date("2026-12-05"), "2026-12-05");
    EXPECT_EQ(parse_local_date("2026/12/5"), "2026-12-05");
    EXPECT_EQ(parse_local_date("2026.12.5"), "2026-12-05");
    EXPECT_EQ(parse_local_date("2026年12月5日"), "2026-12-05");
    EXPECT_EQ(parse_local_date("46361"), "2026-12-05");  // an Excel date cell
    EXPECT_FALSE(parse_local_date("2026-02-30"));
    EXPECT_FALSE(parse_local_date("12/05/2026"));
    EXPECT_FALSE(parse_local_date("明天"));
}

TEST(Reference, PutTwiceChangesNothingTheSecondTime) {
    Db d;
    const auto sp = put_service_point(d.db, d.stamp, {"MSL", "民生路办事点"});
    EXPECT_EQ(sp.change, Change::created);
    EXPECT_EQ(put_service_point(d.db, d.stamp, {"MSL", "民生路办事点"}).change, Change::unchanged);
    const auto c = put_community(d.db, d.stamp, {"C01", "民生路社区", sp.id, 510, std::nullopt});
    EXPECT_EQ(c.change, Change::created);
    EXPECT_EQ(put_community(d.db, d.stamp, {"C01", "民生路社区", sp.id, std::nullopt, std::nullopt})
                  .change,
              Change::unchanged);  // hours not given: kept
    EXPECT_EQ(d.db.query_value<int>("SELECT opens_at_minute FROM community WHERE id = ?1", c.id),
              510);
    const auto staff =
        put_staff(d.db, d.stamp,
                  {"C01-W01", "王芳", "community_worker", c.id, std::nullopt, "13800000001", true});
    EXPECT_EQ(staff.change, Change::created);
    EXPECT_EQ(
        put_staff(d.db, d.stamp,
                  {"C01-W01", "王芳", "community_worker", c.id, std::nullopt, "13800000001", true})
            .change,
        Change::unchanged);
    Stamp later{"central", Hlc::from_parts(2000, 0), 2000};
    const auto moved =
        put_staff(d.db, later,
                  {"C01-W01", "王芳", "community_worker", c.id, std::nullopt, "13900000009", true});
    EXPECT_EQ(moved.change, Change::updated);
    EXPECT_EQ(moved.id, staff.id);
    EXPECT_EQ(d.db.query_value<std::int64_t>("SELECT hlc FROM staff WHERE id = ?1", staff.id),
              later.hlc.packed);
}

TEST(Reference, TheDefaultCatalogueHasSevenCategoriesAndFiftyEightItems) {
    Db d;
    std::set<std::string> categories, codes;
    for (const auto& t : default_catalogue()) {
        categories.insert(t.category);
        EXPECT_TRUE(codes.insert(t.code).second) << t.code;
        EXPECT_GE(t.due_working_days, 1);
        EXPECT_TRUE(handling_code(t.handling)) << t.handling;
        EXPECT_EQ(put_service_type(d.db, d.stamp, t).change, Change::created);
    }
    EXPECT_EQ(categories.size(), 7u);
    EXPECT_EQ(codes.size(), 58u);
    EXPECT_EQ(service_types(d.db).size(), 58u);
    for (const auto& t : default_catalogue())
        EXPECT_EQ(put_service_type(d.db, d.stamp, t).change, Change::unchanged);
}

TEST(Reference, WordsPeopleWriteBecomeCodes) {
    EXPECT_EQ(role_code("网格负责人"), "grid_leader");
    EXPECT_EQ(role_code("admin"), "admin");
    EXPECT_FALSE(role_code("主任"));
    EXPECT_EQ(shift_kind_code("早班"), "early");
    EXPECT_EQ(relation_code("子女"), "child");
    EXPECT_EQ(unpaid_rule_code("结转"), "carry_over");
    EXPECT_EQ(calendar_kind_code("调休上班"), "workday");
    EXPECT_EQ(handling_code("报送办"), "forwarded");
    EXPECT_EQ(yes_no("否"), false);
    EXPECT_FALSE(yes_no("也许"));
}

}  // namespace
