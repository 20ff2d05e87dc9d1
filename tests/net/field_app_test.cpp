// The field app in a real browser against the shipped programs: two
// `gridsync-edge serve` processes (C01's laptop and grid 1's leader's device)
// and a running central. In headless Chromium at phone width
// (tests/browser/field.test.mjs) the staff sign in with their PINs, hand
// certificates over, check in, open a session, pay with a signature drawn on
// the screen, are refused for one person in both roles and for a wrong PIN,
// reverse, close with the reconciliation, and the leader delivers and
// records a failed attempt; residents rate both services. Then both sync and
// the rows are counted at central.
#include <cstdlib>

#include "browser.hpp"
#include "field.hpp"

using namespace gridsync;
namespace fs = std::filesystem;

namespace {

// `gridsync-edge serve` for one device, on a free port of 127.0.0.1.
struct Served {
    std::unique_ptr<Process> process;
    std::string url;
    Served(const tools::EdgeDriver& d, const fs::path& pass, const fs::path& port_file) {
        fs::remove(port_file);
        process = std::make_unique<Process>(
            GRIDSYNC_EDGE_BIN,
            std::vector<std::string>{"--data", d.data().string(), "--passphrase-file",
                                     pass.string(), "serve", "--listen", "127.0.0.1:0",
                                     "--port-file", port_file.string(), "--interval-seconds",
                                     "3600"},
            "");
        for (int i = 0; i < 200 && !fs::exists(port_file); ++i)
            ::usleep(25000);
        const std::string port(as_chars(read_file(port_file, 16).value()));
        url = "http://127.0.0.1:" + port.substr(0, port.find('\n')) + "/";
    }
    ~Served() {
        process->terminate();
        process->wait();
    }
};

class FieldAppInABrowser : public test::Field {};

}  // namespace

TEST_F(FieldAppInABrowser, EveryScreensMainFlowAndTheRowsReachCentral) {
    const std::string node = BROWSER_OR_SKIP();
    const fs::path script = fs::path(GRIDSYNC_BROWSER_DIR) / "field.test.mjs";

    // What the people at the counter and the door present: fictional ID numbers.
    auto cdb = central_db();
    boost::json::array beneficiaries;
    {
        auto st = cdb.prepare(
            R"(SELECT r.name, r.id FROM entitlement e JOIN resident r ON r.id = e.beneficiary_id
                                 WHERE e.disbursement_day_id = ?1 ORDER BY r.name LIMIT 3)");
        st.bind(1, day);
        while (st.step()) {
            beneficiaries.push_back({{"name", st.column<std::string>(0)},
                                     {"id_number", id_number_of(st.column<std::string>(1))}});
        }
    }
    boost::json::object certificates;
    for (const auto& [who, pile] : laptop1.certificate_piles()) {
        if (who != leader)
            continue;
        for (const auto& [code, resident] : pile)
            certificates[code] = id_number_of(resident);
    }
    ASSERT_GE(certificates.size(), 2u);
    // Names repeat: the seed's C01 has a worker named as grid 1's leader (许宇).
    // With a key on the laptop, both are on its sign-in list, and each must
    // be told apart by their 工号 (a CI run once signed the worker in for the
    // leader). Whoever clerks this run, the namesake is there.
    const auto namesake = cdb.query_value<std::string>(
        "SELECT s.id FROM staff s JOIN staff l ON l.id = ?2 WHERE s.community_id = ?1 "
        "AND s.name = l.name AND s.id <> l.id ORDER BY s.id LIMIT 1",
        c01, leader);
    ASSERT_TRUE(namesake) << "the seed no longer names a worker as grid 1's leader";
    if (*namesake != clerk)
        enroll_key(laptop1, *namesake);
    // A worker who has no key yet makes one on screen, with the code an admin issued.
    const std::string newcomer = *cdb.query_value<std::string>(
        "SELECT id FROM staff WHERE community_id = ?1 AND role = 'community_worker' AND id <> ?2 "
        "AND id <> ?3 ORDER BY id LIMIT 1",
        c01, clerk, *namesake);
    const std::string code(must(central({"--json", "staff", "code", "--staff", newcomer}, "admin1"))
                               .at("code")
                               .as_string());
    // A person as the pickers list them: name(工号), full-width parentheses.
    const auto name_of = [&](const std::string& id) {
        return *cdb.query_value<std::string>(
            "SELECT name || char(65288) || staff_number || char(65289) FROM staff WHERE id = ?1",
            id);
    };
    const auto counted = [&](const std::string& sql) {
        return *central_db().query_value<int>(sql);
    };
    const int transfers = counted("SELECT count(*) FROM custody_transfer");
    const int checks = counted("SELECT count(*) FROM shift_check");

    Served app(laptop1, dir / "edge.pass", dir / "laptop1.port");
    Served leader_app(grid, dir / "edge.pass", dir / "grid.port");
    const fs::path shots = std::getenv("GRIDSYNC_SCREENSHOTS")
                               ? fs::path(std::getenv("GRIDSYNC_SCREENSHOTS"))
                               : dir / "screenshots";
    fs::create_directories(shots);
    const boost::json::object config{{"laptop", app.url},
                                     {"grid", leader_app.url},
                                     {"shots", shots.string()},
                                     {"pin", test::kPin},
                                     {"payer", name_of(payer)},
                                     {"verifier", name_of(verifier)},
                                     {"clerk", name_of(clerk)},
                                     {"leader", name_of(leader)},
                                     {"newcomer", name_of(newcomer)},
                                     {"code", code},
                                     {"beneficiaries", beneficiaries},
                                     {"certificates", certificates}};
    Process browser(node, {script.string()}, boost::json::serialize(config) + "\n");
    const auto r = browser.wait();
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto answer = boost::json::parse(r.out.substr(0, r.out.find('\n'))).as_object();
    EXPECT_TRUE(answer.at("ok").as_bool());
    for (const char* screen : {"signin", "keys", "handover", "shifts", "day", "pay", "close",
                               "leader", "deliver", "rating"}) {
        EXPECT_TRUE(fs::exists(shots / (std::string(screen) + ".png"))) << screen;
    }

    // Everything the pages recorded is at central, counted row by row.
    sync_all();
    sync_all();
    EXPECT_EQ(counted("SELECT count(*) FROM payment WHERE kind = 'payment'"), 2);
    EXPECT_EQ(counted("SELECT count(*) FROM payment WHERE kind = 'reversal'"), 1);
    EXPECT_EQ(counted("SELECT count(*) FROM session_closing"), 1);
    EXPECT_EQ(counted("SELECT count(*) FROM custody_transfer") - transfers,
              static_cast<int>(certificates.size()));
    EXPECT_EQ(counted("SELECT count(*) FROM delivery_attempt WHERE outcome = 'delivered'"), 1);
    EXPECT_EQ(counted("SELECT count(*) FROM delivery_attempt WHERE outcome = 'failed'"), 1);
    EXPECT_EQ(counted("SELECT count(*) FROM shift_check") - checks, 4)
        << "payer and verifier in, the clerk in and out";
    EXPECT_EQ(counted("SELECT count(*) FROM citizen_rating"), 2);
    EXPECT_EQ(counted("SELECT count(*) FROM staff_key WHERE enrolment_key IS NOT NULL AND "
                      "staff_id = '" +
                      newcomer + "'"),
              1);
    EXPECT_EQ(counted("SELECT count(*) FROM accepted_entry e WHERE e.device_id <> 'central'"),
              counted("SELECT sum(last_seq) FROM device"))
        << "every entry the devices made was accepted";
}
