#include "gridsync/sync/client.hpp"

#include "gridsync/crash_point.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::sync {

Result<EnrollResponse> enroll_device(Transport& transport, const crypto::KxPublicKey& central_kx,
                                     const EnrollRequest& request,
                                     const crypto::KxKeyPair& device_kx) {
    const std::string path = "/v1/enroll";
    auto answer = transport.post(path, {}, crypto::seal_to(central_kx, encode(request)));
    if (!answer)
        return answer.failure();
    auto keys = crypto::client_session_keys(device_kx, central_kx);
    if (!keys)
        return keys.failure();
    auto plain = open_body(keys->rx, Direction::response, path, "enroll", *answer);
    if (!plain)
        return plain.failure();
    auto resp = decode_enroll_response(*plain);
    if (!resp)
        return resp.failure();
    if (!(resp->central_kx_key == central_kx)) {
        return fail(Errc::bad_signature,
                    "中心密钥与登记码不符 / central's key differs from the enrollment code");
    }
    return resp;
}

SyncClient::SyncClient(store::Database& db, Outbox& outbox, const crypto::SigningKey& device_key,
                       const crypto::KxKeyPair& device_kx, CentralPin central, Transport& transport,
                       domain::Clock& clock)
    : db_(db),
      outbox_(outbox),
      device_key_(device_key),
      central_(central),
      transport_(transport),
      clock_(clock),
      keys_(crypto::client_session_keys(device_kx, central.kx_key).value()) {}

Result<Bytes> SyncClient::call(const std::string& path, ByteView plaintext) {
    auto answer = transport_.post(
        path, {{kDeviceHeader, outbox_.device_id()}},
        seal_body(keys_.tx, Direction::request, path, outbox_.device_id(), plaintext));
    if (!answer)
        return answer.failure();
    return open_body(keys_.rx, Direction::response, path, outbox_.device_id(), *answer);
}

Result<RoundReport> SyncClient::round(const SyncOptions& options, const Progress& progress) {
    RoundReport report;
    // A restored central (or one holding less of this device's chain than it
    // acknowledged) sends the round back to the push, a bounded number of
    // times: the entries it lacks are offered again before anything is pulled.
    for (int restarts = 0;; ++restarts) {
        if (auto pushed = push_all(options, report); !pushed)
            return pushed.failure();
        if (!options.pull)
            return report;
        auto pulled = pull_all(options, progress, report);
        if (!pulled)
            return pulled.failure();
        if (!*pulled || restarts >= 3)
            return report;
    }
}

Status SyncClient::push_all(const SyncOptions& options, RoundReport& report) {
    // Push until nothing is left, or central refuses the next entry, or the
    // next entry does not verify here: a damaged entry is never sent.
    for (int guard = 0; guard < 100000; ++guard) {
        PendingEntries pending = outbox_.pending(options.push_batch);
        if (pending.entries.empty()) {
            report.outbox_broken = std::move(pending.broken);
            break;
        }
        PushBatch batch;
        for (auto& e : pending.entries) {
            batch.entries.push_back(
                {outbox_.device_id(), std::move(e.signature), std::move(e.envelope)});
        }
        auto answer = call("/v1/push", encode(batch));
        if (!answer)
            return answer.failure();
        auto acks = decode_push_acks(*answer);
        if (!acks)
            return acks.failure();
        crash_point("edge.push.answered");  // central has the entries; this device does not know
        outbox_.acknowledge(*acks);
        bool refused = false;
        for (const auto& a : acks->acks) {
            if (a.status == AckStatus::accepted)
                ++report.accepted;
            if (a.status == AckStatus::accepted && !a.message.empty())
                report.notices.push_back(a);
            if (a.status == AckStatus::duplicate)
                ++report.duplicates;
            if (a.status == AckStatus::quarantined) {
                ++report.quarantined;
                report.notices.push_back(a);
            }
            if (a.status == AckStatus::rejected) {
                ++report.rejected;
                report.rejections.push_back(a);
                refused = true;
            }
        }
        // Central lacks entries it had acknowledged (a restore): they are
        // pending again, and go first.
        if (acks->epoch) {
            const auto check = observe_epoch(db_, outbox_, *acks->epoch);
            report.reoffered += check.reoffered;
            report.central_restored = report.central_restored || check.restored;
            if (check.reoffered > 0)
                continue;
        }
        if (refused || acks->acks.empty())
            break;
    }
    return {};
}

Result<bool> SyncClient::pull_all(const SyncOptions& options, const Progress& progress,
                                  RoundReport& report) {
    // Pull until central says there is no more.
    const bool verify = options.verify_scope &&
                        (options.verify_scope_every_ms == 0 || pull_cursor(db_) == 0 ||
                         clock_.now_ms() - scope_verified_at(db_) >= options.verify_scope_every_ms);
    for (int guard = 0; guard < 100000; ++guard) {
        auto answer = call("/v1/pull",
                           make_pull_request(db_, outbox_.device_id(), device_key_, clock_,
                                             options.pull_batch, verify || pull_cursor(db_) == 0));
        if (!answer)
            return answer.failure();
        auto outcome = apply_pull(db_, outbox_, central_.signing_key, *answer, clock_);
        if (!outcome)
            return outcome.failure();
        if (outcome->central_restored || outcome->reoffered > 0) {
            report.central_restored = report.central_restored || outcome->central_restored;
            report.reoffered += outcome->reoffered;
            if (outcome->reoffered > 0)
                return true;  // push them first
            continue;         // the cursor moved back: pull from there
        }
        report.pulled += outcome->entries;
        report.snapshot_rows += outcome->snapshot_rows;
        report.clashes += outcome->clashes;
        if (progress)
            progress({report.pulled, report.snapshot_rows, outcome->cursor, outcome->snapshot});
        if (outcome->diverged) {
            // Once per round: a scope that still differs after a fresh
            // download is a fault to report, not to loop on.
            if (report.repaired) {
                return fail(Errc::scope_diverged,
                            "重新下载后本机数据仍与中心不一致,请联系管理员 / the device's data "
                            "still differs from central after a fresh download; tell an admin");
            }
            begin_repair(db_, outbox_, clock_.now_ms());
            report.repaired = true;
            continue;
        }
        if (!outcome->more)
            break;
    }
    return false;
}

}  // namespace gridsync::sync
