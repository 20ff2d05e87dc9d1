// End to end, with real processes: the shipped gridsync-central serving on
// 127.0.0.1 and three gridsync-edge devices working offline produce every
// class of conflict in docs/CONFLICTS.md; each is listed through the admin
// API, settled through the API or the command line, and reaches the devices
// at their next sync. Rows are counted on every node before and after: none
// is lost.
#include "field.hpp"

using namespace gridsync;

namespace {

const std::vector<std::string> kTables = {"resident",
                                          "certificate",
                                          "custody_transfer",
                                          "delivery_attempt",
                                          "entitlement",
                                          "payment",
                                          "payment_void",
                                          "recovery_task",
                                          "disbursement_session",
                                          "shift_check",
                                          "roster_shift",
                                          "household",
                                          "staff"};

// 2027-01-05, 06:00 to 14:00 in Asia/Shanghai: a day no seeded roster covers.
constexpr std::int64_t kShiftStart = 1799100000000LL, kShiftEnd = 1799128800000LL;

class ConflictScenario : public test::Field {
  protected:
    // Rows per table on one node.
    std::map<std::string, int> rows(store::Database db) {
        std::map<std::string, int> n;
        for (const auto& t : kTables)
            n[t] = *db.query_value<int>("SELECT count(*) FROM " + t);
        return n;
    }
    std::map<std::string, std::map<std::string, int>> census() {
        return {{"central", rows(central_db())},
                {"laptop1", rows(laptop1.db())},
                {"laptop2", rows(laptop2.db())},
                {"grid", rows(grid.db())}};
    }
    // Every row a device wrote (in the tables that record events) is at central.
    void everything_written_reached_central() {
        auto cdb = central_db();
        for (auto* d : {&laptop1, &laptop2, &grid}) {
            auto db = d->db();
            for (const char* t : {"payment", "delivery_attempt", "custody_transfer", "shift_check",
                                  "disbursement_session"}) {
                auto st = db.prepare(std::string("SELECT id FROM ") + t +
                                     " WHERE origin_device = (SELECT value FROM node_state WHERE "
                                     "key = 'device_id')");
                while (st.step()) {
                    EXPECT_TRUE(
                        cdb.query_value<int>(std::string("SELECT 1 FROM ") + t + " WHERE id = ?1",
                                             st.column<std::string>(0)))
                        << t << " " << st.column<std::string>(0) << " did not reach central";
                }
            }
        }
    }
    std::map<std::string, std::vector<std::string>> open_by_kind(test::AdminClient& api) {
        const auto list = api.call("GET", "/admin/api/conflicts?state=open");
        EXPECT_EQ(list.status, 200);
        std::map<std::string, std::vector<std::string>> out;
        for (const auto& c : list.body.at("conflicts").as_array())
            out[std::string(c.at("kind").as_string())].push_back(
                std::string(c.at("id").as_string()));
        return out;
    }
    void cli_resolve(const std::string& id, const std::string& decision, const std::string& why) {
        must(central(
            {"--json", "resolve", "--conflict", id, "--decision", decision, "--reason", why},
            "admin2"));
    }
};

}  // namespace

TEST_F(ConflictScenario, EveryClassIsProducedListedSettledAndReachesTheDevicesWithNoRowLost) {
    auto cdb = central_db();
    const std::string today =
        *cdb.query_value<std::string>("SELECT local_date FROM disbursement_day WHERE id = ?1", day);
    auto at = [&](const char* hhmm) { return today + " " + hhmm; };
    std::vector<std::string> entitlements;
    {
        auto st =
            cdb.prepare("SELECT id FROM entitlement WHERE disbursement_day_id = ?1 ORDER BY id");
        st.bind(1, day);
        while (st.step())
            entitlements.push_back(st.column<std::string>(0));
    }
    ASSERT_GE(entitlements.size(), 3u);

    // Laptop 1 opens its session and syncs; laptop 2 learns the assignment.
    const std::string s1 = session_on(laptop1, at("08:50"));
    sync_all();
    // Central corrects one amount; laptop 1 will not hear of it before paying.
    const auto corrected = entitlements[1];
    must(central({"--json", "correct-amount", "--entitlement", corrected, "--amount", "999.00",
                  "--reason", "标准调整 / rate corrected"},
                 "admin1"));

    // -- Offline from here: every device works on what it has. --
    // Two check-ins of the service-point pair on the second laptop, 20 minutes
    // after the first ones: the same people in two places.
    const std::string s2 = session_on(laptop2, at("09:10"));
    // The same entitlement paid on both laptops (the second overrides the
    // assignment to laptop 1's session), and a payment of the old amount.
    must(pay(laptop1, s1, entitlements[0], at("09:20")));
    must(pay(laptop2, s2, entitlements[0], at("09:25"), true));
    must(pay(laptop1, s1, corrected, at("09:30")));

    // Certificates: two handed to the grid leader at the center this morning.
    std::vector<std::pair<std::string, std::string>> pile;  // print code, resident
    for (const auto& [l, certs] : laptop1.certificate_piles()) {
        if (l == leader)
            pile = certs;
    }
    ASSERT_GE(pile.size(), 2u);
    const auto [twice_code, twice_resident] = pile[0];
    const auto [returned_code, returned_resident] = pile[1];
    { std::ofstream(dir / "codes.txt") << twice_code << "\n" << returned_code << "\n"; }
    // (back online for the hand-over, then offline again)
    must(laptop1.run({"--json", "--at", at("08:30"), "cert", "handover", "--codes",
                      (dir / "codes.txt").string(), "--from", clerk, "--to", leader},
                     test::pins(2)));
    must(laptop1.run({"--json", "sync"}));
    must(grid.run({"--json", "sync"}));
    auto deliver = [&](tools::EdgeDriver& d, const std::string& code, const std::string& resident,
                       const char* when) {
        return d.run({"--json", "--at", at(when), "cert", "deliver", "--code", code, "--leader",
                      leader, "--signature-file", (dir / "signature.png").string()},
                     test::pins(1) + id_number_of(resident) + "\n");
    };
    // Delivered on the leader's device and recorded again at the center.
    must(deliver(grid, twice_code, twice_resident, "10:00"));
    must(deliver(laptop1, twice_code, twice_resident, "10:30"));
    // Returned at the center, while the leader's device delivers it.
    must(laptop1.run({"--json", "--at", at("11:00"), "cert", "return", "--code", returned_code,
                      "--leader", leader, "--to", clerk},
                     test::pins(2)));
    must(deliver(grid, returned_code, returned_resident, "11:30"));

    // One resident's phone corrected at the counter and by the grid leader;
    // another's name at the counter and phone by the leader.
    const std::string r1 = twice_resident, r2 = returned_resident;
    must(laptop1.run({"--json", "--at", at("12:00"), "resident", "edit", "--resident", r1,
                      "--phone", "13900000001"}));
    must(grid.run({"--json", "--at", at("12:30"), "resident", "edit", "--resident", r1, "--phone",
                   "13900000002"}));
    must(laptop1.run({"--json", "--at", at("12:00"), "resident", "edit", "--resident", r2, "--name",
                      "更正后的姓名"}));
    must(grid.run({"--json", "--at", at("12:30"), "resident", "edit", "--resident", r2, "--phone",
                   "13900000003"}));

    // A roster shift the laptop holds but central has not seen (restored from
    // the counter's paper roster), and a check-in against it.
    const std::string late_shift = "roster-restored-from-paper";
    laptop2.db().execute(
        R"(INSERT INTO roster_shift(id, community_id, staff_id, local_date, kind, starts_at_ms, ends_at_ms,
                   origin_device, hlc) VALUES (?1, ?2, ?3, '2027-01-05', 'early', ?4, ?5, 'central', 1))",
        late_shift, c01, clerk, kShiftStart, kShiftEnd);
    must(laptop2.run(
        {"--at", "2027-01-05 06:05", "shift", "check", "--staff", clerk, "--kind", "in"},
        test::pins(1)));
    ASSERT_EQ(laptop2.db().query_value<std::string>(
                  "SELECT shift_id FROM shift_check WHERE shift_id IS NOT NULL ORDER BY at_ms DESC "
                  "LIMIT 1"),
              late_shift);

    // Which of the two phone edits is later is the HLC's call (the devices
    // observed central's clock when they last synced), not the wall clock's.
    const auto hlc_on = [&](tools::EdgeDriver& d) {
        return *d.db().query_value<std::int64_t>("SELECT hlc FROM resident WHERE id = ?1", r1);
    };
    const std::string later_phone = hlc_on(grid) > hlc_on(laptop1) ? "13900000002" : "13900000001";

    // -- Back online: every device syncs. --
    const auto before = census();
    for (auto* d : {&grid, &laptop1, &laptop2})
        must(d->run({"--json", "sync"}));
    everything_written_reached_central();

    test::AdminClient api(address);
    ASSERT_TRUE(api.login("admin1", "admin one's password"));
    auto open = open_by_kind(api);
    for (const char* kind :
         {"DOUBLE_PAYMENT", "AMOUNT_CHANGED", "SIMULTANEOUS_CHECK_IN", "DOUBLE_DELIVERY",
          "DELIVERED_AND_RETURNED", "COLUMN_MERGE", "PARKED"}) {
        EXPECT_FALSE(open[kind].empty()) << kind << " was not produced";
    }
    EXPECT_EQ(central_db().query_value<std::string>(
                  "SELECT name || ' ' || phone FROM resident WHERE id = ?1", r2),
              "更正后的姓名 13900000003")
        << "edits of different columns merged";
    EXPECT_EQ(central_db().query_value<std::string>("SELECT phone FROM resident WHERE id = ?1", r1),
              later_phone)
        << "the later edit of the same column";

    // The parent arrives (an import into central, here written directly),
    // and the next push applies what waited.
    central_db().execute(
        R"(INSERT INTO roster_shift(id, community_id, staff_id, local_date, kind, starts_at_ms, ends_at_ms,
                   origin_device, hlc) VALUES (?1, ?2, ?3, '2027-01-05', 'early', ?4, ?5, 'central', 1))",
        late_shift, c01, clerk, kShiftStart, kShiftEnd);
    must(laptop1.run({"--at", at("17:00"), "shift", "check", "--staff", clerk, "--kind", "out"},
                     test::pins(1)));
    must(laptop1.run({"--json", "sync"}));
    open = open_by_kind(api);
    EXPECT_TRUE(open["PARKED"].empty()) << "applied once its parent arrived";

    // -- Settle every open conflict: some through the API, some on the command line. --
    ASSERT_EQ(open["DOUBLE_PAYMENT"].size(), 1u);
    {
        const auto detail = api.call("GET", "/admin/api/conflicts/" + open["DOUBLE_PAYMENT"][0]);
        const auto& sides = detail.body.at("sides").as_array();
        ASSERT_EQ(sides.size(), 2u);
        const std::string second(sides.at(1).at("payment_id").as_string());
        const auto r =
            api.call("POST", "/admin/api/conflicts/" + open["DOUBLE_PAYMENT"][0] + "/resolve",
                     {{"decision", "void_payment"},
                      {"reason", "同一人领取两次,作废第二笔并追回"},
                      {"payment_id", second}});
        EXPECT_EQ(r.status, 200) << boost::json::serialize(r.body);
    }
    for (const auto& id : open["DELIVERED_AND_RETURNED"]) {
        EXPECT_EQ(api.call("POST", "/admin/api/conflicts/" + id + "/resolve",
                           {{"decision", "keep_central"}, {"reason", "居民已签收;退回登记作废"}})
                      .status,
                  200);
    }
    for (const auto& id : open["AMOUNT_CHANGED"]) {
        EXPECT_EQ(api.call("POST", "/admin/api/conflicts/" + id + "/resolve",
                           {{"decision", "keep_central"}, {"reason", "差额下次补发"}})
                      .status,
                  200);
    }
    for (const auto& id : open["DOUBLE_DELIVERY"])
        cli_resolve(id, "keep_central", "同一次送达,两处登记");
    for (const auto& id : open["COLUMN_MERGE"])
        cli_resolve(id, "take_incoming", "居民确认较早登记的号码是对的");
    for (const auto& id : open["SIMULTANEOUS_CHECK_IN"])
        cli_resolve(id, "keep_central", "先在一号机签到,后在二号机重复签到");
    for (const auto& [kind, ids] : open_by_kind(api)) {
        for (const auto& id : ids)
            cli_resolve(id, "keep_central", "核实后保留中心记录");
    }
    EXPECT_TRUE(open_by_kind(api).empty());

    // -- The decisions reach the devices at their next sync. --
    sync_all();
    for (auto* d : {&laptop1, &laptop2}) {
        const auto rec = must(d->run({"--json", "recovery", "list"}));
        EXPECT_EQ(rec.at("recoveries").as_array().size(), 1u) << "the void and what to recover";
    }
    EXPECT_EQ(grid.db().query_value<std::string>("SELECT phone FROM resident WHERE id = ?1", r1),
              "13900000001")
        << "the admin took the counter's value (the last to arrive); the leader's device has it";
    const auto after = census();
    for (const auto& [node, counts] : before) {
        for (const auto& [table, n] : counts)
            EXPECT_GE(after.at(node).at(table), n) << node << " lost rows of " << table;
    }
    EXPECT_EQ(after.at("central").at("payment"), before.at("laptop1").at("payment") + 1)
        << "both payments of the double payment are kept";
    everything_written_reached_central();
    // Each device's scope now equals central's: the digest a sync checks
    // finds nothing to repair.
    for (auto* d : {&laptop1, &laptop2, &grid}) {
        const auto s = must(d->run({"--json", "sync"}));
        EXPECT_FALSE(s.at("repaired").as_bool()) << d->data();
        EXPECT_EQ(s.at("clashes").as_int64(), 0) << d->data();
    }
}
