#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/sync/errors.hpp"
#include "node_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class OutboxTest : public ::testing::Test {
  protected:
    test::Node n;
    std::string community = n.community(0);
    std::string worker = n.staff_where("community_worker", community, 0).id;

    Result<sync::Recorded<CheckResult>> check_in(const std::string& kind = "in") {
        n.clock.advance(60000);
        return n.outbox->record_as<CheckResult>([&](const Stamp& st) {
            return check_in_out(n.db, st, n.signer(worker), {community, kind, std::nullopt});
        });
    }
    sync::ChainReport verify() {
        return sync::verify_chain(n.db, "device-test", n.device_key.public_key());
    }
};

}  // namespace

TEST_F(OutboxTest, EachWriteGetsOneSignedChainedEntry) {
    for (int i = 0; i < 5; ++i) {
        auto r = check_in(i % 2 ? "out" : "in");
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->seq, static_cast<std::uint64_t>(i + 1));
    }
    const auto report = verify();
    EXPECT_TRUE(report.ok) << report.reason;
    EXPECT_EQ(report.entries, 5u);
    EXPECT_EQ(n.outbox->status().pending, 5u);
    EXPECT_EQ(
        n.db.query_value<int>("SELECT count(*) FROM outbox_row WHERE table_name = 'shift_check'"),
        5);
}

TEST_F(OutboxTest, ARefusedWriteLeavesNeitherRowNorEntry) {
    auto r = n.outbox->record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(n.db, st, n.signer(worker), {community, "sideways", std::nullopt});
    });
    EXPECT_EQ(r.code(), Errc::bad_input);
    EXPECT_EQ(n.outbox->status().entries, 0u);
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM shift_check"), 0);
}

TEST_F(OutboxTest, AnExceptionMidWriteRollsBackRowAndEntry) {
    EXPECT_THROW((void)n.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        (void)check_in_out(n.db, st, n.signer(worker), {community, "in", std::nullopt});
        throw std::runtime_error("power cut between two writes");
    }),
                 std::runtime_error);
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM shift_check"), 0);
    EXPECT_EQ(n.outbox->status().entries, 0u);
}

TEST_F(OutboxTest, NothingChangedMeansNoEntry) {
    auto r = n.outbox->record_as<int>([](const Stamp&) -> Result<int> { return 7; });
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->seq.has_value());
}

TEST_F(OutboxTest, AFlippedByteAnywhereIsDetectedAndNamed) {
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(check_in().ok());
    for (const char* column : {"envelope", "signature", "entry_hash"}) {
        const int len = *n.db.query_value<int>(std::string("SELECT length(") + column +
                                               ") FROM outbox WHERE seq = 2");
        for (int pos = 0; pos < len; ++pos) {
            const Bytes original = *n.db.query_value<Bytes>(std::string("SELECT ") + column +
                                                            " FROM outbox WHERE seq = 2");
            Bytes flipped = original;
            flipped[static_cast<std::size_t>(pos)] ^= 0x01;
            n.db.execute(std::string("UPDATE outbox SET ") + column + " = ?1 WHERE seq = 2",
                         flipped);
            const auto report = verify();
            EXPECT_FALSE(report.ok) << column << " byte " << pos;
            EXPECT_EQ(report.first_broken_seq, 2u) << column << " byte " << pos;
            n.db.execute(std::string("UPDATE outbox SET ") + column + " = ?1 WHERE seq = 2",
                         original);
        }
    }
    EXPECT_TRUE(verify().ok);
}

TEST_F(OutboxTest, AMissingOrReorderedEntryIsNamed) {
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(check_in().ok());
    n.db.execute("DELETE FROM outbox WHERE seq = 3");
    auto report = verify();
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_broken_seq, 3u);
    EXPECT_EQ(report.code, sync::Errc::broken_chain);
}

TEST_F(OutboxTest, AnotherDevicesKeyDoesNotVerify) {
    ASSERT_TRUE(check_in().ok());
    const auto report =
        sync::verify_chain(n.db, "device-test", crypto::SigningKey::generate().public_key());
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.code, sync::Errc::bad_signature);
}

TEST_F(OutboxTest, HlcSurvivesReopen) {
    ASSERT_TRUE(check_in().ok());
    const Hlc before = n.outbox->last_hlc();
    n.clock.set(test::kDay1Nine - 3600000);  // the wall clock went back an hour
    sync::Outbox reopened(n.db, "device-test", n.device_key, n.clock);
    auto r = reopened.record_as<CheckResult>([&](const Stamp& st) {
        EXPECT_GT(st.hlc, before);
        return check_in_out(n.db, st, n.signer(worker), {community, "out", std::nullopt});
    });
    ASSERT_TRUE(r.ok());
}

// A real SIGKILL in the middle of writing: afterwards every row has its entry
// and the chain verifies.
TEST(OutboxCrash, KillMidTransactionLosesNothingAndLeavesNoOrphan) {
    test::Node n;
    const std::string community = n.community(0);
    const std::string worker = n.staff_where("community_worker", community, 0).id;
    for (int round = 0; round < 5; ++round) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            // The child opens its own connection, as a separate process would.
            auto db = store::Database::open(n.dir / "node.db");
            sync::Outbox outbox(db, "device-test", n.device_key, n.clock);
            for (int i = 0;; ++i) {
                n.clock.advance(1000);
                (void)outbox.record_as<CheckResult>([&](const Stamp& st) {
                    return check_in_out(db, st, n.signer(worker),
                                        {community, i % 2 ? "out" : "in", std::nullopt});
                });
            }
        }
        ::usleep(static_cast<useconds_t>(50000 + round * 37000));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status));
    }
    auto db = store::Database::open(n.dir / "node.db");
    const auto report = sync::verify_chain(db, "device-test", n.device_key.public_key());
    EXPECT_TRUE(report.ok) << report.reason;
    const auto rows = *db.query_value<std::int64_t>("SELECT count(*) FROM shift_check");
    EXPECT_GT(rows, 0);
    EXPECT_EQ(rows, static_cast<std::int64_t>(report.entries))
        << "one entry per write, no more, no less";
    EXPECT_EQ(*db.query_value<std::int64_t>(
                  "SELECT count(*) FROM shift_check s WHERE NOT EXISTS (SELECT 1 FROM outbox_row r "
                  "WHERE r.table_name = 'shift_check' AND r.row_id = s.id)"),
              0);
    EXPECT_EQ(db.query_value<std::string>("PRAGMA integrity_check"), "ok");
}
