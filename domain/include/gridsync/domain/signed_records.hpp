#pragma once
// What staff sign. Each record has a canonical byte form (cereal portable
// binary, little endian, fields in declaration order, a format version first)
// that the device signs and central rebuilds from the row to verify. Each
// signer signs in a context naming their role, so a verifier's signature can
// never stand in for a payer's.
#include <cstdint>
#include <optional>
#include <string>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

// Version history of the canonical record format:
//   1: first version.
inline constexpr std::uint16_t kSignedRecordVersion = 1;

inline constexpr crypto::SigningContext kPayerContext{"gridsync/payment/payer/v1"};
inline constexpr crypto::SigningContext kVerifierContext{"gridsync/payment/verifier/v1"};
inline constexpr crypto::SigningContext kCustodyFromContext{"gridsync/custody/from/v1"};
inline constexpr crypto::SigningContext kCustodyToContext{"gridsync/custody/to/v1"};
inline constexpr crypto::SigningContext kDeliveryContext{"gridsync/delivery/v1"};
inline constexpr crypto::SigningContext kShiftCheckContext{"gridsync/shift-check/v1"};
inline constexpr crypto::SigningContext kClosingContext{"gridsync/session-closing/v1"};
inline constexpr crypto::SigningContext kOpeningContext{"gridsync/session-opening/v1"};
// Signed with the key an enrolment code derives (crypto/enrolment_code.hpp).
inline constexpr crypto::SigningContext kStaffKeyEnrolmentContext{
    "gridsync/staff-key-enrolment/v1"};

struct PaymentRecord {
    std::string payment_id;
    std::string kind;  // payment | reversal
    std::string entitlement_id;
    std::string session_id;
    std::string reverses_payment_id;  // empty for a payment
    Fen amount_fen = 0;
    EpochMs paid_at_ms = 0;
    std::string recipient_kind;  // beneficiary | proxy
    std::string proxy_registration_id;
    std::string payer_staff_id;
    std::string verifier_staff_id;
    std::string ack_name;
    Bytes ack_image_hash;
    std::string override_reason;
    std::string reason;
};

struct CustodyRecord {
    std::string transfer_id;
    std::string certificate_id;
    std::string print_code;
    std::string kind;  // handover | return
    std::string from_staff_id;
    std::string to_staff_id;
    EpochMs at_ms = 0;
};

struct DeliveryRecord {
    std::string attempt_id;
    std::string certificate_id;
    std::string staff_id;
    EpochMs at_ms = 0;
    std::string outcome;  // delivered | failed
    std::string recipient_kind;
    std::string proxy_name;
    std::string proxy_relation;
    std::string recipient_id_last4;
    Bytes signature_image_hash;
    Bytes photo_hash;
    std::string failure_reason;
    EpochMs retry_on_ms = 0;
};

struct ShiftCheckRecord {
    std::string check_id;
    std::string staff_id;
    std::string community_id;
    std::string device_id;
    std::string kind;  // in | out
    EpochMs at_ms = 0;
};

struct ClosingRecord {
    std::string closing_id;
    std::string session_id;
    EpochMs closed_at_ms = 0;
    std::int64_t expected_count = 0, paid_count = 0, reversed_count = 0, unpaid_count = 0;
    Fen expected_fen = 0, paid_fen = 0, reversed_fen = 0, unpaid_fen = 0;
    Fen cash_issued_fen = 0, cash_returned_fen = 0, variance_fen = 0;
    std::string explanation;
};

// Both session staff vouch for the cash they take out (record tag 6).
struct OpeningRecord {
    std::string session_id;
    std::string disbursement_day_id;
    std::string device_id;
    std::string staff_a_id;
    std::string staff_b_id;
    EpochMs opened_at_ms = 0;
    Fen cash_issued_fen = 0;
    std::string cash_issued_notes;
};

// A person's key registered on one device, vouched for by the one-time code
// an admin issued to that person (record tag 7).
struct StaffKeyRecord {
    std::string key_id;
    std::string staff_id;
    std::string device_id;
    Bytes public_key;
    EpochMs enrolled_at_ms = 0;
};

Bytes canonical_bytes(const PaymentRecord& r);
Bytes canonical_bytes(const OpeningRecord& r);
Bytes canonical_bytes(const StaffKeyRecord& r);
Bytes canonical_bytes(const CustodyRecord& r);
Bytes canonical_bytes(const DeliveryRecord& r);
Bytes canonical_bytes(const ShiftCheckRecord& r);
Bytes canonical_bytes(const ClosingRecord& r);

// The second look at a row of `table` just written, on `db`'s state: the
// checks of the record's own verify_* function (its signatures with the keys
// their signers held on the recording device at the time, two distinct
// people, the rules the device checked). Central runs it on every row it
// applies; gridsync-audit on every row it replays from the log. A table
// without signed rows passes.
Status verify_signed_row(store::Database& db, const std::string& table, const std::string& id);
// Whether rows of `table` carry signatures verify_signed_row checks.
bool has_signed_rows(const std::string& table);

}  // namespace gridsync::domain
