#pragma once
// What the fuzz targets share: seed corpora made from real bytes (the golden
// vectors, changesets a real edge recorded), written where
// GRIDSYNC_FUZZ_WRITE_SEEDS names (scripts/fuzz.sh does it before each run),
// and a central on a real SQLite file with one enrolled device, for the
// targets that drive central's push path and its router.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/central/ingest.hpp"
#include "gridsync/central/router.hpp"
#include "gridsync/central/store.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/sync/outbox.hpp"
#include "node_fixture.hpp"

namespace gridsync::fuzz {

namespace fs = std::filesystem;

inline std::vector<Bytes> golden_seeds() {
    std::vector<Bytes> out;
    for (const auto& f : fs::directory_iterator(GRIDSYNC_TEST_GOLDEN)) {
        if (f.path().extension() != ".hex")
            continue;
        std::ifstream in(f.path());
        std::string hex((std::istreambuf_iterator<char>(in)), {});
        while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' '))
            hex.pop_back();
        if (auto b = from_hex(hex))
            out.push_back(std::move(*b));
    }
    return out;
}

inline void write_seeds_if_asked(int, char**, const std::function<std::vector<Bytes>()>& seeds) {
    const char* dir = std::getenv("GRIDSYNC_FUZZ_WRITE_SEEDS");
    if (!dir || !*dir)
        return;
    fs::create_directories(dir);
    int n = 0;
    for (const auto& s : seeds()) {
        std::ofstream(fs::path(dir) / ("seed-" + std::to_string(n++)), std::ios::binary)
            .write(reinterpret_cast<const char*>(s.data()), static_cast<std::streamsize>(s.size()));
    }
    std::exit(0);
}

inline std::vector<Bytes> wire_seeds() {
    return golden_seeds();
}

// A central of the small seeded subdistrict, with two admins and one
// community laptop enrolled, whose staff keys are registered; the laptop's
// database holds the same reference data.
struct Subdistrict {
    test::Node edge;
    test::TempDir cdir;
    domain::ManualClock central_clock{test::kDay1Nine};
    crypto::SigningKey central_key = crypto::SigningKey::generate();
    std::unique_ptr<central::CentralStore> central;
    central::Device device;
    std::unique_ptr<sync::Outbox> outbox;
    std::string community = edge.community(0);

    Subdistrict() {
        edge.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        fs::copy_file(edge.dir / "node.db", cdir / "central.db");
        central = std::make_unique<central::CentralStore>(
            central::CentralStore::open(cdir / "central.db"));
        const auto now = central_clock.now_ms();
        (void)central->add_admin(nullptr, "admin1", edge.staff_where("admin", "", 0).id,
                                 as_bytes(std::string("password one")), now,
                                 crypto::KdfParams::minimum());
        auto admin = central->unlock_admin("admin1", as_bytes(std::string("password one")), now);
        const auto token = central->create_token(admin.value(),
                                                 {edge.staff_where("service_point_staff", "", 0).id,
                                                  "community_laptop", community, "", 3600000},
                                                 now);
        device = central
                     ->enroll(token, "community_laptop", edge.device_key.public_key(),
                              crypto::KxKeyPair::generate().public_key(), now)
                     .value();
        edge.register_keys_for(device.id, {&edge.db, &central->db()});
        outbox = std::make_unique<sync::Outbox>(edge.db, device.id, edge.device_key, edge.clock);
    }

    // Real changesets: check-ins of every service-point member and community worker.
    std::vector<Bytes> recorded_changesets() {
        for (const auto& s : edge.seed.staff) {
            if (s.role != "service_point_staff" && s.role != "community_worker")
                continue;
            (void)outbox->record_as<domain::CheckResult>([&](const domain::Stamp& st) {
                return domain::check_in_out(edge.db, st, edge.signer(s.id),
                                            {community, "in", std::nullopt});
            });
            edge.clock.advance(1000);
        }
        std::vector<Bytes> out;
        for (auto& e : outbox->pending().entries)
            out.push_back(std::move(e.changeset));
        return out;
    }

    // `changeset` as this laptop's next entry, signed with its key: the
    // fuzzer's bytes get past the signature, seq and link checks to what
    // central does with a changeset (validate, authorize, stamps, apply).
    sync::SignedEntry next_entry(ByteView changeset) {
        const auto d = central->device(device.id).value();
        sync::ChangesetEnvelope e;
        e.device_id = device.id;
        e.seq = d.last_seq + 1;
        e.prev_hash = d.last_hash;
        e.hlc = std::max<std::int64_t>(d.last_hlc + 1,
                                       domain::Hlc::from_parts(central_clock.now_ms(), 0).packed);
        e.created_ms = central_clock.now_ms();
        e.schema_version = domain::kSchemaVersion;
        e.changeset.assign(changeset.begin(), changeset.end());
        const Bytes bytes = sync::encode(e);
        const auto sig = edge.device_key.sign(sync::kEnvelopeContext, bytes);
        return {device.id, Bytes(sig.view().begin(), sig.view().end()), bytes};
    }
};

}  // namespace gridsync::fuzz
