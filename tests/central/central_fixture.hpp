#pragma once
// Central and edges in one process, on real SQLite files: the edge of
// test::Node enrolled at a central whose database starts from the same
// reference data (what a bootstrap pull gives a new device).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "gridsync/central/errors.hpp"
#include "gridsync/central/ingest.hpp"
#include "gridsync/central/pull.hpp"
#include "gridsync/central/router.hpp"
#include "gridsync/central/store.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/seed.hpp"
#include "gridsync/sync/channel.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/sync/pull.hpp"
#include "node_fixture.hpp"

namespace gridsync::test {

using namespace gridsync::domain;

inline std::string dump(store::Database& db, const std::string& table) {
    std::string out;
    auto st = db.prepare("SELECT * FROM " + table + " ORDER BY id");
    while (st.step()) {
        for (int c = 0; c < st.column_count(); ++c) {
            out += st.is_null(c) ? "NULL"
                   : st.column_type(c) == store::ColumnType::integer
                       ? std::to_string(st.column<std::int64_t>(c))
                   : st.column_type(c) == store::ColumnType::blob ? to_hex(st.column<Bytes>(c))
                                                                  : st.column<std::string>(c);
            out += "|";
        }
        out += "\n";
    }
    return out;
}

// Another device of the test: its own database file (a copy of the reference
// data), its own key, enrolled at central, with its own outbox.
struct OtherDevice {
    store::Database db;
    crypto::SigningKey key = crypto::SigningKey::generate();
    central::Device device;
    std::unique_ptr<sync::Outbox> outbox;
};

// The sync Transport as a direct call of central's router: the whole
// protocol (sealed bodies, refusals as HTTP answers) without the socket.
class DirectTransport final : public sync::Transport {
  public:
    explicit DirectTransport(central::Router& router) : router_(router) {}
    Result<Bytes> post(const std::string& path, const std::map<std::string, std::string>& headers,
                       ByteView body) override {
        central::HttpCall call{"POST", path, "", Bytes(body.begin(), body.end())};
        if (auto it = headers.find(sync::kDeviceHeader); it != headers.end())
            call.device_id = it->second;
        last_call = call;
        last = router_.get().handle(call);
        if (last.status == 200)
            return last.body;
        return sync::refusal_from_answer(last.status, last.body);
    }
    void set_router(central::Router& router) { router_ = std::ref(router); }
    central::HttpCall last_call;
    central::HttpAnswer last;

  private:
    std::reference_wrapper<central::Router> router_;
};

class EdgeAndCentral : public ::testing::Test {
  protected:
    // A fixture that needs more residents seeds a larger subdistrict.
    explicit EdgeAndCentral(domain::SeedOptions seed = Node::small()) : edge(seed) {}
    Node edge;
    TempDir cdir;
    ManualClock central_clock{kDay1Nine};
    crypto::SigningKey central_key = crypto::SigningKey::generate();
    std::unique_ptr<central::CentralStore> central;
    central::Device device;
    std::string community = edge.community(0);
    std::string payer = edge.staff_where("service_point_staff", "", 0).id;
    std::string verifier = edge.staff_where("service_point_staff", "", 1).id;
    std::string day;
    int entitlements_per_day = 4;  // a fixture may ask for more before SetUp
    // Central registers the staff keys of the fixture's device through its
    // own signed entry, so they are in its log (an auditor replays them),
    // instead of writing them into its tables directly.
    bool keys_through_log = false;
    // Two admin accounts (maker and checker), unlocked.
    std::optional<central::AdminSigner> admin, admin2;

    central::AdminSigner add_and_unlock(const std::string& login, int nth) {
        const auto by = admin ? &*admin : nullptr;
        const std::string password = "password of " + login;
        EXPECT_TRUE(central
                        ->add_admin(by, login, edge.staff_where("admin", "", nth).id,
                                    as_bytes(password), central_clock.now_ms(),
                                    crypto::KdfParams::minimum())
                        .ok());
        return central->unlock_admin(login, as_bytes(password), central_clock.now_ms()).value();
    }

    void SetUp() override {
        {
            store::Transaction tx(edge.db);
            day = seed_disbursement_day(edge.db, {"central", Hlc::from_parts(1, 1), 1},
                                        {community,
                                         "2026-12-01",
                                         edge.staff_where("community_worker", community, 0).id,
                                         edge.staff_where("admin").id,
                                         {payer, verifier},
                                         entitlements_per_day},
                                        99);
            tx.commit();
        }
        // Central, and any second laptop, start from the same reference data
        // (what a bootstrap pull will give a new device).
        edge.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        std::filesystem::copy_file(edge.dir / "node.db", cdir / "central.db");
        std::filesystem::copy_file(edge.dir / "node.db", cdir / "laptop2.db");
        std::filesystem::copy_file(edge.dir / "node.db", cdir / "reference.db");
        central = std::make_unique<central::CentralStore>(
            central::CentralStore::open(cdir / "central.db"));
        admin = add_and_unlock("admin1", 0);
        admin2 = add_and_unlock("admin2", 1);
        device = enroll(edge.device_key.public_key(), "community_laptop", community, "");
        register_keys(device.id, edge.db);
        edge.outbox =
            std::make_unique<sync::Outbox>(edge.db, device.id, edge.device_key, edge.clock);
    }

    // Every seeded person's key for `device_id`, on the device and at central.
    void register_keys(const std::string& device_id, store::Database& local) {
        if (!keys_through_log) {
            edge.register_keys_for(device_id, {&local, &central->db()});
            return;
        }
        edge.register_keys_for(device_id, {&local});
        central->record_central(central_key, central_clock.now_ms(),
                                [&](store::Database& db, const domain::Stamp&) {
                                    edge.register_keys_for(device_id, {&db});
                                });
    }

    // Checks the payer and the verifier in on `db` and opens the day's session.
    std::string open_day_session(store::Database& db, sync::Outbox& outbox) {
        for (const auto& who : {payer, verifier}) {
            EXPECT_TRUE(outbox.record_as<CheckResult>([&](const Stamp& st) {
                return check_in_out(db, st, edge.signer(who), {community, "in", std::nullopt});
            }));
        }
        const auto session = outbox.record_as<std::string>([&](const Stamp& st) {
            return open_session(db, st, {day, payer, verifier, 100000, "10000x10"},
                                edge.signer(payer), edge.signer(verifier));
        });
        EXPECT_TRUE(session.ok()) << (session.ok() ? "" : session.failure().message);
        return session.ok() ? session->value : "";
    }
    // The first entitlement `db` holds, as its beneficiary comes to be paid.
    PaymentInput first_payment(store::Database& db, const std::string& session) {
        auto e = db.prepare(
            "SELECT id, amount_fen, beneficiary_id FROM entitlement ORDER BY id LIMIT 1");
        e.step();
        PaymentInput in;
        in.entitlement_id = e.column<std::string>(0);
        in.session_id = session;
        in.amount_fen = e.column<Fen>(1);
        for (const auto& r : edge.seed.residents) {
            if (r.id == e.column<std::string>(2))
                in.recipient_id_number = r.id_number;
        }
        in.ack_name = "领取人";
        in.ack_image = to_bytes("thumbprint");
        return in;
    }
    Result<sync::Recorded<std::string>> pay(store::Database& db, sync::Outbox& outbox,
                                            const PaymentInput& in) {
        return outbox.record_as<std::string>([&](const Stamp& st) {
            return record_payment(db, st, in, edge.signer(payer), edge.signer(verifier),
                                  edge.id_key);
        });
    }
    // Opens the day's session on `db` and pays the first entitlement.
    std::string pay_first(store::Database& db, sync::Outbox& outbox) {
        const PaymentInput in = first_payment(db, open_day_session(db, outbox));
        auto paid = pay(db, outbox, in);
        EXPECT_TRUE(paid.ok()) << (paid.ok() ? "" : paid.failure().message);
        return in.entitlement_id;
    }

    central::Device enroll(const crypto::PublicKey& key, const std::string& role,
                           const std::string& comm, const std::string& grid) {
        const auto token = central->create_token(*admin, {payer, role, comm, grid, 3600000},
                                                 central_clock.now_ms());
        return central
            ->enroll(token, role, key, crypto::KxKeyPair::generate().public_key(),
                     central_clock.now_ms())
            .value();
    }

    // A second laptop of the community, or a grid leader's device.
    std::unique_ptr<OtherDevice> another_device(const std::string& role = "community_laptop",
                                                const std::string& grid = "") {
        const auto file = cdir / ("device" + std::to_string(++devices_made_) + ".db");
        std::filesystem::copy_file(cdir / "reference.db", file);
        auto d = std::make_unique<OtherDevice>(OtherDevice{store::Database::open(file)});
        d->device = enroll(d->key.public_key(), role, community, grid);
        // The same people hold keys on this device too (one key each, shared
        // by the test's devices: each registration is per device).
        register_keys(d->device.id, d->db);
        d->outbox = std::make_unique<sync::Outbox>(d->db, d->device.id, d->key, edge.clock);
        return d;
    }

    Result<sync::PullOutcome> pull(store::Database& db, sync::Outbox& outbox,
                                   const crypto::SigningKey& key) {
        central::PullService service(*central, central_key, central_clock, &central_key);
        auto response =
            service.serve(sync::make_pull_request(db, outbox.device_id(), key, edge.clock));
        if (!response)
            return response.failure();
        return sync::apply_pull(db, outbox, central_key.public_key(), *response, edge.clock);
    }
    // Pulls until caught up.
    void pull_all(OtherDevice& d) { pull_all(d.db, *d.outbox, d.key); }
    void pull_all(store::Database& db, sync::Outbox& outbox, const crypto::SigningKey& key) {
        for (int i = 0; i < 50; ++i) {
            auto r = pull(db, outbox, key);
            ASSERT_TRUE(r.ok()) << r.failure().message;
            if (!r->more)
                return;
        }
        FAIL() << "pull did not catch up";
    }

    std::vector<std::string> grids() {
        std::vector<std::string> g;
        auto st = edge.db.prepare("SELECT id FROM grid WHERE community_id = ?1 ORDER BY id");
        st.bind(1, community);
        while (st.step())
            g.push_back(st.column<std::string>(0));
        return g;
    }
    // The certificate of a resident of `grid`, present at central and on
    // every copy named (issued at the center).
    std::string certificate_in(const std::string& grid, const std::string& code,
                               std::vector<store::Database*> dbs) {
        std::string resident;
        for (const auto& r : edge.seed.residents) {
            if (r.grid_id == grid)
                resident = r.id;
        }
        const std::string id = new_id(edge.clock.now_ms());
        for (auto* db : dbs) {
            db->execute(
                R"(INSERT INTO certificate(id, type_id, resident_id, print_code, issued_at_ms, due_at_ms, state,
                               origin_device, hlc) SELECT ?1, id, ?2, ?3, 0, 864000000, 'at_center', 'central', 1
                           FROM certificate_type WHERE code = 'elderly_card')",
                id, resident, code);
        }
        return id;
    }
    std::string leader_of(const std::string& grid) {
        for (const auto& s : edge.seed.staff) {
            if (s.role == "grid_leader" && s.grid_id == grid)
                return s.id;
        }
        return "";
    }

    sync::PushAcks push(sync::Outbox& outbox) {
        const Bytes request = sync::encode(outbox.pending_batch(1000));
        auto batch = sync::decode_push_batch(request);
        EXPECT_TRUE(batch.ok());
        central::Ingest ingest(*central, central_clock, central_key);
        const Bytes response = sync::encode(ingest.push(*batch));
        auto acks = sync::decode_push_acks(response).value();
        outbox.acknowledge(acks);
        return acks;
    }
    sync::PushAcks push() { return push(*edge.outbox); }
    // Every entry of the push accepted.
    static void accepted(const sync::PushAcks& acks) {
        ASSERT_FALSE(acks.acks.empty());
        for (const auto& a : acks.acks)
            ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.code << " " << a.message;
    }

    void check_in(const std::string& staff, const std::string& where) {
        (void)edge.must<CheckResult>([&](const Stamp& st) {
            return check_in_out(edge.db, st, edge.signer(staff), {where, "in", std::nullopt});
        });
    }
    int count(const std::string& sql) { return *central->db().query_value<int>(sql); }

  private:
    int devices_made_ = 0;
};

}  // namespace gridsync::test
