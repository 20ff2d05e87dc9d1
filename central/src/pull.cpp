#include "gridsync/central/pull.hpp"

#include "gridsync/central/errors.hpp"
#include "gridsync/store/changeset_writer.hpp"
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

    sync::PullBatch batch;
    batch.from_cursor = req->cursor;
    batch.to_cursor = req->cursor;
    const std::uint32_t limit =
        std::min<std::uint32_t>(std::max<std::uint32_t>(req->max_entries, 1), 5000);
    auto& db = store_.db();
    Resolver resolve(db);
    auto st = db.prepare(
        "SELECT position, device_id, applied, hlc FROM accepted_entry WHERE position > ?1 ORDER BY "
        "position LIMIT ?2");
    st.bind_all(static_cast<std::int64_t>(req->cursor), limit);
    std::uint32_t scanned = 0;
    while (st.step()) {
        ++scanned;
        sync::PulledEntry e;
        e.position = static_cast<std::uint64_t>(st.column<std::int64_t>(0));
        e.origin_device = st.column<std::string>(1);
        batch.to_cursor = e.position;
        // What central applied, not what the device sent: rows central kept
        // its own value for (conflicts) never reach other devices.
        e.hlc = st.column<std::int64_t>(3);
        const Bytes applied = st.column<Bytes>(2);
        const store::Changeset mine =
            store::filter_changeset(applied, [&](const store::ChangesetIterator& it) {
                const auto key = it.primary_key();
                return key.size() == 1 && std::holds_alternative<std::string>(key[0]) &&
                       visible(resolve, *device, std::string(it.table()),
                               std::get<std::string>(key[0]));
            });
        if (mine.empty())
            continue;  // nothing of it is in scope; the cursor still moves past it
        e.changeset.assign(mine.bytes().begin(), mine.bytes().end());
        batch.entries.push_back(std::move(e));
    }
    batch.more = scanned == limit;
    batch.central_time_ms = now;
    sync::Signed out{"central", {}, sync::encode(batch)};
    const auto signature = key_.sign(sync::kPullBatchContext, out.body);
    out.signature.assign(signature.bytes.begin(), signature.bytes.end());
    return sync::encode(out);
}

}  // namespace gridsync::central
