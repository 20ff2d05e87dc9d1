#pragma once
// The admin HTTP JSON API and the web console, under /admin:
//
//   GET  /admin/                       the console (static files built into the binary)
//   POST /admin/api/login              {"login","password"} -> session cookie + {"csrf"}
//   POST /admin/api/logout
//   GET  /admin/api/me                 -> {"login","staff_id","csrf"}
//   GET  /admin/api/conflicts?state=&kind=&community=&min_age_hours=
//   GET  /admin/api/conflicts/ID       both sides, and the decisions its kind takes
//   POST /admin/api/conflicts/ID/resolve   {"decision","reason","payment_id"?}
//   GET  /admin/api/devices
//   POST /admin/api/devices/ID/revoke  {"reason"}
//   POST /admin/api/tokens             {"staff_id","role","community","grid"?,"ttl_hours"?}
//   GET  /admin/api/conflict-groups?...   conflicts by cause (one device entry)
//   POST /admin/api/conflict-groups/G/resolve   {"decision","reason"}: one decision for the group
//   GET  /admin/api/quarantine?all=1   entries refused for good, kept whole
//   POST /admin/api/quarantine/release  {"device","seq","reason"}: checked again, applied if it
//   passes imports, templates, approvals, scopes and reports: src/office_api.hpp
//
// A login checks the password against its Argon2id hash and unseals the
// admin's own key into sodium_malloc memory for the session: every change
// made through the API is signed by that admin, as on the command line. The
// session is a random token in an HttpOnly, SameSite=Strict cookie (only its
// digest is kept); each state-changing call must carry the session's CSRF
// token in X-CSRF-Token, and a login must be JSON (a cross-site form cannot
// send it). Sessions end after 30 idle minutes or 8 hours.
//
// Logins from outside are bounded and throttled (docs/SECURITY.md): a body
// over kLoginBodyLimit is refused before it is read, a name over
// kMaxLoginName bytes before any check and never stored whole; an unknown
// name costs the same Argon2id work as a known one; five failures for one
// name from one address within 15 minutes refuse that name from that
// address (an outsider cannot lock an admin out everywhere), and twenty
// from one address refuse the address. A check in progress counts as a
// failure until it is decided, so parallel guesses cannot overrun the
// limit. Every call is audited with the admin, the route and the outcome.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gridsync/central/admin.hpp"
#include "gridsync/central/quarantine.hpp"
#include "gridsync/central/router.hpp"
#include "gridsync/web/sessions.hpp"

namespace gridsync::central {

inline constexpr std::size_t kLoginBodyLimit = 4096;
inline constexpr std::size_t kMaxLoginName = 64;
inline constexpr std::size_t kMaxPassword = 1024;

struct AdminApiOptions {
    domain::EpochMs idle_ms = 30LL * 60 * 1000;
    domain::EpochMs absolute_ms = 8LL * 3600 * 1000;
    int max_failures = 5;               // per name and address
    int max_failures_per_address = 20;  // per address, all names
    domain::EpochMs failure_window_ms = 15LL * 60 * 1000;
};

class AdminApi {
  public:
    // `store_mutex` serializes the store with the sync routes.
    AdminApi(const CentralParts& parts, const CentralKeys& keys, domain::Clock& clock,
             std::mutex& store_mutex, QuarantineDesk& quarantine, AdminApiOptions options = {});
    // Any path under /admin; nothing escapes.
    HttpAnswer handle(const HttpCall& call);
    // Where routes that only read may run without the store's lock (the
    // router's readers): reports, the slowest of them. Unset: under it.
    using Reader = std::function<void(const std::function<void(CentralBackend&)>&)>;
    void set_reader(Reader read) { read_ = std::move(read); }

  private:
    // A session holds the admin's unlocked key (sodium_malloc memory).
    using Sessions = web::SessionTable<std::unique_ptr<AdminSigner>>;
    HttpAnswer login(const HttpCall& call);
    HttpAnswer api(const HttpCall& call, const std::string& route, Sessions::Session& session);
    void forget_stale(domain::EpochMs now);

    CentralParts parts_;
    const CentralKeys& keys_;
    domain::Clock& clock_;
    std::mutex& store_mutex_;
    QuarantineDesk& quarantine_;
    AdminApiOptions options_;
    Reader read_;
    std::mutex sessions_mutex_;
    Sessions sessions_;
    // Failed logins by "name\x1faddress" and by "\x1faddress"; checks in
    // progress by the same keys.
    std::map<std::string, std::vector<domain::EpochMs>> failures_;
    std::map<std::string, int> checking_;
};

}  // namespace gridsync::central
