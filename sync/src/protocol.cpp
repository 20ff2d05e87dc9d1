#include "gridsync/sync/protocol.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <sstream>
#include <stdexcept>

#include "gridsync/sync/errors.hpp"
#include "wire.hpp"

namespace gridsync::sync {

namespace {

using wire::Reader;
using wire::Writer;

Writer begin(MessageType type, std::uint16_t version) {
    if (version < kOldestProtocolVersion || version > kProtocolVersion)
        throw std::logic_error("encoding a protocol version this build does not speak");
    Writer w;
    w.u16(version);
    w.u8(static_cast<std::uint8_t>(type));
    return w;
}

Result<std::uint16_t> expect_header(Reader& r, MessageType type) {
    const auto version = r.u16();
    if (version < kOldestProtocolVersion || version > kProtocolVersion) {
        const std::string range =
            std::to_string(kOldestProtocolVersion) + "-" + std::to_string(kProtocolVersion);
        return fail(Errc::unsupported_version, "协议版本不符:收到 " + std::to_string(version) +
                                                   ",本机支持 " + range + " / protocol version " +
                                                   std::to_string(version) +
                                                   " received, this build speaks " + range);
    }
    if (r.u8() != static_cast<std::uint8_t>(type))
        return fail(Errc::malformed_envelope, "unexpected message type");
    return version;
}

template <class T, class F>
Result<T> decode(ByteView bytes, MessageType type, F&& body) {
    try {
        Reader r(bytes);
        auto version = expect_header(r, type);
        if (!version)
            return version.failure();
        T m = body(r, *version);
        m.version = *version;
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

void write_epoch(Writer& w, const std::optional<CentralEpoch>& e) {
    const CentralEpoch none;
    const CentralEpoch& v = e ? *e : none;
    w.bytes(as_bytes(v.id));
    w.u64(v.base);
    w.u64(v.device_seq);
}

CentralEpoch read_epoch(Reader& r) {
    CentralEpoch e;
    e.id = r.string(64);
    e.base = r.u64();
    e.device_seq = r.u64();
    return e;
}

void write_hashes(Writer& w, const std::vector<tlog::Hash>& hashes) {
    w.count(hashes.size());
    for (const auto& h : hashes)
        w.raw(h);
}

std::vector<tlog::Hash> read_hashes(Reader& r) {
    const auto n = r.count(kMaxProofHashes);
    std::vector<tlog::Hash> out;
    out.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i)
        out.push_back(r.fixed<32>());
    return out;
}

}  // namespace

Bytes encode(const PushBatch& m) {
    Writer w = begin(MessageType::push_batch, m.version);
    w.count(m.entries.size());
    for (const auto& e : m.entries) {
        w.bytes(as_bytes(e.device_id));
        w.bytes(e.signature);
        w.bytes(e.envelope);
    }
    return w.finish();
}

Bytes encode(const PushAcks& m) {
    Writer w = begin(MessageType::push_acks, m.version);
    w.count(m.acks.size());
    for (const auto& a : m.acks) {
        w.u64(a.seq);
        // A version-2 device knows no quarantine: to it the entry is refused.
        const bool v2 = m.version < 3;
        w.u8(static_cast<std::uint8_t>(
            v2 && a.status == AckStatus::quarantined ? AckStatus::rejected : a.status));
        if (!v2)
            w.u8(a.transient ? 1 : 0);
        w.bytes(as_bytes(a.code));
        w.bytes(as_bytes(a.message));
        if (m.version >= 4) {
            w.u8(a.log_index ? 1 : 0);
            w.u64(a.log_index.value_or(0));
        }
    }
    w.i64(m.central_time_ms);
    if (m.version >= 3)
        write_epoch(w, m.epoch);
    return w.finish();
}

Result<PushBatch> decode_push_batch(ByteView bytes) {
    return decode<PushBatch>(bytes, MessageType::push_batch, [](Reader& r, std::uint16_t) {
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
    return decode<PushAcks>(bytes, MessageType::push_acks, [](Reader& r, std::uint16_t version) {
        PushAcks m;
        const auto n = r.count(kMaxEntriesPerBatch);
        const auto last = version >= 3 ? AckStatus::quarantined : AckStatus::rejected;
        for (std::uint64_t i = 0; i < n; ++i) {
            EntryAck a;
            a.seq = r.u64();
            const auto status = r.u8();
            if (status > static_cast<std::uint8_t>(last))
                throw wire::DecodeError{"unknown ack status"};
            a.status = static_cast<AckStatus>(status);
            if (version >= 3) {
                const auto transient = r.u8();
                if (transient > 1)
                    throw wire::DecodeError{"the transient flag must be 0 or 1"};
                a.transient = transient == 1;
            }
            a.code = r.string(256);
            a.message = r.string(4096);
            if (version >= 4) {
                const auto has_leaf = r.u8();
                const auto leaf = r.u64();
                if (has_leaf > 1)
                    throw wire::DecodeError{"the leaf flag must be 0 or 1"};
                if (has_leaf == 1)
                    a.log_index = leaf;
            }
            m.acks.push_back(std::move(a));
        }
        m.central_time_ms = r.i64();
        if (version >= 3)
            m.epoch = read_epoch(r);
        return m;
    });
}

Bytes encode(const PullRequest& m) {
    Writer w = begin(MessageType::pull_request, m.version);
    w.bytes(as_bytes(m.device_id));
    w.u64(m.cursor);
    w.u32(m.max_entries);
    w.i64(m.device_time_ms);
    w.u8(m.want_digest ? 1 : 0);
    write_snapshot(w, m.snapshot);
    if (m.version >= 3)
        w.u64(m.request_seq);
    if (m.version >= 4) {
        w.u64(m.verified_size);
        w.count(m.prove_seqs.size());
        for (auto seq : m.prove_seqs)
            w.u64(seq);
        w.bytes(as_bytes(m.cosignature));
    }
    if (m.version >= 5) {
        w.count(m.alarms.size());
        for (const auto& a : m.alarms) {
            w.u64(a.id);
            w.i64(a.at_ms);
            w.bytes(as_bytes(a.kind));
            w.bytes(as_bytes(a.detail));
            w.bytes(as_bytes(a.held_note));
            w.bytes(as_bytes(a.offered_note));
            w.i64(a.cleared_at_ms);
            w.bytes(as_bytes(a.cleared_reason));
        }
    }
    return w.finish();
}

Result<PullRequest> decode_pull_request(ByteView bytes) {
    return decode<PullRequest>(bytes, MessageType::pull_request,
                               [](Reader& r, std::uint16_t version) {
                                   PullRequest m;
                                   m.device_id = r.string(kMaxDeviceIdBytes);
                                   m.cursor = r.u64();
                                   m.max_entries = r.u32();
                                   m.device_time_ms = r.i64();
                                   m.want_digest = r.u8() != 0;
                                   m.snapshot = read_snapshot(r);
                                   if (version >= 3)
                                       m.request_seq = r.u64();
                                   if (version >= 4) {
                                       m.verified_size = r.u64();
                                       const auto n = r.count(kMaxProofsPerBatch);
                                       for (std::uint64_t i = 0; i < n; ++i)
                                           m.prove_seqs.push_back(r.u64());
                                       m.cosignature = r.string(1024);
                                   }
                                   if (version >= 5) {
                                       const auto n = r.count(kMaxAlarmReports);
                                       for (std::uint64_t i = 0; i < n; ++i) {
                                           AlarmReport a;
                                           a.id = r.u64();
                                           a.at_ms = r.i64();
                                           a.kind = r.string(64);
                                           a.detail = r.string(4096);
                                           a.held_note = r.string(kMaxNoteBytes);
                                           a.offered_note = r.string(kMaxNoteBytes);
                                           a.cleared_at_ms = r.i64();
                                           a.cleared_reason = r.string(4096);
                                           m.alarms.push_back(std::move(a));
                                       }
                                   }
                                   return m;
                               });
}

Bytes encode(const PullBatch& m) {
    Writer w = begin(MessageType::pull_batch, m.version);
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
    if (m.version >= 3)
        write_epoch(w, m.epoch);
    if (m.version >= 4) {
        w.u8(m.log ? 1 : 0);
        if (m.log) {
            w.bytes(as_bytes(m.log->log_key));
            w.bytes(as_bytes(m.log->checkpoint));
            write_hashes(w, m.log->consistency);
            w.count(m.log->inclusion.size());
            for (const auto& p : m.log->inclusion) {
                w.u64(p.seq);
                w.u64(p.leaf);
                write_hashes(w, p.path);
            }
        }
    }
    return w.finish();
}

Result<PullBatch> decode_pull_batch(ByteView bytes) {
    return decode<PullBatch>(bytes, MessageType::pull_batch, [](Reader& r, std::uint16_t version) {
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
        if (version >= 3)
            m.epoch = read_epoch(r);
        if (version >= 4) {
            const auto has_log = r.u8();
            if (has_log > 1)
                throw wire::DecodeError{"the log flag must be 0 or 1"};
            if (has_log == 1) {
                LogProofs log;
                log.log_key = r.string(1024);
                log.checkpoint = r.string(kMaxNoteBytes);
                log.consistency = read_hashes(r);
                const auto k = r.count(kMaxProofsPerBatch);
                for (std::uint64_t i = 0; i < k; ++i) {
                    InclusionProof p;
                    p.seq = r.u64();
                    p.leaf = r.u64();
                    p.path = read_hashes(r);
                    log.inclusion.push_back(std::move(p));
                }
                m.log = std::move(log);
            }
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
