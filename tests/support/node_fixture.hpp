#pragma once
// A real edge node database in a temporary folder: the replicated schema and
// local tables, a small seeded subdistrict with a signing key for every staff
// member, a device key, a manual clock, and an Outbox.
#include <map>
#include <memory>

#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/seed.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/domain/staff_keys.hpp"
#include "gridsync/sync/outbox.hpp"
#include "temp_dir.hpp"

namespace gridsync::test {

// 2026-12-01 09:00 in Asia/Shanghai.
inline constexpr domain::EpochMs kDay1Nine = 1796086800000;

struct Node {
    TempDir dir;
    store::Database db = store::Database::open(dir / "node.db");
    domain::ManualClock clock{kDay1Nine};
    crypto::SigningKey device_key = crypto::SigningKey::generate();
    crypto::SecureBuffer id_key = crypto::SecureBuffer::random(32);
    std::map<std::string, crypto::SigningKey> keys;  // staff id -> key
    domain::SeedReport seed;
    std::unique_ptr<sync::Outbox> outbox;

    // The device id the outbox records under, and the staff keys are registered for.
    static constexpr const char* kDeviceId = "device-test";

    explicit Node(domain::SeedOptions options = small()) {
        if (options.staff_key_device.empty())
            options.staff_key_device = kDeviceId;
        sync::open_node_schema(db);
        store::Transaction tx(db);
        const domain::Stamp stamp{"seed", domain::Hlc::from_parts(clock.now_ms(), 0),
                                  clock.now_ms()};
        seed =
            domain::seed_subdistrict(db, stamp, options, id_key, [&](const domain::SeededStaff& s) {
                auto [it, _] = keys.emplace(s.id, crypto::SigningKey::generate());
                return std::optional<crypto::PublicKey>(it->second.public_key());
            });
        // As a bootstrap would: the node has seen the reference data's HLC,
        // so its own writes order after it.
        db.execute("INSERT INTO node_state(key, value) VALUES ('hlc', ?1)", stamp.hlc.packed);
        tx.commit();
        outbox = std::make_unique<sync::Outbox>(db, kDeviceId, device_key, clock);
    }

    static domain::SeedOptions small() {
        domain::SeedOptions o;
        o.grids_per_community = 2;
        o.households_per_grid = 4;
        o.residents_per_household = 3;
        o.community_workers = 4;
        return o;
    }

    domain::Signer signer(const std::string& staff_id) { return {staff_id, &keys.at(staff_id)}; }

    // Registers every seeded staff member's key for another device id, in
    // each database named (what an enrolled device's keys are at central).
    void register_keys_for(const std::string& device_id, std::vector<store::Database*> dbs) {
        const domain::Stamp stamp{"central", domain::Hlc{1}, clock.now_ms()};
        for (auto* d : dbs) {
            store::Transaction tx(*d);
            for (const auto& [staff, key] : keys)
                domain::register_key_by_central(*d, stamp, staff, device_id, key.public_key());
            tx.commit();
        }
    }

    const domain::SeededStaff& staff_where(const std::string& role,
                                           const std::string& community_id = "",
                                           int nth = 0) const {
        for (const auto& s : seed.staff) {
            if (s.role == role && (community_id.empty() || s.community_id == community_id) &&
                nth-- == 0)
                return s;
        }
        throw std::runtime_error("no such seeded staff");
    }

    std::string community(int i = 0) const {
        return seed.communities.at(static_cast<std::size_t>(i)).first;
    }

    // Records through the outbox and expects success.
    template <class T, class F>
    T must(F&& write) {
        auto r = outbox->record_as<T>(std::forward<F>(write));
        if (!r.ok())
            throw std::runtime_error("unexpected refusal: " + r.failure().message);
        return std::move(r).value().value;
    }
};

}  // namespace gridsync::test
