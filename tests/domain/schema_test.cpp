// The replicated schema's history is pinned: each version's tables, as a
// device that stopped at that version holds them, are golden files
// (tests/golden/schema_vN.sql). A device at an older version upgrades in
// place without losing a row, and what it signed under that version still
// applies to the newer tables. GRIDSYNC_UPDATE_GOLDEN=1 rewrites the files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "golden.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/seed.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/changeset.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/store/session.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

namespace {

std::string schema_sql(store::Database& db) {
    std::string out;
    auto st =
        db.prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type DESC, name");
    while (st.step())
        out += st.column<std::string>(0) + ";\n";
    return out;
}

}  // namespace

TEST(SchemaHistory, EachVersionIsPinned) {
    const auto all = domain::migrations();
    ASSERT_EQ(static_cast<int>(all.size()), domain::kSchemaVersion);
    for (std::size_t v = 1; v <= all.size(); ++v) {
        test::TempDir dir;
        auto db = store::Database::open(dir / "node.db");
        (void)store::migrate(db, all.first(v));
        test::check_golden_text("schema_v" + std::to_string(v) + ".sql", schema_sql(db));
    }
}

TEST(SchemaHistory, AVersionOneDeviceUpgradesWithEveryRowAndItsChangesStillApply) {
    test::TempDir dir;
    auto old = store::Database::open(dir / "old.db");
    (void)store::migrate(old, domain::migrations().first(1));
    // Rows as a version-1 device wrote them (the seed writes today's schema).
    {
        store::Transaction tx(old);
        old.exec(R"(
            INSERT INTO service_point VALUES ('sp1', '民生路办事点', 'central', 1);
            INSERT INTO community(id, code, name, service_point_id, origin_device, hlc)
                VALUES ('c1', 'C01', '民生路社区', 'sp1', 'central', 1);
            INSERT INTO grid VALUES ('g1', 'c1', '民生路社区第1网格', NULL, 'central', 1);
            INSERT INTO household VALUES ('h1', 'g1', '1栋1单元101', 'central', 1);
            INSERT INTO household VALUES ('h2', 'g1', '1栋1单元102', 'central', 1);
            INSERT INTO certificate_type VALUES ('t1', 'elderly_card', '老年人优待证', 10, 'central', 1);
        )");
        for (int i = 0; i < 6; ++i) {
            old.execute(
                R"(INSERT INTO resident(id, household_id, name, id_digest, id_last4, phone, origin_device, hlc)
                          VALUES (?1, ?2, '张三', ?3, '001X', NULL, 'central', 1))",
                "r" + std::to_string(i), i % 2 ? "h1" : "h2",
                crypto::SecureBuffer::random(32).view());
        }
        tx.commit();
    }
    const auto residents = *old.query_value<int>("SELECT count(*) FROM resident");
    ASSERT_GT(residents, 0);
    // Central, already at the newest version, holds the same rows.
    old.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::filesystem::copy_file(dir / "old.db", dir / "central.db");
    auto central = store::Database::open(dir / "central.db");
    EXPECT_EQ(store::migrate(central, domain::migrations()).from_version, 1);
    EXPECT_EQ(*central.query_value<int>("SELECT count(*) FROM resident"), residents);

    // A change the version-1 device captures and signs: a phone number.
    const std::string resident = "r0";
    store::Changeset v1_change;
    {
        store::Session capture(old);
        capture.attach_checked("resident");
        old.execute("UPDATE resident SET phone = '13700000000' WHERE id = ?1", resident);
        v1_change = capture.changeset();
    }
    const auto applied =
        store::apply_changeset(central, v1_change.bytes(),
                               [](const store::Conflict&) { return store::ConflictAction::abort; });
    EXPECT_FALSE(applied.aborted) << "a version-1 change applies to version 2 as it is";
    EXPECT_EQ(
        central.query_value<std::string>("SELECT phone FROM resident WHERE id = ?1", resident),
        "13700000000");

    // The device itself upgrades in place.
    EXPECT_EQ(store::migrate(old, domain::migrations()).from_version, 1);
    EXPECT_EQ(*old.query_value<int>("SELECT count(*) FROM resident"), residents);
    EXPECT_EQ(*old.query_value<int>("SELECT count(*) FROM payment_void"), 0);
    // A version-1 time limit is read as working days from version 3 on.
    EXPECT_EQ(old.query_value<int>("SELECT due_working_days FROM certificate_type WHERE id = 't1'"),
              10);
}

// docs/PROTOCOL.md lists the replicated tables another client needs, in the
// order snapshots and the scope digest walk them: it must be this build's.
TEST(Schema, ProtocolDocListsTheReplicatedTablesInOrder) {
    std::ifstream in(std::string(GRIDSYNC_DOCS_DIR) + "/PROTOCOL.md");
    ASSERT_TRUE(in) << "docs/PROTOCOL.md";
    std::vector<std::string> listed;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "<!-- replicated-tables -->") {
            inside = true;
        } else if (line == "<!-- /replicated-tables -->") {
            inside = false;
        } else if (inside) {
            const auto open = line.find('`');
            const auto close = line.rfind('`');
            ASSERT_NE(open, std::string::npos) << line;
            EXPECT_EQ(line.substr(0, line.find('.')), std::to_string(listed.size())) << line;
            listed.push_back(line.substr(open + 1, close - open - 1));
        }
    }
    EXPECT_EQ(listed, domain::replicated_tables());
}
