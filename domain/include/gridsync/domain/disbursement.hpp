#pragma once
// Disbursement days (发放日) with two-person verification (经办人 + 复核人).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

struct OpenSession {
    std::string disbursement_day_id;
    std::string staff_a_id;
    std::string staff_b_id;
    Fen cash_issued_fen = 0;
    std::string cash_issued_notes;  // denomination counts, e.g. "10000x50,5000x20"
};
// Opens a session on this device for two distinct staff rostered for the day
// and checked in, and assigns it the day's entitlements not yet assigned to
// any session. Both sign the opening (OpeningRecord: the cash issued with
// it), as they sign the closing. Returns the session id.
Result<std::string> open_session(store::Database& db, const Stamp& stamp, const OpenSession& in,
                                 const Signer& staff_a, const Signer& staff_b);
// Central's second look at an opening: both staff's signatures with the keys
// they held on the opening device, two different people.
Status verify_opening(store::Database& db, const std::string& session_id);

struct PaymentInput {
    std::string entitlement_id;
    std::string session_id;
    Fen amount_fen = 0;
    // Identity: the beneficiary's ID number, or a registered proxy's.
    std::string recipient_id_number;  // clear, checked then dropped
    std::optional<std::string> proxy_registration_id;
    std::string ack_name;         // the recipient writes their name
    Bytes ack_image;              // signature or thumbprint image
    std::string override_reason;  // required to pay an entitlement assigned to another session
};
// Returns the payment id. Both staff sign the canonical payment record.
Result<std::string> record_payment(store::Database& db, const Stamp& stamp, const PaymentInput& in,
                                   const Signer& payer, const Signer& verifier,
                                   const crypto::SecureBuffer& id_key);

// Corrects a payment by a reversal record signed the same way.
Result<std::string> reverse_payment(store::Database& db, const Stamp& stamp,
                                    const std::string& payment_id, const std::string& reason,
                                    const Signer& payer, const Signer& verifier);

struct CloseSession {
    std::string session_id;
    Fen cash_returned_fen = 0;
    std::string cash_returned_notes;
    std::map<std::string, std::string> unpaid_reasons;  // entitlement id -> reason code
    // The reason of every unpaid entitlement not named above; empty: each
    // needs its own.
    std::string default_unpaid_reason;
    std::string explanation;  // required for a non-zero variance
};

struct Reconciliation {
    std::string closing_id;
    std::int64_t expected_count = 0, paid_count = 0, reversed_count = 0, unpaid_count = 0;
    Fen expected_fen = 0, paid_fen = 0, reversed_fen = 0, unpaid_fen = 0;
    Fen cash_issued_fen = 0, cash_returned_fen = 0, variance_fen = 0;
};
// Closes with a reconciliation both session staff sign:
// cash issued = (paid - reversed) + returned + variance.
Result<Reconciliation> close_session(store::Database& db, const Stamp& stamp,
                                     const CloseSession& in, const Signer& staff_a,
                                     const Signer& staff_b);

// "pending" until central accepts the entry that carried it; the sync layer
// knows which, so it is asked through this predicate.
struct PaymentView {
    std::string payment_id;
    std::string kind;
    std::string beneficiary_name;
    std::string program;
    Fen amount_fen;
    EpochMs paid_at_ms;
    bool reversed;
};
std::vector<PaymentView> session_payments(store::Database& db, const std::string& session_id);

// A community's disbursement days as the counter sees them.
struct DayEntry {
    std::string day_id;
    std::string local_date;
    bool approved = false;
    std::int64_t entitlements = 0;
    Fen total_fen = 0;
    struct Session {
        std::string id, state, device_id, staff_a_id, staff_b_id;
    };
    std::vector<Session> sessions;
};
std::vector<DayEntry> days_of(store::Database& db, const std::string& community_id);

// A beneficiary found at the counter, by name or the last 4 characters of
// the ID number, among the session's day.
struct BeneficiaryMatch {
    std::string entitlement_id;
    std::string resident_id;
    std::string resident_name;
    std::string id_last4;
    std::string program;  // the program's name
    Fen amount_fen = 0;
    bool paid = false;                      // an effective payment exists
    std::optional<std::string> session_id;  // the session it is assigned to
};
std::vector<BeneficiaryMatch> find_beneficiaries(store::Database& db, const std::string& session_id,
                                                 const std::string& query, int limit = 20);

// Running totals of a session: entitled, paid, reversed, still to pay.
struct SessionTotals {
    std::string session_id, state;
    Fen cash_issued_fen = 0;
    std::int64_t expected_count = 0, paid_count = 0, reversed_count = 0, unpaid_count = 0;
    Fen expected_fen = 0, paid_fen = 0, reversed_fen = 0, unpaid_fen = 0;
};
Result<SessionTotals> session_totals(store::Database& db, const std::string& session_id);

// Payments central voided as the duplicate of a double payment, with the
// amount to recover from the recipient.
struct RecoveryEntry {
    std::string payment_id;
    Fen amount_fen = 0;
    std::string state;
    std::string reason;
    std::string resident_name;
};
std::vector<RecoveryEntry> recoveries(store::Database& db);

// Central's second look at a recorded payment: both signatures against the
// staff keys on record, two different people, both rostered for the day,
// neither the list's maker nor of the beneficiary's household, the amount
// equal to the entitlement. (Check-in is the device's rule: central may not
// hold the check-ins yet.)
Status verify_payment(store::Database& db, const std::string& payment_id);

// Writes a payment row exactly as signed (`rec` in canonical form, its two
// signatures), with `stamp`'s device and HLC, checking nothing: what
// record_payment and reverse_payment end with, and what a tool building
// records another way (an audit export, an attack in a test) writes; the
// second look (verify_payment) is what judges it.
void insert_signed_payment(store::Database& db, const Stamp& stamp, const PaymentRecord& rec,
                           ByteView ack_image, const crypto::Signature& payer_sig,
                           const crypto::Signature& verifier_sig);
// Both session staff signed the closing, and the cash adds up.
Status verify_closing(store::Database& db, const std::string& closing_id);

// verify_payment over a whole session; returns the ids that fail (empty is good).
std::vector<std::string> unverifiable_payments(store::Database& db, const std::string& session_id);

}  // namespace gridsync::domain
