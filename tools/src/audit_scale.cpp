// A synthetic export of central's log at the scale an auditor faces: one
// day's payments of a community, each its own signed device entry with two
// staff signatures, over a baseline of the reference data. Every signature
// and rule is real: gridsync-audit must pass it, so the time it takes is the
// time of a real audit of that many payments (gridsync-bench).
#include <chrono>
#include <fstream>

#include "gridsync/central/log_export.hpp"
#include "gridsync/central/store.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/seed.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "gridsync/domain/staff_keys.hpp"
#include "gridsync/store/migrate.hpp"
#include "gridsync/store/session.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/log_leaf.hpp"
#include "gridsync/tools/audit.hpp"

namespace gridsync::tools {
namespace {

namespace fs = std::filesystem;

}  // namespace

ScaleExport make_scale_export(const fs::path& dir, std::uint64_t payments) {
    const auto started = std::chrono::steady_clock::now();
    fs::create_directories(dir);
    const auto central_key = crypto::SigningKey::generate();
    const auto log_key = crypto::SigningKey::generate();
    const auto device_key = crypto::SigningKey::generate();
    const auto payer_key = crypto::SigningKey::generate();
    const auto verifier_key = crypto::SigningKey::generate();
    const std::string device_id = "audit-scale-laptop";
    const domain::EpochMs now = 1796086800000;  // 2026-12-01 09:00 +08:00
    std::string payer, verifier, session;
    std::vector<std::pair<std::string, domain::Fen>> entitlements;

    // 1. The reference data: the subdistrict, one day, its session, enough
    // entitlements (residents x programs x months), the two staff's keys.
    const fs::path db_path = dir / "central.db";
    {
        store::OpenOptions o;
        o.synchronous = store::Synchronous::off;
        auto db = store::Database::open(db_path, o);
        (void)store::migrate(db, domain::migrations());
        store::Transaction tx(db);
        const domain::Stamp stamp{"central", domain::Hlc::from_parts(now - 60000, 0), now - 60000};
        domain::SeedOptions seed_options;
        seed_options.households_per_grid = 30;
        const auto id_key = crypto::SecureBuffer::random(32);
        const auto seed = domain::seed_subdistrict(db, stamp, seed_options, id_key, {});
        const std::string community = seed.communities.at(0).first;
        std::string worker, admin;
        for (const auto& s : seed.staff) {
            if (s.role == "service_point_staff" && payer.empty())
                payer = s.id;
            else if (s.role == "service_point_staff" && verifier.empty())
                verifier = s.id;
            else if (s.role == "community_worker" && s.community_id == community && worker.empty())
                worker = s.id;
            else if (s.role == "admin" && admin.empty())
                admin = s.id;
        }
        const std::string day = domain::seed_disbursement_day(
            db, stamp, {community, "2026-12-01", worker, admin, {payer, verifier}, 0});
        session = domain::new_id(now);
        db.execute(
            "INSERT INTO disbursement_session(id, disbursement_day_id, device_id, staff_a_id, "
            "staff_b_id, opened_at_ms, cash_issued_fen, cash_issued_notes, state, origin_device, "
            "hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, '', 'open', 'central', ?7)",
            session, day, device_id, payer, verifier, now - 60000, stamp.hlc.packed);
        std::vector<std::string> residents;
        auto r = db.prepare(
            "SELECT r.id FROM resident r JOIN household h ON h.id = r.household_id JOIN grid g ON "
            "g.id = h.grid_id WHERE g.community_id = ?1 ORDER BY r.id");
        r.bind(1, community);
        while (r.step())
            residents.push_back(r.column<std::string>(0));
        r.reset();
        std::vector<std::pair<std::string, domain::Fen>> programs;
        auto p = db.prepare("SELECT id, code FROM aid_program ORDER BY code");
        while (p.step())
            programs.emplace_back(p.column<std::string>(0),
                                  p.column<std::string>(1) == "dibao" ? 70000 : 10000);
        p.reset();
        auto ins = db.prepare(
            "INSERT INTO entitlement(id, disbursement_day_id, beneficiary_id, program_id, period, "
            "amount_fen, session_id, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
            "'central', ?8)");
        for (std::uint64_t month = 0; entitlements.size() < payments; ++month) {
            char period[16];
            std::snprintf(period, sizeof period, "%04d-%02d", 1900 + static_cast<int>(month / 12),
                          1 + static_cast<int>(month % 12));
            for (const auto& [program, fen] : programs) {
                for (std::size_t i = 0; i < residents.size() && entitlements.size() < payments;
                     ++i) {
                    const std::string id = domain::new_id(now);
                    ins.bind_all(id, day, residents[i], program, std::string(period), fen, session,
                                 stamp.hlc.packed)
                        .run();
                    ins.reset();
                    entitlements.emplace_back(id, fen);
                }
            }
        }
        domain::register_key_by_central(db, stamp, payer, device_id, payer_key.public_key());
        domain::register_key_by_central(db, stamp, verifier, device_id, verifier_key.public_key());
        tx.commit();
    }

    // 2. The log begins on those rows: central's baseline of them (opening
    // the database as central takes it), exported as central exports it.
    const fs::path out = dir / "export";
    {
        auto store = central::CentralStore::open(db_path);
        auto log = store.merkle_log();
        const central::LogSigner signer{central::kLogOrigin, log_key};
        (void)log.checkpoint(signer, now, true);
        (void)central::export_log(log, signer.verifier(), out).value();
    }
    tlog::MemoryTree tree;
    {
        central::ExportLeafReader in(out / "leaves", sync::kMaxChangesetBytes);
        while (const auto leaf = in.next())
            tree.append(tlog::leaf_hash(*leaf));
    }

    // 3. The laptop's key, then one entry per payment, chained and signed.
    std::ofstream leaves(out / "leaves", std::ios::binary | std::ios::app);
    auto append = [&](const Bytes& leaf) {
        central::write_export_leaf(leaves, leaf);
        tree.append(tlog::leaf_hash(leaf));
    };
    const auto pk = device_key.public_key();
    append(sync::encode(sync::DeviceKeyLeaf{device_id, "community_laptop", payer, "", "",
                                            Bytes(pk.bytes.begin(), pk.bytes.end()), Bytes(32, 7),
                                            now - 30000}));
    auto scratch = store::Database::open(":memory:");
    (void)store::migrate(scratch, domain::migrations());
    scratch.exec("PRAGMA foreign_keys = OFF");
    sync::Hash32 prev{};
    const Bytes thumbprint = crypto::blake2b(as_bytes("thumbprint"));
    for (std::uint64_t i = 0; i < payments; ++i) {
        domain::PaymentRecord rec;
        rec.payment_id = domain::new_id(now + static_cast<domain::EpochMs>(i));
        rec.kind = "payment";
        rec.entitlement_id = entitlements[i].first;
        rec.session_id = session;
        rec.amount_fen = entitlements[i].second;
        rec.paid_at_ms = now + static_cast<domain::EpochMs>(i);
        rec.recipient_kind = "beneficiary";
        rec.payer_staff_id = payer;
        rec.verifier_staff_id = verifier;
        rec.ack_name = "领取人";
        rec.ack_image_hash = thumbprint;
        const Bytes msg = domain::canonical_bytes(rec);
        const auto hlc = domain::Hlc::from_parts(now + static_cast<domain::EpochMs>(i), 0);
        sync::ChangesetEnvelope e;
        {
            store::Session capture(scratch);
            capture.attach("payment");
            domain::insert_signed_payment(scratch, {device_id, hlc, rec.paid_at_ms}, rec,
                                          as_bytes("thumbprint"),
                                          payer_key.sign(domain::kPayerContext, msg),
                                          verifier_key.sign(domain::kVerifierContext, msg));
            const auto cs = capture.changeset();
            e.changeset.assign(cs.bytes().begin(), cs.bytes().end());
        }
        scratch.execute("DELETE FROM payment WHERE id = ?1", rec.payment_id);
        e.device_id = device_id;
        e.seq = i + 1;
        e.prev_hash = prev;
        e.hlc = hlc.packed;
        e.created_ms = rec.paid_at_ms;
        e.schema_version = domain::kSchemaVersion;
        const Bytes envelope = sync::encode(e);
        const auto sig = device_key.sign(sync::kEnvelopeContext, envelope);
        prev = sync::entry_hash(envelope, sig);
        append(sync::encode(sync::EntryLeaf{Bytes(sig.bytes.begin(), sig.bytes.end()), envelope}));
    }
    leaves.close();

    // 4. A checkpoint of the whole tree, signed with the log key.
    const tlog::Checkpoint cp{central::kLogOrigin, tree.size(), tree.root(), {}};
    const tlog::Note note{cp.text(), {tlog::sign_note(cp.text(), central::kLogOrigin, log_key)}};
    std::ofstream(out / "checkpoint", std::ios::binary | std::ios::trunc) << note.serialize();
    ScaleExport r;
    r.export_dir = out;
    r.log_vkey = central::LogSigner{central::kLogOrigin, log_key}.verifier().vkey();
    r.central_key_hex = central_key.public_key().hex();
    r.leaves = tree.size();
    r.payments = payments;
    r.made_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fs::remove(db_path);
    return r;
}

}  // namespace gridsync::tools
