#include "gridsync/tools/load.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "gridsync/domain/residents.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/edge/node.hpp"
#include "gridsync/tools/central_process.hpp"

namespace gridsync::tools {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

double ms_between(Steady::time_point a, Steady::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1,
                      static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

crypto::SecureBuffer passphrase() {
    return crypto::SecureBuffer::copy_of(as_bytes(std::string("load device passphrase")));
}

struct Simulated {
    fs::path dir;
    std::string code;
    std::vector<std::string> residents;  // the rows this device corrects: its own, no overlap
};

// Runs `work` for devices [0, n) on `threads` threads.
template <class F>
void parallel(int n, int threads, F&& work) {
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = next++; i < n; i = next++)
                work(i);
        });
    }
    for (auto& t : pool)
        t.join();
}

}  // namespace

LoadReport run_load(const LoadOptions& o) {
    LoadReport report;
    report.entries_per_device = o.entries_per_device;
    // Enough residents that no two devices correct the same row: every
    // community has 10 grids of 30 households of 3 people.
    CentralProcess central(o.central_bin, o.dir / "central", 30);
    central.serve();
    auto cdb = store::Database::open(o.dir / "central" / "central" / "central.db");
    std::vector<std::string> communities;
    {
        auto st = cdb.prepare("SELECT code, id FROM community ORDER BY code");
        while (st.step())
            communities.push_back(st.column<std::string>(0) + "|" + st.column<std::string>(1));
    }
    std::vector<Simulated> devices(static_cast<std::size_t>(o.devices));
    for (std::size_t c = 0; c < communities.size(); ++c) {
        const std::string code = communities[c].substr(0, communities[c].find('|'));
        const std::string id = communities[c].substr(communities[c].find('|') + 1);
        std::vector<std::size_t> mine;
        for (std::size_t i = c; i < devices.size(); i += communities.size())
            mine.push_back(i);
        if (mine.empty())
            continue;
        const auto worker = *cdb.query_value<std::string>(
            "SELECT id FROM staff WHERE community_id = ?1 AND role = 'community_worker' LIMIT 1",
            id);
        const auto codes =
            central.codes(worker, "community_laptop", code, static_cast<int>(mine.size()));
        auto res =
            cdb.prepare(R"(SELECT r.id FROM resident r JOIN household h ON h.id = r.household_id
            JOIN grid g ON g.id = h.grid_id WHERE g.community_id = ?1 ORDER BY r.id)");
        res.bind(1, id);
        std::vector<std::string> residents;
        while (res.step())
            residents.push_back(res.column<std::string>(0));
        for (std::size_t k = 0; k < mine.size(); ++k) {
            auto& d = devices[mine[k]];
            d.dir = o.dir / ("device-" + std::to_string(mine[k]));
            d.code = codes[k];
            for (int e = 0; e < o.entries_per_device; ++e) {
                d.residents.push_back(
                    residents[(k * static_cast<std::size_t>(o.entries_per_device) +
                               static_cast<std::size_t>(e)) %
                              residents.size()]);
            }
        }
    }

    // Set-up, not timed as load: enroll, bootstrap, record the day offline.
    std::atomic<int> errors{0};
    const auto setup0 = Steady::now();
    parallel(o.devices, 8, [&](int i) {
        try {
            auto& d = devices[static_cast<std::size_t>(i)];
            domain::SystemClock clock;
            edge::InitOptions init;
            init.device_name = "load " + std::to_string(i);
            init.kdf = crypto::KdfParams::minimum();
            if (!edge::EdgeNode::init(d.dir, init, passphrase()))
                throw std::runtime_error("init");
            auto node = edge::EdgeNode::open(d.dir, passphrase(), clock).value();
            edge::HttpTransport http(central.address(), std::chrono::seconds(60));
            if (!node->enroll(http, central.address(), d.code, passphrase(),
                              crypto::KdfParams::minimum()))
                throw std::runtime_error("enroll");
            if (!node->sync_round(http, clock))
                throw std::runtime_error("bootstrap");
            for (std::size_t e = 0; e < d.residents.size(); ++e) {
                auto r = node->outbox().record_as<int>([&](const domain::Stamp& st) -> Result<int> {
                    const std::string phone =
                        "139" + std::to_string(10000000 + i * 100 + static_cast<int>(e));
                    if (auto s = domain::edit_resident(node->db(), st, d.residents[e],
                                                       {std::nullopt, phone});
                        !s)
                        return s.failure();
                    return 0;
                });
                if (!r)
                    throw std::runtime_error(r.failure().message);
            }
        } catch (const std::exception&) {
            ++errors;
        }
    });
    report.setup_s = ms_between(setup0, Steady::now()) / 1000;

    // The window: device i offers its day at start + i/N of the window.
    std::vector<double> push_ms(devices.size(), -1), pull_ms(devices.size(), -1);
    std::atomic<long> pushed{0};
    const auto start = Steady::now() + std::chrono::milliseconds(200);
    parallel(o.devices, o.threads, [&](int i) {
        const auto at = start + std::chrono::milliseconds(static_cast<long>(o.window_s) * 1000 * i /
                                                          std::max(1, o.devices));
        try {
            domain::SystemClock clock;
            auto node =
                edge::EdgeNode::open(devices[static_cast<std::size_t>(i)].dir, passphrase(), clock)
                    .value();
            edge::HttpTransport http(central.address(), std::chrono::seconds(60));
            std::this_thread::sleep_until(at);
            sync::SyncOptions push_only;
            push_only.pull = false;
            const auto t0 = Steady::now();
            auto p = node->sync_round(http, clock, {}, push_only);
            const auto t1 = Steady::now();
            if (!p || p->rejected)
                throw std::runtime_error("push");
            pushed += static_cast<long>(p->accepted);
            sync::SyncOptions full;
            full.verify_scope_every_ms = o.verify_scope_every_ms;
            auto q = node->sync_round(http, clock, {}, full);
            const auto t2 = Steady::now();
            if (!q)
                throw std::runtime_error("pull");
            push_ms[static_cast<std::size_t>(i)] = ms_between(t0, t1);
            pull_ms[static_cast<std::size_t>(i)] = ms_between(t1, t2);
        } catch (const std::exception&) {
            ++errors;
        }
    });
    const double window = ms_between(start, Steady::now()) / 1000;
    std::erase(push_ms, -1);
    std::erase(pull_ms, -1);
    report.push_p50_ms = percentile(push_ms, 0.5);
    report.push_p99_ms = percentile(push_ms, 0.99);
    report.pull_p50_ms = percentile(pull_ms, 0.5);
    report.pull_p99_ms = percentile(pull_ms, 0.99);
    report.entries_per_s = static_cast<double>(pushed) / window;
    report.errors = errors;
    report.central_rss_kib = central.rss_kib();
    report.central_peak_rss_kib = central.peak_rss_kib();
    return report;
}

}  // namespace gridsync::tools
