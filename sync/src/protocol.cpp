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

}  // namespace gridsync::sync
