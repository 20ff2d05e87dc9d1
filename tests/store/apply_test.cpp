#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "fixtures.hpp"
#include "gridsync/store/changeset_writer.hpp"

using namespace gridsync;
using namespace gridsync::store;
using test::TwoNodes;

namespace {

// Records every conflict and answers with a fixed action.
struct Recorder {
    std::vector<Conflict> seen;
    ConflictAction answer = ConflictAction::omit;
    ConflictHandler handler() {
        return [this](const Conflict& c) {
            seen.push_back(c);
            return answer;
        };
    }
};

class ApplyTest : public ::testing::Test {
  protected:
    TwoNodes n;
    void SetUp() override {
        for (auto* db : {&n.device, &n.central}) {
            db->execute("INSERT INTO household VALUES ('h1', '原地址', NULL)");
            db->execute("INSERT INTO resident VALUES ('r1', 'h1', '张三', 30, NULL)");
        }
    }
    std::string central_address() {
        return n.central.query_value<std::string>("SELECT address FROM household WHERE id='h1'")
            .value_or("<none>");
    }
};

}  // namespace

TEST_F(ApplyTest, DataConflictShowsLocalAndIncomingAndCanBeOmittedOrReplaced) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("UPDATE household SET address='设备地址' WHERE id='h1'");
    });
    n.central.execute("UPDATE household SET address='中心地址' WHERE id='h1'");

    Recorder r;
    auto report = apply_changeset(n.central, cs.bytes(), r.handler());
    ASSERT_EQ(r.seen.size(), 1u);
    const Conflict& c = r.seen[0];
    EXPECT_EQ(c.kind, ConflictKind::data);
    EXPECT_EQ(c.op, Op::update);
    EXPECT_EQ(c.table, "household");
    EXPECT_EQ(c.key, std::vector<Value>{std::string("h1")});
    EXPECT_EQ(c.local[1], Value(std::string("中心地址")));
    EXPECT_EQ(c.incoming_old[1], Value(std::string("原地址")));
    EXPECT_EQ(c.incoming_new[1], Value(std::string("设备地址")));
    EXPECT_EQ(report.conflicts_of(ConflictKind::data), 1);
    EXPECT_EQ(report.omitted, 1);
    EXPECT_EQ(central_address(), "中心地址");

    r.answer = ConflictAction::replace;
    report = apply_changeset(n.central, cs.bytes(), r.handler());
    EXPECT_EQ(report.replaced, 1);
    EXPECT_EQ(central_address(), "设备地址");
}

TEST_F(ApplyTest, NotFoundWhenTheRowIsGone) {
    const Changeset cs = TwoNodes::capture(
        n.device, [&] { n.device.execute("UPDATE resident SET age=31 WHERE id='r1'"); });
    n.central.execute("DELETE FROM resident WHERE id='r1'");
    Recorder r;
    (void)apply_changeset(n.central, cs.bytes(), r.handler());
    ASSERT_EQ(r.seen.size(), 1u);
    EXPECT_EQ(r.seen[0].kind, ConflictKind::not_found);
    EXPECT_EQ(r.seen[0].table, "resident");
    EXPECT_TRUE(r.seen[0].local.empty());
}

TEST_F(ApplyTest, ConflictWhenTheKeyAlreadyExists) {
    const Changeset cs = TwoNodes::capture(
        n.device, [&] { n.device.execute("INSERT INTO household VALUES ('h2', '设备', NULL)"); });
    n.central.execute("INSERT INTO household VALUES ('h2', '中心', NULL)");
    Recorder r;
    r.answer = ConflictAction::replace;
    (void)apply_changeset(n.central, cs.bytes(), r.handler());
    ASSERT_EQ(r.seen.size(), 1u);
    EXPECT_EQ(r.seen[0].kind, ConflictKind::conflict);
    EXPECT_EQ(r.seen[0].local[1], Value(std::string("中心")));
    EXPECT_EQ(n.central.query_value<std::string>("SELECT address FROM household WHERE id='h2'"),
              "设备");
}

TEST_F(ApplyTest, ConstraintWhenAnotherUniqueColumnClashes) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h2', '设备', '13900000000')");
    });
    n.central.execute("INSERT INTO household VALUES ('h9', '中心', '13900000000')");
    Recorder r;
    const auto report = apply_changeset(n.central, cs.bytes(), r.handler());
    ASSERT_EQ(r.seen.size(), 1u);
    EXPECT_EQ(r.seen[0].kind, ConflictKind::constraint);
    EXPECT_EQ(report.conflicts_of(ConflictKind::constraint), 1);
    EXPECT_FALSE(n.central.query_value<int>("SELECT 1 FROM household WHERE id='h2'"));
}

TEST_F(ApplyTest, ForeignKeyWhenTheParentIsMissing) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h3', '新户', NULL)");
        n.device.execute("INSERT INTO resident VALUES ('r3', 'h3', '赵六', 5, NULL)");
    });
    // Central gets only the resident: its household never arrives.
    ApplyOptions only_residents;
    only_residents.table_filter = [](std::string_view t) { return t == "resident"; };
    Recorder r;
    const auto report = apply_changeset(n.central, cs.bytes(), r.handler(), only_residents);
    ASSERT_EQ(r.seen.size(), 1u);
    EXPECT_EQ(r.seen[0].kind, ConflictKind::foreign_key);
    EXPECT_EQ(r.seen[0].foreign_key_violations, 1);
    EXPECT_EQ(report.omitted, 1);
    // OMIT of a foreign-key conflict commits the change anyway; the caller
    // decides. Here the orphan row is present and the FK check finds it.
    EXPECT_EQ(
        n.central.query_value<int>("SELECT count(*) FROM pragma_foreign_key_check('resident')"), 1);
}

TEST_F(ApplyTest, AbortLeavesNothingApplied) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h5', 'ok', NULL)");
        n.device.execute("UPDATE household SET address='设备' WHERE id='h1'");
    });
    n.central.execute("UPDATE household SET address='中心' WHERE id='h1'");
    Recorder r;
    r.answer = ConflictAction::abort;
    const auto report = apply_changeset(n.central, cs.bytes(), r.handler());
    EXPECT_TRUE(report.aborted);
    EXPECT_FALSE(n.central.query_value<int>("SELECT 1 FROM household WHERE id='h5'"));
    EXPECT_EQ(central_address(), "中心");
}

TEST_F(ApplyTest, ReplaceForAKindThatForbidsItIsRefusedAndNothingApplied) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h6', 'ok', NULL)");
        n.device.execute("UPDATE resident SET age=31 WHERE id='r1'");
    });
    n.central.execute("DELETE FROM resident WHERE id='r1'");
    Recorder r;
    r.answer = ConflictAction::replace;  // illegal for NOTFOUND
    try {
        (void)apply_changeset(n.central, cs.bytes(), r.handler());
        FAIL() << "REPLACE for NOTFOUND was accepted";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.code(), Errc::bad_conflict_answer);
    }
    EXPECT_FALSE(n.central.query_value<int>("SELECT 1 FROM household WHERE id='h6'"));
}

TEST_F(ApplyTest, ExceptionFromHandlerPropagatesAndNothingApplied) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h7', 'ok', NULL)");
        n.device.execute("UPDATE household SET address='设备' WHERE id='h1'");
    });
    n.central.execute("UPDATE household SET address='中心' WHERE id='h1'");
    auto throwing = [](const Conflict&) -> ConflictAction {
        throw std::runtime_error("handler bug");
    };
    EXPECT_THROW((void)apply_changeset(n.central, cs.bytes(), throwing), std::runtime_error);
    EXPECT_FALSE(n.central.query_value<int>("SELECT 1 FROM household WHERE id='h7'"));
    EXPECT_FALSE(n.central.in_transaction());
}

TEST_F(ApplyTest, CorruptChangesetThrowsAndChangesNothing) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h8', 'ok', NULL)");
        n.device.execute("INSERT INTO resident VALUES ('r8', 'h8', '某某', 1, NULL)");
    });
    Bytes cut(cs.bytes().begin(), cs.bytes().end() - 3);
    EXPECT_THROW((void)apply_changeset(n.central, cut, test::fail_on_conflict()), StoreError);
    EXPECT_FALSE(n.central.query_value<int>("SELECT 1 FROM household WHERE id='h8'"));
}

// apply_cleanly: the same rows as apply_changeset when no change conflicts;
// false and nothing written otherwise, for apply_changeset to handle.
TEST_F(ApplyTest, NewRowsGoInThroughCachedStatementsAsApplyWouldPutThem) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h2', '新户', '13900000001')");
        n.device.execute("INSERT INTO resident VALUES ('r2', 'h2', '李四', 41, NULL)");
    });
    ASSERT_TRUE(apply_cleanly(n.central, cs.bytes()));
    for (const char* sql : {"SELECT address || phone FROM household WHERE id = 'h2'",
                            "SELECT name || age || household_id FROM resident WHERE id = 'r2'"}) {
        EXPECT_EQ(n.central.query_value<std::string>(sql), n.device.query_value<std::string>(sql))
            << sql;
    }
    // Again: the keys are taken, so nothing of it goes in (a conflict).
    EXPECT_FALSE(apply_cleanly(n.central, cs.bytes()));
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM household"), 2);
}

TEST_F(ApplyTest, UpdatesAndDeletesOfRowsAsTheDeviceSawThemGoInCleanly) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("UPDATE household SET address = '改', phone = '139' WHERE id = 'h1'");
        n.device.execute("INSERT INTO household VALUES ('h2', '新户', NULL)");
        n.device.execute("UPDATE resident SET household_id = 'h2' WHERE id = 'r1'");
        n.device.execute("DELETE FROM resident WHERE id = 'r1'");
    });
    ASSERT_TRUE(apply_cleanly(n.central, cs.bytes()));
    for (const char* sql : {"SELECT group_concat(id || address || coalesce(phone, '-')) FROM "
                            "(SELECT * FROM household ORDER BY id)",
                            "SELECT count(*) || '' FROM resident"}) {
        EXPECT_EQ(n.central.query_value<std::string>(sql), n.device.query_value<std::string>(sql))
            << sql;
    }
}

TEST_F(ApplyTest, ApplyCleanlyLeavesEveryConflictToApply) {
    // Central changed the row since the device read it: a data conflict.
    const Changeset update = TwoNodes::capture(
        n.device, [&] { n.device.execute("UPDATE household SET address = '改' WHERE id = 'h1'"); });
    n.central.execute("UPDATE household SET address = '中心' WHERE id = 'h1'");
    EXPECT_FALSE(apply_cleanly(n.central, update.bytes()));
    EXPECT_EQ(central_address(), "中心");
    // The row is gone at central: not found, for an UPDATE and a DELETE.
    const Changeset age = TwoNodes::capture(
        n.device, [&] { n.device.execute("UPDATE resident SET age = 31 WHERE id = 'r1'"); });
    n.central.execute("DELETE FROM resident WHERE id = 'r1'");
    EXPECT_FALSE(apply_cleanly(n.central, age.bytes()));
    const Changeset gone = TwoNodes::capture(
        n.device, [&] { n.device.execute("DELETE FROM resident WHERE id = 'r1'"); });
    EXPECT_FALSE(apply_cleanly(n.central, gone.bytes()));
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM resident"), 0);
    // A resident whose household central lacks: the first row went in, the
    // second fails its foreign key, and the savepoint takes both back.
    n.device.execute("INSERT INTO household VALUES ('h3', '只在设备', NULL)");
    const Changeset orphan = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO resident VALUES ('r4', 'h1', '孙七', 7, NULL)");
        n.device.execute("INSERT INTO resident VALUES ('r3', 'h3', '赵六', 5, NULL)");
    });
    EXPECT_FALSE(apply_cleanly(n.central, orphan.bytes()));
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM resident"), 0);
    // A clean change before a conflicting one in the same changeset: both
    // taken back.
    const Changeset mixed = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h5', '先', NULL)");
        n.device.execute("UPDATE household SET address = '再改' WHERE id = 'h1'");
    });
    EXPECT_FALSE(apply_cleanly(n.central, mixed.bytes()));
    EXPECT_FALSE(n.central.query_value<int>("SELECT 1 FROM household WHERE id = 'h5'"));
    EXPECT_FALSE(n.central.in_transaction());
}

// Central captures what it applies (the changeset other devices pull): the
// same bytes whichever way the rows went in, including after a failed fast
// try that the savepoint took back.
TEST_F(ApplyTest, WhatASessionCapturesIsTheSameEitherWay) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h2', '新户', '13900000002')");
        n.device.execute("INSERT INTO resident VALUES ('r2', 'h2', '李四', 41, NULL)");
        n.device.execute("UPDATE household SET address = '改' WHERE id = 'h1'");
        n.device.execute("UPDATE resident SET age = 31, household_id = 'h2' WHERE id = 'r1'");
        n.device.execute("DELETE FROM resident WHERE id = 'r2'");
    });
    const auto captured = [&](Database& db, bool fast) {
        return TwoNodes::capture(db, [&] {
            if (!fast || !apply_cleanly(db, cs.bytes()))
                (void)apply_changeset(db, cs.bytes(), test::fail_on_conflict());
        });
    };
    TwoNodes other;
    for (auto* db : {&other.central}) {
        db->execute("INSERT INTO household VALUES ('h1', '原地址', NULL)");
        db->execute("INSERT INTO resident VALUES ('r1', 'h1', '张三', 30, NULL)");
    }
    const Changeset fast = captured(n.central, true);
    const Changeset slow = captured(other.central, false);
    EXPECT_EQ(to_hex(fast.bytes()), to_hex(slow.bytes()));
    // A fast try that fails half-way leaves nothing in the session.
    n.device.execute("INSERT INTO household VALUES ('h3', '只在设备', NULL)");
    const Changeset orphan = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO resident VALUES ('r4', 'h1', '孙七', 7, NULL)");
        n.device.execute("INSERT INTO resident VALUES ('r3', 'h3', '赵六', 5, NULL)");
    });
    const Changeset none = TwoNodes::capture(
        n.central, [&] { EXPECT_FALSE(apply_cleanly(n.central, orphan.bytes())); });
    EXPECT_TRUE(none.bytes().empty());
}

// A table whose primary key is another than the changeset's (same columns):
// left to apply_changeset, which skips such a table, as SQLite does.
TEST_F(ApplyTest, ApplyInsertsLeavesATableOfAnotherKeyToApply) {
    n.device.exec("CREATE TABLE pair(a TEXT PRIMARY KEY NOT NULL, b TEXT)");
    n.central.exec("CREATE TABLE pair(a TEXT, b TEXT PRIMARY KEY NOT NULL)");
    Session s(n.device);
    s.attach("pair");
    n.device.execute("INSERT INTO pair VALUES ('k', 'v')");
    const Changeset cs = s.changeset();
    EXPECT_FALSE(apply_cleanly(n.central, cs.bytes()));
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM pair"), 0);
}

// as_a_session_writes_it: what a session captures is; what a device could
// craft otherwise is not. And the point of it: such a changeset, applied
// cleanly, is the same changes as a session capturing that apply writes.
namespace {

std::vector<std::string> changes_of(ByteView changeset) {
    std::vector<std::string> out;
    for (ChangesetIterator it(changeset); it.next();) {
        std::string c = std::string(it.table()) + " " + std::string(to_string(it.op()));
        for (int i = 0; i < it.column_count(); ++i) {
            const auto o = it.old_value(i);
            const auto v = it.new_value(i);
            c += " | " + (o ? to_display(*o) : "-") + " > " + (v ? to_display(*v) : "-");
        }
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end());
    return out;
}

// One change to household (id, address, phone), written by hand.
Changeset household_change(Op op, const Row& old_row, const Row& new_row, bool indirect = false) {
    ChangesetWriter w;
    w.begin_table("household", {1, 0, 0});
    w.change(op, indirect, old_row, new_row);
    return w.finish();
}

}  // namespace

TEST_F(ApplyTest, WhatASessionCapturedIsWhatASessionCapturesOfItsCleanApply) {
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        n.device.execute("UPDATE household SET phone = '139' WHERE id = 'h1'");
        for (int i = 0; i < 40; ++i) {
            const std::string h = "h" + std::to_string(i + 10);
            n.device.execute("INSERT INTO household VALUES (?1, '新户', NULL)", h);
            n.device.execute("INSERT INTO resident VALUES (?1, ?2, '李四', ?3, NULL)",
                             "r" + std::to_string(i + 10), h, i);
        }
        n.device.execute("UPDATE resident SET age = 31, name = '张三丰' WHERE id = 'r1'");
    });
    ASSERT_TRUE(as_a_session_writes_it(cs.bytes()));
    const Changeset central_captured =
        TwoNodes::capture(n.central, [&] { ASSERT_TRUE(apply_cleanly(n.central, cs.bytes())); });
    EXPECT_EQ(changes_of(central_captured.bytes()), changes_of(cs.bytes()));
    const Changeset gone = TwoNodes::capture(
        n.device, [&] { n.device.execute("DELETE FROM resident WHERE id = 'r10'"); });
    EXPECT_TRUE(as_a_session_writes_it(gone.bytes()));
}

TEST_F(ApplyTest, AChangesetNoSessionWouldWriteIsToldApart) {
    const Value h1 = std::string("h1"), addr = std::string("原地址"), phone = std::string("139");
    const Value other = std::string("别处");
    // As a session writes it: the key and the changed column, old and new.
    EXPECT_TRUE(
        as_a_session_writes_it(household_change(Op::update, {h1, std::nullopt, Value(Null{})},
                                                {std::nullopt, std::nullopt, phone})
                                   .bytes()));
    // An old value of a column it does not change is dropped by SQLite's
    // own reading of a changeset (sqlite3changeset_next: "technically
    // corrupt"), so no apply, filter or capture ever sees it: the same changes.
    const Changeset extra = household_change(Op::update, {h1, addr, Value(Null{})},
                                             {std::nullopt, std::nullopt, phone});
    EXPECT_TRUE(as_a_session_writes_it(extra.bytes()));
    {
        ChangesetIterator it(extra.bytes());
        ASSERT_TRUE(it.next());
        EXPECT_FALSE(it.old_value(1));
    }
    // A column "changed" to the value it had, and an UPDATE changing nothing.
    EXPECT_FALSE(as_a_session_writes_it(
        household_change(Op::update, {h1, addr, std::nullopt}, {std::nullopt, addr, std::nullopt})
            .bytes()));
    EXPECT_FALSE(
        as_a_session_writes_it(household_change(Op::update, {h1, std::nullopt, std::nullopt},
                                                {std::nullopt, std::nullopt, std::nullopt})
                                   .bytes()));
    // A new value of the key in an UPDATE.
    EXPECT_FALSE(
        as_a_session_writes_it(household_change(Op::update, {h1, addr, std::nullopt},
                                                {Value(std::string("h9")), other, std::nullopt})
                                   .bytes()));
    // A change flagged indirect (a trigger's, on the device).
    EXPECT_FALSE(as_a_session_writes_it(
        household_change(Op::insert, {}, {Value(std::string("h2")), addr, Value(Null{})}, true)
            .bytes()));
    // The same row twice.
    ChangesetWriter twice;
    twice.begin_table("household", {1, 0, 0});
    twice.change(Op::insert, false, {}, {Value(std::string("h2")), addr, Value(Null{})});
    twice.change(Op::update, false, {Value(std::string("h2")), addr, std::nullopt},
                 {std::nullopt, other, std::nullopt});
    EXPECT_FALSE(as_a_session_writes_it(twice.finish().bytes()));
}
