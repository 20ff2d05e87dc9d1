#include <gtest/gtest.h>

#include "gridsync/store/migrate.hpp"
#include "temp_dir.hpp"

using namespace gridsync;
using namespace gridsync::store;

namespace {
const Migration kV1{1, "households",
                    "CREATE TABLE household(id TEXT PRIMARY KEY NOT NULL, address TEXT NOT NULL)"};
const Migration kV2{2, "grid on household", "ALTER TABLE household ADD COLUMN grid_id TEXT"};
const Migration kV3Broken{3, "broken", "CREATE TABLE x(id TEXT PRIMARY KEY NOT NULL); SELEKT 1"};
}  // namespace

TEST(Migrate, AppliesInOrderAndOnlyOnce) {
    test::TempDir dir;
    auto db = Database::open(dir / "m.db");
    const Migration both[] = {kV1, kV2};
    auto r = migrate(db, both);
    EXPECT_EQ(r.from_version, 0);
    EXPECT_EQ(r.to_version, 2);
    EXPECT_EQ(db.user_version(), 2);
    db.execute("INSERT INTO household VALUES ('h1', '解放碑 1栋', 'g1')");
    auto again = migrate(db, both);
    EXPECT_EQ(again.from_version, 2);
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM household"), 1);
}

TEST(Migrate, UpgradesAnOldDatabaseKeepingItsRows) {
    test::TempDir dir;
    {
        auto db = Database::open(dir / "m.db");
        const Migration first[] = {kV1};
        (void)migrate(db, first);
        db.execute("INSERT INTO household VALUES ('h1', 'old')");
    }
    auto db = Database::open(dir / "m.db");
    const Migration both[] = {kV1, kV2};
    EXPECT_EQ(migrate(db, both).from_version, 1);
    EXPECT_EQ(db.query_value<std::string>("SELECT address FROM household WHERE grid_id IS NULL"),
              "old");
}

TEST(Migrate, FailedStepLeavesLastGoodVersion) {
    test::TempDir dir;
    auto db = Database::open(dir / "m.db");
    const Migration all[] = {kV1, kV2, kV3Broken};
    EXPECT_THROW((void)migrate(db, all), StoreError);
    EXPECT_EQ(db.user_version(), 2);
    EXPECT_FALSE(db.query_value<int>("SELECT 1 FROM sqlite_schema WHERE name='x'"));
}

TEST(Migrate, RefusesNewerDatabaseWithoutTouchingIt) {
    test::TempDir dir;
    auto db = Database::open(dir / "m.db");
    db.set_user_version(7);
    const Migration both[] = {kV1, kV2};
    try {
        (void)migrate(db, both);
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.code(), Errc::newer_schema);
        EXPECT_NE(std::string(e.what()).find("7"), std::string::npos);
    }
    EXPECT_EQ(db.user_version(), 7);
    EXPECT_FALSE(db.query_value<int>("SELECT 1 FROM sqlite_schema WHERE name='household'"));
}

TEST(Migrate, RefusesGapsInTheList) {
    test::TempDir dir;
    auto db = Database::open(dir / "m.db");
    const Migration gap[] = {kV1, kV3Broken};
    try {
        (void)migrate(db, gap);
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.code(), Errc::bad_migrations);
    }
    EXPECT_EQ(db.user_version(), 0);
}

TEST(Migrate, NamedComponentsKeepTheirOwnVersion) {
    test::TempDir dir;
    auto db = Database::open(dir / "m.db");
    const Migration replicated[] = {kV1, kV2};
    const Migration local[] = {{1, "outbox", "CREATE TABLE outbox(seq INTEGER PRIMARY KEY)"}};
    (void)migrate(db, replicated);
    const auto r = migrate(db, local, "sync.local");
    EXPECT_EQ(r.from_version, 0);
    EXPECT_EQ(r.to_version, 1);
    EXPECT_EQ(db.user_version(), 2) << "a named component must not touch user_version";
    EXPECT_EQ(migrate(db, local, "sync.local").from_version, 1);
    EXPECT_EQ(
        db.query_value<int>("SELECT version FROM gridsync_schema WHERE component='sync.local'"), 1);
}
