#include <gtest/gtest.h>

#include "gridsync/store/columns.hpp"
#include "gridsync/store/database.hpp"
#include "temp_dir.hpp"

using namespace gridsync;
using namespace gridsync::store;

class DatabaseTest : public ::testing::Test {
  protected:
    test::TempDir dir;
    Database db = Database::open(dir / "node.db");
    void SetUp() override {
        db.exec(R"(CREATE TABLE payment(
                     id TEXT PRIMARY KEY NOT NULL,
                     amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                     note TEXT,
                     ack BLOB,
                     ratio REAL)
                   STRICT)");
    }
};

TEST_F(DatabaseTest, OpensWithWalAndForeignKeys) {
    EXPECT_EQ(db.query_value<std::string>("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(db.query_value<int>("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(db.query_value<int>("PRAGMA synchronous"), 2);  // FULL
    auto normal = Database::open(dir / "other.db", OpenOptions{.synchronous = Synchronous::normal});
    EXPECT_EQ(normal.query_value<int>("PRAGMA synchronous"), 1);
}

TEST_F(DatabaseTest, TypedBindAndColumnRoundTrip) {
    const Bytes ack{0x00, 0xff, 0x10};
    db.execute("INSERT INTO payment VALUES (?1, ?2, ?3, ?4, ?5)", "p1", std::int64_t{56000},
               std::optional<std::string>{}, ack, 0.5);
    db.execute("INSERT INTO payment VALUES (?1, ?2, ?3, ?4, ?5)", std::string("p2"), 1,
               std::string_view("代领:配偶"), Bytes{}, nullptr);

    auto st = db.prepare("SELECT id, amount_fen, note, ack, ratio FROM payment ORDER BY id");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.column<std::string>(0), "p1");
    EXPECT_EQ(st.column<std::int64_t>(1), 56000);
    EXPECT_EQ(st.column<std::optional<std::string>>(2), std::nullopt);
    EXPECT_EQ(st.column<Bytes>(3), ack);
    EXPECT_DOUBLE_EQ(st.column<double>(4), 0.5);
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.column<int>(1), 1);
    EXPECT_EQ(st.column<std::string>(2), "代领:配偶");
    EXPECT_EQ(st.column_type(3), ColumnType::blob);  // an empty blob stays a blob
    EXPECT_TRUE(st.column<Bytes>(3).empty());
    EXPECT_TRUE(st.is_null(4));
    EXPECT_FALSE(st.step());
}

TEST_F(DatabaseTest, ColumnNamesComeInTheTablesOrderAndNoneForAMissingTable) {
    EXPECT_EQ(column_names(db, "payment"),
              (std::vector<std::string>{"id", "amount_fen", "note", "ack", "ratio"}));
    db.exec("ALTER TABLE payment ADD COLUMN paid_at_ms INTEGER");
    EXPECT_EQ(column_names(db, "payment").back(), "paid_at_ms");
    EXPECT_TRUE(column_names(db, "no_such_table").empty());
}

TEST_F(DatabaseTest, NamedParameters) {
    auto ins = db.prepare("INSERT INTO payment(id, amount_fen) VALUES (:id, :amount)");
    ins.bind(":id", "p9").bind(":amount", 100).run();
    EXPECT_EQ(db.query_value<std::int64_t>("SELECT amount_fen FROM payment WHERE id=?1", "p9"),
              100);
    try {
        ins.bind(":nope", 1);
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.code(), Errc::no_such_parameter);
    }
}

TEST_F(DatabaseTest, ReadingTheWrongTypeThrowsInsteadOfGuessing) {
    db.execute("INSERT INTO payment(id, amount_fen) VALUES ('p1', 5)");
    auto st = db.prepare("SELECT id, note, amount_fen FROM payment");
    ASSERT_TRUE(st.step());
    EXPECT_THROW((void)st.column<std::int64_t>(0), StoreError);  // text as integer
    EXPECT_THROW((void)st.column<std::string>(1), StoreError);   // NULL as text
    EXPECT_THROW((void)st.column<Bytes>(2), StoreError);
    try {
        (void)st.column<std::int64_t>(0);
    } catch (const StoreError& e) {
        EXPECT_EQ(e.code(), Errc::type_mismatch);
        EXPECT_NE(std::string(e.what()).find("SELECT id"), std::string::npos);
    }
    EXPECT_EQ(st.column<std::int8_t>(2), 5);
    db.execute("INSERT INTO payment(id, amount_fen) VALUES ('p2', 300)");
    EXPECT_THROW((void)db.query_value<std::int8_t>("SELECT amount_fen FROM payment WHERE id='p2'"),
                 StoreError);
}

TEST_F(DatabaseTest, ErrorsCarryExtendedCodeMessageAndSql) {
    db.execute("INSERT INTO payment(id, amount_fen) VALUES ('p1', 5)");
    try {
        db.execute("INSERT INTO payment(id, amount_fen) VALUES ('p1', 6)");
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.sqlite_code(), SQLITE_CONSTRAINT_PRIMARYKEY);
        EXPECT_NE(std::string(e.what()).find("UNIQUE constraint failed"), std::string::npos);
        EXPECT_NE(e.sql().find("VALUES ('p1', 6)"), std::string::npos);
    }
    try {
        db.execute("INSERT INTO payment(id, amount_fen) VALUES ('p2', -1)");
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.sqlite_code(), SQLITE_CONSTRAINT_CHECK);
    }
    try {
        db.prepare("SELEKT 1");
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.sqlite_code(), SQLITE_ERROR);
        EXPECT_EQ(e.sql(), "SELEKT 1");
    }
}

TEST_F(DatabaseTest, TransactionRollsBackUnlessCommitted) {
    {
        Transaction tx(db);
        db.execute("INSERT INTO payment(id, amount_fen) VALUES ('gone', 1)");
    }
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM payment"), 0);
    {
        Transaction tx(db);
        db.execute("INSERT INTO payment(id, amount_fen) VALUES ('kept', 1)");
        tx.commit();
    }
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM payment"), 1);
    EXPECT_FALSE(db.in_transaction());
}

TEST_F(DatabaseTest, TransactionRollsBackWhenAnExceptionLeavesTheScope) {
    auto work = [&] {
        Transaction tx(db);
        db.execute("INSERT INTO payment(id, amount_fen) VALUES ('a', 1)");
        db.execute("INSERT INTO payment(id, amount_fen) VALUES ('b', 0)");  // CHECK fails
        tx.commit();
    };
    EXPECT_THROW(work(), StoreError);
    EXPECT_EQ(db.query_value<int>("SELECT count(*) FROM payment"), 0);
    EXPECT_FALSE(db.in_transaction());
}

TEST_F(DatabaseTest, CommittedDataSurvivesReopen) {
    {
        Transaction tx(db);
        db.execute("INSERT INTO payment(id, amount_fen) VALUES ('durable', 42)");
        tx.commit();
    }
    auto again = Database::open(dir / "node.db");
    EXPECT_EQ(again.query_value<std::int64_t>("SELECT amount_fen FROM payment"), 42);
}

TEST_F(DatabaseTest, ReadOnlyRefusesWrites) {
    auto ro = Database::open(dir / "node.db", OpenOptions{.read_only = true});
    EXPECT_THROW(ro.execute("INSERT INTO payment(id, amount_fen) VALUES ('x', 1)"), StoreError);
}

TEST(DatabaseOpen, MissingFolderIsAClearError) {
    try {
        (void)Database::open("/nonexistent-gridsync/dir/node.db");
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.sqlite_code() & 0xff, SQLITE_CANTOPEN);
        EXPECT_NE(std::string(e.what()).find("/nonexistent-gridsync/dir/node.db"),
                  std::string::npos);
    }
}

TEST_F(DatabaseTest, ATransactionInsideAnotherIsASavepointDurableOnlyWithTheOuter) {
    db.exec("CREATE TABLE t(x INTEGER)");
    {
        Transaction outer(db);
        db.execute("INSERT INTO t VALUES (1)");
        {
            Transaction kept(db);
            db.execute("INSERT INTO t VALUES (2)");
            kept.commit();
        }
        {
            Transaction undone(db);
            db.execute("INSERT INTO t VALUES (3)");
            undone.rollback();
        }
        {
            Transaction dropped(db);  // neither committed nor rolled back: undone
            db.execute("INSERT INTO t VALUES (4)");
        }
        EXPECT_EQ(db.query_value<std::string>("SELECT group_concat(x, ',') FROM t"), "1,2");
        outer.commit();
    }
    EXPECT_EQ(db.query_value<std::string>("SELECT group_concat(x, ',') FROM t"), "1,2");
    {
        Transaction outer(db);
        Transaction inner(db);
        db.execute("INSERT INTO t VALUES (5)");
        inner.commit();
        // outer rolls back: the inner commit goes with it
    }
    EXPECT_EQ(db.query_value<std::string>("SELECT group_concat(x, ',') FROM t"), "1,2");
}

TEST_F(DatabaseTest, StatementsAreReusedResetAndWithTheirBindingsCleared) {
    db.exec("CREATE TABLE t(x INTEGER)");
    sqlite3_stmt* first = nullptr;
    {
        auto st = db.prepare("SELECT ?1");
        st.bind(1, 42);
        ASSERT_TRUE(st.step());
        first = st.handle();
    }  // given back mid-step: reset
    {
        auto again = db.prepare("SELECT ?1");
        EXPECT_EQ(again.handle(), first) << "prepared once, reused";
        ASSERT_TRUE(again.step());
        EXPECT_TRUE(again.is_null(0)) << "the old binding is gone";
        // The same SQL in use twice at once: two statements.
        auto other = db.prepare("SELECT ?1");
        EXPECT_NE(other.handle(), again.handle());
    }
    db.execute("INSERT INTO t VALUES (?1)", 1);
    db.execute("INSERT INTO t VALUES (?1)", 2);
    EXPECT_EQ(db.query_value<int>("SELECT sum(x) FROM t"), 3);
}

// What central answers as retryable (gridsync.central:29) and what it does
// not: a failing disk or a held lock can pass; a broken constraint cannot.
TEST(StoreErrorKinds, OnlyStorageFailuresMayRecover) {
    using store::StoreError;
    EXPECT_TRUE(
        StoreError(store::sqlite_error_code(SQLITE_IOERR_WRITE), "disk").storage_may_recover());
    EXPECT_TRUE(StoreError(store::sqlite_error_code(SQLITE_FULL), "full").storage_may_recover());
    EXPECT_TRUE(
        StoreError(store::sqlite_error_code(SQLITE_BUSY_SNAPSHOT), "busy").storage_may_recover());
    EXPECT_FALSE(StoreError(store::sqlite_error_code(SQLITE_CONSTRAINT_UNIQUE), "dup")
                     .storage_may_recover());
    EXPECT_FALSE(StoreError(store::sqlite_error_code(SQLITE_CORRUPT), "bad").storage_may_recover());
    EXPECT_FALSE(
        StoreError(store::make_error_code(store::Errc::type_mismatch), "t").storage_may_recover());
}
