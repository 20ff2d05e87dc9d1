// The crash sweep: a subdistrict of real processes (test::Field: central
// serving, two laptops and a grid leader's device of C01) works through
// rounds of check-ins and two-person payments, some of them paid on both
// laptops offline, and syncs; in most rounds one process is SIGKILLed, at a
// named crash point (gridsync/crash_point.hpp) or at a random moment of a
// sync. The killed process is started again and work carries on. Every few
// rounds, and at the end, the nodes sync until quiet and the invariants of
// tests/support/invariants.hpp are checked on the real files.
//
// Bounded in CI. At length:  GRIDSYNC_SWEEP_ROUNDS=2000 GRIDSYNC_SWEEP_SEED=7
//   build/dev/tests/net/crash_sweep_test       (or bash scripts/sweep.sh --crash --rounds 2000
//   --seed 7)
// A failing run prints its seed and round; the same seed replays the same
// schedule (the moments of random kills vary with the machine's speed).
#include <chrono>
#include <iostream>

#include "workload.hpp"

using namespace gridsync;
using test::Armed;
using test::env_number;

namespace {

// Where an edge can die while it writes a record.
const std::vector<std::string> kWritePoints = {"edge.entry.signed", "edge.entry.committed"};
// Where an edge can die while it syncs.
const std::vector<std::string> kEdgeSyncPoints = {"edge.push.answered", "edge.rebase.set_aside",
                                                  "edge.pull.applied", "edge.pull.committed"};
// Where central can die while it serves a sync.
const std::vector<std::string> kCentralPoints = {"central.push.committed", "central.pull.served"};

class CrashSweep : public test::FieldWorkload {
  protected:
    // A sync of `d`, maybe killed: at an edge point, at a central point
    // (central restarted with it armed, and again without), or at a random moment.
    void sync_one(tools::EdgeDriver& d, std::mt19937_64& rng, int fault) {
        if (fault == 1) {
            const auto& p = kEdgeSyncPoints[rng() % kEdgeSyncPoints.size()];
            Armed armed(p);
            const auto r = d.run({"--json", "sync"});
            if (r.signal == SIGKILL) {
                ++tally.kills;
                ++tally.by_point[p];
            }
        } else if (fault == 2) {
            const auto& p = kCentralPoints[rng() % kCentralPoints.size()];
            restart_central(p);
            (void)d.run({"--json", "sync"});
            if (stop_central() == SIGKILL) {
                ++tally.kills;
                ++tally.central_kills;
                ++tally.by_point[p];
            }
            restart_central("");
        } else if (fault == 3) {
            auto p = d.spawn({"--json", "sync"});
            ::usleep(static_cast<useconds_t>(rng() % 400000));
            p->kill();
            if (p->wait().signal == SIGKILL) {
                ++tally.kills;
                ++tally.random_kills;
            }
        } else {
            (void)d.run({"--json", "sync"});
        }
    }
};

}  // namespace

TEST_F(CrashSweep, NoKillAtAnyPointLosesOrDuplicatesARecord) {
    const long rounds = env_number("GRIDSYNC_SWEEP_ROUNDS", 24);
    const auto seed = static_cast<std::uint64_t>(env_number("GRIDSYNC_SWEEP_SEED", 1));
    const long check_every = env_number("GRIDSYNC_SWEEP_CHECK_EVERY", 8);
    std::mt19937_64 rng(seed);
    open_sessions();

    const auto started = std::chrono::steady_clock::now();
    for (long round = 1; round <= rounds; ++round) {
        auto& d = rng() % 2 == 0 ? laptop1 : laptop2;
        // Half the writes meet a crash point.
        const bool crash_write = rng() % 2 == 0;
        const std::string point = crash_write ? kWritePoints[rng() % kWritePoints.size()] : "";
        if (write_one(d, rng, point) == Wrote::killed) {
            ++tally.kills;
            ++tally.by_point[point];
        }
        // A sync in two rounds of three: a quarter plain, the rest with a fault.
        if (rng() % 3 != 0)
            sync_one(d, rng, static_cast<int>(rng() % 4));
        if (round % check_every == 0 || round == rounds) {
            converge_and_check(seed, static_cast<int>(round));
            if (HasFailure())
                return;
        }
        ++tally.rounds;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "crash sweep: seed " << seed << ", " << tally.rounds << " rounds, " << tally.kills
              << " kills (" << tally.central_kills << " of central, " << tally.random_kills
              << " at random moments), " << tally.records_reported << " records reported, "
              << tally.double_payments << " double payments flagged, " << tally.checks
              << " invariant checks, " << seconds << " s\n";
    for (const auto& [p, n] : tally.by_point)
        std::cout << "  " << p << ": " << n << "\n";
    // The schedule must have reached every named point at least once.
    if (rounds >= 24) {
        for (const auto& p : kWritePoints)
            EXPECT_GT(tally.by_point[p], 0) << p << " never fired";
    }
    EXPECT_GT(tally.records_reported, 0);
}

// The checker itself: a record that never reached central and a row that
// differs from central's are both named.
TEST_F(CrashSweep, TheInvariantCheckerNamesWhatIsWrong) {
    stop_central();
    const auto r =
        laptop1.run({"--json", "shift", "check", "--staff", clerk, "--kind", "in"}, test::pins(1));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    laptop2.db().execute("UPDATE resident SET name = name || '改' WHERE rowid = 1");
    auto cdb = central_db();
    std::vector<test::EdgeFiles> edges;
    edges.push_back({"laptop1", laptop1.db()});
    edges.push_back({"laptop2", laptop2.db()});
    const std::string check_id(tools::EdgeDriver::json(r).at("check_id").as_string());
    const auto v = test::check_invariants(cdb, edges, {{"shift_check", check_id}});
    std::string all;
    for (const auto& line : v)
        all += line + "\n";
    EXPECT_NE(all.find("laptop1: 1 entries still pending"), std::string::npos) << all;
    EXPECT_NE(all.find("missing at central"), std::string::npos) << all;
    EXPECT_NE(all.find("shift_check " + check_id + " reported written, missing"), std::string::npos)
        << all;
    EXPECT_NE(all.find("laptop2: scope differs"), std::string::npos) << all;
    EXPECT_EQ(all.find("laptop2: 0"), std::string::npos) << all;
    restart_central("");
}
