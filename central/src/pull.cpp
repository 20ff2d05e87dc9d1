#include "gridsync/central/pull.hpp"

#include "gridsync/central/errors.hpp"
#include "gridsync/store/changeset_writer.hpp"
#include "gridsync/sync/log_check.hpp"
#include "gridsync/sync/scope.hpp"
#include "gridsync/tlog/note.hpp"
#include "scope.hpp"

namespace gridsync::central {

Result<Bytes> PullService::serve(ByteView signed_request) {
    const auto now = clock_.now_ms();
    auto outer = sync::decode_signed(signed_request);
    if (!outer)
        return fail(Errc::malformed, outer.failure().message);
    const auto device = store_.device(outer->signer);
    if (!device)
        return fail(Errc::unknown_device, "设备未登记 / unknown device " + outer->signer);
    if (device->revoked) {
        store_.audit(now, "device:" + device->id, "pull", "", "refused", "revoked");
        return fail(Errc::revoked, "设备已停用 / the device was revoked");
    }
    const auto sig = crypto::Signature::from(outer->signature);
    if (!sig ||
        !crypto::verify(device->signing_key, sync::kPullRequestContext, outer->body, *sig)) {
        return fail(Errc::bad_signature,
                    "拉取请求签名无效 / the pull request signature does not verify");
    }
    auto req = sync::decode_pull_request(outer->body);
    if (!req)
        return fail(Errc::malformed, req.failure().message);
    if (req->device_id != device->id)
        return fail(Errc::bad_signature, "请求中的设备与签名设备不符 / names another device");
    // A captured request sent again (the same signed bytes) carries a number
    // already seen: refused before it measures a clock or reads a row.
    if (!store_.note_pull_request(device->id, req->request_seq, req->version)) {
        store_.audit(now, "device:" + device->id, "pull", std::to_string(req->request_seq),
                     "refused", "replayed request");
        return fail(Errc::replayed_request, "重复的拉取请求,已拒绝 / a pull request with number " +
                                                std::to_string(req->request_seq) +
                                                " was answered before (a replay)");
    }
    // Every pull measures the device's clock against central's.
    store_.note_device_clock(device->id, req->device_time_ms - now, now);
    // (v5) The device's log alarms, for the console. A restore's alarm is
    // kept too: every device recording one is how a restore shows.
    if (!req->alarms.empty()) {
        MerkleLog log = store_.merkle_log();
        for (const auto& a : req->alarms) {
            if (!sync::is_alarm_kind(a.kind)) {
                store_.audit(now, "device:" + device->id, "log.alarm", std::to_string(a.id),
                             "refused", "unknown alarm kind");
                continue;
            }
            if (log.keep_alarm(device->id, a, log_signer_.verifier(), now)) {
                store_.audit(now, "device:" + device->id, "log.alarm",
                             std::to_string(a.id) + " " + a.kind,
                             a.cleared_at_ms ? "cleared" : "raised",
                             a.cleared_at_ms ? a.cleared_reason : a.detail);
            }
        }
    }

    sync::PullBatch batch;
    batch.version = req->version;  // answered in the version asked
    batch.epoch = store_.epoch_for(*device);
    batch.from_cursor = req->cursor;
    batch.to_cursor = req->cursor;
    const std::uint32_t limit =
        std::min<std::uint32_t>(std::max<std::uint32_t>(req->max_entries, 1), 5000);
    auto& db = store_.read_view();
    Resolver resolve(db);
    const sync::RowFilter in_scope = [&](const std::string& table, const std::string& id) {
        return visible(resolve, *device, table, id);
    };
    const std::uint64_t head = store_.head();

    if (req->snapshot && (req->snapshot->at > head || req->cursor != 0))
        return fail(Errc::malformed, "快照位置无效 / no such snapshot position");
    if (req->cursor == 0) {
        // A new device (or one repairing itself): central's current rows of
        // its scope, then the log after the position they were read at.
        const std::uint64_t at = req->snapshot ? req->snapshot->at : head;
        const auto page = sync::snapshot_page(
            db, scope_query(*device),
            req->snapshot ? req->snapshot->next : sync::SnapshotPosition{}, 5ULL * limit);
        const std::int64_t hlc = store_.max_hlc();
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
        if (!batch.more && req->want_digest)
            batch.scope_digest = sync::scope_digest(db, scope_query(*device));
    } else {
        const auto logged = store_.entries_after(req->cursor, limit, device->community_id);
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
        // The router takes calls one at a time, so central's tables are now
        // exactly the log up to to_cursor.
        if (!batch.more && req->want_digest && batch.to_cursor == head)
            batch.scope_digest = sync::scope_digest(db, scope_query(*device));
    }
    if (batch.version >= 4)
        batch.log = log_proofs(*device, *req, now);
    batch.central_time_ms = now;
    sync::Signed out{"central", {}, sync::encode(batch)};
    const auto signature = key_.sign(sync::kPullBatchContext, out.body);
    out.signature.assign(signature.bytes.begin(), signature.bytes.end());
    return sync::encode(out);
}

std::optional<sync::LogProofs> PullService::log_proofs(const Device& device,
                                                       const sync::PullRequest& req,
                                                       domain::EpochMs now) {
    MerkleLog log = store_.merkle_log();
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
            store_.audit(now, "device:" + device.id, "log.cosign",
                         std::to_string(req.verified_size), "refused",
                         "the cosignature does not verify for this device and checkpoint");
        }
    }
    // A device waiting for a proof of an entry the last checkpoint does not
    // cover gets a new checkpoint now, not at the next tick.
    const auto last = log.latest();
    bool waiting = false;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> asked;  // seq, leaf
    for (std::size_t i = 0; i < req.prove_seqs.size() && i < sync::kMaxProofsPerBatch; ++i) {
        if (const auto leaf = store_.log_index_of(device.id, req.prove_seqs[i])) {
            asked.emplace_back(req.prove_seqs[i], *leaf);
            waiting = waiting || !last || *leaf >= last->size;
        }
    }
    const auto cp = log.checkpoint(log_signer_, now, waiting, policy_);
    if (!cp)
        return std::nullopt;
    sync::LogProofs out;
    out.log_key = log_signer_.verifier().vkey();
    out.checkpoint = log.published_note(*cp);
    if (req.verified_size > 0 && req.verified_size < cp->size)
        out.consistency = tlog::consistency_proof(log, req.verified_size, cp->size);
    for (const auto& [seq, leaf] : asked) {
        if (leaf < cp->size)
            out.inclusion.push_back({seq, leaf, tlog::inclusion_proof(log, leaf, cp->size)});
    }
    return out;
}

}  // namespace gridsync::central
