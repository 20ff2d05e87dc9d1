#include <gtest/gtest.h>

#include "fixtures.hpp"

using namespace gridsync;
using namespace gridsync::store;
using test::TwoNodes;

namespace {

std::string dump(Database& db, const char* table) {
    std::string out;
    auto st = db.prepare(std::string("SELECT * FROM ") + table + " ORDER BY 1");
    while (st.step()) {
        for (int c = 0; c < st.column_count(); ++c) {
            switch (st.column_type(c)) {
                case ColumnType::null:
                    out += "NULL";
                    break;
                case ColumnType::integer:
                    out += std::to_string(st.column<std::int64_t>(c));
                    break;
                case ColumnType::blob:
                    out += to_hex(st.column<Bytes>(c));
                    break;
                default:
                    out += st.column<std::string>(c);
            }
            out += "|";
        }
        out += "\n";
    }
    return out;
}

}  // namespace

TEST(Session, CapturesInsertUpdateDeleteWithTypedValues) {
    TwoNodes n;
    n.device.execute("INSERT INTO household VALUES ('h1', '1栋1单元101', NULL)");
    n.device.execute("INSERT INTO resident VALUES ('r0', 'h1', '王五', 80, NULL)");
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO resident VALUES ('r1', 'h1', '张三', 34, x'00ff')");
        n.device.execute("UPDATE household SET phone='13800000000' WHERE id='h1'");
        n.device.execute("DELETE FROM resident WHERE id='r0'");
    });
    ASSERT_FALSE(cs.empty());

    int inserts = 0, updates = 0, deletes = 0;
    ChangesetIterator it(cs.bytes());
    while (it.next()) {
        if (it.op() == Op::insert) {
            ++inserts;
            EXPECT_EQ(it.table(), "resident");
            EXPECT_EQ(it.primary_key(), std::vector<Value>{std::string("r1")});
            EXPECT_EQ(it.new_value(2), Value(std::string("张三")));
            EXPECT_EQ(it.new_value(3), Value(std::int64_t{34}));
            EXPECT_EQ(it.new_value(4), Value(Bytes{0x00, 0xff}));
            EXPECT_FALSE(it.old_value(2).has_value());
        } else if (it.op() == Op::update) {
            ++updates;
            EXPECT_EQ(it.table(), "household");
            EXPECT_EQ(it.primary_key_columns(), (std::vector<bool>{true, false, false}));
            EXPECT_EQ(it.old_value(2), Value(Null{}));
            EXPECT_EQ(it.new_value(2), Value(std::string("13800000000")));
            EXPECT_FALSE(it.new_value(1).has_value()) << "unchanged column carried";
        } else {
            ++deletes;
            EXPECT_EQ(it.old_value(1), Value(std::string("h1")));
            EXPECT_EQ(it.old_row().size(), 5u);
        }
    }
    EXPECT_EQ(inserts, 1);
    EXPECT_EQ(updates, 1);
    EXPECT_EQ(deletes, 1);
}

TEST(Session, ChangesetRoundTripMakesTwoDatabasesEqual) {
    TwoNodes n;
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        for (int i = 0; i < 50; ++i) {
            const std::string h = "h" + std::to_string(i);
            n.device.execute("INSERT INTO household(id, address) VALUES (?1, ?2)", h, "地址 " + h);
            n.device.execute("INSERT INTO resident VALUES (?1, ?2, ?3, ?4, ?5)",
                             "r" + std::to_string(i), h, "居民" + std::to_string(i), i,
                             Bytes(static_cast<std::size_t>(i), 7));
        }
    });
    const auto report = apply_changeset(n.central, cs.bytes(), test::fail_on_conflict());
    EXPECT_FALSE(report.aborted);
    EXPECT_EQ(dump(n.device, "household"), dump(n.central, "household"));
    EXPECT_EQ(dump(n.device, "resident"), dump(n.central, "resident"));
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM resident"), 50);

    // And updates/deletes follow.
    const Changeset cs2 = TwoNodes::capture(n.device, [&] {
        n.device.execute("UPDATE resident SET age = age + 1 WHERE id IN ('r1', 'r2')");
        n.device.execute("DELETE FROM resident WHERE id = 'r3'");
    });
    (void)apply_changeset(n.central, cs2.bytes(), test::fail_on_conflict());
    EXPECT_EQ(dump(n.device, "resident"), dump(n.central, "resident"));
}

TEST(Session, PatchsetOmitsOldValues) {
    TwoNodes n;
    n.device.execute("INSERT INTO household VALUES ('h1', 'a', NULL)");
    store::Session s(n.device);
    s.attach("household");
    n.device.execute("UPDATE household SET address='b' WHERE id='h1'");
    const Changeset full = s.changeset();
    const Changeset patch = s.patchset();
    EXPECT_LT(patch.size(), full.size());
    ChangesetIterator it(full.bytes());
    ASSERT_TRUE(it.next());
    EXPECT_EQ(it.old_value(1), Value(std::string("a")));
}

TEST(Session, ConcatCollapsesLikeOneTransaction) {
    TwoNodes n;
    const Changeset a = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h1', 'first', NULL)");
        n.device.execute("INSERT INTO household VALUES ('h2', 'temp', NULL)");
    });
    const Changeset b = TwoNodes::capture(n.device, [&] {
        n.device.execute("UPDATE household SET address='second' WHERE id='h1'");
        n.device.execute("DELETE FROM household WHERE id='h2'");
    });
    const ByteView parts[] = {a.bytes(), b.bytes()};
    const Changeset ab = concat(parts);
    ChangesetIterator it(ab.bytes());
    ASSERT_TRUE(it.next());
    EXPECT_EQ(it.op(), Op::insert);
    EXPECT_EQ(it.new_value(1), Value(std::string("second")));
    EXPECT_FALSE(it.next()) << "insert+delete of h2 should vanish";

    (void)apply_changeset(n.central, ab.bytes(), test::fail_on_conflict());
    EXPECT_EQ(n.central.query_value<std::string>("SELECT address FROM household"), "second");
}

TEST(Session, InvertUndoes) {
    TwoNodes n;
    n.device.execute("INSERT INTO household VALUES ('h1', 'before', NULL)");
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("UPDATE household SET address='after' WHERE id='h1'");
        n.device.execute("INSERT INTO household VALUES ('h2', 'new', NULL)");
    });
    const Changeset undo = cs.inverted();
    (void)apply_changeset(n.device, undo.bytes(), test::fail_on_conflict());
    EXPECT_EQ(n.device.query_value<std::string>("SELECT address FROM household WHERE id='h1'"),
              "before");
    EXPECT_EQ(n.device.query_value<int>("SELECT count(*) FROM household"), 1);
}

TEST(Session, RefusesTablesItWouldSilentlySkip) {
    TwoNodes n;
    n.device.exec("CREATE TABLE nokey(a TEXT, b TEXT)");
    n.device.exec("CREATE TABLE nullable_key(a TEXT PRIMARY KEY, b TEXT)");
    n.device.exec("CREATE TABLE rowid_key(a INTEGER PRIMARY KEY, b TEXT)");
    n.device.exec("CREATE TABLE composite(a TEXT NOT NULL, b INTEGER, PRIMARY KEY (a, b))");
    store::Session s(n.device);
    for (const char* bad : {"nokey", "nullable_key", "composite", "no_such_table"}) {
        try {
            s.attach(bad);
            ADD_FAILURE() << bad << " was attached";
        } catch (const StoreError& e) {
            EXPECT_EQ(e.code(), Errc::not_capturable) << bad;
        }
    }
    EXPECT_NO_THROW(s.attach("rowid_key"));
    EXPECT_NO_THROW(s.attach("household"));
    const auto problems =
        uncapturable_tables(n.device, {"household", "resident", "nokey", "composite"});
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_NE(problems[0].find("nokey"), std::string::npos);
    EXPECT_NE(problems[1].find("composite: primary key column b"), std::string::npos);
}

TEST(ChangesetIterator, MalformedInputIsRefusedNotCrashedOn) {
    TwoNodes n;
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h1', '1栋', '139')");
        n.device.execute("INSERT INTO resident VALUES ('r1', 'h1', '李四', 3, x'0102')");
    });
    const ByteView all = cs.bytes();
    int refused = 0;
    // Every prefix: either a shorter valid changeset or a clean refusal.
    for (std::size_t len = 1; len < all.size(); ++len) {
        try {
            ChangesetIterator it(all.first(len));
            while (it.next()) {
                (void)it.new_row();
            }
        } catch (const StoreError& e) {
            EXPECT_TRUE(e.code() == Errc::malformed_changeset ||
                        (e.sqlite_code() & 0xff) == SQLITE_CORRUPT)
                << e.what();
            ++refused;
        }
    }
    EXPECT_GT(refused, 0);
    // Garbage is refused.
    const Bytes garbage = to_bytes("this is not a changeset at all, just words");
    EXPECT_THROW(
        {
            ChangesetIterator it(garbage);
            while (it.next()) {
            }
        },
        StoreError);
}
