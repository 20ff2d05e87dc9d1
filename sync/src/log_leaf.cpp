#include "gridsync/sync/log_leaf.hpp"

#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/errors.hpp"
#include "wire.hpp"

namespace gridsync::sync {
namespace {

constexpr std::size_t kMaxKey = 64;
constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxBody = kMaxChangesetBytes + 4096;

struct Encoder {
    wire::Writer& w;
    void operator()(const EntryLeaf& l) const {
        w.bytes(l.signature);
        w.bytes(l.envelope);
    }
    void operator()(const QuarantinedLeaf& l) const {
        w.bytes(l.decision);
        w.bytes(l.decision_signature);
    }
    void operator()(const AdminActionLeaf& l) const {
        w.bytes(as_bytes(l.login));
        w.bytes(l.body);
        w.bytes(l.signature);
    }
    void operator()(const DeviceKeyLeaf& l) const {
        for (const auto* s : {&l.device_id, &l.role, &l.staff_id, &l.community_id, &l.grid_id})
            w.bytes(as_bytes(*s));
        w.bytes(l.signing_key);
        w.bytes(l.kx_key);
        w.i64(l.enrolled_at_ms);
    }
    void operator()(const AdminKeyLeaf& l) const {
        w.bytes(as_bytes(l.login));
        w.bytes(as_bytes(l.staff_id));
        w.bytes(l.signing_key);
        w.bytes(as_bytes(l.created_by));
        w.i64(l.created_at_ms);
    }
    void operator()(const BaselineLeaf& l) const {
        w.bytes(as_bytes(l.table));
        w.i64(l.taken_at_ms);
        w.bytes(l.changeset);
    }
    void operator()(const EpochLeaf& l) const {
        w.bytes(as_bytes(l.epoch_id));
        w.u64(l.accepted_base);
        w.u64(l.restored_size);
        w.i64(l.at_ms);
    }
};

// The oldest leaf version that has `kind` (see the version history).
std::uint16_t version_of(LeafKind kind) {
    switch (kind) {
        case LeafKind::baseline:
            return 2;
        case LeafKind::epoch:
            return 3;
        default:
            return 1;
    }
}

}  // namespace

LeafKind kind_of(const LogLeaf& leaf) {
    return static_cast<LeafKind>(leaf.index() + 1);
}

Bytes encode(const LogLeaf& leaf) {
    wire::Writer w;
    w.u16(version_of(kind_of(leaf)));
    w.u8(static_cast<std::uint8_t>(kind_of(leaf)));
    std::visit(Encoder{w}, leaf);
    return w.finish();
}

Result<LogLeaf> decode_log_leaf(ByteView bytes) {
    try {
        wire::Reader r(bytes);
        const auto version = r.u16();
        if (version == 0 || version > kLogLeafVersion)
            return fail(Errc::unsupported_version,
                        "日志叶版本不受支持 / log leaf version " + std::to_string(version));
        LogLeaf out;
        const auto kind = r.u8();
        if (kind > 0 && version < version_of(static_cast<LeafKind>(kind)))
            return fail(Errc::malformed_envelope, "log leaf kind newer than its version");
        switch (kind) {
            case 1:
                out = EntryLeaf{r.bytes(kMaxKey), r.bytes(kMaxBody)};
                break;
            case 2: {
                QuarantinedLeaf q;
                q.decision = r.bytes(kMaxText);
                q.decision_signature = r.bytes(kMaxKey);
                out = std::move(q);
                break;
            }
            case 3: {
                AdminActionLeaf a;
                a.login = r.string(kMaxText);
                a.body = r.bytes(kMaxBody);
                a.signature = r.bytes(kMaxKey);
                out = std::move(a);
                break;
            }
            case 4: {
                DeviceKeyLeaf d;
                for (auto* s : {&d.device_id, &d.role, &d.staff_id, &d.community_id, &d.grid_id})
                    *s = r.string(kMaxText);
                d.signing_key = r.bytes(kMaxKey);
                d.kx_key = r.bytes(kMaxKey);
                d.enrolled_at_ms = r.i64();
                out = std::move(d);
                break;
            }
            case 5: {
                AdminKeyLeaf a;
                a.login = r.string(kMaxText);
                a.staff_id = r.string(kMaxText);
                a.signing_key = r.bytes(kMaxKey);
                a.created_by = r.string(kMaxText);
                a.created_at_ms = r.i64();
                out = std::move(a);
                break;
            }
            case 6: {
                BaselineLeaf b;
                b.table = r.string(kMaxText);
                b.taken_at_ms = r.i64();
                b.changeset = r.bytes(kMaxChangesetBytes);
                out = std::move(b);
                break;
            }
            case 7: {
                EpochLeaf e;
                e.epoch_id = r.string(kMaxKey);
                e.accepted_base = r.u64();
                e.restored_size = r.u64();
                e.at_ms = r.i64();
                out = std::move(e);
                break;
            }
            default:
                return fail(Errc::malformed_envelope, "unknown log leaf kind");
        }
        r.finish();
        return out;
    } catch (const wire::DecodeError& e) {
        return fail(Errc::malformed_envelope, "日志叶格式错误 / malformed log leaf: " + e.message);
    }
}

tlog::Hash entry_leaf_hash(ByteView signature, ByteView envelope) {
    return tlog::leaf_hash(encode(EntryLeaf{Bytes(signature.begin(), signature.end()),
                                            Bytes(envelope.begin(), envelope.end())}));
}

}  // namespace gridsync::sync
