#include "gridsync/central/pull.hpp"

#include "gridsync/central/errors.hpp"
#include "gridsync/store/changeset_writer.hpp"
#include "gridsync/sync/log_check.hpp"
#include "gridsync/sync/scope.hpp"
#include "gridsync/tlog/note.hpp"
#include "scope.hpp"

namespace gridsync::central {

void PullService::write(const PullAccess::Work& work) {
    if (access_.write)
        access_.write(work);
    else
        store_.in_one_transaction([&] { work(store_); });
}

void PullService::read(const PullAccess::Work& work) {
    if (access_.read)
        access_.read(work);
    else
        work(store_);
}

Result<Bytes> PullService::serve(ByteView signed_request) {
    const auto now = clock_.now_ms();
    auto outer = sync::decode_signed(signed_request);
    if (!outer)
        return fail(Errc::malformed, outer.failure().message);
    // The signer's key from a reader, and the signature checked before the
    // writer is asked for anything: a forged request costs it nothing.
    std::optional<Device> device;
    read([&](CentralBackend& store) { device = store.device(outer->signer); });
    if (!device)
        return fail(Errc::unknown_device, "设备未登记 / unknown device " + outer->signer);
    // A revoked device's refusal is audited (on the writer) before its
    // request is even read.
    const auto revoked = [&](CentralBackend& store) {
        store.audit(now, "device:" + device->id, "pull", "", "refused", "revoked");
        return fail(Errc::revoked, "设备已停用 / the device was revoked");
    };
    std::optional<Failure> refused;
    if (device->revoked) {
        write([&](CentralBackend& store) { refused = revoked(store); });
        return *refused;
    }
    const auto sig = crypto::Signature::from(outer->signature);
    if (!sig || !crypto::verify(device->signing_key, sync::kPullRequestContext, outer->body, *sig))
        return fail(Errc::bad_signature,
                    "拉取请求签名无效 / the pull request signature does not verify");
    auto req = sync::decode_pull_request(outer->body);
    if (!req)
        return fail(Errc::malformed, req.failure().message);
    if (req->device_id != device->id)
        return fail(Errc::bad_signature, "请求中的设备与签名设备不符 / names another device");
    LogPlan plan;
    write([&](CentralBackend& store) {
        // The device as the writer holds it: a revocation committed since
        // the read above counts.
        const auto current = store.device(device->id);
        refused = !current || current->revoked ? revoked(store)
                                               : note_request(store, *current, *req, now, plan);
    });
    if (refused)
        return *refused;
    Result<sync::PullBatch> batch = fail(Errc::malformed, "");
    read([&](CentralBackend& store) { batch = read_batch(store, *req, plan, now); });
    if (!batch)
        return batch.failure();
    sync::Signed out{"central", {}, sync::encode(*batch)};
    const auto signature = key_.sign(sync::kPullBatchContext, out.body);
    out.signature.assign(signature.bytes.begin(), signature.bytes.end());
    return sync::encode(out);
}

std::optional<Failure> PullService::note_request(CentralBackend& store, const Device& device,
                                                 const sync::PullRequest& req, domain::EpochMs now,
                                                 LogPlan& plan) {
    // A captured request sent again (the same signed bytes) carries a number
    // already seen: refused before it measures a clock or reads a row.
    if (!store.note_pull_request(device.id, req.request_seq, req.version)) {
        store.audit(now, "device:" + device.id, "pull", std::to_string(req.request_seq), "refused",
                    "replayed request");
        return fail(Errc::replayed_request, "重复的拉取请求,已拒绝 / a pull request with number " +
                                                std::to_string(req.request_seq) +
                                                " was answered before (a replay)");
    }
    // Every pull measures the device's clock against central's.
    store.note_device_clock(device.id, req.device_time_ms - now, now);
    MerkleLog log = store.merkle_log();
    // (v5) The device's log alarms, for the console. A restore's alarm is
    // kept too: every device recording one is how a restore shows.
    for (const auto& a : req.alarms) {
        if (!sync::is_alarm_kind(a.kind)) {
            store.audit(now, "device:" + device.id, "log.alarm", std::to_string(a.id), "refused",
                        "unknown alarm kind");
            continue;
        }
        if (log.keep_alarm(device.id, a, log_signer_.verifier(), now)) {
            store.audit(now, "device:" + device.id, "log.alarm",
                        std::to_string(a.id) + " " + a.kind, a.cleared_at_ms ? "cleared" : "raised",
                        a.cleared_at_ms ? a.cleared_reason : a.detail);
        }
    }
    if (req.version < 4)
        return std::nullopt;
    // A community laptop's cosignature of the checkpoint it verified: kept
    // when it verifies with the laptop's key, audited when it does not.
    if (!req.cosignature.empty() && device.role == "community_laptop") {
        const auto cp = log.checkpoint_at(req.verified_size);
        auto line = tlog::parse_note("x\n\n" + req.cosignature);
        bool kept = false;
        if (cp && line && line->signatures.size() == 1) {
            tlog::Note note{tlog::parse_note(cp->note)->text, line->signatures};
            const tlog::NoteVerifier witness{sync::witness_name(device.id), tlog::KeyType::cosigner,
                                             device.signing_key};
            if (const auto t = tlog::cosigned_by(note, witness)) {
                log.add_cosignature({cp->size, device.id, device.community_id, *t,
                                     line->signatures.front().line()});
                kept = true;
            }
        }
        if (!kept) {
            store.audit(now, "device:" + device.id, "log.cosign", std::to_string(req.verified_size),
                        "refused",
                        "the cosignature does not verify for this device and checkpoint");
        }
    }
    // A device waiting for a proof of an entry the last checkpoint does not
    // cover gets a new checkpoint now, not at the next tick.
    const auto last = log.latest();
    bool waiting = false;
    for (std::size_t i = 0; i < req.prove_seqs.size() && i < sync::kMaxProofsPerBatch; ++i) {
        if (const auto leaf = store.log_index_of(device.id, req.prove_seqs[i])) {
            plan.asked.emplace_back(req.prove_seqs[i], *leaf);
            waiting = waiting || !last || *leaf >= last->size;
        }
    }
    plan.checkpoint = log.checkpoint(log_signer_, now, waiting, policy_);
    return std::nullopt;
}

Result<sync::PullBatch> PullService::read_batch(CentralBackend& store, const sync::PullRequest& req,
                                                const LogPlan& plan, domain::EpochMs now) {
    const auto device = store.device(req.device_id);
    if (!device)
        return fail(Errc::unknown_device, "设备未登记 / unknown device " + req.device_id);
    sync::PullBatch batch;
    batch.version = req.version;  // answered in the version asked
    batch.epoch = store.epoch_for(*device);
    batch.from_cursor = req.cursor;
    batch.to_cursor = req.cursor;
    const std::uint32_t limit =
        std::min<std::uint32_t>(std::max<std::uint32_t>(req.max_entries, 1), 5000);
    auto& db = store.read_view();
    Resolver resolve(db);
    const sync::RowFilter in_scope = [&](const std::string& table, const std::string& id) {
        return visible(resolve, *device, table, id);
    };
    const std::uint64_t head = store.head();

    if (req.snapshot && (req.snapshot->at > head || req.cursor != 0))
        return fail(Errc::malformed, "快照位置无效 / no such snapshot position");
    if (req.cursor == 0) {
        // A new device (or one repairing itself): central's current rows of
        // its scope, then the log after the position they were read at.
        const std::uint64_t at = req.snapshot ? req.snapshot->at : head;
        const auto page = sync::snapshot_page(
            db, scope_query(*device), req.snapshot ? req.snapshot->next : sync::SnapshotPosition{},
            5ULL * limit);
        const std::int64_t hlc = store.max_hlc();
        for (auto& cs : page.changesets)
            batch.entries.push_back({0, "", hlc, std::move(cs)});
        batch.to_cursor = page.done ? at : 0;
        if (!page.done)
            batch.snapshot = sync::SnapshotCursor{at, page.next};
        // After the last page the log after S follows, then the digest; when
        // nothing came after S the pages all show the state at S, and the
        // digest comes now. (S is 0 only while the log is empty: such a
        // device asks for a snapshot again next time, which is correct.)
        batch.more = !page.done || at < head;
        if (!batch.more && req.want_digest)
            batch.scope_digest = sync::scope_digest(db, scope_query(*device));
    } else {
        const auto logged = store.entries_after(req.cursor, limit, device->community_id);
        for (const auto& l : logged) {
            batch.to_cursor = l.position;
            // What central applied, not what the device sent: rows central kept
            // its own value for (conflicts) never reach other devices.
            const store::Changeset mine =
                store::filter_changeset(l.applied, [&](const store::ChangesetIterator& it) {
                    const auto key = it.primary_key();
                    return key.size() == 1 && std::holds_alternative<std::string>(key[0]) &&
                           in_scope(std::string(it.table()), std::get<std::string>(key[0]));
                });
            if (mine.empty())
                continue;  // nothing of it is in scope; the cursor still moves past it
            batch.entries.push_back(
                {l.position, l.device_id, l.hlc, Bytes(mine.bytes().begin(), mine.bytes().end())});
        }
        batch.more = logged.size() == limit;
        // Nothing more for this community up to the head: the device has seen
        // all it needs of the log so far.
        if (!batch.more)
            batch.to_cursor = head;
        // One read transaction: central's tables are exactly the log up to
        // the head it read, to_cursor here.
        if (!batch.more && req.want_digest && batch.to_cursor == head)
            batch.scope_digest = sync::scope_digest(db, scope_query(*device));
    }
    if (batch.version >= 4 && plan.checkpoint) {
        const auto& cp = *plan.checkpoint;
        MerkleLog log = store.merkle_log();
        sync::LogProofs proofs;
        proofs.log_key = log_signer_.verifier().vkey();
        proofs.checkpoint = log.published_note(cp);
        if (req.verified_size > 0 && req.verified_size < cp.size)
            proofs.consistency = tlog::consistency_proof(log, req.verified_size, cp.size);
        for (const auto& [seq, leaf] : plan.asked) {
            if (leaf < cp.size)
                proofs.inclusion.push_back({seq, leaf, tlog::inclusion_proof(log, leaf, cp.size)});
        }
        batch.log = std::move(proofs);
    }
    batch.central_time_ms = now;
    return batch;
}

}  // namespace gridsync::central
