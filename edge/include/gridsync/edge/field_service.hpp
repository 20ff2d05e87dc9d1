#pragma once
// Every field workflow of an edge node as one service with typed inputs and
// results: certificate custody and delivery, disbursement sessions and
// payments, shifts, citizen ratings, corrections, staff keys. The command
// line (gridsync-edge) and the field app (field_app.hpp) are thin adapters
// over it: neither decides anything a workflow decides.
//
// Each write is one outbox entry (domain rule, capture, signature, chain in
// one IMMEDIATE transaction); a refusal records nothing. Signers come
// unlocked: the command line asks each PIN per command, the app keeps a
// signed-in person's key for their session (unlock() below either way, so
// wrong PINs are counted in one place).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ratings.hpp"
#include "gridsync/domain/residents.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/domain/staff_keys.hpp"
#include "gridsync/edge/node.hpp"

namespace gridsync::edge {

// Wrong PINs in a row before a person is locked out on this device, and for
// how long (docs/SECURITY.md). The key file never changes.
inline constexpr int kMaxPinFailures = 5;
inline constexpr domain::EpochMs kPinLockoutMs = 15 * 60 * 1000;

struct DeliveryInput {
    std::string print_code;
    bool to_proxy = false;
    std::string proxy_name;
    std::string proxy_relation;       // spouse | child | parent | other
    std::string recipient_id_number;  // clear, checked against the digest, never stored
    Bytes signature_image;            // the recipient's signature as drawn
    Bytes photo;                      // optional
    std::optional<domain::Location> location;
};

struct FailedAttemptInput {
    std::string print_code;
    domain::FailureReason reason = domain::FailureReason::not_home;
    int retry_in_days = 1;
    std::optional<domain::Location> location;
};

struct CloseInput {
    std::string session_id;
    domain::Fen cash_returned_fen = 0;
    std::string cash_returned_notes;
    // The reason of every entitlement still unpaid that is not named below;
    // empty: each needs its own.
    std::string unpaid_reason;
    std::map<std::string, std::string> unpaid_reasons;  // entitlement id -> reason
    std::string explanation;
};

struct Coverage {
    std::vector<domain::ShiftAttendance> shifts;
    std::vector<domain::Interval> gaps;
    std::vector<domain::DoublePresence> double_presence;
};

class FieldService {
  public:
    FieldService(EdgeNode& node, domain::Clock& clock) : node_(node), clock_(clock) {}

    EdgeNode& node() { return node_; }
    domain::EpochMs now() { return clock_.now_ms(); }

    // People and keys.
    std::vector<domain::StaffEntry> staff(const std::optional<std::string>& role = std::nullopt);
    // Unlocks a person's key on this device with their PIN. A wrong PIN is
    // counted; after kMaxPinFailures in a row the person is refused
    // (gridsync.domain:22, saying until when) for kPinLockoutMs.
    Result<crypto::SigningKey> unlock(const std::string& staff_id, const crypto::SecureBuffer& pin);
    // The same count for a PIN checked another way (the field app confirms
    // each signature of a signed-in person against their PIN in memory).
    Status pin_allowed(const std::string& staff_id);
    Failure pin_failed(const std::string& staff_id);
    void pin_ok(const std::string& staff_id);
    // The person makes their own key here with the code an admin issued to
    // them (docs/SECURITY.md). Returns the key's fingerprint.
    Result<std::string> enroll_key(const std::string& staff_id, const std::string& code,
                                   const crypto::SecureBuffer& pin,
                                   crypto::KdfParams kdf = crypto::KdfParams::interactive());

    // Certificates.
    std::vector<domain::CertificateEntry> certificates(const domain::CertificateFilter& filter);
    std::vector<domain::OverdueCertificate> overdue();
    Result<std::string> hand_over(const std::string& print_code, const domain::Signer& center_staff,
                                  const domain::Signer& grid_leader);
    Result<std::string> return_to_center(const std::string& print_code,
                                         const domain::Signer& grid_leader,
                                         const domain::Signer& center_staff);
    Result<std::string> deliver(const domain::Signer& grid_leader, const DeliveryInput& in);
    Result<std::string> fail_attempt(const domain::Signer& grid_leader,
                                     const FailedAttemptInput& in);

    // Disbursement days (community laptops only: refused elsewhere).
    std::vector<domain::DayEntry> days();
    Result<std::string> open_session(const domain::OpenSession& in, const domain::Signer& a,
                                     const domain::Signer& b);
    std::vector<domain::BeneficiaryMatch> find_beneficiaries(const std::string& session_id,
                                                             const std::string& query);
    Result<std::string> pay(const domain::PaymentInput& in, const domain::Signer& payer,
                            const domain::Signer& verifier);
    Result<std::string> reverse(const std::string& payment_id, const std::string& reason,
                                const domain::Signer& payer, const domain::Signer& verifier);
    Result<domain::Reconciliation> close_session(const CloseInput& in, const domain::Signer& a,
                                                 const domain::Signer& b);
    Result<domain::SessionTotals> session_totals(const std::string& session_id);
    std::vector<domain::PaymentView> session_payments(const std::string& session_id);
    std::vector<domain::RecoveryEntry> recoveries();

    // Shifts.
    Result<domain::CheckResult> check(const domain::Signer& staff, const std::string& kind,
                                      std::optional<domain::EpochMs> skew_override_ms = {},
                                      std::optional<domain::EpochMs> skew_bound_ms = {});
    std::vector<domain::RosterShiftView> roster(const std::optional<std::string>& staff_id,
                                                const std::string& from_date,
                                                const std::string& to_date);
    Coverage coverage(const std::string& local_date,
                      domain::EpochMs grace_ms = domain::kDefaultGraceMs);
    // month: "YYYY-MM".
    std::vector<domain::MonthlyAttendance> month(
        const std::string& month, domain::EpochMs grace_ms = domain::kDefaultGraceMs);

    // Residents' corrections and ratings.
    Status edit_resident(const std::string& resident_id, const domain::ResidentEdit& edit);
    Result<std::string> rate(const domain::RatingInput& in);

    // The id of the certificate with that print code.
    Result<std::string> certificate_id(const std::string& print_code);

    // Disbursement and shifts are a community laptop's: refused
    // (gridsync.domain:22) elsewhere. Every such workflow checks it; an
    // adapter may ask first, before it asks anyone for a PIN.
    Status require_laptop(const char* what);

  private:
    template <class T, class F>
    Result<T> record(F&& write);

    EdgeNode& node_;
    domain::Clock& clock_;
};

}  // namespace gridsync::edge
