// gridsync-bench: gridsync's speed, measured against the floor SQLite and
// libsodium set on the same machine in the same run (docs/PERFORMANCE.md).
//
//   gridsync-bench --quick | --full  [--central PATH] [--edge PATH] [--audit PATH] [--keep DIR]
//   gridsync-bench --audit-scale PAYMENTS   (only gridsync-audit on a synthetic export)
//   gridsync-bench --full --skip-audit-scale (all but that, which takes ten minutes at 10^6)
//   --peer / --no-peer: the peer beside each push backlog (PouchDB replicating
//   the same records, tools/peer) required / left out; by default it runs
//   when Node.js and tools/peer's npm packages are there, and says so when not.
//
// One line per figure: median, min and max over the repeats, the floor's
// median, and the ratio (figure / floor). Central is the shipped
// gridsync-central on 127.0.0.1; edges are the edge library in this process
// (write latency, push, incremental pull) or the shipped gridsync-edge
// (bootstrap, for its peak memory).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "gridsync/central/merkle_log.hpp"
#include "gridsync/central/store.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/edge/field_app.hpp"
#include "gridsync/edge/field_service.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/edge/node.hpp"
#include "gridsync/office/encoding.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/changeset.hpp"
#include "gridsync/store/columns.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/log_leaf.hpp"
#include "gridsync/tools/audit.hpp"
#include "gridsync/tools/central_process.hpp"
#include "gridsync/tools/edge_driver.hpp"
#include "gridsync/tools/field_work.hpp"
#include "gridsync/tools/load.hpp"
#include "gridsync/tools/web_client.hpp"
#include "gridsync/web/server.hpp"

using namespace gridsync;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

double ms_since(Steady::time_point t0) {
    return std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

struct Sizes {
    int households_per_grid;  // community C01: 10 grids of these, 3 residents each
    int entitlements;
    int certificates;
    int latency_samples;
    int repeats;
    std::vector<int> backlogs;
    int incremental;
    int load_devices;
    int load_window_s;
    int load_days;       // days of work each load device offers within the window
    int audit_payments;  // the synthetic export gridsync-audit is timed on
    int login_push;      // the check-ins pushed while an admin logs in
};

const Sizes kQuick{100, 1500, 900, 100, 3, {1000}, 1000, 100, 10, 1, 2000, 3000};
// C01 has 9,000 residents at full size: at most one entitlement and one
// certificate each; when they run out, a backlog is topped up with check-ins.
// The load: ten days' work of 1,000 laptops offered within a minute.
const Sizes kFull{300, 9000, 9000, 1000, 5, {10000, 100000}, 1000, 1000, 60, 10, 1000000, 100000};

// One printed figure: its repeats and its floor's.
struct Figure {
    std::string name, unit;
    std::vector<double> runs, floor;
    std::string floor_name;
};

void print(const Figure& f) {
    const double med = percentile(f.runs, 0.5);
    std::printf("%-44s %12.1f %12.1f %12.1f  %-9s", f.name.c_str(), med,
                *std::min_element(f.runs.begin(), f.runs.end()),
                *std::max_element(f.runs.begin(), f.runs.end()), f.unit.c_str());
    if (!f.floor.empty()) {
        const double fl = percentile(f.floor, 0.5);
        std::printf("  floor %-30s %12.1f  ratio %6.2f", f.floor_name.c_str(), fl,
                    fl > 0 ? med / fl : 0.0);
    }
    std::printf("\n");
    std::fflush(stdout);
}

crypto::SecureBuffer secret(const std::string& s) {
    return crypto::SecureBuffer::copy_of(as_bytes(s));
}

// The push requests of a round, each with its start and end: what a device
// waits for, per batch (central's /metrics sums only its own share).
struct TimedTransport final : sync::Transport {
    explicit TimedTransport(sync::Transport& inner) : inner_(inner) {}
    Result<Bytes> post(const std::string& path, const std::map<std::string, std::string>& headers,
                       ByteView body) override {
        const auto t0 = Steady::now();
        auto r = inner_.post(path, headers, body);
        if (path == "/v1/push")
            pushes.push_back({t0, Steady::now()});
        return r;
    }
    std::vector<std::pair<Steady::time_point, Steady::time_point>> pushes;

  private:
    sync::Transport& inner_;
};

// A laptop of C01: the edge library, enrolled and caught up, with the keys
// of the people who work on it unlocked (PIN entry is not what is measured).
struct Laptop {
    fs::path dir;
    domain::SystemClock clock;
    std::unique_ptr<edge::EdgeNode> node;
    std::unique_ptr<edge::HttpTransport> http;
    std::unique_ptr<tools::FieldWork> work;  // the day's writes, with the signers' keys

    Laptop(const fs::path& d, const std::string& name, tools::CentralProcess& central,
           const std::string& code)
        : dir(d) {
        const auto pass = secret("bench edge passphrase");
        edge::InitOptions o;
        o.device_name = name;
        o.kdf = crypto::KdfParams::minimum();
        if (auto st = edge::EdgeNode::init(dir, o, pass); !st)
            throw std::runtime_error(st.failure().message);
        node = edge::EdgeNode::open(dir, pass, clock).value();
        work = std::make_unique<tools::FieldWork>(*node);
        http = std::make_unique<edge::HttpTransport>(central.address(), std::chrono::seconds(120));
        if (auto st =
                node->enroll(*http, central.address(), code, pass, crypto::KdfParams::minimum());
            !st)
            throw std::runtime_error(st.failure().message);
        sync();
    }
    // `digest`: the pull ends with the whole scope's digest compared (a
    // field device's sync does so hourly: edge/src/sync_service.cpp).
    sync::RoundReport sync(bool pull = true, bool digest = true) {
        sync::SyncOptions o;
        o.pull = pull;
        o.verify_scope = digest;
        return sync_through(*http, o);
    }
    sync::RoundReport sync_through(sync::Transport& transport, const sync::SyncOptions& o) {
        auto r = node->sync_round(transport, clock, {}, o);
        if (!r)
            throw std::runtime_error("sync: " + r.failure().message);
        if (r->rejected)
            throw std::runtime_error("sync: refused " + r->rejections.front().message);
        return *r;
    }
    void enroll_key(const std::string& staff, const std::string& code) {
        work->enroll_key(staff, code);
    }
    domain::Signer signer(const std::string& staff) { return work->signer(staff); }
    template <class T, class F>
    T must(F&& write) {
        return work->template must<T>(std::forward<F>(write));
    }
};

// What the community has for a day: its entitlements (with the ID number
// the beneficiary presents) and its certificates at the center.
struct Work {
    std::vector<tools::EntitlementToPay> entitlements;
    using Certificate = tools::CertificateToDeliver;
    std::vector<Certificate> certificates;
    std::size_t next_payment = 0, next_certificate = 0;
    int checks = 0;
};

// Whether the push backlogs are measured beside the peer (tools/peer).
enum class Peer { when_present, required, off };

class Bench {
  public:
    Bench(Sizes s, std::string central_bin, std::string edge_bin, std::string audit_bin,
          fs::path work, bool keep)
        : s_(s),
          central_bin_(std::move(central_bin)),
          edge_bin_(std::move(edge_bin)),
          audit_bin_(std::move(audit_bin)),
          work_(std::move(work)),
          keep_(keep) {}

    void run() {
        std::printf("%-44s %12s %12s %12s  %-9s\n", "figure", "median", "min", "max", "unit");
        setup();
        edge_writes();
        field_app();
        bootstrap();
        serve_memory();
        push_and_pull();
        login_during_push();
        offices();
        audit();
        if (skip_audit_scale_)
            std::printf(
                "# audit at scale: skipped (--skip-audit-scale; gridsync-bench "
                "--audit-scale N runs it alone)\n");
        else
            audit_at_scale();
        load();
    }
    void skip_audit_scale() { skip_audit_scale_ = true; }
    void set_peer(Peer p, fs::path dir) {
        peer_ = p;
        peer_dir_ = std::move(dir);
    }
    // Only the auditor on a synthetic export of `payments` payments
    // (--audit-scale N): the 10^6 goal measured on its own.
    void run_audit_at_scale() {
        std::printf("%-44s %12s %12s %12s  %-9s\n", "figure", "median", "min", "max", "unit");
        audit_at_scale();
    }

  private:
    void setup() {
        const auto t0 = Steady::now();
        central_ = std::make_unique<tools::CentralProcess>(central_bin_, work_ / "central",
                                                           s_.households_per_grid);
        day_ = central_->prepare_day("C01", s_.entitlements, s_.certificates);
        central_->serve();
        auto db = store::Database::open(work_ / "central" / "central" / "central.db");
        const auto demo = edge::load_demo_data(work_ / "central" / "central").value();
        const auto c01 = *db.query_value<std::string>("SELECT id FROM community WHERE code='C01'");
        community_ = c01;
        clerk_ = demo.staff_id("community_worker", 0, c01);
        auto day = tools::day_to_pay(db, demo, day_);
        payer_ = day.payer;
        verifier_ = day.verifier;
        work_list_.entitlements = std::move(day.entitlements);
        // Each grid's leader takes that grid's certificates; the leaders
        // sign on the bench's laptop, which holds their keys.
        work_list_.certificates = tools::certificates_to_deliver(db, demo, c01);
        for (const auto& c : work_list_.certificates)
            leaders_.insert(c.leader);
        residents_ = *db.query_value<int>(
            "SELECT count(*) FROM resident r JOIN household h ON h.id = r.household_id JOIN grid g "
            "ON g.id = h.grid_id WHERE g.community_id = ?1",
            c01);
        std::printf(
            "# central: C01 has %d residents, %zu entitlements, %zu certificates; set up in "
            "%.1f s\n",
            residents_, work_list_.entitlements.size(), work_list_.certificates.size(),
            ms_since(t0) / 1000);
        laptop_ =
            std::make_unique<Laptop>(work_ / "laptop1", "bench laptop 1", *central_,
                                     central_->codes(clerk_, "community_laptop", "C01", 1)[0]);
        for (const auto& who : {payer_, verifier_, clerk_})
            laptop_->enroll_key(who, central_->staff_code(who));
        for (const auto& who : leaders_)
            laptop_->enroll_key(who, central_->staff_code(who));
        laptop_->sync();
        for (const auto& who : {payer_, verifier_})
            check(*laptop_, who, "in");
        session_ = laptop_->work->open_session(day_, payer_, verifier_);
    }

    void check(Laptop& l, const std::string& who, const char* kind) {
        l.work->check(who, community_, kind);
    }
    bool pay(Laptop& l) {
        if (work_list_.next_payment >= work_list_.entitlements.size())
            return false;
        l.work->pay(session_, work_list_.entitlements[work_list_.next_payment++], payer_,
                    verifier_);
        return true;
    }
    std::optional<Work::Certificate> hand_over(Laptop& l) {
        if (work_list_.next_certificate >= work_list_.certificates.size())
            return std::nullopt;
        const auto cert = work_list_.certificates[work_list_.next_certificate++];
        l.work->hand_over(cert, clerk_);
        return cert;
    }
    void deliver(Laptop& l, const Work::Certificate& cert) { l.work->deliver(cert); }
    void check_in_or_out(Laptop& l) { check(l, clerk_, work_list_.checks++ % 2 ? "out" : "in"); }

    // Edge write latency: each write is its own transaction with session
    // capture, staff and device signatures, the outbox append and the
    // commit, at the node's own durability (synchronous=FULL).
    void edge_writes() {
        Figure pay50{"edge payment p50", "ms"}, pay99{"edge payment p99", "ms"},
            del50{"edge delivery p50", "ms"}, del99{"edge delivery p99", "ms"},
            chk50{"edge check-in p50", "ms"}, chk99{"edge check-in p99", "ms"};
        std::vector<double> floor50, floor99;
        for (int r = 0; r < s_.repeats; ++r) {
            std::vector<double> p, d, c;
            for (int i = 0; i < s_.latency_samples; ++i) {
                auto t0 = Steady::now();
                if (!pay(*laptop_))
                    break;
                p.push_back(ms_since(t0));
                auto cert = hand_over(*laptop_);
                if (cert) {
                    t0 = Steady::now();
                    deliver(*laptop_, *cert);
                    d.push_back(ms_since(t0));
                }
                t0 = Steady::now();
                check_in_or_out(*laptop_);
                c.push_back(ms_since(t0));
            }
            pay50.runs.push_back(percentile(p, 0.5));
            pay99.runs.push_back(percentile(p, 0.99));
            del50.runs.push_back(percentile(d, 0.5));
            del99.runs.push_back(percentile(d, 0.99));
            chk50.runs.push_back(percentile(c, 0.5));
            chk99.runs.push_back(percentile(c, 0.99));
            const auto f = plain_inserts(r);
            floor50.push_back(percentile(f, 0.5));
            floor99.push_back(percentile(f, 0.99));
        }
        for (auto* f : {&pay50, &del50, &chk50}) {
            f->floor = floor50;
            f->floor_name = "plain INSERT+COMMIT p50";
        }
        for (auto* f : {&pay99, &del99, &chk99}) {
            f->floor = floor99;
            f->floor_name = "plain INSERT+COMMIT p99";
        }
        for (const auto* f : {&pay50, &pay99, &del50, &del99, &chk50, &chk99})
            print(*f);
    }

    // The field app's cost: a payment through its web API end to end (HTTP
    // on 127.0.0.1, JSON, the PIN confirmations, the workflow) against the
    // same payment through FieldService called directly; and the first
    // load of the app (its page, script, style and first two API calls).
    void field_app() {
        edge::FieldAppOptions options;
        options.kdf = crypto::KdfParams::minimum();
        edge::FieldApp app(*laptop_->node, laptop_->clock, options);
        web::ServerOptions so;
        so.port = 0;
        so.body_limit = 16u << 20;
        web::HttpServer server([&app](const web::HttpCall& c) { return app.handle(c); }, so);
        std::thread serving([&] { server.run(); });
        const std::string address = "127.0.0.1:" + std::to_string(server.port());
        tools::WebClient page(address);
        for (const auto& who : {payer_, verifier_}) {
            auto a = page.call("POST", "/api/signin", {{"staff_id", who}, {"pin", "2468"}});
            if (a.status != 200)
                throw std::runtime_error("field app sign-in: " + boost::json::serialize(a.body));
            page.set_csrf(std::string(a.body.at("csrf").as_string()));
        }
        edge::FieldService direct(*laptop_->node, laptop_->clock);
        // A thumbprint image as the page sends it: a data: URL of about 2 KiB.
        const std::string ack = "data:image/png;base64," + std::string(2732, 'A');
        Figure web50{"field app payment via web API p50", "ms"},
            web99{"field app payment via web API p99", "ms"},
            load{"field app first page load", "ms"};
        std::vector<double> direct50, direct99;
        const int samples = std::min(s_.latency_samples, 200);
        for (int r = 0; r < s_.repeats; ++r) {
            std::vector<double> w, d;
            for (int i = 0; i < samples; ++i) {
                if (work_list_.next_payment + 2 > work_list_.entitlements.size())
                    break;
                const auto& [id, fen, id_number] =
                    work_list_.entitlements[work_list_.next_payment++];
                auto t0 = Steady::now();
                const auto a = page.call("POST", "/api/payments",
                                         {{"session", session_},
                                          {"entitlement", id},
                                          {"id_number", id_number},
                                          {"ack_name", "领取人"},
                                          {"ack_png", ack},
                                          {"payer", payer_},
                                          {"payer_pin", "2468"},
                                          {"verifier", verifier_},
                                          {"verifier_pin", "2468"}});
                w.push_back(ms_since(t0));
                if (a.status != 200)
                    throw std::runtime_error("field app payment: " +
                                             boost::json::serialize(a.body));
                const auto& [id2, fen2, id_number2] =
                    work_list_.entitlements[work_list_.next_payment++];
                domain::PaymentInput in;
                in.entitlement_id = id2;
                in.session_id = session_;
                in.amount_fen = fen2;
                in.recipient_id_number = id_number2;
                in.ack_name = "领取人";
                in.ack_image = Bytes(2048, 0);
                t0 = Steady::now();
                if (!direct.pay(in, laptop_->signer(payer_), laptop_->signer(verifier_)))
                    throw std::runtime_error("direct payment refused");
                d.push_back(ms_since(t0));
            }
            web50.runs.push_back(percentile(w, 0.5));
            web99.runs.push_back(percentile(w, 0.99));
            direct50.push_back(percentile(d, 0.5));
            direct99.push_back(percentile(d, 0.99));
            // A browser's first visit: no cookie, the files and the first data.
            tools::WebClient fresh(address);
            const auto t0 = Steady::now();
            for (const char* target : {"/", "/app.js", "/app.css", "/api/status", "/api/staff"}) {
                if (fresh.call("GET", target).status != 200)
                    throw std::runtime_error(std::string("field app: GET ") + target);
            }
            load.runs.push_back(ms_since(t0));
        }
        web50.floor = direct50;
        web50.floor_name = "FieldService::pay p50";
        web99.floor = direct99;
        web99.floor_name = "FieldService::pay p99";
        server.stop();
        serving.join();
        print(web50);
        print(web99);
        print(load);
    }

    // The peak memory of `gridsync-edge serve` (the app and the background
    // sync) on a bootstrapped community laptop, after page loads and a
    // round of sync.
    void serve_memory() {
        const fs::path node = work_ / "fresh0";
        const fs::path port_file = work_ / "serve.port";
        Process serve(edge_bin_,
                      {"--data", node.string(), "--passphrase-file", (work_ / "edge.pass").string(),
                       "serve", "--listen", "127.0.0.1:0", "--port-file", port_file.string(),
                       "--interval-seconds", "3600"},
                      "");
        for (int i = 0; i < 400 && !fs::exists(port_file); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        std::string port;
        std::getline(std::ifstream(port_file), port);
        tools::WebClient page("127.0.0.1:" + port);
        for (int i = 0; i < 20; ++i) {
            for (const char* target : {"/", "/app.js", "/app.css", "/api/status", "/api/staff"})
                (void)page.call("GET", target);
        }
        (void)page.call("POST", "/api/sync", boost::json::object{});
        long peak = 0;
        std::ifstream status("/proc/" + std::to_string(serve.pid()) + "/status");
        for (std::string line; std::getline(status, line);) {
            if (line.starts_with("VmHWM:"))
                peak = std::stol(line.substr(6));
        }
        serve.terminate();
        serve.wait();
        print({"gridsync-edge serve peak RSS", "MiB", {static_cast<double>(peak) / 1024}});
    }

    // The floor: the payment row, inserted and committed alone, with the
    // same synchronous setting, into a table without triggers or capture.
    std::vector<double> plain_inserts(int round) {
        auto db = store::Database::open(work_ / ("floor-insert-" + std::to_string(round) + ".db"));
        db.exec(
            "CREATE TABLE payment(id TEXT PRIMARY KEY NOT NULL, kind TEXT, entitlement_id TEXT, "
            "session_id TEXT, reverses_payment_id TEXT, amount_fen INTEGER, paid_at_ms INTEGER, "
            "recipient_kind TEXT, proxy_registration_id TEXT, payer_staff_id TEXT, "
            "verifier_staff_id TEXT, payer_signature BLOB, verifier_signature BLOB, ack_name "
            "TEXT, ack_image BLOB, ack_image_hash BLOB, override_reason TEXT, reason TEXT, "
            "origin_device TEXT, hlc INTEGER) STRICT");
        std::vector<double> out;
        const Bytes sig(64, 1), image(2048, 0x5a), hash(32, 2);
        for (int i = 0; i < s_.latency_samples; ++i) {
            const auto t0 = Steady::now();
            store::Transaction tx(db);
            db.execute(
                "INSERT INTO payment VALUES (?1, 'payment', 'e', 's', NULL, 70000, ?2, "
                "'beneficiary', NULL, 'p', 'v', ?3, ?3, '领取人', ?4, ?5, NULL, NULL, 'dev', ?2)",
                domain::new_id(static_cast<domain::EpochMs>(i)), i, sig, image, hash);
            tx.commit();
            out.push_back(ms_since(t0));
        }
        return out;
    }

    // A new laptop of C01 downloads its community with the shipped
    // gridsync-edge: the time of its first `sync`, and its peak memory.
    void bootstrap() {
        Figure time{"bootstrap C01 (" + std::to_string(residents_) + " residents)", "s"};
        Figure rss{"bootstrap gridsync-edge peak RSS", "MiB"};
        for (int r = 0; r < s_.repeats; ++r) {
            tools::EdgeDriver d(edge_bin_, work_ / ("fresh" + std::to_string(r)),
                                work_ / "edge.pass");
            std::ofstream(work_ / "edge.pass") << "bench edge passphrase\n";
            const auto code = central_->codes(clerk_, "community_laptop", "C01", 1)[0];
            (void)d.run({"init", "--device-name", "fresh", "--fast-kdf"});
            (void)d.run({"enroll", "--central", central_->address(), "--code", code, "--fast-kdf"});
            const auto t0 = Steady::now();
            const auto s = d.run({"--json", "sync"});
            const double secs = ms_since(t0) / 1000;
            if (s.exit_code != 0)
                throw std::runtime_error("bootstrap: " + s.out);
            time.runs.push_back(secs);
            rss.runs.push_back(static_cast<double>(s.max_rss_kib) / 1024);
            if (r == 0) {
                std::printf("# bootstrap: %lld rows in the snapshot\n",
                            static_cast<long long>(
                                tools::EdgeDriver::json(s).at("snapshot_rows").as_int64()));
            }
        }
        print(time);
        print(rss);
    }

    // One entry of the laptop's backlog as it will leave: its bytes and rows.
    struct Pending {
        Bytes envelope, signature, changeset;
        std::size_t rows = 0;
    };

    // Push: a backlog (payments, hand-overs and deliveries, check-ins)
    // recorded offline, then sent over HTTP to the running central, which
    // verifies, authorizes, validates, applies, logs and acknowledges each
    // entry. Floors on the same entries: sqlite3changeset_apply into an
    // empty database, and Ed25519 verification of the device signatures.
    void push_and_pull() {
        laptop_->sync();  // the latency samples go first: not part of the backlog
        auto reader =
            std::make_unique<Laptop>(work_ / "laptop2", "bench laptop 2", *central_,
                                     central_->codes(clerk_, "community_laptop", "C01", 1)[0]);
        for (std::size_t b = 0; b < s_.backlogs.size(); ++b) {
            const int backlog = s_.backlogs[b];
            const int repeats = backlog >= 50000 ? 1 : s_.repeats;
            // Every repeat gets the same mix: a quarter payments and a
            // quarter hand-over + delivery pairs where the entitlements and
            // certificates left, shared over this backlog's repeats and the
            // backlogs after it, allow; check-ins fill the rest.
            int later = 0;
            for (std::size_t k = b + 1; k < s_.backlogs.size(); ++k)
                later += s_.backlogs[k] >= 50000 ? 1 : s_.repeats;
            const auto left = [&](std::size_t used, std::size_t all) {
                return static_cast<int>((all - used) / static_cast<std::size_t>(repeats + later));
            };
            const int pay_quota = std::min(
                backlog / 4, left(work_list_.next_payment, work_list_.entitlements.size()));
            const int deliver_quota = std::min(
                backlog / 4, left(work_list_.next_certificate, work_list_.certificates.size()));
            const std::string mix = " (" + std::to_string(pay_quota) + " pay, " +
                                    std::to_string(deliver_quota) + " deliver)";
            Figure rows{"push " + std::to_string(backlog) + mix, "rows/s"};
            Figure entries{"push " + std::to_string(backlog) + mix, "entries/s"};
            Figure verify{"push " + std::to_string(backlog) + " vs Ed25519 verify", "entries/s"};
            Figure rss{"central peak RSS after push " + std::to_string(backlog), "MiB"};
            Figure tree{"push " + std::to_string(backlog) + ": the log's share", "us/entry"};
            Figure at_central{"push " + std::to_string(backlog) + ": central's share", "us/entry"};
            std::vector<double> push_seconds;
            std::size_t records = 0;  // distinct rows of a repeat: the peer's documents
            const fs::path peer_docs = work_ / ("peer-docs-" + std::to_string(backlog) + ".jsonl");
            for (int r = 0; r < repeats; ++r) {
                int n = 0, payments = 0, deliveries = 0;
                while (n < backlog) {
                    if (n % 4 == 0 && payments < pay_quota && pay(*laptop_)) {
                        ++payments;
                        ++n;
                        continue;
                    }
                    if (n % 4 == 1 && n + 1 < backlog && deliveries < deliver_quota) {
                        if (auto cert = hand_over(*laptop_)) {
                            deliver(*laptop_, *cert);
                            ++deliveries;
                            n += 2;
                            continue;
                        }
                    }
                    check_in_or_out(*laptop_);
                    ++n;
                }
                if (payments != pay_quota || deliveries != deliver_quota)
                    throw std::runtime_error("push: a repeat's mix differs from the others'");
                const auto pending = pending_entries();
                if (r == 0)
                    records = write_peer_documents(pending, peer_docs);
                const double central_before = central_push_seconds();
                const auto t0 = Steady::now();
                const auto report = laptop_->sync(false);
                const double secs = ms_since(t0) / 1000;
                push_seconds.push_back(secs);
                at_central.runs.push_back((central_push_seconds() - central_before) * 1e6 /
                                          static_cast<double>(pending.size()));
                at_central.floor.push_back(secs * 1e6 / static_cast<double>(pending.size()));
                if (report.accepted != pending.size())
                    throw std::runtime_error("push: not every entry was accepted");
                std::size_t row_count = 0;
                for (const auto& e : pending)
                    row_count += e.rows;
                rows.runs.push_back(static_cast<double>(row_count) / secs);
                entries.runs.push_back(static_cast<double>(pending.size()) / secs);
                rows.floor.push_back(apply_floor(pending, r));
                verify.runs.push_back(static_cast<double>(pending.size()) / secs);
                verify.floor.push_back(verify_floor(pending));
                rss.runs.push_back(static_cast<double>(central_->peak_rss_kib()) / 1024);
                tree.runs.push_back(log_floor(pending, r));
                tree.floor.push_back(secs * 1e6 / static_cast<double>(pending.size()));
                if (r == 0) {
                    std::printf(
                        "# backlog %d, every repeat: %d payments, %d deliveries (each after "
                        "its hand-over), the rest check-ins; %zu rows\n",
                        backlog, payments, deliveries, row_count);
                }
            }
            rows.floor_name = "changeset_apply, 500/commit";
            verify.floor_name = "Ed25519 verify, 1 core";
            print(rows);
            print(entries);
            print(verify);
            print(rss);
            tree.floor_name = "push, us/entry";
            print(tree);
            // The rest is the laptop's: reading and checking its outbox,
            // sealing, marking what central acknowledged.
            at_central.floor_name = "push, us/entry";
            print(at_central);
            peer(backlog, mix, peer_docs, records, push_seconds);
            // The laptop's next pull proves what it pushed (at most
            // kMaxProofsPerBatch a round): the proofs' bytes of that round.
            const auto before = proof_total(laptop_->node->db());
            laptop_->sync();
            print_proofs("log proofs after push " + std::to_string(backlog), before,
                         laptop_->node->db());
        }
        // Incremental pull: the second laptop receives what the first pushed,
        // as a field device's sync does (the scope's digest hourly, not at
        // this pull), then the same with the digest of its whole scope.
        Figure pull{"incremental pull " + std::to_string(s_.incremental) + " entries", "ms"};
        Figure with_digest{
            "incremental pull " + std::to_string(s_.incremental) + " entries + scope digest", "ms"};
        ProofTotal before_pulls;
        for (int r = 0; r < s_.repeats; ++r) {
            reader->sync();
            for (auto* figure : {&pull, &with_digest}) {
                for (int i = 0; i < s_.incremental; ++i)
                    check_in_or_out(*laptop_);
                laptop_->sync(false);
                before_pulls = proof_total(reader->node->db());
                const auto t0 = Steady::now();
                const auto report = reader->sync(true, figure == &with_digest);
                figure->runs.push_back(ms_since(t0));
                if (report.pulled < static_cast<std::size_t>(s_.incremental))
                    throw std::runtime_error("incremental pull: too few entries");
            }
        }
        print(with_digest);
        print(pull);
        print_proofs("log proofs, incremental pull", before_pulls, reader->node->db());
    }

    // An admin's login while a laptop pushes a backlog: the login's password
    // check (Argon2id at the interactive limits, as in production; the
    // bench's other admins use the minimum) must not hold up the pushes.
    // The laptop times each push request; a login thread alternates a
    // login with as long a pause, so some requests overlap a login and
    // some do not. The figure: p99 of the requests that overlapped one
    // against p99 of those that did not (the target: at most 50 ms more).
    void login_during_push() {
        const int backlog = s_.login_push;
        const std::size_t batch = backlog >= 50000 ? 500 : 250;
        {
            const fs::path list = work_ / "duty-admin.csv";
            std::ofstream(list) << "工号,姓名,岗位\nADM03,值班管理员,管理员\n";
            (void)central_->admin({"import", "staff", "--file", list.string()});
            central_->add_admin("admin3", "ADM03", true);
        }
        std::string password;
        std::getline(std::ifstream(central_->dir() / "admin3.pass"), password);
        for (int i = 0; i < backlog; ++i)
            check_in_or_out(*laptop_);
        TimedTransport timed(*laptop_->http);
        sync::SyncOptions o;
        o.pull = false;
        o.push_batch = batch;
        std::vector<std::pair<Steady::time_point, Steady::time_point>> logins;
        std::atomic<bool> pushing{true};
        std::string login_error;
        std::thread admin([&] {
            tools::WebClient console(central_->address());
            while (pushing) {
                const auto t0 = Steady::now();
                if (!console.login("admin3", password)) {
                    login_error = "the duty admin's login was refused";
                    return;
                }
                logins.push_back({t0, Steady::now()});
                const auto took = Steady::now() - t0;
                for (auto until = Steady::now() + took; pushing && Steady::now() < until;)
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        const auto t0 = Steady::now();
        sync::RoundReport report;
        try {
            report = laptop_->sync_through(timed, o);
        } catch (...) {
            pushing = false;
            admin.join();
            throw;
        }
        const double secs = ms_since(t0) / 1000;
        pushing = false;
        admin.join();
        if (!login_error.empty())
            throw std::runtime_error("login during push: " + login_error);
        if (report.accepted < static_cast<std::size_t>(backlog))
            throw std::runtime_error("login during push: not every entry was accepted");
        std::vector<double> during, apart, login_ms;
        for (const auto& [b0, b1] : timed.pushes) {
            const bool overlaps = std::any_of(logins.begin(), logins.end(), [&](const auto& l) {
                return l.first < b1 && b0 < l.second;
            });
            (overlaps ? during : apart)
                .push_back(std::chrono::duration<double, std::milli>(b1 - b0).count());
        }
        for (const auto& [l0, l1] : logins)
            login_ms.push_back(std::chrono::duration<double, std::milli>(l1 - l0).count());
        std::printf(
            "# login during push: %d check-ins in %zu requests of %zu in %.1f s; %zu logins "
            "(Argon2id, interactive limits); %zu requests overlapped a login, %zu did not\n",
            backlog, timed.pushes.size(), batch, secs, logins.size(), during.size(), apart.size());
        if (logins.empty() || during.empty() || apart.empty()) {
            std::printf("# login during push: too few requests on each side to compare\n");
            return;
        }
        print({"admin login (Argon2id) during push", "ms", login_ms});
        Figure with{"push request during a login p99", "ms", {percentile(during, 0.99)}};
        with.floor = {percentile(apart, 0.99)};
        with.floor_name = "push request, no login p99";
        print(with);
        print({"push request during a login max",
               "ms",
               {*std::max_element(during.begin(), during.end())}});
        print({"push request p99: a login's delay",
               "ms",
               {percentile(during, 0.99) - percentile(apart, 0.99)}});
    }

    // The time central spent on push requests so far (its /metrics, which
    // answers 127.0.0.1): from a push's decoding to its acknowledgements.
    double central_push_seconds() {
        tools::WebClient metrics(central_->address());
        const auto a = metrics.call("GET", "/metrics");
        const std::string key = "\ngridsync_push_seconds_sum ";
        const auto at = a.text.find(key);
        if (a.status != 200 || at == std::string::npos)
            throw std::runtime_error("central's /metrics has no push time");
        return std::stod(a.text.substr(at + key.size()));
    }

    // What the log sections of the pulls since `before` weighed
    // (sync/log_check.cpp keeps the running total: bytes, inclusion proofs, pulls).
    struct ProofTotal {
        double bytes = 0, proofs = 0, pulls = 0;
    };
    static ProofTotal proof_total(store::Database& db) {
        std::istringstream v(db.query_value<std::string>(
                                   "SELECT value FROM node_state WHERE key = 'log_proof_total'")
                                 .value_or("0 0 0"));
        ProofTotal t;
        v >> t.bytes >> t.proofs >> t.pulls;
        return t;
    }
    static void print_proofs(const std::string& name, const ProofTotal& before,
                             store::Database& db) {
        const auto now = proof_total(db);
        const double pulls = std::max(1.0, now.pulls - before.pulls);
        std::printf("# %s: %.0f pulls, %.0f inclusion proofs, %.0f bytes of proofs in all\n",
                    name.c_str(), now.pulls - before.pulls, now.proofs - before.proofs,
                    now.bytes - before.bytes);
        print({name + ", per pull", "bytes", {(now.bytes - before.bytes) / pulls}});
    }

    // The tree's cost, alone: the same entries' leaves appended to a log of
    // central's schema, a commit and a checkpoint per batch of 500 as a push
    // makes them. Against the push's own time per entry, it is the share of
    // ingest the verifiable log takes (central does both in one run of work).
    double log_floor(const std::vector<Pending>& entries, int round) {
        // A new file each time: the backlogs' rounds would meet each other's leaves.
        auto store =
            central::CentralStore::open(work_ / ("floor-log-" + std::to_string(round) + "-" +
                                                 std::to_string(++floor_files_) + ".db"));
        const auto key = crypto::SigningKey::generate();
        const central::LogSigner signer{central::kLogOrigin, key};
        auto log = store.merkle_log();
        const auto t0 = Steady::now();
        for (std::size_t i = 0; i < entries.size(); i += 500) {
            store::Transaction tx(store.db());
            for (std::size_t j = i; j < std::min(entries.size(), i + 500); ++j) {
                (void)log.append(
                    central::LeafSource::accepted_entry, static_cast<std::int64_t>(j),
                    sync::encode(sync::EntryLeaf{entries[j].signature, entries[j].envelope}));
            }
            tx.commit();
            (void)log.checkpoint(signer, static_cast<domain::EpochMs>(i), true);
        }
        return ms_since(t0) * 1000 / static_cast<double>(entries.size());
    }

    // The auditor over everything this run put into central's log (the
    // pushes, the imports): exported by the shipped command, checked by the
    // shipped gridsync-audit, which works on one core.
    void audit() {
        const auto dir = work_ / "log-export";
        const auto ex = central_->admin({"export-log", "--to", dir.string()});
        const auto t0 = Steady::now();
        const auto r =
            gridsync::run(audit_bin_, {"--export", dir.string(), "--log-key",
                                       std::string(ex.at("log_key").as_string()), "--central-key",
                                       std::string(ex.at("central_key").as_string())});
        const double secs = ms_since(t0) / 1000;
        if (r.exit_code != 0)
            throw std::runtime_error("audit: " + r.out);
        std::printf("# audit: %s", r.out.substr(0, r.out.find('\n') + 1).c_str());
        const auto payments = number_before(r.out, " payments with two staff signatures");
        const auto leaves = static_cast<double>(ex.at("leaves").to_number<std::int64_t>());
        print({"gridsync-audit, whole export", "s", {secs}});
        print({"gridsync-audit", "leaves/s", {leaves / secs}});
        print({"gridsync-audit peak RSS", "MiB", {static_cast<double>(r.max_rss_kib) / 1024}});
        std::printf("# audit: %.0f payments among %.0f leaves\n", payments, leaves);
    }

    void audit_at_scale() {
        // At scale: a synthetic export of one day's payments (all valid,
        // each its own entry, two staff signatures), against the floor of
        // its three Ed25519 verifications per payment on one core.
        const auto big = tools::make_scale_export(work_ / "audit-scale",
                                                  static_cast<std::uint64_t>(s_.audit_payments));
        std::printf("# audit at scale: %llu payments, %llu leaves, made in %.1f s\n",
                    static_cast<unsigned long long>(big.payments),
                    static_cast<unsigned long long>(big.leaves), big.made_s);
        if (keep_)
            std::printf(
                "# audit at scale: gridsync-audit --export %s --log-key '%s' --central-key %s\n",
                big.export_dir.c_str(), big.log_vkey.c_str(), big.central_key_hex.c_str());
        const auto t1 = Steady::now();
        const auto rb =
            gridsync::run(audit_bin_, {"--export", big.export_dir.string(), "--log-key",
                                       big.log_vkey, "--central-key", big.central_key_hex});
        const double big_s = ms_since(t1) / 1000;
        if (rb.exit_code != 0)
            throw std::runtime_error("audit at scale: " + rb.out.substr(0, 2000));
        const auto key = crypto::SigningKey::generate();
        const Bytes msg(400, 7);
        const auto sig = key.sign(sync::kEnvelopeContext, msg);
        const int samples = 20000;
        const auto t2 = Steady::now();
        for (int i = 0; i < samples; ++i) {
            if (!crypto::verify(key.public_key(), sync::kEnvelopeContext, msg, sig))
                throw std::runtime_error("verify floor");
        }
        const double verifies_per_s = samples / (ms_since(t2) / 1000);
        const std::string name =
            "gridsync-audit " + std::to_string(s_.audit_payments) + " payments";
        print({name, "s", {big_s}});
        Figure rate{name, "payments/s", {static_cast<double>(big.payments) / big_s}};
        rate.floor = {verifies_per_s / 3};
        rate.floor_name = "3 Ed25519 verify, 1 core";
        print(rate);
        print({name + " peak RSS", "MiB", {static_cast<double>(rb.max_rss_kib) / 1024}});
        std::printf(
            "# audit at scale: 10^6 payments at this rate: %.0f s (goal < 240 s, one "
            "core); export %.0f MiB\n",
            1e6 / (static_cast<double>(big.payments) / big_s),
            static_cast<double>(fs::file_size(big.export_dir / "leaves")) / (1 << 20));
        if (!keep_)  // 2 GiB at full size; with --keep, left for a profile
            fs::remove_all(work_ / "audit-scale");
    }
    static double number_before(const std::string& text, const std::string& what) {
        const auto at = text.find(what);
        if (at == std::string::npos)
            return 0;
        auto from = at;
        while (from > 0 && std::isdigit(static_cast<unsigned char>(text[from - 1])))
            --from;
        return from == at ? 0 : std::stod(text.substr(from, at - from));
    }

    // The peer (tools/peer/replicate.js): the same records as JSON documents
    // of the same fields, one per row (a row changed twice, as a certificate
    // at hand-over and at delivery, is one document in its last state, as a
    // PouchDB app keeps it; blobs in base64), replicated by PouchDB to a
    // PouchDB server on 127.0.0.1. gridsync's figure is the same records over
    // its push's time: both ends hold the same records when each is done.
    std::size_t write_peer_documents(const std::vector<Pending>& entries, const fs::path& file) {
        std::map<std::string, boost::json::object> docs;  // by table and primary key
        std::vector<std::string> order;
        for (const auto& e : entries) {
            for (store::ChangesetIterator it(e.changeset); it.next();) {
                const std::string table(it.table());
                std::string id = table;
                for (const auto& v : it.primary_key())
                    id += ":" + store::to_display(v);
                auto [at, fresh] = docs.try_emplace(id);
                if (fresh) {
                    order.push_back(id);
                    at->second["_id"] = id;
                    at->second["table"] = table;
                }
                const auto& names = column_names(table);
                for (int c = 0; c < it.column_count(); ++c) {
                    const auto v = it.new_value(c);
                    if (!v || static_cast<std::size_t>(c) >= names.size())
                        continue;
                    at->second[names[static_cast<std::size_t>(c)]] = std::visit(
                        [](const auto& x) -> boost::json::value {
                            using T = std::decay_t<decltype(x)>;
                            if constexpr (std::is_same_v<T, store::Null>)
                                return nullptr;
                            else if constexpr (std::is_same_v<T, Bytes>)
                                return boost::json::value(crypto::to_base64(x));
                            else
                                return boost::json::value(x);
                        },
                        *v);
                }
            }
        }
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        for (const auto& id : order)
            out << boost::json::serialize(docs[id]) << "\n";
        return order.size();
    }
    const std::vector<std::string>& column_names(const std::string& table) {
        auto at = columns_.find(table);
        if (at == columns_.end())
            at = columns_.emplace(table, store::column_names(laptop_->node->db(), table)).first;
        return at->second;
    }
    void peer(int backlog, const std::string& mix, const fs::path& docs, std::size_t records,
              const std::vector<double>& push_seconds) {
        if (peer_ == Peer::off)
            return;
        const auto node = find_on_path("node");
        const fs::path script = peer_dir_ / "replicate.js";
        const bool packages = fs::exists(peer_dir_ / "node_modules" / "pouchdb-node") &&
                              fs::exists(peer_dir_ / "node_modules" / "express-pouchdb");
        if (!node || !fs::exists(script) || !packages) {
            const std::string why = !node ? "Node.js is not on PATH"
                                          : "its npm packages are not installed in " +
                                                peer_dir_.string() +
                                                " (bash scripts/setup.sh installs them)";
            if (peer_ == Peer::required)
                throw std::runtime_error("peer: " + why);
            std::printf("# peer: not run: %s\n", why.c_str());
            return;
        }
        const int repeats = backlog >= 50000 ? 1 : std::min(3, s_.repeats);
        const auto r = gridsync::run(
            node->string(), {script.string(), "--docs", docs.string(), "--work",
                             (work_ / ("peer-" + std::to_string(backlog))).string(), "--repeats",
                             std::to_string(repeats), "--batch-size", "500"});
        const auto at = r.out.rfind("{\"docs\":");  // its one line of results
        if (r.exit_code != 0 || at == std::string::npos)
            throw std::runtime_error("peer: " + r.out.substr(0, 2000));
        const auto result = boost::json::parse(r.out.substr(at)).as_object();
        Figure pouch{"peer: PouchDB replicate " + std::to_string(records) + " docs", "docs/s"};
        for (const auto& run : result.at("runs").as_array())
            pouch.runs.push_back(run.at("docs_per_s").to_number<double>());
        Figure ours{"push " + std::to_string(backlog) + mix + ", same records", "records/s"};
        for (const double secs : push_seconds)
            ours.runs.push_back(static_cast<double>(records) / secs);
        ours.floor = pouch.runs;
        ours.floor_name = "PouchDB replication";
        std::printf(
            "# peer: PouchDB %s on Node.js %s, LevelDB on disk at both ends, HTTP on 127.0.0.1, "
            "batch_size %lld; %zu documents, %.1f MiB of JSON\n",
            std::string(result.at("pouchdb").as_string()).c_str(),
            std::string(result.at("node").as_string()).c_str(),
            static_cast<long long>(result.at("batch_size").to_number<std::int64_t>()), records,
            static_cast<double>(result.at("bytes").to_number<std::int64_t>()) / (1 << 20));
        print(pouch);
        print(ours);
    }
    static std::optional<fs::path> find_on_path(const std::string& program) {
        const char* path = std::getenv("PATH");
        std::istringstream dirs(path ? path : "/usr/bin:/bin");
        for (std::string dir; std::getline(dirs, dir, ':');) {
            const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
            if (::access(candidate.c_str(), X_OK) == 0)
                return candidate;
        }
        return std::nullopt;
    }

    std::vector<Pending> pending_entries() {
        std::vector<Pending> out;
        auto st = laptop_->node->db().prepare(
            "SELECT envelope, signature FROM outbox WHERE acked = 0 ORDER BY seq");
        while (st.step()) {
            Pending p{st.column<Bytes>(0), st.column<Bytes>(1), {}, 0};
            p.changeset = sync::decode_envelope(p.envelope).value().changeset;
            for (store::ChangesetIterator it(p.changeset); it.next();)
                ++p.rows;
            out.push_back(std::move(p));
        }
        return out;
    }
    // rows/s of sqlite3changeset_apply into an empty database of the
    // replicated schema, at central's settings and with central's commits:
    // one per push batch of 500 entries.
    double apply_floor(const std::vector<Pending>& entries, int round) {
        store::OpenOptions o;
        o.cache_kib = 256 * 1024;
        auto db = store::Database::open(work_ / ("floor-apply-" + std::to_string(round) + "-" +
                                                 std::to_string(++floor_files_) + ".db"),
                                        o);
        (void)store::migrate(db, domain::migrations());
        db.exec("PRAGMA foreign_keys = OFF");
        std::size_t rows = 0;
        const auto t0 = Steady::now();
        for (std::size_t i = 0; i < entries.size(); i += 500) {
            store::Transaction tx(db);
            for (std::size_t j = i; j < std::min(entries.size(), i + 500); ++j) {
                (void)store::apply_changeset(db, entries[j].changeset, [](const store::Conflict&) {
                    return store::ConflictAction::omit;
                });
                rows += entries[j].rows;
            }
            tx.commit();
        }
        return static_cast<double>(rows) / (ms_since(t0) / 1000);
    }
    double verify_floor(const std::vector<Pending>& entries) {
        const auto& key = laptop_->node->device_key().public_key();
        std::size_t ok = 0;
        const auto t0 = Steady::now();
        for (const auto& e : entries) {
            if (crypto::verify(key, sync::kEnvelopeContext, e.envelope,
                               *crypto::Signature::from(e.signature)))
                ++ok;
        }
        if (ok != entries.size())
            throw std::runtime_error("verify floor: a signature did not verify");
        return static_cast<double>(entries.size()) / (ms_since(t0) / 1000);
    }

    // The offices' side at central: a community's residents imported from a
    // CSV as an office sends it (UTF-8, then the same file as GB18030, then
    // again: nothing to change), and the month's reports out, each through
    // the shipped command line as an admin runs it.
    void offices() {
        const int residents = s_.households_per_grid * 10 * 8 / 3;  // a community: 8,000 at full
        std::string csv = "社区编号,网格,地址,姓名,身份证号码,电话\n";
        for (int i = 0; i < residents; ++i) {
            char first17[32];
            std::snprintf(first17, sizeof first17, "500112%04d%02d%02d%03d", 1940 + i / 12000,
                          1 + i / 1000 % 12, 1 + i % 28, i % 1000);
            csv += "C02,第" + std::to_string(1 + i % 10) + "网格," + std::to_string(1 + i / 300) +
                   "栋" + std::to_string(1 + i % 4) + "单元" + std::to_string(101 + i % 300 / 4) +
                   ",居民" + std::to_string(i) + "," + first17 +
                   domain::ResidentIdNumber::check_character(first17) + ",\n";
        }
        const fs::path utf8 = work_ / "residents-utf8.csv", gb = work_ / "residents-gb18030.csv";
        std::ofstream(utf8, std::ios::binary) << csv;
        std::ofstream(gb, std::ios::binary) << office::to_gb18030(csv).value();
        auto timed = [&](const std::vector<std::string>& args) {
            const auto t0 = Steady::now();
            const auto out = central_->admin(args);
            return std::pair{ms_since(t0) / 1000, out};
        };
        const auto [first_s, first] = timed({"import", "residents", "--file", utf8.string()});
        if (first.at("created").as_int64() != residents)
            throw std::runtime_error("import: not every resident was created");
        const auto [gb_s, again] = timed({"import", "residents", "--file", gb.string()});
        if (again.at("unchanged").as_int64() != residents)
            throw std::runtime_error("import: the GB18030 copy read differently");
        std::printf("# offices: %d residents of C02 in one CSV (%.1f MiB)\n", residents,
                    static_cast<double>(csv.size()) / (1 << 20));
        print({"import residents, new (UTF-8)", "rows/s", {residents / first_s}});
        print({"import residents, unchanged (GB18030)", "rows/s", {residents / gb_s}});
        const std::string month = std::string(central_->admin({"approvals", "--state", "all"})
                                                  .at("approvals")
                                                  .as_array()
                                                  .at(0)
                                                  .at("lines")
                                                  .as_array()
                                                  .at(0)
                                                  .at("date")
                                                  .as_string())
                                      .substr(0, 7);
        for (const char* kind : {"reconciliation", "delivery", "attendance", "assessment"}) {
            std::vector<double> runs;
            for (int r = 0; r < s_.repeats; ++r) {
                runs.push_back(timed({"report", kind, "--community", "C01", "--month", month,
                                      "--out", (work_ / (std::string(kind) + ".xlsx")).string()})
                                   .first *
                               1000);
            }
            print({std::string("report ") + kind + " C01 month (.xlsx)", "ms", runs});
        }
    }

    // Many devices at once: the load generator against a central of its own,
    // once with devices verifying their whole scope at every pull, once with
    // the hourly verification a field device would use.
    void load() {
        for (const std::int64_t every : {std::int64_t{0}, std::int64_t{3600000}}) {
            tools::LoadOptions o;
            o.central_bin = central_bin_;
            o.dir = work_ / ("load-" + std::to_string(every));
            o.devices = s_.load_devices;
            o.window_s = s_.load_window_s;
            o.days = s_.load_days;
            o.verify_scope_every_ms = every;
            const auto r = tools::run_load(o);
            const std::string tag = every == 0 ? " (digest every pull)" : " (digest hourly)";
            std::printf(
                "# load%s: %d laptops, %d day(s) of work each offered within %d s: %ld entries "
                "(%ld payments, %ld deliveries after their hand-overs, %ld check-ins, %ld "
                "corrections); set-up (enroll, bootstrap, staff keys, record) %.1f s\n",
                tag.c_str(), o.devices, o.days, o.window_s, r.offered, r.payments, r.deliveries,
                r.checks, r.corrections, r.setup_s);
            if (r.errors > 0)
                std::printf("# load%s: first error: %s\n", tag.c_str(), r.first_error.c_str());
            print({"load offered" + tag, "entries/s", {r.offered_per_s}});
            print({"load push p50" + tag, "ms", {r.push_p50_ms}});
            print({"load push p99" + tag, "ms", {r.push_p99_ms}});
            print({"load pull p99" + tag, "ms", {r.pull_p99_ms}});
            print({"load accepted" + tag, "entries/s", {r.entries_per_s}});
            print({"load errors" + tag, "count", {static_cast<double>(r.errors)}});
            print({"load central RSS after" + tag,
                   "MiB",
                   {static_cast<double>(r.central_rss_kib) / 1024}});
            print({"load central peak RSS" + tag,
                   "MiB",
                   {static_cast<double>(r.central_peak_rss_kib) / 1024}});
        }
    }

    Sizes s_;
    std::string central_bin_, edge_bin_, audit_bin_;
    fs::path work_;
    bool keep_;  // --keep: the synthetic export stays for a profile
    bool skip_audit_scale_ = false;
    Peer peer_ = Peer::when_present;
    fs::path peer_dir_;
    std::map<std::string, std::vector<std::string>> columns_;  // the laptop's, by table
    int floor_files_ = 0;  // floors measured so far: each on a database of its own
    std::unique_ptr<tools::CentralProcess> central_;
    std::unique_ptr<Laptop> laptop_;
    std::string day_, community_, clerk_, payer_, verifier_, session_;
    std::set<std::string> leaders_;
    Work work_list_;
    int residents_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    Sizes sizes = kQuick;
    std::string mode = "quick";
    const fs::path here = fs::canonical("/proc/self/exe").parent_path();
    std::string central_bin = (here.parent_path() / "central" / "gridsync-central").string();
    std::string edge_bin = (here.parent_path() / "edge" / "gridsync-edge").string();
    std::string audit_bin = (here / "gridsync-audit").string();
    std::optional<fs::path> keep;
    bool audit_only = false, skip_scale = false;
    Peer peer = Peer::when_present;
    fs::path peer_dir = GRIDSYNC_PEER_DIR;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--full") {
            sizes = kFull;
            mode = "full";
        } else if (a == "--quick") {
            sizes = kQuick;
        } else if (a == "--central" && i + 1 < argc) {
            central_bin = argv[++i];
        } else if (a == "--edge" && i + 1 < argc) {
            edge_bin = argv[++i];
        } else if (a == "--audit" && i + 1 < argc) {
            audit_bin = argv[++i];
        } else if (a == "--keep" && i + 1 < argc) {
            keep = argv[++i];
        } else if (a == "--audit-scale" && i + 1 < argc) {
            sizes.audit_payments = std::max(1, std::atoi(argv[++i]));
            audit_only = true;
        } else if (a == "--skip-audit-scale") {
            skip_scale = true;
        } else if (a == "--peer") {
            peer = Peer::required;
        } else if (a == "--no-peer") {
            peer = Peer::off;
        } else if (a == "--peer-dir" && i + 1 < argc) {
            peer_dir = argv[++i];
        } else {
            std::cerr << "usage: gridsync-bench [--quick|--full] [--central PATH] [--edge PATH] "
                         "[--audit PATH] [--keep DIR] [--audit-scale PAYMENTS | "
                         "--skip-audit-scale] [--peer | --no-peer] [--peer-dir DIR]\n";
            return 1;
        }
    }
    char pattern[] = "/tmp/gridsync-bench-XXXXXX";
    const fs::path work = keep ? *keep : fs::path(::mkdtemp(pattern));
    fs::create_directories(work);
    std::printf("# gridsync-bench --%s: %u hardware threads; work in %s\n", mode.c_str(),
                std::thread::hardware_concurrency(), work.c_str());
    const auto t0 = Steady::now();
    int rc = 0;
    try {
        Bench bench(sizes, central_bin, edge_bin, audit_bin, work, keep.has_value());
        if (skip_scale)
            bench.skip_audit_scale();
        bench.set_peer(peer, peer_dir);
        if (audit_only)
            bench.run_audit_at_scale();
        else
            bench.run();
    } catch (const std::exception& e) {
        std::cerr << "gridsync-bench: " << e.what() << "\n";
        rc = 1;
    }
    std::printf("# bench process peak RSS %.1f MiB; total %.1f s\n",
                static_cast<double>(tools::own_peak_rss_kib()) / 1024, ms_since(t0) / 1000);
    if (!keep)
        fs::remove_all(work);
    return rc;
}
