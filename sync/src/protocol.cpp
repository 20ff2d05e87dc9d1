#include "gridsync/sync/protocol.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <sstream>

#include "gridsync/sync/errors.hpp"
#include "wire.hpp"

namespace gridsync::sync {

namespace {

using wire::Reader;
using wire::Writer;

Writer begin(MessageType type) {
    Writer w;
    w.u16(kProtocolVersion);
    w.u8(static_cast<std::uint8_t>(type));
    return w;
}

Status expect_header(Reader& r, MessageType type) {
    const auto version = r.u16();
    if (version != kProtocolVersion) {
        return fail(Errc::unsupported_version,
                    "协议版本不符:收到 " + std::to_string(version) + ",本机为 " +
                        std::to_string(kProtocolVersion) + " / protocol version " +
                        std::to_string(version) + " received, this build speaks " +
                        std::to_string(kProtocolVersion));
    }
    if (r.u8() != static_cast<std::uint8_t>(type))
        return fail(Errc::malformed_envelope, "unexpected message type");
    return {};
}

template <class T, class F>
Result<T> decode(ByteView bytes, MessageType type, F&& body) {
    try {
        Reader r(bytes);
        if (auto st = expect_header(r, type); !st)
            return st.failure();
        T m = body(r);
        r.finish();
        return m;
    } catch (const wire::DecodeError& e) {
        return fail(Errc::malformed_envelope, e.message);
    }
}

void write_snapshot(Writer& w, const std::optional<SnapshotCursor>& s) {
    w.u8(s ? 1 : 0);
    if (!s)
        return;
    w.u64(s->at);
    w.u32(s->next.table);
    w.bytes(as_bytes(s->next.after_id));
}

std::optional<SnapshotCursor> read_snapshot(Reader& r) {
    const auto present = r.u8();
    if (present > 1)
        throw wire::DecodeError{"snapshot flag must be 0 or 1"};
    if (present == 0)
        return std::nullopt;
    SnapshotCursor s;
    s.at = r.u64();
    s.next.table = r.u32();
    s.next.after_id = r.string(kMaxDeviceIdBytes);
    return s;
}

}  // namespace

Bytes encode(const PushBatch& m) {
    Writer w = begin(MessageType::push_batch);
    w.count(m.entries.size());
    for (const auto& e : m.entries) {
        w.bytes(as_bytes(e.device_id));
        w.bytes(e.signature);
        w.bytes(e.envelope);
    }
    return w.finish();
}

Bytes encode(const PushAcks& m) {
    Writer w = begin(MessageType::push_acks);
    w.count(m.acks.size());
    for (const auto& a : m.acks) {
        w.u64(a.seq);
        w.u8(static_cast<std::uint8_t>(a.status));
        w.bytes(as_bytes(a.code));
        w.bytes(as_bytes(a.message));
    }
    w.i64(m.central_time_ms);
    return w.finish();
}

Result<PushBatch> decode_push_batch(ByteView bytes) {
    return decode<PushBatch>(bytes, MessageType::push_batch, [](Reader& r) {
        PushBatch m;
        const auto n = r.count(kMaxEntriesPerBatch);
        m.entries.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            SignedEntry e;
            e.device_id = r.string(kMaxDeviceIdBytes);
            e.signature = r.bytes(64);
            e.envelope = r.bytes(kMaxChangesetBytes + 4096);
            m.entries.push_back(std::move(e));
        }
        return m;
    });
}

Result<PushAcks> decode_push_acks(ByteView bytes) {
    return decode<PushAcks>(bytes, MessageType::push_acks, [](Reader& r) {
        PushAcks m;
        const auto n = r.count(kMaxEntriesPerBatch);
        for (std::uint64_t i = 0; i < n; ++i) {
            EntryAck a;
            a.seq = r.u64();
            const auto status = r.u8();
            if (status > static_cast<std::uint8_t>(AckStatus::rejected))
                throw wire::DecodeError{"unknown ack status"};
            a.status = static_cast<AckStatus>(status);
            a.code = r.string(256);
            a.message = r.string(4096);
            m.acks.push_back(std::move(a));
        }
        m.central_time_ms = r.i64();
        return m;
    });
}

Bytes encode(const PullRequest& m) {
    Writer w = begin(MessageType::pull_request);
    w.bytes(as_bytes(m.device_id));
    w.u64(m.cursor);
    w.u32(m.max_entries);
    w.i64(m.device_time_ms);
    w.u8(m.want_digest ? 1 : 0);
    write_snapshot(w, m.snapshot);
    return w.finish();
}

Result<PullRequest> decode_pull_request(ByteView bytes) {
    return decode<PullRequest>(bytes, MessageType::pull_request, [](Reader& r) {
        PullRequest m;
        m.device_id = r.string(kMaxDeviceIdBytes);
        m.cursor = r.u64();
        m.max_entries = r.u32();
        m.device_time_ms = r.i64();
        m.want_digest = r.u8() != 0;
        m.snapshot = read_snapshot(r);
        return m;
    });
}

Bytes encode(const PullBatch& m) {
    Writer w = begin(MessageType::pull_batch);
    w.u64(m.from_cursor);
    w.u64(m.to_cursor);
    w.u8(m.more ? 1 : 0);
    w.i64(m.central_time_ms);
    w.count(m.entries.size());
    for (const auto& e : m.entries) {
        w.u64(e.position);
        w.bytes(as_bytes(e.origin_device));
        w.i64(e.hlc);
        w.bytes(e.changeset);
    }
    write_snapshot(w, m.snapshot);
    w.bytes(m.scope_digest ? ByteView(*m.scope_digest) : ByteView());
    return w.finish();
}

Result<PullBatch> decode_pull_batch(ByteView bytes) {
    return decode<PullBatch>(bytes, MessageType::pull_batch, [](Reader& r) {
        PullBatch m;
        m.from_cursor = r.u64();
        m.to_cursor = r.u64();
        m.more = r.u8() != 0;
        m.central_time_ms = r.i64();
        const auto n = r.count(kMaxEntriesPerBatch);
        for (std::uint64_t i = 0; i < n; ++i) {
            PulledEntry e;
            e.position = r.u64();
            e.origin_device = r.string(kMaxDeviceIdBytes);
            e.hlc = r.i64();
            e.changeset = r.bytes(kMaxChangesetBytes);
            m.entries.push_back(std::move(e));
        }
        m.snapshot = read_snapshot(r);
        const Bytes digest = r.bytes(sizeof(Hash32));
        if (digest.size() == sizeof(Hash32)) {
            m.scope_digest.emplace();
            std::copy(digest.begin(), digest.end(), m.scope_digest->begin());
        } else if (!digest.empty()) {
            throw wire::DecodeError{"a scope digest is 32 bytes"};
        }
        return m;
    });
}

Bytes encode(const Signed& m) {
    Writer w;
    w.bytes(as_bytes(m.signer));
    w.bytes(m.signature);
    w.bytes(m.body);
    return w.finish();
}

Result<Signed> decode_signed(ByteView bytes) {
    try {
        Reader r(bytes);
        Signed m;
        m.signer = r.string(kMaxDeviceIdBytes);
        m.signature = r.bytes(64);
        m.body = r.bytes(kMaxBatchBytes);
        r.finish();
        return m;
    } catch (const wire::DecodeError& e) {
        return fail(Errc::malformed_envelope, e.message);
    }
}

}  // namespace gridsync::sync
