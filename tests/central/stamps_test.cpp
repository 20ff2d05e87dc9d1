// What central sets or checks of the stamps and times a device sends
// (docs/SECURITY.md): every row's origin_device and hlc, each entry's HLC
// against central's clock and the device's past, the device's clock at each
// pull; and central's own writes stamped from one persisted clock.
#include "central_fixture.hpp"
#include "gridsync/central/views.hpp"
#include "gridsync/domain/residents.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class StampsTest : public test::EdgeAndCentral {
  protected:
    std::string resident = edge.seed.residents.at(0).id;

    // Records a write through the edge's outbox as it is.
    void record(const std::function<void(const Stamp&)>& write) {
        ASSERT_TRUE(edge.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
            write(st);
            return 0;
        }));
    }
    // The edge's next pending entry, changed by `edit` and signed again with
    // the device's own key: what a modified client could send.
    sync::PushBatch resigned(const std::function<void(sync::ChangesetEnvelope&)>& edit) {
        auto batch = edge.outbox->pending_batch(1);
        auto env = sync::decode_envelope(batch.entries.at(0).envelope).value();
        edit(env);
        batch.entries[0].envelope = sync::encode(env);
        const auto sig = edge.device_key.sign(sync::kEnvelopeContext, batch.entries[0].envelope);
        batch.entries[0].signature.assign(sig.bytes.begin(), sig.bytes.end());
        return batch;
    }
    sync::EntryAck send(const sync::PushBatch& batch) {
        central::Ingest ingest(*central, central_clock, central_key);
        return ingest.push(batch).acks.at(0);
    }
    std::string phone() {
        return central->db()
            .query_value<std::optional<std::string>>("SELECT phone FROM resident WHERE id = ?1",
                                                     resident)
            ->value_or("");
    }
};

}  // namespace

TEST_F(StampsTest, ForgedRowStampsAreRefusedAndChangeNothing) {
    const auto before = phone();
    const std::vector<std::pair<std::string, std::function<void(const Stamp&)>>> forgeries = {
        {"origin central",
         [&](const Stamp& st) {
             edge.db.execute(
                 "UPDATE resident SET phone = '13900000001', origin_device = 'central', hlc = ?1 "
                 "WHERE id = ?2",
                 st.hlc.packed, resident);
         }},
        {"another device",
         [&](const Stamp& st) {
             edge.db.execute(
                 "UPDATE resident SET phone = '13900000002', origin_device = 'dev-someone-else', "
                 "hlc = ?1 WHERE id = ?2",
                 st.hlc.packed, resident);
         }},
        {"hlc 2^62",
         [&](const Stamp& st) {
             edge.db.execute(
                 "UPDATE resident SET phone = '13900000003', origin_device = ?1, hlc = ?2 WHERE "
                 "id = ?3",
                 st.device_id, std::int64_t{1} << 62, resident);
         }},
        {"no new hlc",
         [&](const Stamp&) {
             edge.db.execute("UPDATE resident SET phone = '13900000004' WHERE id = ?1", resident);
         }},
        {"a check-in naming another device",
         [&](const Stamp& st) {
             (void)check_in_out(edge.db, st, edge.signer(payer), {community, "in", std::nullopt});
             edge.db.execute("UPDATE shift_check SET device_id = 'dev-someone-else'");
         }},
    };
    for (const auto& [what, write] : forgeries) {
        record(write);
        const auto a = send(edge.outbox->pending_batch(1));
        // Refused for good, kept whole: the device's chain goes on past it.
        EXPECT_EQ(a.status, sync::AckStatus::quarantined) << what;
        EXPECT_FALSE(a.transient) << what;
        EXPECT_EQ(a.code, "gridsync.central:22") << what << ": " << a.message;
        EXPECT_EQ(phone(), before) << what;
        edge.outbox->acknowledge({{a}, 0});
        edge.db.execute("DELETE FROM shift_check");  // this device's copy, for the next one
    }
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE outcome = 'quarantined' AND detail LIKE "
                    "'gridsync.central:22%'"),
              5);
    EXPECT_EQ(count("SELECT count(*) FROM quarantined_entry"), 5);
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 0);
}

TEST_F(StampsTest, EntryTimesOutOfBoundsOrGoingBackAreRefused) {
    record([&](const Stamp& st) {
        (void)edit_resident(edge.db, st, resident, {std::nullopt, "13900000010"});
    });
    const auto now = central_clock.now_ms();
    const auto with_hlc = [&](std::int64_t hlc) {
        return resigned([&](sync::ChangesetEnvelope& e) { e.hlc = hlc; });
    };
    EXPECT_EQ(send(with_hlc(0)).code, "gridsync.central:23") << "HLC 0";
    EXPECT_EQ(send(with_hlc(Hlc::from_parts(now + 10LL * 365 * 86400000, 0).packed)).code,
              "gridsync.central:23")
        << "ten years ahead";
    EXPECT_EQ(send(with_hlc(Hlc::from_parts(now + sync::kMaxClockSkewMs + 1000, 0).packed)).code,
              "gridsync.central:23")
        << "just past the bound";
    EXPECT_EQ(phone(), "") << "nothing applied";
    // The honest entry goes in; an entry after it stamped before it does not.
    ASSERT_EQ(send(edge.outbox->pending_batch(1)).status, sync::AckStatus::accepted);
    edge.outbox->acknowledge({{{1, sync::AckStatus::accepted, "", ""}}, 0});
    const auto accepted_hlc = *central->db().query_value<std::int64_t>(
        "SELECT last_hlc FROM device WHERE id = ?1", edge.outbox->device_id());
    record([&](const Stamp& st) {
        (void)edit_resident(edge.db, st, resident, {std::nullopt, "13900000011"});
    });
    // Out of bounds is transient (the clocks can be set right): refused,
    // and the entry can come again. Going back is not: quarantined.
    EXPECT_TRUE(send(with_hlc(0)).transient);
    const auto back = send(with_hlc(accepted_hlc));
    EXPECT_EQ(back.code, "gridsync.central:24") << "the same HLC again";
    EXPECT_EQ(back.status, sync::AckStatus::quarantined);
    EXPECT_EQ(phone(), "13900000010");
    // Its seq is taken now: another entry with that seq is a fork, refused.
    EXPECT_EQ(send(with_hlc(accepted_hlc - 1)).code, "gridsync.central:5") << "an earlier one";
    EXPECT_EQ(send(edge.outbox->pending_batch(1)).code, "gridsync.central:5");
    EXPECT_EQ(phone(), "13900000010");
}

// A laptop three days fast: central shows it and flags what it records, and
// its edits still order by central's time, so a later edit from a laptop
// with a correct clock wins.
TEST_F(StampsTest, ASkewedDeviceIsShownAndCannotWinWithItsClock) {
    auto right = another_device();
    ManualClock right_clock{central_clock.now_ms()};  // the laptop with a correct clock
    right->outbox =
        std::make_unique<sync::Outbox>(right->db, right->device.id, right->key, right_clock);
    pull_all(*right);
    edge.clock.advance(3 * kDayMs);  // the fast laptop
    pull_all(edge.db, *edge.outbox, edge.device_key);
    const auto skew = *central->db().query_value<std::int64_t>(
        "SELECT clock_skew_ms FROM device WHERE id = ?1", edge.outbox->device_id());
    EXPECT_EQ(skew, 3 * kDayMs);
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE kind = 'CLOCK_SKEW' AND state = 'open'"),
              1);
    pull_all(edge.db, *edge.outbox, edge.device_key);
    EXPECT_EQ(count("SELECT count(*) FROM conflict WHERE kind = 'CLOCK_SKEW'"), 1)
        << "one record per device while it is open";
    bool shown = false;
    for (const auto& d : central::device_list(central->db())) {
        if (d.at("id").as_string() == edge.outbox->device_id()) {
            shown = d.at("clock_skewed").as_bool();
            EXPECT_EQ(d.at("clock_skew_ms").as_int64(), 3 * kDayMs);
        }
    }
    EXPECT_TRUE(shown);
    // An admin sees it as one record, and closes it once the clock is set right.
    const auto clock_record = *central->db().query_value<std::string>(
        "SELECT id FROM conflict WHERE kind = 'CLOCK_SKEW'");
    const auto detail = central::conflict_detail(central->db(), clock_record).value();
    EXPECT_EQ(detail.at("sides").as_array().at(0).at("fields").at("clock_skew_ms").as_int64(),
              3 * kDayMs);
    EXPECT_EQ(detail.at("decisions").as_array(), (boost::json::array{"keep_central"}));

    // The fast laptop edits first, the correct one a minute later.
    record([&](const Stamp& st) {
        (void)edit_resident(edge.db, st, resident, {std::nullopt, "13900000020"});
    });
    for (ManualClock* c : {&central_clock, &edge.clock, &right_clock})
        c->advance(60000);
    ASSERT_TRUE(right->outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
        if (auto s = edit_resident(right->db, st, resident, {std::nullopt, "13900000021"}); !s)
            return s.failure();
        return 0;
    }));
    for (const auto& a : push(*right->outbox).acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    EXPECT_EQ(phone(), "13900000021") << "the later edit wins, not the fast clock";
    EXPECT_EQ(count("SELECT count(*) FROM accepted_entry WHERE clock_skew_ms = " +
                    std::to_string(3 * kDayMs)),
              1)
        << "what the skewed device recorded is flagged";
}

TEST_F(StampsTest, CentralsOwnWritesTakeOneClockThatObservesWhatItIngests) {
    record([&](const Stamp& st) {
        (void)edit_resident(edge.db, st, resident, {std::nullopt, "13900000030"});
    });
    edge.clock.advance(120000);  // the device two minutes ahead: inside the bound
    record([&](const Stamp& st) {
        (void)edit_resident(edge.db, st, resident, {std::nullopt, "13900000031"});
    });
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;
    const auto device_hlc = *central->db().query_value<std::int64_t>(
        "SELECT max(hlc) FROM accepted_entry WHERE device_id <> 'central'");
    std::vector<std::int64_t> stamped;
    for (int i = 0; i < 2; ++i) {  // two writes in the same millisecond
        central->record_central(central_key, central_clock.now_ms(),
                                [&](store::Database& db, const Stamp& st) {
                                    db.execute(
                                        "UPDATE resident SET phone = ?1, origin_device = "
                                        "'central', hlc = ?2 WHERE id = ?3",
                                        "1390000004" + std::to_string(i), st.hlc.packed, resident);
                                    stamped.push_back(st.hlc.packed);
                                });
    }
    EXPECT_GT(stamped[0], device_hlc) << "after what it accepted, though its own clock is behind";
    EXPECT_GT(stamped[1], stamped[0]);
    EXPECT_EQ(*central->db().query_value<std::int64_t>(
                  "SELECT hlc FROM accepted_entry WHERE device_id = 'central' ORDER BY seq DESC "
                  "LIMIT 1"),
              stamped[1])
        << "the entry carries the stamp of its rows";
    // Persisted: a reopened central goes on from there.
    central.reset();
    central =
        std::make_unique<central::CentralStore>(central::CentralStore::open(cdir / "central.db"));
    store::Transaction tx(central->db());
    EXPECT_GT(central->central_stamp(central_clock.now_ms()).hlc.packed, stamped[1]);
}

// A sequence number far ahead (2^63) is a gap, refused for now: the
// device's chain at central does not move, and the honest entry goes in.
TEST_F(StampsTest, AFastForwardToSeqTwoToTheSixtyThirdIsAGap) {
    record([&](const Stamp& st) {
        (void)edit_resident(edge.db, st, resident, {std::nullopt, "13900000020"});
    });
    const auto far = send(resigned([](sync::ChangesetEnvelope& e) { e.seq = 1ULL << 63; }));
    EXPECT_EQ(far.status, sync::AckStatus::rejected);
    EXPECT_EQ(far.code, "gridsync.central:4");
    EXPECT_TRUE(far.transient);
    EXPECT_EQ(*central->db().query_value<std::int64_t>("SELECT last_seq FROM device WHERE id = ?1",
                                                       edge.outbox->device_id()),
              0);
    EXPECT_EQ(phone(), "");
    EXPECT_EQ(send(edge.outbox->pending_batch(1)).status, sync::AckStatus::accepted);
    EXPECT_EQ(phone(), "13900000020");
}

// A signed changeset that does not fit central's tables (a table it does
// not have, a column count that is not the table's): refused for good,
// kept whole, nothing applied.
TEST_F(StampsTest, AChangesetWhoseSchemaDoesNotMatchIsQuarantined) {
    record([&](const Stamp& st) {
        (void)edit_resident(edge.db, st, resident, {std::nullopt, "13900000030"});
    });
    // INSERT into "resident" with two columns where the table has more.
    const Bytes wrong = {'T', 2, 1, 0,   'r', 'e', 's', 'i', 'd', 'e', 'n', 't', 0, 18,
                         0,   3, 2, 'h', '1', 1,   0,   0,   0,   0,   0,   0,   0, 7};
    const auto a = send(resigned([&](sync::ChangesetEnvelope& e) { e.changeset = wrong; }));
    EXPECT_EQ(a.status, sync::AckStatus::quarantined) << a.code << " " << a.message;
    EXPECT_EQ(a.code, "gridsync.central:7") << a.message;
    EXPECT_EQ(phone(), "");
    EXPECT_EQ(count("SELECT count(*) FROM resident WHERE id = 'h1'"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM quarantined_entry"), 1);
}
