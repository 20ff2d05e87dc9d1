#pragma once
// Central's HTTP surface as a pure function of the request: the server
// (web/server.hpp) only moves bytes, and tests can call the router directly.
//
//   GET  /v1/health   -> {"status":"ok","protocol":1}
//   GET  /metrics     Prometheus text format (metrics.hpp): loopback, or the bearer token
//   POST /v1/enroll   body: EnrollRequest sealed to central's X25519 key
//   POST /v1/push     header X-Gridsync-Device; body: encrypted PushBatch
//   POST /v1/pull     header X-Gridsync-Device; body: encrypted Signed PullRequest
//   /admin/...        the admin API and web console (admin_api.hpp)
// Errors are JSON {"code":"category:number","message":"中文 / English"} with
// an HTTP status; nothing escapes handle().
#include <map>
#include <memory>
#include <mutex>

#include <string>
#include <vector>
#include "gridsync/central/readers.hpp"

#include "gridsync/central/ingest.hpp"
#include "gridsync/central/metrics.hpp"
#include "gridsync/central/parts.hpp"
#include "gridsync/central/pull.hpp"
#include "gridsync/crypto/kx.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/web/http.hpp"
#include "gridsync/web/server.hpp"

namespace gridsync::central {

// The shared HTTP values (web/http.hpp): central's handlers are pure
// functions of them.
using HttpCall = web::HttpCall;
using HttpAnswer = web::HttpAnswer;
using web::error_answer;

struct CentralKeys {
    crypto::SigningKey signing;
    crypto::KxKeyPair kx;
    crypto::SecureBuffer id_key;  // handed to enrolled devices, encrypted
    // Signs the verifiable log's checkpoints only (merkle_log.hpp): a key of
    // its own, so an auditor pins it apart from central's entry key.
    crypto::SigningKey log = crypto::SigningKey::generate();
};

class AdminApi;
class QuarantineDesk;

// Readers the router keeps at most: one per handler thread it may run
// (the server's --workers), beyond which a read waits for a free one.
inline constexpr std::size_t kReaders = 8;

class Router {
  public:
    // `backend` for the devices' routes, `parts` for enrollment and the admin API.
    Router(CentralBackend& backend, const CentralParts& parts, const CentralKeys& keys,
           domain::Clock& clock);
    ~Router();
    HttpAnswer handle(const HttpCall& call) noexcept;
    // Decides on a request's head, before its body is read (web::Admit): a
    // small body limit for every route but pushes and file imports, and a
    // push or pull from a device central does not know, or revoked, refused
    // at once. Devices are judged by the router's own copy of who is
    // enrolled and revoked (loaded at start, kept by enrollment and by every
    // device call), so an I/O thread never waits for the store; a device
    // revoked by another process meanwhile is refused after its body, within
    // the server's memory budget, and from its head after that.
    web::Admission admit(const HttpCall& head) noexcept;
    // A scraper off this machine presents "Authorization: Bearer TOKEN";
    // empty: /metrics answers 127.0.0.1 only.
    void set_metrics_token(std::string token) { metrics_token_ = std::move(token); }

  private:
    HttpAnswer metrics(const HttpCall& call);
    HttpAnswer enroll(const HttpCall& call);
    HttpAnswer device_call(const HttpCall& call);

    CentralBackend& backend_;
    CentralParts parts_;
    const CentralKeys& keys_;
    domain::Clock& clock_;
    Ingest ingest_;
    PullService pull_;
    std::unique_ptr<QuarantineDesk> quarantine_;
    // The one writer: calls that write (or read on it) take turns.
    std::mutex mutex_;
    // Reads that need not wait for it: pulls, /metrics (readers.hpp).
    ReaderPool readers_;
    // Reads on a reader, or on the writer under its lock when the backend has none.
    void read(const std::function<void(CentralBackend&)>& work);
    std::unique_ptr<AdminApi> admin_;
    // Device id -> revoked, for admit(); its own lock, never held long.
    std::mutex standings_mutex_;
    std::map<std::string, bool> standings_;
    void note_standing(const std::string& device_id, bool revoked);
    Metrics metrics_;
    std::string metrics_token_;
};

// The JSON error body with the HTTP status that goes with the failure's code.
HttpAnswer failure_answer(const Failure& f);

}  // namespace gridsync::central
