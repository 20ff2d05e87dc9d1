#include "gridsync/central/ingest.hpp"

#include <map>

#include "authorize.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/store/changeset_format.hpp"
#include "gridsync/store/session.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::central {

namespace {

std::string code_of(const std::error_code& ec) {
    return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

sync::EntryAck ack(std::uint64_t seq, sync::AckStatus status, const std::error_code& ec = {},
                   std::string message = {}) {
    return {seq, status, ec ? code_of(ec) : "", std::move(message)};
}

struct PendingConflict {
    std::string kind, table, key, central_row, incoming_old, incoming_new, detail;
};

// Central's second look at the rows it just applied.
Status second_look(store::Database& db, const RowChange& c) {
    if (c.op != store::Op::insert)
        return {};
    if (c.table == "payment")
        return domain::verify_payment(db, c.id);
    if (c.table == "custody_transfer")
        return domain::verify_custody_transfer(db, c.id);
    if (c.table == "delivery_attempt")
        return domain::verify_delivery_attempt(db, c.id);
    if (c.table == "shift_check")
        return domain::verify_shift_check(db, c.id);
    if (c.table == "session_closing")
        return domain::verify_closing(db, c.id);
    return {};
}

}  // namespace

sync::PushAcks Ingest::push(const sync::PushBatch& batch) {
    sync::PushAcks out;
    std::map<std::string, bool> device_blocked;
    for (const auto& e : batch.entries) {
        if (device_blocked[e.device_id]) {
            // Peek the seq without trusting it beyond this answer.
            auto env = sync::decode_envelope(e.envelope);
            out.acks.push_back(ack(env ? env->seq : 0, sync::AckStatus::rejected,
                                   Errc::sequence_gap,
                                   "前一条记录被拒绝,本条未处理 / an earlier entry was refused; "
                                   "this one was not taken"));
            continue;
        }
        out.acks.push_back(ingest(e));
        if (out.acks.back().status == sync::AckStatus::rejected)
            device_blocked[e.device_id] = true;
    }
    out.central_time_ms = clock_.now_ms();
    return out;
}

sync::EntryAck Ingest::ingest(const sync::SignedEntry& entry) {
    const domain::EpochMs now = clock_.now_ms();
    auto& db = store_.db();
    std::uint64_t seq = 0;
    auto refuse = [&](Errc code, const std::string& message, const char* action = "entry.push") {
        store_.audit(now, "device:" + entry.device_id, action, std::to_string(seq), "refused",
                     code_of(code) + " " + message);
        return ack(seq, sync::AckStatus::rejected, code, message);
    };

    // 1-2. The signer, then the signature over the exact bytes received.
    const auto device = store_.device(entry.device_id);
    if (!device)
        return refuse(Errc::unknown_device, "设备未登记 / unknown device " + entry.device_id);
    if (device->revoked)
        return refuse(Errc::revoked, "设备已停用 / the device was revoked");
    const auto sig = crypto::Signature::from(entry.signature);
    if (!sig ||
        !crypto::verify(device->signing_key, sync::kEnvelopeContext, entry.envelope, *sig)) {
        return refuse(Errc::bad_signature,
                      "签名与设备公钥不符 / the signature does not verify with the device's key");
    }

    // 3. Only now decode.
    auto env = sync::decode_envelope(entry.envelope);
    if (!env) {
        return refuse(env.code() == sync::Errc::unsupported_version ? Errc::unsupported_version
                                                                    : Errc::malformed,
                      env.failure().message);
    }
    seq = env->seq;
    if (env->device_id != device->id)
        return refuse(Errc::not_authorized, "记录中的设备与签名设备不符 / names another device");
    if (env->schema_version != static_cast<std::uint32_t>(domain::kSchemaVersion)) {
        return refuse(Errc::unsupported_version,
                      "数据结构版本不符:设备 " + std::to_string(env->schema_version) + ",中心 " +
                          std::to_string(domain::kSchemaVersion) + " / schema version " +
                          std::to_string(env->schema_version) + " from the device, central has " +
                          std::to_string(domain::kSchemaVersion));
    }
    const sync::Hash32 hash = sync::entry_hash(entry.envelope, *sig);
    if (env->seq <= device->last_seq) {
        const auto stored = db.query_value<Bytes>(
            "SELECT entry_hash FROM accepted_entry WHERE device_id = ?1 AND seq = ?2", device->id,
            env->seq);
        if (stored && crypto::constant_time_equal(*stored, hash))
            return ack(seq, sync::AckStatus::duplicate);
        return refuse(Errc::forked_chain,
                      "序号 " + std::to_string(seq) +
                          " 已有另一条记录:链被分叉 / a different entry was accepted with this seq",
                      "security.forked_chain");
    }
    if (env->seq != device->last_seq + 1) {
        return refuse(Errc::sequence_gap, "缺少第 " + std::to_string(device->last_seq + 1) +
                                              " 条 / entry " +
                                              std::to_string(device->last_seq + 1) + " is missing");
    }
    if (env->prev_hash != device->last_hash) {
        return refuse(Errc::broken_chain,
                      "与上一条记录不相连 / does not link to the last accepted entry");
    }

    // 4. Validate, decode once, authorize.
    try {
        store::validate_changeset(env->changeset);
    } catch (const store::StoreError& x) {
        return refuse(Errc::malformed, x.what());
    }
    auto changes = decode_changes(db, env->changeset);
    if (!changes)
        return refuse(Errc::malformed, changes.failure().message);
    if (auto st = authorize(db, *device, *changes); !st) {
        return refuse(static_cast<Errc>(st.code().value()), st.failure().message);
    }

    // 5. Apply, look again, log, advance: one transaction.
    store::Transaction tx(db);
    // What central actually applies (omitted conflicting rows excluded) is
    // what other devices will pull: capture it while applying.
    store::Session applied(db);
    for (const auto& t : domain::replicated_tables())
        applied.attach_checked(t);
    std::vector<PendingConflict> conflicts;
    bool missing_parent = false;
    const auto report = store::apply_changeset(db, env->changeset, [&](const store::Conflict& c) {
        if (c.kind == store::ConflictKind::foreign_key) {
            missing_parent = true;
            return store::ConflictAction::abort;
        }
        // Central's row stays; the device's version is kept in the conflict record.
        std::string key;
        for (const auto& k : c.key)
            key += (key.empty() ? "" : ",") + store::to_display(k);
        conflicts.push_back({std::string(store::to_string(c.kind)), c.table, key,
                             store::to_display(c.local), store::to_display(c.incoming_old),
                             store::to_display(c.incoming_new), ""});
        return store::ConflictAction::omit;
    });
    if (report.aborted) {
        tx.rollback();
        return refuse(Errc::missing_parent,
                      missing_parent
                          ? "引用的记录尚未到达中心,稍后重发 / a referenced record has not "
                            "reached central yet; it will be sent again"
                          : "apply aborted");
    }
    for (const auto& c : *changes) {
        if (auto st = second_look(db, c); !st) {
            tx.rollback();
            return refuse(Errc::rule_failed,
                          st.failure().message + " [" + c.table + " " + c.id + "]");
        }
        // Two devices paying one entitlement while both offline: keep both, flag it.
        if (c.table == "payment" && c.op == store::Op::insert) {
            const auto ent = db.query_value<std::string>(
                "SELECT entitlement_id FROM payment WHERE id = ?1", c.id);
            const auto effective = db.query_value<std::int64_t>(
                "SELECT sum(CASE kind WHEN 'payment' THEN 1 ELSE -1 END) FROM payment WHERE "
                "entitlement_id = ?1",
                *ent);
            if (effective.value_or(0) > 1) {
                conflicts.push_back({"DOUBLE_PAYMENT", "entitlement", "'" + *ent + "'", "", "",
                                     "'" + c.id + "'",
                                     "more than one effective payment of this entitlement"});
            }
        }
    }
    for (const auto& c : conflicts) {
        db.execute(
            R"(INSERT INTO conflict(id, kind, table_name, row_key, device_id, seq, central_row, incoming_old,
                          incoming_new, detail, detected_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))",
            domain::new_id(now), c.kind, c.table, c.key, device->id, seq, c.central_row,
            c.incoming_old, c.incoming_new, c.detail, now);
    }
    db.execute(
        R"(INSERT INTO accepted_entry(device_id, seq, entry_hash, signature, envelope, applied, hlc, accepted_at_ms)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))",
        device->id, seq, ByteView(hash), sig->view(), entry.envelope, applied.changeset().bytes(),
        env->hlc, now);
    db.execute("UPDATE device SET last_seq = ?1, last_hash = ?2 WHERE id = ?3", seq, ByteView(hash),
               device->id);
    store_.audit(now, "device:" + device->id, "entry.push", std::to_string(seq), "accepted",
                 std::to_string(changes->size()) + " rows, " + std::to_string(conflicts.size()) +
                     " conflicts");
    tx.commit();
    return ack(seq, sync::AckStatus::accepted);
}

}  // namespace gridsync::central
