#include "gridsync/tools/load.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "gridsync/domain/residents.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/edge/node.hpp"
#include "gridsync/tools/central_process.hpp"
#include "gridsync/tools/field_work.hpp"

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
    std::string community_id;
    std::string clerk;                   // the community worker who checks in and out
    std::vector<std::string> residents;  // the rows this device corrects: its own, no overlap
    std::vector<CertificateToDeliver> certificates;  // its own, one a day
    std::map<std::string, std::string> key_codes;    // staff -> enrolment code for this device
    // The paying laptop of its community: the day, the pair, the list.
    std::string day_id, payer, verifier;
    std::vector<EntitlementToPay> entitlements;
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
    const int communities_n = 10;
    const int per_community = (o.devices + communities_n - 1) / communities_n;
    // Enough residents that no two devices correct the same row, and one
    // entitlement and one certificate for each that the days need: every
    // community has 10 grids of these households of 3 people.
    const int corrections_per_device = std::max(0, o.entries_per_device - 5) * o.days;
    const int needed = std::max(corrections_per_device * per_community,
                                std::max(per_community, o.payments_per_day) * o.days);
    const int households = std::max(30, needed / 30 + 1);
    CentralProcess central(o.central_bin, o.dir / "central", households);
    const auto demo = edge::load_demo_data(o.dir / "central" / "central").value();
    auto cdb = store::Database::open(o.dir / "central" / "central" / "central.db");
    std::vector<std::pair<std::string, std::string>> communities;  // code, id
    {
        auto st = cdb.prepare("SELECT code, id FROM community ORDER BY code");
        while (st.step())
            communities.emplace_back(st.column<std::string>(0), st.column<std::string>(1));
    }
    std::vector<Simulated> devices(static_cast<std::size_t>(o.devices));
    // Staff -> how many devices need a code for them, then the codes.
    std::map<std::string, std::vector<std::size_t>> needs;
    for (std::size_t c = 0; c < communities.size(); ++c) {
        const auto& [code, id] = communities[c];
        std::vector<std::size_t> mine;
        for (std::size_t i = c; i < devices.size(); i += communities.size())
            mine.push_back(i);
        if (mine.empty())
            continue;
        // The community's day: its list approved by a second admin, its
        // certificates issued (central's own entries, before the load).
        const std::string day = central.prepare_day(code, o.payments_per_day * o.days,
                                                    static_cast<int>(mine.size()) * o.days);
        const auto clerk = *cdb.query_value<std::string>(
            "SELECT id FROM staff WHERE community_id = ?1 AND role = 'community_worker' ORDER BY "
            "id LIMIT 1",
            id);
        const auto codes =
            central.codes(clerk, "community_laptop", code, static_cast<int>(mine.size()));
        auto res =
            cdb.prepare(R"(SELECT r.id FROM resident r JOIN household h ON h.id = r.household_id
            JOIN grid g ON g.id = h.grid_id WHERE g.community_id = ?1 ORDER BY r.id)");
        res.bind(1, id);
        std::vector<std::string> residents;
        while (res.step())
            residents.push_back(res.column<std::string>(0));
        const auto certificates = certificates_to_deliver(cdb, demo, id);
        for (std::size_t k = 0; k < mine.size(); ++k) {
            auto& d = devices[mine[k]];
            d.dir = o.dir / ("device-" + std::to_string(mine[k]));
            d.code = codes[k];
            d.community_id = id;
            d.clerk = clerk;
            needs[clerk].push_back(mine[k]);
            const int corrections = corrections_per_device;
            for (int e = 0; e < corrections; ++e) {
                d.residents.push_back(residents[(k * static_cast<std::size_t>(corrections) +
                                                 static_cast<std::size_t>(e)) %
                                                residents.size()]);
            }
            for (int day_n = 0; day_n < o.days; ++day_n) {
                const std::size_t at =
                    k * static_cast<std::size_t>(o.days) + static_cast<std::size_t>(day_n);
                if (at < certificates.size()) {
                    d.certificates.push_back(certificates[at]);
                    if (needs[certificates[at].leader].empty() ||
                        needs[certificates[at].leader].back() != mine[k])
                        needs[certificates[at].leader].push_back(mine[k]);
                }
            }
        }
        // The first laptop pays: the two service-point staff rostered for the day.
        auto& payer = devices[mine.front()];
        payer.day_id = day;
        auto list = day_to_pay(cdb, demo, day);
        payer.payer = list.payer;
        payer.verifier = list.verifier;
        payer.entitlements = std::move(list.entitlements);
        needs[payer.payer].push_back(mine.front());
        needs[payer.verifier].push_back(mine.front());
    }
    // One code per person and device, in one command per person.
    for (const auto& [staff, on] : needs) {
        const auto codes = central.staff_codes(staff, static_cast<int>(on.size()));
        for (std::size_t j = 0; j < on.size(); ++j)
            devices[on[j]].key_codes[staff] = codes[j];
    }
    central.serve();

    // Set-up, not timed as load: enroll, bootstrap, register the staff
    // keys and open the day's session (pushed now), then record the days'
    // work offline.
    std::atomic<int> errors{0};
    std::atomic<long> offered{0}, payments{0}, deliveries{0}, checks{0}, corrections{0};
    std::mutex first_error_mutex;
    std::string first_error;
    const auto note_error = [&](const std::string& what) {
        ++errors;
        std::lock_guard lock(first_error_mutex);
        if (first_error.empty())
            first_error = what;
    };
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
            FieldWork work(*node);
            for (const auto& [staff, code] : d.key_codes)
                work.enroll_key(staff, code);
            std::string session;
            if (!d.day_id.empty()) {
                // Both must have checked in today before they open the day.
                work.check(d.payer, d.community_id, "in");
                work.check(d.verifier, d.community_id, "in");
                session = work.open_session(d.day_id, d.payer, d.verifier);
            }
            if (auto r = node->sync_round(http, clock); !r || r->rejected)
                throw std::runtime_error("set-up push");
            std::size_t next_payment = 0, next_correction = 0;
            long n = 0;
            for (int day = 0; day < o.days; ++day) {
                for (int p = 0; !session.empty() && p < o.payments_per_day &&
                                next_payment < d.entitlements.size();
                     ++p) {
                    work.pay(session, d.entitlements[next_payment++], d.payer, d.verifier);
                    ++payments;
                    ++n;
                }
                if (static_cast<std::size_t>(day) < d.certificates.size()) {
                    work.hand_over(d.certificates[static_cast<std::size_t>(day)], d.clerk);
                    work.deliver(d.certificates[static_cast<std::size_t>(day)]);
                    ++deliveries;
                    n += 2;
                }
                work.check(d.clerk, d.community_id, "in");
                work.check(d.clerk, d.community_id, "out");
                checks += 2;
                n += 2;
                for (int c = 0;
                     c < o.entries_per_device - 5 && next_correction < d.residents.size(); ++c) {
                    work.correct_phone(d.residents[next_correction],
                                       "139" + std::to_string(10000000 + i * 1000 +
                                                              static_cast<int>(next_correction)));
                    ++next_correction;
                    ++corrections;
                    ++n;
                }
            }
            offered += n;
        } catch (const std::exception& x) {
            note_error(std::string("set-up: ") + x.what());
        }
    });
    report.setup_s = ms_between(setup0, Steady::now()) / 1000;
    report.offered = offered;
    report.payments = payments;
    report.deliveries = deliveries;
    report.checks = checks;
    report.corrections = corrections;
    report.offered_per_s = static_cast<double>(offered) / std::max(1, o.window_s);

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
            if (!p)
                throw std::runtime_error("push: " + p.failure().message);
            if (p->rejected)
                throw std::runtime_error("push refused: " + p->rejections.front().message);
            pushed += static_cast<long>(p->accepted);
            sync::SyncOptions full;
            full.verify_scope_every_ms = o.verify_scope_every_ms;
            auto q = node->sync_round(http, clock, {}, full);
            const auto t2 = Steady::now();
            if (!q)
                throw std::runtime_error("pull: " + q.failure().message);
            push_ms[static_cast<std::size_t>(i)] = ms_between(t0, t1);
            pull_ms[static_cast<std::size_t>(i)] = ms_between(t1, t2);
        } catch (const std::exception& x) {
            note_error(x.what());
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
    report.first_error = first_error;
    report.central_rss_kib = central.rss_kib();
    report.central_peak_rss_kib = central.peak_rss_kib();
    return report;
}

}  // namespace gridsync::tools
