#include "gridsync/central/ingest.hpp"

#include <map>
#include <optional>
#include <thread>

#include "authorize.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/domain/deferred_checks.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/store/changeset_format.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/tlog/merkle.hpp"

namespace gridsync::central {

namespace {

sync::EntryAck ack(std::uint64_t seq, sync::AckStatus status, const std::error_code& ec = {},
                   std::string message = {}) {
    sync::EntryAck a{seq, status, ec ? sync::code_text(ec) : "", std::move(message)};
    a.transient = ec && sync::may_be_transient(ec);
    return a;
}

}  // namespace

// What steps 4-5 made of an entry whose chain checks passed.
struct Ingest::Checked {
    enum class Kind { applied, parked, refused } kind = Kind::refused;
    std::string message;  // applied: what central said; parked: what it waits for; refused: why
    Errc code = Errc::rule_failed;
};

namespace {

using Checked = Ingest::Checked;

Checked refused(Errc code, std::string message) {
    return {Checked::Kind::refused, std::move(message), code};
}

// Steps 4-5: validate, decode once, authorize, apply. `held`: the entry's
// chain advanced earlier (it was parked or quarantined).
Checked check_and_apply(CentralBackend& store, const Device& device, std::uint64_t seq,
                        const sync::Hash32& hash, const crypto::Signature& sig, ByteView envelope,
                        const sync::ChangesetEnvelope& env, bool held, domain::EpochMs now,
                        std::map<std::uint64_t, tlog::Hash>& anchor_roots) {
    auto& db = store.read_view();
    try {
        store::validate_changeset(env.changeset);
    } catch (const store::StoreError& x) {
        return refused(Errc::malformed, x.what());
    }
    auto changes = decode_changes(db, env.changeset);
    if (!changes)
        return refused(Errc::malformed, changes.failure().message);
    // The anchor is the device's signed word on what it verified of the
    // log: kept as sent (it is evidence either way), and audited when this
    // log's tree does not have that root at that size (a restore, or a
    // device that lies; docs/AUDIT.md says how an auditor tells).
    if (env.anchor_size > 0) {
        // A device's entries name the same checkpoint until its next pull:
        // the root at that size is read from the tree once per batch (about
        // 17 lookups at 10^5 leaves).
        auto log = store.merkle_log();
        auto known = anchor_roots.find(env.anchor_size);
        if (known == anchor_roots.end() && env.anchor_size <= log.size())
            known = anchor_roots.emplace(env.anchor_size, tlog::root(log, env.anchor_size)).first;
        if (known == anchor_roots.end() || known->second != env.anchor_root) {
            store.audit(now, "device:" + device.id, "log.anchor", std::to_string(seq), "mismatch",
                        "the entry names a checkpoint of " + std::to_string(env.anchor_size) +
                            " leaves that this log does not have");
        }
    }
    // Scope is resolved through parents: one central has not seen yet makes
    // the entry wait, whole, instead of being refused or dropped.
    if (auto st = authorize_role(device, *changes); !st)
        return refused(static_cast<Errc>(st.code().value()), st.failure().message);
    if (auto st = check_stamps(device, env.hlc, *changes); !st)
        return refused(Errc::forged_stamp, st.failure().message);
    if (auto waiting = missing_parent(db, *changes))
        return {Checked::Kind::parked, *waiting};
    if (auto st = authorize(db, device, *changes); !st)
        return refused(static_cast<Errc>(st.code().value()), st.failure().message);
    const auto result = store.apply(
        {device, seq, hash, sig, envelope, env.changeset, env.hlc, *changes, held}, now);
    switch (result.kind) {
        case ApplyResult::Kind::missing_parent:
            // A foreign key missing_parent() could not name: wait all the same.
            return {Checked::Kind::parked, "parent 'unnamed'"};
        case ApplyResult::Kind::rule_failed:
            return refused(result.code && result.code.category() == category()
                               ? static_cast<Errc>(result.code.value())
                               : Errc::rule_failed,
                           result.message);
        case ApplyResult::Kind::applied:
            break;
    }
    return {Checked::Kind::applied, result.message};
}

}  // namespace

Ingest::PreVerified Ingest::verify_batch(const crypto::PublicKey& key,
                                         const sync::PushBatch& batch) {
    std::vector<crypto::VerifyJob> jobs;
    std::vector<std::size_t> of_entry;  // job -> entry; entries without a signature fail
    jobs.reserve(batch.entries.size());
    for (std::size_t i = 0; i < batch.entries.size(); ++i) {
        const auto& e = batch.entries[i];
        if (const auto sig = crypto::Signature::from(e.signature)) {
            jobs.push_back({key, sync::kEnvelopeContext, e.envelope, *sig});
            of_entry.push_back(i);
        }
    }
    const auto verdicts = crypto::verify_each(jobs, std::thread::hardware_concurrency());
    PreVerified out{key, std::vector<std::uint8_t>(batch.entries.size(), 0)};
    for (std::size_t j = 0; j < jobs.size(); ++j)
        out.ok[of_entry[j]] = verdicts[j];
    return out;
}

void Ingest::take(const sync::PushBatch& batch, const PreVerified* checked, sync::PushAcks& out) {
    std::map<std::string, bool> device_blocked;
    for (std::size_t i = 0; i < batch.entries.size(); ++i) {
        const auto& e = batch.entries[i];
        if (device_blocked[e.device_id]) {
            // Peek the seq without trusting it beyond this answer.
            auto env = sync::decode_envelope(e.envelope);
            out.acks.push_back(ack(env ? env->seq : 0, sync::AckStatus::rejected,
                                   Errc::sequence_gap,
                                   "前一条记录被拒绝,本条未处理 / an earlier entry was refused; "
                                   "this one was not taken"));
            continue;
        }
        out.acks.push_back(checked && i < checked->ok.size()
                               ? ingest(e, PreVerified::Verdict{checked->key, checked->ok[i] != 0})
                               : ingest(e));
        if (out.acks.back().status == sync::AckStatus::rejected)
            device_blocked[e.device_id] = true;
    }
    // Once per batch, not per entry: a parent may have come in this batch,
    // or another way (an admin's import) since the last one.
    release_parked();
    // Where each entry central holds sits in the verifiable log: a promise
    // every later checkpoint must keep (parked ones get theirs when applied).
    if (!batch.entries.empty()) {
        for (auto& a : out.acks) {
            if (a.status != sync::AckStatus::rejected)
                a.log_index = store_.log_index_of(batch.entries.front().device_id, a.seq);
        }
    }
}

sync::PushAcks Ingest::push(const sync::PushBatch& batch, const PreVerified* checked) {
    sync::PushAcks out;
    // The staff signatures of the batch's records are checked all at once,
    // on every core, before the commit (deferred_checks.hpp); should any
    // not verify, the batch is rolled back and taken again checking each in
    // turn, so that entry is refused exactly as it would have been.
    struct TakeAgainOneByOne {};
    for (const bool deferred : {true, false}) {
        out = {};
        anchor_roots_.clear();  // the tree's roots, read afresh for each batch
        out.version = batch.version;
        try {
            std::optional<domain::DeferredSignatureChecks> later;
            if (deferred)
                later.emplace();
            // One commit for the batch: each entry is its own savepoint
            // inside it, and no acknowledgement leaves before the commit.
            store_.in_one_transaction([&] {
                take(batch, checked, out);
                if (later && !later->all_verify(std::thread::hardware_concurrency()))
                    throw TakeAgainOneByOne{};  // rolls the batch back
            });
        } catch (const TakeAgainOneByOne&) {
            continue;
        }
        break;
    }
    out.central_time_ms = clock_.now_ms();
    if (!batch.entries.empty()) {
        if (const auto device = store_.device(batch.entries.front().device_id))
            out.epoch = store_.epoch_for(*device);
    }
    return out;
}

sync::EntryAck Ingest::ingest(const sync::SignedEntry& entry,
                              std::optional<PreVerified::Verdict> signature_checked) {
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
                     sync::code_text(code) + " " + message);
        return ack(seq, sync::AckStatus::rejected, code, message);
    };

    // 1-2. The signer, then the signature over the exact bytes received.
    const auto device = store_.device(entry.device_id);
    if (!device)
        return refuse(Errc::unknown_device, "设备未登记 / unknown device " + entry.device_id);
    if (device->revoked)
        return refuse(Errc::revoked, "设备已停用 / the device was revoked");
    const auto sig = crypto::Signature::from(entry.signature);
    const bool verifies = sig && (signature_checked && signature_checked->key == device->signing_key
                                      ? signature_checked->verifies
                                      : crypto::verify(device->signing_key, sync::kEnvelopeContext,
                                                       entry.envelope, *sig));
    if (!verifies) {
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
        if (stored && crypto::constant_time_equal(*stored, hash)) {
            // Offered again: say what became of it, quarantine included.
            if (auto q = store_.quarantined(device->id, env->seq); q && !q->released_at_ms) {
                sync::EntryAck a{seq, sync::AckStatus::quarantined, q->code, q->reason, false};
                return a;
            }
            return ack(seq, sync::AckStatus::duplicate);
        }
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
    // past: an entry stamped in the future would win every later merge. Too
    // far ahead is transient (central's clock catches up, or the device's is
    // set right); a time before the device's last entry is permanent.
    const domain::EpochMs wall = domain::Hlc{env->hlc}.wall_ms();
    if (wall > now + sync::kMaxClockSkewMs || wall < sync::kHlcFloorMs) {
        return refuse(Errc::clock_out_of_bounds,
                      "记录时间 " + domain::Hlc{env->hlc}.to_string() +
                          " 与中心时钟相差过大(超过 " +
                          std::to_string(sync::kMaxClockSkewMs / 60000) +
                          " 分钟)/ the entry's HLC is out of bounds of central's clock");
    }
    Checked checked;
    if (env->hlc <= device->last_hlc) {
        checked = refused(Errc::hlc_regressed,
                          "记录时间不晚于本设备上一条记录 / the entry's HLC is not after the "
                          "device's last accepted entry");
    } else {
        // 4-5. Validate, decode once, authorize, apply (one transaction).
        checked = check_and_apply(store_, *device, seq, hash, *sig, entry.envelope, *env, false,
                                  now, anchor_roots_);
    }
    switch (checked.kind) {
        case Checked::Kind::applied:
            return ack(seq, sync::AckStatus::accepted, {}, checked.message);
        case Checked::Kind::parked:
            store_.park(
                {{device->id, seq, env->hlc, hash, Bytes(sig->view().begin(), sig->view().end()),
                  Bytes(entry.envelope.begin(), entry.envelope.end())},
                 checked.message},
                now);
            return ack(seq, sync::AckStatus::accepted, {},
                       "已暂存,等待 " + checked.message + " / parked until " + checked.message +
                           " arrives");
        case Checked::Kind::refused:
            break;
    }
    if (sync::may_be_transient(checked.code))
        return refuse(checked.code, checked.message);
    // Refused for good, but signed and linked: kept whole, the decision
    // signed, the chain moved past it. Nothing of it is applied.
    QuarantinedEntry q;
    q.device_id = device->id;
    q.seq = seq;
    q.hlc = std::max(env->hlc, device->last_hlc);
    q.hash = hash;
    q.signature.assign(sig->view().begin(), sig->view().end());
    q.envelope.assign(entry.envelope.begin(), entry.envelope.end());
    q.code = sync::code_text(checked.code);
    q.reason = checked.message;
    q.at_ms = now;
    q.decision = quarantine_decision(q);
    const auto decision_sig = key_.sign(kQuarantineContext, q.decision);
    q.decision_signature.assign(decision_sig.bytes.begin(), decision_sig.bytes.end());
    store_.quarantine(q);
    sync::EntryAck a{seq, sync::AckStatus::quarantined, q.code,
                     "已隔离,等待管理员处理 / quarantined for an admin: " + checked.message, false};
    return a;
}

Result<std::string> Ingest::release_quarantined(const std::string& device_id, std::uint64_t seq) {
    const domain::EpochMs now = clock_.now_ms();
    anchor_roots_.clear();
    const auto q = store_.quarantined(device_id, seq);
    if (!q || q->released_at_ms)
        return fail(Errc::not_quarantined, "没有这条隔离记录 / no quarantined entry " + device_id +
                                               ":" + std::to_string(seq));
    const auto device = store_.device(device_id);
    const auto sig = crypto::Signature::from(q->signature);
    if (!device || !sig ||
        !crypto::verify(device->signing_key, sync::kEnvelopeContext, q->envelope, *sig)) {
        return fail(Errc::bad_signature,
                    "隔离记录的签名无效 / the quarantined entry's signature "
                    "does not verify");
    }
    auto env = sync::decode_envelope(q->envelope);
    if (!env)
        return fail(Errc::malformed, env.failure().message);
    Result<std::string> out = fail(Errc::rule_failed, "");
    store_.in_one_transaction([&] {
        const Checked c = check_and_apply(store_, *device, seq, q->hash, *sig, q->envelope, *env,
                                          true, now, anchor_roots_);
        if (c.kind == Checked::Kind::applied) {
            out = c.message.empty() ? std::string("已应用 / applied") : c.message;
        } else if (c.kind == Checked::Kind::parked) {
            out = fail(Errc::missing_parent,
                       "仍在等待 " + c.message + " / still waiting for " + c.message);
        } else {
            out = fail(c.code, c.message);
        }
        // Entries parked behind this one (its session, say) can go now.
        if (out)
            release_parked();
    });
    return out;
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
