#include "gridsync/central/ingest.hpp"

#include <map>

#include "authorize.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/store/changeset_format.hpp"
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

}  // namespace

sync::PushAcks Ingest::push(const sync::PushBatch& batch) {
    sync::PushAcks out;
    // One commit for the batch: each entry is its own savepoint inside it,
    // and no acknowledgement leaves before the commit.
    store_.in_one_transaction([&] {
        std::map<std::string, bool> device_blocked;
        for (const auto& e : batch.entries) {
            if (device_blocked[e.device_id]) {
                // Peek the seq without trusting it beyond this answer.
                auto env = sync::decode_envelope(e.envelope);
                out.acks.push_back(
                    ack(env ? env->seq : 0, sync::AckStatus::rejected, Errc::sequence_gap,
                        "前一条记录被拒绝,本条未处理 / an earlier entry was refused; "
                        "this one was not taken"));
                continue;
            }
            out.acks.push_back(ingest(e));
            if (out.acks.back().status == sync::AckStatus::rejected)
                device_blocked[e.device_id] = true;
        }
        // Once per batch, not per entry: a parent may have come in this batch,
        // or another way (an admin's import) since the last one.
        release_parked();
    });
    out.central_time_ms = clock_.now_ms();
    return out;
}

sync::EntryAck Ingest::ingest(const sync::SignedEntry& entry) {
    const domain::EpochMs now = clock_.now_ms();
    std::uint64_t seq = 0;
    auto refuse = [&](Errc code, const std::string& message, const char* action = "entry.push") {
        // Refused before the envelope was decoded (a bad signature): its seq
        // is read now, for the answer and the audit line only, never trusted
        // for anything else; the device needs to know which entry it was.
        if (seq == 0) {
            if (auto peek = sync::decode_envelope(entry.envelope))
                seq = peek->seq;
        }
        store_.audit(now, "device:" + entry.device_id, action, std::to_string(seq), "refused",
                     code_of(code) + " " + message);
        return ack(seq, sync::AckStatus::rejected, code, message);
    };

    // 1-2. The signer, then the signature over the exact bytes received.
    const auto device = store_.device(entry.device_id);
    auto& db = store_.read_view();
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
    if (env->schema_version < static_cast<std::uint32_t>(domain::kOldestAcceptedSchema) ||
        env->schema_version > static_cast<std::uint32_t>(domain::kSchemaVersion)) {
        return refuse(Errc::unsupported_version,
                      "数据结构版本不符:设备 " + std::to_string(env->schema_version) + ",中心 " +
                          std::to_string(domain::kSchemaVersion) + " / schema version " +
                          std::to_string(env->schema_version) + " from the device, central has " +
                          std::to_string(domain::kSchemaVersion));
    }
    const sync::Hash32 hash = sync::entry_hash(entry.envelope, *sig);
    if (env->seq <= device->last_seq) {
        const auto stored = store_.accepted_hash(device->id, env->seq);
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

    // Times the device claims, against central's clock and the device's own
    // past: an entry stamped in the future would win every later merge.
    const domain::EpochMs wall = domain::Hlc{env->hlc}.wall_ms();
    if (wall > now + sync::kMaxClockSkewMs || wall < sync::kHlcFloorMs) {
        return refuse(Errc::clock_out_of_bounds,
                      "记录时间 " + domain::Hlc{env->hlc}.to_string() +
                          " 与中心时钟相差过大(超过 " +
                          std::to_string(sync::kMaxClockSkewMs / 60000) +
                          " 分钟)/ the entry's HLC is out of bounds of central's clock");
    }
    if (env->hlc <= device->last_hlc) {
        return refuse(Errc::hlc_regressed,
                      "记录时间不晚于本设备上一条记录 / the entry's HLC is not after the device's "
                      "last accepted entry");
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
    const auto park = [&](const std::string& waiting_for) {
        store_.park({device->id, seq, env->hlc, hash, Bytes(sig->view().begin(), sig->view().end()),
                     Bytes(entry.envelope.begin(), entry.envelope.end()), waiting_for},
                    now);
        return ack(seq, sync::AckStatus::accepted, {},
                   "已暂存,等待 " + waiting_for + " / parked until " + waiting_for + " arrives");
    };
    // Scope is resolved through parents: one central has not seen yet makes
    // the entry wait, whole, instead of being refused or dropped.
    if (auto st = authorize_role(*device, *changes); !st)
        return refuse(static_cast<Errc>(st.code().value()), st.failure().message);
    if (auto st = check_stamps(*device, env->hlc, *changes); !st)
        return refuse(Errc::forged_stamp, st.failure().message);
    if (auto waiting = missing_parent(db, *changes))
        return park(*waiting);
    if (auto st = authorize(db, *device, *changes); !st) {
        return refuse(static_cast<Errc>(st.code().value()), st.failure().message);
    }

    // 5. The backend applies it, looks again, logs it, advances the chain: one transaction.
    const auto result = store_.apply(
        {*device, seq, hash, *sig, entry.envelope, env->changeset, env->hlc, *changes}, now);
    switch (result.kind) {
        case ApplyResult::Kind::missing_parent:
            // A foreign key missing_parent() could not name: wait all the same.
            return park("parent 'unnamed'");
        case ApplyResult::Kind::rule_failed:
            return refuse(result.code && result.code.category() == category()
                              ? static_cast<Errc>(result.code.value())
                              : Errc::rule_failed,
                          result.message);
        case ApplyResult::Kind::applied:
            break;
    }
    return ack(seq, sync::AckStatus::accepted, {}, result.message);
}

std::size_t Ingest::release_parked() {
    std::size_t released = 0;
    // One release may bring the parent of another: go round until none moves.
    for (bool moved = true; moved;) {
        moved = false;
        for (const auto& p : store_.parked()) {
            const domain::EpochMs now = clock_.now_ms();
            auto& db = store_.read_view();
            const auto device = store_.device(p.device_id);
            auto env = sync::decode_envelope(p.envelope);  // verified when it was parked
            if (!device || !env)
                continue;
            auto changes = decode_changes(db, env->changeset);
            if (!changes || missing_parent(db, *changes))
                continue;
            if (auto st = authorize(db, *device, *changes); !st) {
                // Stays parked, on record, for an admin: never dropped.
                store_.audit(now, "device:" + p.device_id, "entry.unpark", std::to_string(p.seq),
                             "refused", st.failure().message);
                continue;
            }
            const auto sig = crypto::Signature::from(p.signature);
            DecodedEntry d{*device,        p.seq,    p.hash,   *sig, p.envelope,
                           env->changeset, env->hlc, *changes, true};
            if (store_.apply(d, now).kind == ApplyResult::Kind::applied) {
                ++released;
                moved = true;
            }
        }
    }
    return released;
}

}  // namespace gridsync::central
