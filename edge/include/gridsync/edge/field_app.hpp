#pragma once
// The field app: the pages a grid leader, the disbursement-day staff and a
// community's counter use, served by `gridsync-edge serve` on 127.0.0.1, and
// the JSON API under /api/ they call. A thin adapter over FieldService and
// SyncService; every asset is compiled in (edge/app/), nothing is loaded
// from elsewhere (CSP default-src 'self').
//
//   GET  /                         the app
//   GET  /api/status               device, sync state, what central said (no sign-in needed)
//   POST /api/sync                 a sync round now
//   GET  /api/staff                the people of this device, with whether each has a key here
//   POST /api/signin               {staff_id, pin}: the person's key unlocked for the session
//   GET  /api/me                   {csrf, people}
//   POST /api/signout              {staff_id?}: one person, or everyone
//   POST /api/keys                 {staff_id, code, pin, pin_again}: the person makes their key
//   GET  /api/certificates?holder=&state=
//   POST /api/handover             {codes[], from, from_pin, to, to_pin}
//   POST /api/deliveries           {code, leader, pin, id_number, signature_png, ...}
//   POST /api/failed-attempts      {code, leader, pin, reason, retry_days}
//   GET  /api/days
//   POST /api/sessions             {day, staff_a, pin_a, staff_b, pin_b, cash_yuan, notes}
//   GET  /api/sessions/ID          totals and payments
//   GET  /api/sessions/ID/find?q=  beneficiaries by name or the ID's last 4
//   POST /api/payments             {session, entitlement, id_number, ack_name, ack_png,
//                                   payer, payer_pin, verifier, verifier_pin}
//   POST /api/reversals            {payment, reason, payer, payer_pin, verifier, verifier_pin}
//   POST /api/sessions/ID/close    {returned_yuan, notes, unpaid_reason, explanation,
//                                   staff_a, pin_a, staff_b, pin_b}
//   POST /api/checks               {staff, pin, kind}
//   GET  /api/roster?staff=&from=&to=   GET /api/coverage?date=   GET /api/overdue
//   POST /api/ratings              {delivery_attempt_id | payment_id, level, comment}
//
// Sign-in is per person: their PIN unlocks their key (Argon2id, once) into
// sodium_malloc memory held by the browser's session; each signature after
// that asks the PIN again and checks it against a keyed digest kept beside
// the key (fast). A person not using their key for `person_idle_ms` is
// signed out; so is everyone when the session ends (idle, absolute, sign
// out). Wrong PINs count toward FieldService's lockout. Everything but the
// pages, /api/status, /api/staff, /api/signin and /api/keys needs a
// signed-in person; every change needs JSON and the session's CSRF token.
// The browser never receives an ID number: only the last 4 characters.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/edge/field_service.hpp"
#include "gridsync/edge/sync_service.hpp"
#include "gridsync/web/http.hpp"
#include "gridsync/web/sessions.hpp"

namespace gridsync::edge {

struct FieldAppOptions {
    web::SessionLimits session{20LL * 60 * 1000, 12LL * 3600 * 1000};
    domain::EpochMs person_idle_ms = 10LL * 60 * 1000;
    crypto::KdfParams kdf = crypto::KdfParams::interactive();  // for keys made on screen
};

class FieldApp {
  public:
    // `sync_now` runs (or asks the background syncer for) one round and
    // returns once it is done; empty: the app syncs on its own node.
    FieldApp(EdgeNode& node, domain::Clock& clock, FieldAppOptions options = {},
             std::function<void()> sync_now = {});
    ~FieldApp();

    // Any request; nothing escapes.
    web::HttpAnswer handle(const web::HttpCall& call) noexcept;

  private:
    struct Person;
    struct Session;
    using Sessions = web::SessionTable<std::unique_ptr<Session>>;

    web::HttpAnswer api(const web::HttpCall& call, const std::string& route);
    web::HttpAnswer signed_in_api(const web::HttpCall& call, const std::string& route,
                                  Sessions::Session& session);
    web::HttpAnswer sign_in(const web::HttpCall& call);
    web::HttpAnswer status();
    // The signer for `staff_id` in this session, once the PIN typed matches.
    Result<domain::Signer> confirm(Session& session, const std::string& staff_id,
                                   const std::string& pin);

    EdgeNode& node_;
    domain::Clock& clock_;
    FieldAppOptions options_;
    std::function<void()> sync_now_;
    FieldService field_;
    SyncService sync_;
    std::mutex mutex_;  // the node's one connection, the sessions
    Sessions sessions_;
};

}  // namespace gridsync::edge
