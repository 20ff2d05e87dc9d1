#pragma once
// The day's work the sweeps drive through test::Field: check-ins and
// two-person payments on the two laptops of C01, some of them paid on both
// laptops (a double payment central must flag), and the convergence check
// at the end of a stretch (tests/support/invariants.hpp). Shared by the
// crash sweep and the fault-proxy run.
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "field.hpp"
#include "invariants.hpp"

namespace gridsync::test {

inline long env_number(const char* name, long fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

// GRIDSYNC_CRASH_AT for the processes started while it lives.
class Armed {
  public:
    explicit Armed(const std::string& point) {
        if (!point.empty())
            ::setenv("GRIDSYNC_CRASH_AT", point.c_str(), 1);
    }
    ~Armed() { ::unsetenv("GRIDSYNC_CRASH_AT"); }
    Armed(const Armed&) = delete;
    Armed& operator=(const Armed&) = delete;
};

class FieldWorkload : public Field {
  protected:
    struct Tally {
        int rounds = 0, kills = 0, central_kills = 0, random_kills = 0, checks = 0;
        int records_reported = 0, double_payments = 0, syncs_failed = 0;
        std::map<std::string, int> by_point;
    } tally;
    std::vector<test::WrittenRecord> written;
    std::map<tools::EdgeDriver*, std::string> session;
    std::map<std::string, bool> checked_in;  // staff -> last check was "in"
    int minute = 0;                          // payments at 09:00, 09:01, ...

    std::string today() {
        return *central_db().query_value<std::string>(
            "SELECT local_date FROM disbursement_day WHERE id = ?1", day);
    }
    std::string next_time() {
        const int m = minute++ % 600;  // 09:00 .. 18:59
        char buf[8];
        std::snprintf(buf, sizeof buf, "%02d:%02d", 9 + m / 60, m % 60);
        return today() + " " + buf;
    }

    enum class Wrote { refused, written, killed };
    // One record on `d`, maybe with a crash point armed.
    Wrote write_one(tools::EdgeDriver& d, std::mt19937_64& rng, const std::string& point) {
        Armed armed(point);
        ProcessResult r;
        std::string table, id_field;
        if (rng() % 2 == 0) {
            // A two-person payment: the next entitlement this laptop believes
            // unpaid, or (on the second laptop) one the first has just paid.
            auto db = d.db();
            auto e = db.query_value<std::string>(
                "SELECT id FROM entitlement WHERE id NOT IN (SELECT entitlement_id FROM payment) "
                "ORDER BY id LIMIT 1");
            if (&d == &laptop2 && rng() % 3 == 0) {
                if (auto paid = laptop1.db().query_value<std::string>(
                        "SELECT entitlement_id FROM payment ORDER BY hlc DESC LIMIT 1"))
                    e = paid;
            }
            if (!e)
                return Wrote::refused;
            r = pay(d, session[&d], *e, next_time(), true);
            table = "payment";
            id_field = "payment_id";
        } else {
            const std::string who = std::vector{payer, verifier, clerk}[rng() % 3];
            const bool in = !checked_in[who];
            r = d.run({"--json", "shift", "check", "--staff", who, "--kind", in ? "in" : "out"},
                      test::pins(1));
            if (r.exit_code == 0)
                checked_in[who] = in;
            table = "shift_check";
            id_field = "check_id";
        }
        if (r.signal == SIGKILL)
            return Wrote::killed;
        if (r.exit_code != 0)
            return Wrote::refused;  // paid already, here: nothing written
        const auto j = tools::EdgeDriver::json(r);
        if (auto it = j.find(id_field); it != j.end()) {
            written.push_back({table, std::string(it->value().as_string())});
            ++tally.records_reported;
        }
        return Wrote::written;
    }

    // Both laptops check their pair in and open a session on the day.
    void open_sessions() {
        session[&laptop1] = session_on(laptop1, today() + " 08:50");
        session[&laptop2] = session_on(laptop2, today() + " 08:55");
        for (const auto& who : {payer, verifier})
            checked_in[who] = true;
        sync_all();
    }
    // The signal that ended central (0: it exited when asked).
    int stop_central() {
        server->terminate();
        const auto r = server->wait();
        server.reset();
        return r.signal;
    }
    void restart_central(const std::string& point) {
        if (server)
            stop_central();
        Armed armed(point);
        start();
    }

    // Every node syncs until nothing is pending, then the invariants hold.
    void converge_and_check(std::uint64_t seed, int round) {
        for (int pass = 0; pass < 3; ++pass) {
            for (auto* d : {&laptop1, &laptop2, &grid}) {
                const auto r = d->run({"--json", "sync"});
                ASSERT_EQ(r.exit_code, 0) << "seed " << seed << " round " << round << ": " << r.out;
            }
        }
        auto cdb = central_db();
        std::vector<test::EdgeFiles> edges;
        edges.push_back({"laptop1", laptop1.db()});
        edges.push_back({"laptop2", laptop2.db()});
        edges.push_back({"grid", grid.db()});
        const auto violations = test::check_invariants(cdb, edges, written);
        for (const auto& v : violations)
            ADD_FAILURE() << "seed " << seed << " round " << round << ": " << v;
        ++tally.checks;
        tally.double_payments =
            *cdb.query_value<int>("SELECT count(*) FROM conflict WHERE kind = 'DOUBLE_PAYMENT'");
    }
};

}  // namespace gridsync::test
