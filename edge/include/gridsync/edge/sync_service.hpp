#pragma once
// A node's sync with central, for the command line (`sync`, `serve`) and the
// field app alike: one round (push, then pull), what the node last heard
// from central, and a loop that keeps syncing whenever central is reachable.
//
// What central said is kept on the node (`central_notice`, device-local):
// entries it refused, and entries it accepted with something to say (parked
// until a parent arrives, flagged for an admin such as a double payment). A
// person sees them on the device until they are dealt with.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/edge/node.hpp"
#include "gridsync/sync/client.hpp"

namespace gridsync::edge {

struct CentralNotice {
    domain::EpochMs at_ms = 0;
    std::uint64_t seq = 0;
    std::string status;  // refused | accepted
    std::string code;
    std::string message;
};

struct SyncStatus {
    bool enrolled = false;
    std::string central_address;
    std::uint64_t entries = 0;
    std::uint64_t pending = 0;                    // recorded here, not yet acknowledged by central
    std::optional<domain::EpochMs> last_sync_ms;  // the last round that completed
    std::optional<domain::EpochMs> last_attempt_ms;  // the last round tried
    std::string last_error;                          // "" when the last round completed
    bool online = false;  // the last round tried reached central and completed
    std::optional<domain::EpochMs> clock_offset_ms;  // this device's clock minus central's
    std::vector<CentralNotice> notices;              // newest first, at most 50
    std::optional<sync::ChainReport> outbox_broken;
    std::vector<domain::RecoveryEntry> recoveries;  // voided payments to recover
    // Entries central refused for good and keeps in quarantine until an
    // admin releases them (docs/PROTOCOL.md, "Refusals").
    std::vector<sync::Outbox::Quarantined> quarantined;
};

// Makes the transport for each round (a new connection each time).
using TransportFactory = std::function<std::unique_ptr<sync::Transport>()>;

class SyncService {
  public:
    SyncService(EdgeNode& node, domain::Clock& clock) : node_(node), clock_(clock) {}

    // One round; records its outcome and what central said.
    Result<sync::RoundReport> round(sync::Transport& transport, const sync::Progress& progress = {},
                                    const sync::SyncOptions& options = {});
    SyncStatus status();

    // Keeps syncing until `stop` (or `max_rounds` rounds, 0: no limit):
    // after a completed round waits `interval`; after a failure backs off
    // exponentially (1 s, 2 s, ... 5 min) with jitter, so a fleet coming
    // back online does not arrive all at once. The whole-scope check runs
    // at most hourly. `on_round` sees each outcome.
    // `wake`, when given and set, starts the next round at once (a person
    // pressed 同步 in the field app).
    void run(const std::atomic<bool>& stop, std::chrono::milliseconds interval, int max_rounds,
             const TransportFactory& transport,
             const std::function<void(const Result<sync::RoundReport>&)>& on_round = {},
             std::atomic<bool>* wake = nullptr);

  private:
    void remember(const Result<sync::RoundReport>& r);

    EdgeNode& node_;
    domain::Clock& clock_;
};

}  // namespace gridsync::edge
