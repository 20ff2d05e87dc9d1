#pragma once
// How bodies cross the network, and the seam that carries them.
//
// Resident data never crosses in clear. A device and central each hold an
// X25519 key pair; crypto_kx gives both the same two session keys, one per
// direction. Every request and response body is
//     nonce (24 random bytes) || XChaCha20-Poly1305(key, nonce, ad, plaintext)
// with ad = "gridsync/http/v1 " || direction ("request"|"response") || " " ||
// path || " " || device id, so a body cannot be replayed on another path,
// reflected back, or claimed by another device.
//
// Enrollment comes before any shared key: the request is sealed (crypto_box_seal)
// to central's X25519 key, which the admin hands over with the token; the
// answer is encrypted with the session keys derived from the device's X25519
// key inside the sealed request.
#include <map>
#include <string>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/kx.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/error.hpp"

namespace gridsync::sync {

enum class Direction { request, response };

Bytes seal_body(const crypto::SecureBuffer& key, Direction d, std::string_view path,
                std::string_view device_id, ByteView plaintext);
// Failure crypto decrypt_failed.
Result<Bytes> open_body(const crypto::SecureBuffer& key, Direction d, std::string_view path,
                        std::string_view device_id, ByteView body);

// What carries a call to central: HTTP in the programs, a direct call in tests.
class Transport {
  public:
    virtual ~Transport() = default;
    // POST `body` to `path` with `headers`; the response body on HTTP 200.
    // Failures: sync::Errc::transport_failed (no answer), remote_refused
    // (an error answer; its message carries central's code and words).
    virtual Result<Bytes> post(const std::string& path,
                               const std::map<std::string, std::string>& headers,
                               ByteView body) = 0;
};

inline constexpr const char* kDeviceHeader = "X-Gridsync-Device";

// Central's refusal of a call, from its HTTP status and JSON error body
// ({"code":"category:number","message":...,"retry":bool}, docs/PROTOCOL.md)
// to a failure the edge can act on: device_revoked for "gridsync.central:2";
// central_busy when central says a retry can help (or, without "retry", for
// 429, 503 and 504); else remote_refused. The message keeps central's code
// and words.
Failure refusal_from_answer(int http_status, ByteView body);

// enroll_request (type 5): bytes token, bytes device_name, bytes signing_key(32), bytes kx_key(32)
struct EnrollRequest {
    std::string token;
    std::string device_name;
    crypto::PublicKey signing_key;
    crypto::KxPublicKey kx_key;
};
// enroll_response (type 6): bytes device_id, bytes role, bytes staff_id, bytes community_id,
// bytes grid_id, bytes central_signing_key(32), bytes central_kx_key(32), bytes id_key(32)
// (id_key: the subdistrict's key for digesting resident ID numbers; it only
// ever travels inside the encrypted answer.)
struct EnrollResponse {
    std::string device_id;
    std::string role;
    std::string staff_id;
    std::string community_id;
    std::string grid_id;
    crypto::PublicKey central_signing_key;
    crypto::KxPublicKey central_kx_key;
    Bytes id_key;
};

Bytes encode(const EnrollRequest& m);
Bytes encode(const EnrollResponse& m);
Result<EnrollRequest> decode_enroll_request(ByteView bytes);
Result<EnrollResponse> decode_enroll_response(ByteView bytes);

}  // namespace gridsync::sync
