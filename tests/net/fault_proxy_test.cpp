// Sync through a bad network: every edge of test::Field reaches central
// through test::FaultProxy, which refuses, resets, truncates, delays and
// duplicates requests and loses answers after central has committed. The
// day's work goes on (tests/net/workload.hpp); every few rounds the network
// heals, the nodes sync until quiet and the invariants hold.
//
// Bounded in CI. At length:  GRIDSYNC_PROXY_ROUNDS=1000 GRIDSYNC_PROXY_SEED=7
//   build/dev/tests/net/fault_proxy_test       (or bash scripts/sweep.sh --proxy --rounds 1000
//   --seed 7)
// The seed fixes each request's fault in the order requests arrive.
#include <chrono>
#include <iostream>

#include "fault_proxy.hpp"
#include "workload.hpp"

using namespace gridsync;
using test::env_number;

namespace {

class ProxySweep : public test::FieldWorkload {
  protected:
    std::unique_ptr<test::FaultProxy> proxy;

    // Every edge talks to the proxy instead of central (the address an
    // edge keeps from its enrolment, as moving central would change it).
    void route_through_proxy(std::uint64_t seed, int fault_percent) {
        const int port = std::stoi(address.substr(address.rfind(':') + 1));
        proxy = std::make_unique<test::FaultProxy>(port, seed, fault_percent);
        for (auto* d : {&laptop1, &laptop2, &grid}) {
            d->db().execute("UPDATE node_state SET value = ?1 WHERE key = 'central_address'",
                            proxy->address());
        }
    }
};

}  // namespace

TEST_F(ProxySweep, SyncThroughABadNetworkConvergesWithNoRecordLostOrDoubled) {
    const long rounds = env_number("GRIDSYNC_PROXY_ROUNDS", 20);
    const auto seed = static_cast<std::uint64_t>(env_number("GRIDSYNC_PROXY_SEED", 1));
    const long check_every = env_number("GRIDSYNC_PROXY_CHECK_EVERY", 10);
    constexpr int kFaultPercent = 60;
    std::mt19937_64 rng(seed);
    open_sessions();
    route_through_proxy(seed, kFaultPercent);

    const auto started = std::chrono::steady_clock::now();
    int syncs = 0;
    for (long round = 1; round <= rounds; ++round) {
        auto& d = rng() % 2 == 0 ? laptop1 : laptop2;
        (void)write_one(d, rng, "");
        for (auto* s : {&d, &grid}) {
            ++syncs;
            const auto r = s->run({"--json", "sync"});
            if (r.exit_code != 0)
                ++tally.syncs_failed;
        }
        if (round % check_every == 0 || round == rounds) {
            proxy->set_fault_percent(0);
            converge_and_check(seed, static_cast<int>(round));
            proxy->set_fault_percent(kFaultPercent);
            if (HasFailure())
                break;
        }
        ++tally.rounds;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto faults = proxy->tally();
    std::cout << "fault proxy: seed " << seed << ", " << tally.rounds << " rounds, " << syncs
              << " syncs (" << tally.syncs_failed << " failed on the network), "
              << tally.records_reported << " records reported, " << tally.double_payments
              << " double payments flagged, " << tally.checks << " invariant checks, " << seconds
              << " s\n";
    for (const auto& [f, n] : faults)
        std::cout << "  " << f << ": " << n << "\n";
    EXPECT_GT(faults.count("lose_answer") ? faults.at("lose_answer") : 0, 0);
    EXPECT_GT(faults.count("duplicate") ? faults.at("duplicate") : 0, 0);
    EXPECT_GT(tally.syncs_failed, 0) << "the network never got in the way";
    EXPECT_GT(tally.records_reported, 0);
}
