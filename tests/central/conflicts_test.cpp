// Every class of disagreement in docs/CONFLICTS.md, produced by real devices
// (their own SQLite files, keys and outboxes) writing offline, then pushed to
// central: what central keeps, what it flags, how an admin settles it, and
// that no row is lost on any node.
#include "central_fixture.hpp"
#include "gridsync/central/views.hpp"
#include "gridsync/domain/residents.hpp"
#include "gridsync/domain/shifts.hpp"

using namespace gridsync;
using namespace gridsync::domain;
using central::Resolution;

namespace {

int rows(store::Database& db, const std::string& table) {
    return *db.query_value<int>("SELECT count(*) FROM " + table);
}

class ConflictTest : public test::EdgeAndCentral {
  protected:
    std::vector<std::string> open_conflicts(const std::string& kind) {
        std::vector<std::string> ids;
        auto st = central->db().prepare(
            "SELECT id FROM conflict WHERE kind = ?1 AND state = 'open' ORDER BY detected_at_ms");
        st.bind(1, kind);
        while (st.step())
            ids.push_back(st.column<std::string>(0));
        return ids;
    }
    int open_count() { return count("SELECT count(*) FROM conflict WHERE state = 'open'"); }

    // A certificate of grid 0, handed over to its leader on the laptop and
    // pulled by the leader's device: the start of every delivery scenario.
    struct Handed {
        std::string certificate, leader, clerk, id_number;
        std::unique_ptr<test::OtherDevice> grid;
    };
    Handed handed_over() {
        Handed h;
        const std::string grid = grids().at(0);
        h.grid = another_device("grid_device", grid);
        h.certificate =
            certificate_in(grid, "QR-CONFLICT", {&edge.db, &central->db(), &h.grid->db});
        h.leader = leader_of(grid);
        h.clerk = edge.staff_where("community_worker", community, 0).id;
        const auto resident = *edge.db.query_value<std::string>(
            "SELECT resident_id FROM certificate WHERE id = ?1", h.certificate);
        for (const auto& r : edge.seed.residents) {
            if (r.id == resident)
                h.id_number = r.id_number;
        }
        EXPECT_TRUE(edge.outbox->record_as<std::string>([&](const Stamp& st) {
            return hand_over(edge.db, st, h.certificate, edge.signer(h.clerk),
                             edge.signer(h.leader));
        }));
        accepted(push());
        pull_all(*h.grid);
        EXPECT_EQ(h.grid->db.query_value<std::string>("SELECT state FROM certificate WHERE id = ?1",
                                                      h.certificate),
                  "with_grid_leader");
        return h;
    }
    Result<sync::Recorded<std::string>> deliver_on(store::Database& db, sync::Outbox& outbox,
                                                   const Handed& h) {
        Delivery d;
        d.certificate_id = h.certificate;
        d.recipient_id_number = h.id_number;
        d.signature_image = to_bytes("signature strokes");
        d.location = Location{29.557, 106.577};
        return outbox.record_as<std::string>([&](const Stamp& st) {
            return deliver(db, st, edge.signer(h.leader), d, edge.id_key);
        });
    }
    void delivered_and_returned(bool delivery_first);
};

}  // namespace

TEST_F(ConflictTest, ADoublePaymentIsVoidedOnOneSideWithARecoveryTaskThatReachesBothLaptops) {
    auto laptop2 = another_device();
    const std::string entitlement = pay_first(edge.db, *edge.outbox);
    ASSERT_EQ(pay_first(laptop2->db, *laptop2->outbox), entitlement);
    accepted(push());
    accepted(push(*laptop2->outbox));
    const auto flagged = open_conflicts("DOUBLE_PAYMENT");
    ASSERT_EQ(flagged.size(), 1u);
    ASSERT_EQ(count("SELECT count(*) FROM payment"), 2) << "both payments are kept";
    const auto second = *laptop2->db.query_value<std::string>("SELECT id FROM payment");
    const auto now = central_clock.now_ms();

    EXPECT_EQ(central
                  ->resolve_conflict(flagged[0], {Resolution::void_payment, "重复发放", "nope"},
                                     *admin, central_key, now)
                  .code(),
              central::Errc::not_authorized)
        << "a payment that is not one of the entitlement's";
    EXPECT_EQ(central
                  ->resolve_conflict(flagged[0], {Resolution::void_payment, "", second}, *admin,
                                     central_key, now)
                  .code(),
              central::Errc::not_authorized)
        << "a reason is required";
    const auto open_data = open_conflicts("DATA");
    ASSERT_FALSE(open_data.empty());
    EXPECT_EQ(central
                  ->resolve_conflict(open_data[0], {Resolution::void_payment, "why", second},
                                     *admin, central_key, now)
                  .code(),
              central::Errc::not_authorized)
        << "only a double payment voids a payment";

    ASSERT_TRUE(central
                    ->resolve_conflict(flagged[0],
                                       {Resolution::void_payment,
                                        "同一人两台笔记本各领一次,第二笔作废,向领取人追回", second},
                                       *admin, central_key, now)
                    .ok());
    EXPECT_EQ(central->db().query_value<std::string>("SELECT payment_id FROM payment_void"),
              second);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT payment_id || ' ' || amount_fen || ' ' || state FROM recovery_task"),
              second + " " +
                  std::to_string(*central->db().query_value<Fen>(
                      "SELECT amount_fen FROM payment WHERE id = ?1", second)) +
                  " open");
    EXPECT_TRUE(open_conflicts("DOUBLE_PAYMENT").empty());
    EXPECT_EQ(central
                  ->resolve_conflict(flagged[0], {Resolution::void_payment, "again", second},
                                     *admin2, central_key, now)
                  .code(),
              central::Errc::conflict_not_open);
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 2) << "voiding deletes nothing";

    // Both laptops receive the decision through their normal pull.
    pull_all(edge.db, *edge.outbox, edge.device_key);
    pull_all(*laptop2);
    for (auto* db : {&edge.db, &laptop2->db}) {
        EXPECT_EQ(db->query_value<std::string>("SELECT payment_id FROM payment_void"), second);
        EXPECT_EQ(rows(*db, "recovery_task"), 1);
        EXPECT_EQ(rows(*db, "payment"), 2);
    }
}

TEST_F(ConflictTest, ACertificateDeliveredOnTwoDevicesIsKeptTwiceAndFlaggedOnce) {
    auto h = handed_over();
    // Offline: the leader's device records the delivery; at the center the
    // laptop records it too (the leader signed there as well).
    ASSERT_TRUE(deliver_on(h.grid->db, *h.grid->outbox, h));
    edge.clock.advance(1000);
    ASSERT_TRUE(deliver_on(edge.db, *edge.outbox, h));
    accepted(push(*h.grid->outbox));
    accepted(push());
    EXPECT_EQ(count("SELECT count(*) FROM delivery_attempt"), 2) << "both events kept";
    const auto flagged = open_conflicts("DOUBLE_DELIVERY");
    ASSERT_EQ(flagged.size(), 1u);
    EXPECT_TRUE(open_conflicts("DATA").empty())
        << "the certificate's own clash is folded into the one record";
    ASSERT_TRUE(central
                    ->resolve_conflict(flagged[0],
                                       {Resolution::keep_central, "同一次送达,两处登记"}, *admin,
                                       central_key, central_clock.now_ms())
                    .ok());
    EXPECT_EQ(open_count(), 0);
}

// The return is recorded (earlier in causal time) on the laptop, the
// delivery later on the leader's device; pushed in either order.
void ConflictTest::delivered_and_returned(bool delivery_first) {
    auto h = handed_over();
    ASSERT_TRUE(edge.outbox->record_as<std::string>([&](const Stamp& st) {
        return return_to_center(edge.db, st, h.certificate, edge.signer(h.leader),
                                edge.signer(h.clerk));
    }));
    edge.clock.advance(60000);
    h.grid->outbox->observe(edge.outbox->last_hlc());
    ASSERT_TRUE(deliver_on(h.grid->db, *h.grid->outbox, h));
    if (delivery_first) {
        accepted(push(*h.grid->outbox));
        accepted(push());
    } else {
        accepted(push());
        accepted(push(*h.grid->outbox));
    }
    EXPECT_EQ(count("SELECT count(*) FROM delivery_attempt"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM custody_transfer WHERE kind = 'return'"), 1);
    const auto flagged = open_conflicts("DELIVERED_AND_RETURNED");
    ASSERT_EQ(flagged.size(), 1u);
    // The admin settles for the delivery: central's row when the delivery
    // came first, the device's when the return did.
    const auto decision = delivery_first ? Resolution::keep_central : Resolution::take_incoming;
    ASSERT_TRUE(central
                    ->resolve_conflict(flagged[0], {decision, "居民已签收,退回登记有误"}, *admin,
                                       central_key, central_clock.now_ms())
                    .ok());
    EXPECT_EQ(central->db().query_value<std::string>("SELECT state FROM certificate WHERE id = ?1",
                                                     h.certificate),
              "delivered");
    pull_all(*h.grid);
    EXPECT_EQ(h.grid->db.query_value<std::string>("SELECT state FROM certificate WHERE id = ?1",
                                                  h.certificate),
              "delivered");
    EXPECT_EQ(rows(h.grid->db, "delivery_attempt"), 1);
}

TEST_F(ConflictTest, ADeliveryPushedBeforeAnOfflineReturnIsKeptWithItAndFlagged) {
    delivered_and_returned(true);
}

TEST_F(ConflictTest, AnOfflineReturnPushedBeforeALaterDeliveryIsKeptWithItAndFlagged) {
    delivered_and_returned(false);
}

TEST_F(ConflictTest, CorrectionsOfDifferentColumnsMergeAndTheSameColumnGoesToTheLaterEdit) {
    const std::string grid = grids().at(0);
    auto leader_device = another_device("grid_device", grid);
    pull_all(*leader_device);
    std::string resident;
    for (const auto& r : edge.seed.residents) {
        if (r.grid_id == grid)
            resident = r.id;
    }
    // Different columns: the counter fixes the name, the leader the phone.
    ASSERT_TRUE(edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        if (auto s = edit_resident(edge.db, st, resident, {"王小明", std::nullopt}); !s)
            return s.failure();
        return 0;
    }));
    edge.clock.advance(1000);
    ASSERT_TRUE(leader_device->outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        if (auto s = edit_resident(leader_device->db, st, resident, {std::nullopt, "13800000001"});
            !s)
            return s.failure();
        return 0;
    }));
    accepted(push());
    accepted(push(*leader_device->outbox));
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT name || ' ' || phone FROM resident WHERE id = ?1", resident),
              "王小明 13800000001");
    EXPECT_EQ(open_count(), 0) << "different columns merge without a conflict";

    // The same column, offline on both: the later edit (HLC) wins, the other
    // value is kept for review.
    pull_all(edge.db, *edge.outbox, edge.device_key);
    pull_all(*leader_device);
    ASSERT_TRUE(leader_device->outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        if (auto s = edit_resident(leader_device->db, st, resident, {std::nullopt, "13800000002"});
            !s)
            return s.failure();
        return 0;
    }));
    edge.clock.advance(1000);
    edge.outbox->observe(leader_device->outbox->last_hlc());
    ASSERT_TRUE(edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        if (auto s = edit_resident(edge.db, st, resident, {std::nullopt, "13800000003"}); !s)
            return s.failure();
        return 0;
    }));
    accepted(push());                        // the later edit arrives first
    accepted(push(*leader_device->outbox));  // the earlier one second: it loses
    EXPECT_EQ(central->db().query_value<std::string>("SELECT phone FROM resident WHERE id = ?1",
                                                     resident),
              "13800000003");
    const auto flagged = open_conflicts("COLUMN_MERGE");
    ASSERT_EQ(flagged.size(), 1u);
    EXPECT_NE(central->db()
                  .query_value<std::string>("SELECT detail FROM conflict WHERE id = ?1", flagged[0])
                  ->find("13800000002"),
              std::string::npos)
        << "the losing value is kept in the record";
    pull_all(edge.db, *edge.outbox, edge.device_key);
    pull_all(*leader_device);
    for (auto* db : {&edge.db, &leader_device->db}) {
        EXPECT_EQ(
            db->query_value<std::string>("SELECT phone FROM resident WHERE id = ?1", resident),
            "13800000003");
    }
}

TEST_F(ConflictTest, APaymentAgainstACorrectedAmountIsKeptAndFlagged) {
    const auto entitlement =
        *edge.db.query_value<std::string>("SELECT id FROM entitlement ORDER BY id LIMIT 1");
    const Fen loaded =
        *edge.db.query_value<Fen>("SELECT amount_fen FROM entitlement WHERE id = ?1", entitlement);
    EXPECT_EQ(central
                  ->correct_amount(entitlement, loaded + 5000, "", *admin, central_key,
                                   central_clock.now_ms())
                  .code(),
              central::Errc::not_authorized);
    ASSERT_TRUE(central
                    ->correct_amount(entitlement, loaded + 5000, "标准上调 / rate raised", *admin,
                                     central_key, central_clock.now_ms())
                    .ok());
    // The laptop, offline, pays the amount it loaded.
    ASSERT_EQ(pay_first(edge.db, *edge.outbox), entitlement);
    accepted(push());
    EXPECT_EQ(count("SELECT count(*) FROM payment"), 1) << "the payment is kept";
    EXPECT_EQ(central->db().query_value<Fen>("SELECT amount_fen FROM payment"), loaded);
    EXPECT_EQ(open_conflicts("AMOUNT_CHANGED").size(), 1u);
    EXPECT_TRUE(open_conflicts("DATA").empty())
        << "the session assignment and the amount are different columns: merged";
    EXPECT_EQ(central->db().query_value<Fen>("SELECT amount_fen FROM entitlement WHERE id = ?1",
                                             entitlement),
              loaded + 5000);
}

TEST_F(ConflictTest, TwoCheckInsOfOnePersonOnTwoDevicesAtOneTimeAreFlagged) {
    auto laptop2 = another_device();
    const std::string who = edge.staff_where("community_worker", community, 1).id;
    check_in(who, community);
    edge.clock.advance(60000);
    ASSERT_TRUE(laptop2->outbox->record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(laptop2->db, st, edge.signer(who), {community, "in", std::nullopt});
    }));
    accepted(push());
    EXPECT_TRUE(open_conflicts("SIMULTANEOUS_CHECK_IN").empty());
    accepted(push(*laptop2->outbox));
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 2) << "both kept";
    EXPECT_EQ(open_conflicts("SIMULTANEOUS_CHECK_IN").size(), 1u);
}

TEST_F(ConflictTest, AnEntryWhoseParentCentralHasNotSeenIsParkedAndAppliedWhenItArrives) {
    const std::string grid = grids().at(0);
    auto leader_device = another_device("grid_device", grid);
    pull_all(*leader_device);
    // A certificate the device holds but central has not seen yet.
    const std::string cert = certificate_in(grid, "QR-LATE", {&leader_device->db});
    Handed h{cert, leader_of(grid), edge.staff_where("community_worker", community, 0).id, "",
             nullptr};
    for (const auto& r : edge.seed.residents) {
        if (r.id == *leader_device->db.query_value<std::string>(
                        "SELECT resident_id FROM certificate WHERE id = ?1", cert))
            h.id_number = r.id_number;
    }
    ASSERT_TRUE(leader_device->outbox->record_as<std::string>([&](const Stamp& st) {
        return hand_over(leader_device->db, st, cert, edge.signer(h.clerk), edge.signer(h.leader));
    }));
    ASSERT_TRUE(deliver_on(leader_device->db, *leader_device->outbox, h));
    const auto acks = push(*leader_device->outbox);
    accepted(acks);
    EXPECT_NE(acks.acks[0].message.find("parked"), std::string::npos) << acks.acks[0].message;
    EXPECT_EQ(count("SELECT count(*) FROM parked_entry"), 2) << "kept whole, not dropped";
    EXPECT_EQ(open_conflicts("PARKED").size(), 2u);
    EXPECT_EQ(count("SELECT count(*) FROM delivery_attempt"), 0);
    EXPECT_EQ(leader_device->outbox->status().pending, 0u) << "the device is not blocked";

    // The parent arrives (here: written at central as an import would).
    central->db().execute(
        R"(INSERT INTO certificate(id, type_id, resident_id, print_code, issued_at_ms, due_at_ms, state,
                   origin_device, hlc) SELECT ?1, id, ?2, 'QR-LATE', 0, 864000000, 'at_center', 'central', 1
               FROM certificate_type WHERE code = 'elderly_card')",
        cert,
        *leader_device->db.query_value<std::string>(
            "SELECT resident_id FROM certificate WHERE id = ?1", cert));
    central::Ingest ingest(*central, central_clock, central_key);
    EXPECT_EQ(ingest.release_parked(), 2u);
    EXPECT_EQ(count("SELECT count(*) FROM parked_entry"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM delivery_attempt"), 1);
    EXPECT_EQ(
        central->db().query_value<std::string>("SELECT state FROM certificate WHERE id = ?1", cert),
        "delivered");
    EXPECT_TRUE(open_conflicts("PARKED").empty()) << "closed by central when applied";
    EXPECT_EQ(ingest.release_parked(), 0u);
}

TEST_F(ConflictTest, WhatOneEntryCausedIsOneGroupSettledByOneSignedDecision) {
    // Two laptops open the same day offline: the second opening claims every
    // entitlement again, one DATA conflict each, all from one entry.
    auto laptop2 = another_device();
    (void)open_day_session(edge.db, *edge.outbox);
    (void)open_day_session(laptop2->db, *laptop2->outbox);
    accepted(push());
    (void)push(*laptop2->outbox);
    const auto entitlements = count("SELECT count(*) FROM entitlement");
    central::ConflictFilter f;
    const auto groups = central::conflict_groups(central->db(), f, central_clock.now_ms());
    const boost::json::object* claim = nullptr;
    for (const auto& g : groups) {
        if (g.at("table").as_string() == "entitlement")
            claim = &g.as_object();
    }
    ASSERT_NE(claim, nullptr);
    EXPECT_EQ(claim->at("count").as_int64(), entitlements);
    const std::string group(claim->at("group").as_string());
    const auto open_before = count("SELECT count(*) FROM conflict WHERE state = 'open'");
    const auto actions_before = count("SELECT count(*) FROM admin_action");
    EXPECT_FALSE(central->resolve_conflict_group(group, {Resolution::void_payment, "不行", ""},
                                                 *admin, central_key, central_clock.now_ms()))
        << "voiding is decided payment by payment";
    auto settled = central->resolve_conflict_group(
        group,
        {Resolution::keep_central, "第一台笔记本的场次为准 / the first laptop's session stands",
         ""},
        *admin, central_key, central_clock.now_ms());
    ASSERT_TRUE(settled) << settled.failure().message;
    EXPECT_EQ(*settled, entitlements);
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE state = 'open'"),
              open_before - entitlements);
    EXPECT_EQ(count("SELECT count(*) FROM admin_action"), actions_before + 1) << "signed once";
    EXPECT_FALSE(central->resolve_conflict_group(group, {Resolution::keep_central, "again", ""},
                                                 *admin, central_key, central_clock.now_ms()))
        << "nothing left open in it";
}
