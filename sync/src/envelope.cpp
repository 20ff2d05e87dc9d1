#include "gridsync/sync/envelope.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <sstream>
#include <streambuf>

#include "gridsync/sync/errors.hpp"

namespace gridsync::sync {

namespace {

constexpr std::string_view kEntryHashContext = "gridsync/outbox-entry/v1";

// Reads a ByteView without copying it.
class ViewBuf final : public std::streambuf {
  public:
    explicit ViewBuf(ByteView b) {
        char* p = const_cast<char*>(reinterpret_cast<const char*>(b.data()));
        setg(p, p, p + b.size());
    }
    std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

struct DecodeError {
    Errc code;
    std::string message;
};

template <class Archive>
void save_bytes(Archive& ar, ByteView b) {
    ar(static_cast<std::uint64_t>(b.size()));
    ar(cereal::binary_data(b.data(), b.size()));
}

// Length-prefixed bytes, refused before allocation when longer than `max` or
// than what is left of the input.
template <class Out>
void load_bytes(cereal::PortableBinaryInputArchive& ar, const ViewBuf& buf, std::size_t max,
                Out& out, const char* what) {
    std::uint64_t n = 0;
    ar(n);
    if (n > max || n > buf.remaining()) {
        throw DecodeError{
            Errc::malformed_envelope,
            std::string(what) + " length " + std::to_string(n) + " exceeds its bound or the input"};
    }
    out.resize(static_cast<std::size_t>(n));
    ar(cereal::binary_data(out.data(), out.size()));
}

}  // namespace

Bytes encode(const ChangesetEnvelope& e) {
    std::ostringstream os(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive ar(
            os, cereal::PortableBinaryOutputArchive::Options::LittleEndian());
        ar(kEnvelopeVersion);
        save_bytes(ar, as_bytes(e.device_id));
        ar(e.seq);
        save_bytes(ar, e.prev_hash);
        ar(e.hlc, e.created_ms, e.schema_version);
        save_bytes(ar, e.changeset);
    }
    const std::string s = os.str();
    return Bytes(s.begin(), s.end());
}

Result<ChangesetEnvelope> decode_envelope(ByteView bytes) {
    ViewBuf buf(bytes);
    std::istream is(&buf);
    try {
        if (bytes.empty() || bytes[0] != 1) {
            return fail(Errc::malformed_envelope, "envelope is not little-endian portable binary");
        }
        cereal::PortableBinaryInputArchive ar(
            is, cereal::PortableBinaryInputArchive::Options::LittleEndian());
        std::uint16_t version = 0;
        ar(version);
        if (version != kEnvelopeVersion) {
            return fail(Errc::unsupported_version,
                        "envelope format version " + std::to_string(version) +
                            " is not supported; this build reads version " +
                            std::to_string(kEnvelopeVersion));
        }
        ChangesetEnvelope e;
        load_bytes(ar, buf, kMaxDeviceIdBytes, e.device_id, "device id");
        ar(e.seq);
        Bytes prev;
        load_bytes(ar, buf, e.prev_hash.size(), prev, "prev_hash");
        if (prev.size() != e.prev_hash.size())
            return fail(Errc::malformed_envelope, "prev_hash must be 32 bytes");
        std::copy(prev.begin(), prev.end(), e.prev_hash.begin());
        ar(e.hlc, e.created_ms, e.schema_version);
        load_bytes(ar, buf, kMaxChangesetBytes, e.changeset, "changeset");
        if (buf.remaining() != 0) {
            return fail(Errc::malformed_envelope,
                        std::to_string(buf.remaining()) + " trailing bytes after the envelope");
        }
        return e;
    } catch (const DecodeError& d) {
        return fail(d.code, d.message);
    } catch (const cereal::Exception& x) {
        return fail(Errc::malformed_envelope, std::string("envelope cut short: ") + x.what());
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
