#include "gridsync/sync/envelope.hpp"

#include "gridsync/sync/errors.hpp"
#include "wire.hpp"

namespace gridsync::sync {

namespace {
constexpr std::string_view kEntryHashContext = "gridsync/outbox-entry/v1";
}  // namespace

Bytes encode(const ChangesetEnvelope& e) {
    wire::Writer w;
    w.u16(e.version);
    w.bytes(as_bytes(e.device_id));
    w.u64(e.seq);
    w.bytes(e.prev_hash);
    w.i64(e.hlc);
    w.i64(e.created_ms);
    w.u32(e.schema_version);
    w.bytes(e.changeset);
    if (e.version >= 2) {
        w.u64(e.anchor_size);
        w.bytes(e.anchor_root);
    }
    return w.finish();
}

Result<ChangesetEnvelope> decode_envelope(ByteView bytes) {
    try {
        wire::Reader r(bytes);
        const auto version = r.u16();
        if (version < kOldestEnvelopeVersion || version > kEnvelopeVersion) {
            return fail(Errc::unsupported_version,
                        "envelope format version " + std::to_string(version) +
                            " is not supported; this build reads versions " +
                            std::to_string(kOldestEnvelopeVersion) + "-" +
                            std::to_string(kEnvelopeVersion));
        }
        ChangesetEnvelope e;
        e.version = version;
        e.device_id = r.string(kMaxDeviceIdBytes);
        e.seq = r.u64();
        const Bytes prev = r.bytes(e.prev_hash.size());
        if (prev.size() != e.prev_hash.size())
            return fail(Errc::malformed_envelope, "prev_hash must be 32 bytes");
        std::copy(prev.begin(), prev.end(), e.prev_hash.begin());
        e.hlc = r.i64();
        e.created_ms = r.i64();
        e.schema_version = r.u32();
        e.changeset = r.bytes(kMaxChangesetBytes);
        if (version >= 2) {
            e.anchor_size = r.u64();
            const Bytes root = r.bytes(e.anchor_root.size());
            if (root.size() != e.anchor_root.size())
                return fail(Errc::malformed_envelope, "anchor_root must be 32 bytes");
            std::copy(root.begin(), root.end(), e.anchor_root.begin());
        }
        r.finish();
        return e;
    } catch (const wire::DecodeError& d) {
        return fail(Errc::malformed_envelope, "malformed envelope: " + d.message);
    }
}

Hash32 entry_hash(ByteView envelope, const crypto::Signature& signature) {
    crypto::Blake2b h(32);
    const std::uint8_t len = static_cast<std::uint8_t>(kEntryHashContext.size());
    h.update(ByteView(&len, 1));
    h.update(as_bytes(kEntryHashContext));
    h.update(envelope);
    h.update(signature.view());
    const Bytes d = h.finish();
    Hash32 out;
    std::copy(d.begin(), d.end(), out.begin());
    return out;
}

}  // namespace gridsync::sync
