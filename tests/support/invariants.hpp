#pragma once
// What must hold of a subdistrict after any run, however it was interrupted
// (the crash sweep, the fault proxy): checked on the real files of central
// and every edge once sync has converged. Each violation is a line naming
// the node, the table or the entry; an empty list means every invariant held.
//
//  1. `PRAGMA integrity_check` is clean on every file.
//  2. Every chain verifies: the edge's outbox, and central's stored copy of
//     the same device's entries (signature, seq, link, hash).
//  3. Every entry an edge wrote is at central exactly once: the same seqs,
//     the same entry hashes, none pending, none missing, none extra.
//  4. Every record a command reported as written is at central.
//  5. The scope an edge shares with central is identical (the digest central
//     serves over the device's scope against the digest of all the edge holds).
//  6. Each entitlement is paid at most once, or its double payment is an
//     open or resolved DOUBLE_PAYMENT conflict.
//
// Needs central/src on the include path (for the scope central serves).
#include <string>
#include <vector>

#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/outbox.hpp"
#include "gridsync/sync/scope.hpp"
#include "scope.hpp"

namespace gridsync::test {

// A record a command said it wrote: its table and id.
struct WrittenRecord {
    std::string table;
    std::string id;
};

struct EdgeFiles {
    std::string name;  // for the report: "laptop1"
    store::Database db;
};

namespace detail {

inline std::string integrity(store::Database& db) {
    std::string out;
    auto st = db.prepare("PRAGMA integrity_check");
    while (st.step())
        out += st.column<std::string>(0);
    return out;
}

}  // namespace detail

// `edges`: each edge's name and database. `written`: records that commands
// reported as written (an edge that died after its commit wrote one too,
// and invariant 3 covers it).
inline std::vector<std::string> check_invariants(store::Database& central,
                                                 std::vector<EdgeFiles>& edges,
                                                 const std::vector<WrittenRecord>& written) {
    std::vector<std::string> v;
    if (const auto i = detail::integrity(central); i != "ok")
        v.push_back("central: integrity_check: " + i);
    for (auto& e : edges) {
        const std::string who = e.name + ": ";
        if (const auto i = detail::integrity(e.db); i != "ok")
            v.push_back(who + "integrity_check: " + i);
        const auto id =
            e.db.query_value<std::string>("SELECT value FROM node_state WHERE key = 'device_id'");
        if (!id) {
            v.push_back(who + "not enrolled");
            continue;
        }
        auto d = central.prepare(
            "SELECT role, community_id, coalesce(grid_id, ''), signing_key FROM device WHERE id = "
            "?1");
        d.bind(1, *id);
        if (!d.step()) {
            v.push_back(who + "unknown at central");
            continue;
        }
        central::Device device;
        device.id = *id;
        device.role = d.column<std::string>(0);
        device.community_id = d.column<std::string>(1);
        device.grid_id = d.column<std::string>(2);
        const auto key = crypto::PublicKey::from(d.column<Bytes>(3));
        d.reset();
        if (!key) {
            v.push_back(who + "central holds no valid key");
            continue;
        }

        // 2. Both copies of the chain verify.
        const auto mine = sync::verify_chain(e.db, *id, *key);
        if (!mine.ok)
            v.push_back(who + "outbox chain broken at " +
                        std::to_string(mine.first_broken_seq.value_or(0)) + ": " + mine.reason);
        auto rows = central.prepare(
            "SELECT seq, envelope, signature, entry_hash FROM accepted_entry WHERE device_id = ?1 "
            "ORDER BY seq");
        rows.bind(1, *id);
        const auto theirs = sync::verify_chain(rows, *id, *key);
        if (!theirs.ok)
            v.push_back(who + "central's copy of the chain broken at " +
                        std::to_string(theirs.first_broken_seq.value_or(0)) + ": " + theirs.reason);

        // 3. Exactly once: the same entries on both sides, none pending.
        if (mine.entries != theirs.entries)
            v.push_back(who + std::to_string(mine.entries) + " entries written, " +
                        std::to_string(theirs.entries) + " at central");
        if (const auto pending =
                e.db.query_value<int>("SELECT count(*) FROM outbox WHERE acked = 0");
            pending && *pending != 0)
            v.push_back(who + std::to_string(*pending) + " entries still pending");
        auto ours = e.db.prepare("SELECT seq, entry_hash FROM outbox ORDER BY seq");
        while (ours.step()) {
            const auto at_central = central.query_value<Bytes>(
                "SELECT entry_hash FROM accepted_entry WHERE device_id = ?1 AND seq = ?2", *id,
                ours.column<std::int64_t>(0));
            if (!at_central || *at_central != ours.column<Bytes>(1))
                v.push_back(who + "entry " + std::to_string(ours.column<std::int64_t>(0)) +
                            (at_central ? " differs at central" : " missing at central"));
        }

        // 5. The shared scope is identical.
        const auto edge_digest =
            sync::scope_digest(e.db, [](const std::string&, const std::string&) { return true; });
        const auto central_digest = sync::scope_digest(central, central::scope_query(device));
        if (edge_digest != central_digest)
            v.push_back(who + "scope differs from central's");
    }

    // 4. Every record reported written is at central.
    for (const auto& w : written) {
        // Table names come from the test's own list, never from input.
        if (!central.query_value<int>("SELECT 1 FROM " + w.table + " WHERE id = ?1", w.id))
            v.push_back("central: " + w.table + " " + w.id + " reported written, missing");
    }

    // 6. At most one payment per entitlement, or the second is flagged.
    auto twice = central.prepare(
        R"(SELECT entitlement_id, count(*) FROM payment
           WHERE id NOT IN (SELECT payment_id FROM payment_void)
           GROUP BY entitlement_id HAVING count(*) > 1)");
    while (twice.step()) {
        const auto ent = twice.column<std::string>(0);
        if (!central.query_value<int>(
                "SELECT 1 FROM conflict WHERE kind = 'DOUBLE_PAYMENT' AND instr(row_key, ?1) > 0",
                ent))
            v.push_back("central: entitlement " + ent + " paid " +
                        std::to_string(twice.column<std::int64_t>(1)) + " times, not flagged");
    }
    return v;
}

}  // namespace gridsync::test
