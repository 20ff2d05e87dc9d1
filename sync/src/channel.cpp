#include "gridsync/sync/channel.hpp"

#include <boost/json.hpp>

#include "gridsync/crypto/aead.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/sync/protocol.hpp"
#include "gridsync/sync/refusals.hpp"
#include "wire.hpp"

namespace gridsync::sync {

namespace {

Bytes associated(Direction d, std::string_view path, std::string_view device_id) {
    std::string ad = "gridsync/http/v1 ";
    ad += d == Direction::request ? "request " : "response ";
    ad += path;
    ad += ' ';
    ad += device_id;
    return to_bytes(ad);
}

// Enrollment's layout has not changed since version 3: it is written as 3,
// so a build of any later version enrolls with a central of version 3, and
// read from any version this build speaks.
constexpr std::uint16_t kEnrollmentVersion = 3;

void header(wire::Writer& w, MessageType t) {
    w.u16(kEnrollmentVersion);
    w.u8(static_cast<std::uint8_t>(t));
}

void expect(wire::Reader& r, MessageType t) {
    const auto v = r.u16();
    if (v < kEnrollmentVersion || v > kProtocolVersion) {
        throw wire::DecodeError{
            "protocol version " + std::to_string(v) + " received, this build enrolls with " +
            std::to_string(kEnrollmentVersion) + "-" + std::to_string(kProtocolVersion)};
    }
    if (r.u8() != static_cast<std::uint8_t>(t))
        throw wire::DecodeError{"unexpected message type"};
}

template <class Key>
Key key_from(const Bytes& b) {
    auto k = Key::from(b);
    if (!k)
        throw wire::DecodeError{"a key must be 32 bytes"};
    return *k;
}

}  // namespace

Bytes seal_body(const crypto::SecureBuffer& key, Direction d, std::string_view path,
                std::string_view device_id, ByteView plaintext) {
    const crypto::AeadNonce nonce = crypto::random_nonce();
    Bytes out(nonce.begin(), nonce.end());
    const Bytes ct = crypto::aead_encrypt(key, nonce, associated(d, path, device_id), plaintext);
    out.insert(out.end(), ct.begin(), ct.end());
    return out;
}

Result<Bytes> open_body(const crypto::SecureBuffer& key, Direction d, std::string_view path,
                        std::string_view device_id, ByteView body) {
    if (body.size() < crypto::kAeadNonceBytes + crypto::kAeadTagBytes) {
        return fail(crypto::Errc::decrypt_failed, "body shorter than nonce and tag");
    }
    crypto::AeadNonce nonce;
    std::copy(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(nonce.size()),
              nonce.begin());
    return crypto::aead_decrypt(key, nonce, associated(d, path, device_id),
                                body.subspan(nonce.size()));
}

Bytes encode(const EnrollRequest& m) {
    wire::Writer w;
    header(w, MessageType::enroll_request);
    w.bytes(as_bytes(m.token));
    w.bytes(as_bytes(m.device_name));
    w.bytes(m.signing_key.view());
    w.bytes(m.kx_key.view());
    return w.finish();
}

Bytes encode(const EnrollResponse& m) {
    wire::Writer w;
    header(w, MessageType::enroll_response);
    for (const auto* s : {&m.device_id, &m.role, &m.staff_id, &m.community_id, &m.grid_id})
        w.bytes(as_bytes(*s));
    w.bytes(m.central_signing_key.view());
    w.bytes(m.central_kx_key.view());
    w.bytes(m.id_key);
    return w.finish();
}

Result<EnrollRequest> decode_enroll_request(ByteView bytes) {
    try {
        wire::Reader r(bytes);
        expect(r, MessageType::enroll_request);
        EnrollRequest m;
        m.token = r.string(256);
        m.device_name = r.string(256);
        m.signing_key = key_from<crypto::PublicKey>(r.bytes(32));
        m.kx_key = key_from<crypto::KxPublicKey>(r.bytes(32));
        r.finish();
        return m;
    } catch (const wire::DecodeError& e) {
        return fail(Errc::malformed_envelope, e.message);
    }
}

Result<EnrollResponse> decode_enroll_response(ByteView bytes) {
    try {
        wire::Reader r(bytes);
        expect(r, MessageType::enroll_response);
        EnrollResponse m;
        for (auto* s : {&m.device_id, &m.role, &m.staff_id, &m.community_id, &m.grid_id})
            *s = r.string(256);
        m.central_signing_key = key_from<crypto::PublicKey>(r.bytes(32));
        m.central_kx_key = key_from<crypto::KxPublicKey>(r.bytes(32));
        m.id_key = r.bytes(32);
        if (m.id_key.size() != 32)
            throw wire::DecodeError{"the ID key must be 32 bytes"};
        r.finish();
        return m;
    } catch (const wire::DecodeError& e) {
        return fail(Errc::malformed_envelope, e.message);
    }
}

Failure refusal_from_answer(int http_status, ByteView body) {
    std::string code, message = std::string(as_chars(body));
    std::optional<bool> retry;
    boost::system::error_code ec;
    const auto json = boost::json::parse(std::string_view(as_chars(body)), ec);
    if (!ec && json.is_object()) {
        const auto& o = json.as_object();
        if (auto* c = o.if_contains("code"); c && c->is_string())
            code = std::string(c->as_string());
        if (auto* m = o.if_contains("message"); m && m->is_string())
            message = std::string(m->as_string());
        if (auto* r = o.if_contains("retry"); r && r->is_bool())
            retry = r->as_bool();
    }
    const auto refusal = refusal_of(code);
    Errc kind = Errc::remote_refused;
    if (refusal == Refusal::revoked)
        kind = Errc::device_revoked;
    else if (retry.value_or(http_status == 429 || http_status == 503 || http_status == 504))
        kind = Errc::central_busy;
    return Failure{kind, "HTTP " + std::to_string(http_status) + " " + code + " " + message};
}

}  // namespace gridsync::sync
