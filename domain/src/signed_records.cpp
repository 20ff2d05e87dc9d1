#include "gridsync/domain/signed_records.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>

namespace gridsync::domain {

template <class Archive>
void serialize(Archive& ar, PaymentRecord& r) {
    ar(r.payment_id, r.kind, r.entitlement_id, r.session_id, r.reverses_payment_id, r.amount_fen,
       r.paid_at_ms, r.recipient_kind, r.proxy_registration_id, r.payer_staff_id,
       r.verifier_staff_id, r.ack_name, r.ack_image_hash, r.override_reason, r.reason);
}

template <class Archive>
void serialize(Archive& ar, CustodyRecord& r) {
    ar(r.transfer_id, r.certificate_id, r.print_code, r.kind, r.from_staff_id, r.to_staff_id,
       r.at_ms);
}

template <class Archive>
void serialize(Archive& ar, DeliveryRecord& r) {
    ar(r.attempt_id, r.certificate_id, r.staff_id, r.at_ms, r.outcome, r.recipient_kind,
       r.proxy_name, r.proxy_relation, r.recipient_id_last4, r.signature_image_hash, r.photo_hash,
       r.failure_reason, r.retry_on_ms);
}

template <class Archive>
void serialize(Archive& ar, ShiftCheckRecord& r) {
    ar(r.check_id, r.staff_id, r.community_id, r.device_id, r.kind, r.at_ms);
}

template <class Archive>
void serialize(Archive& ar, ClosingRecord& r) {
    ar(r.closing_id, r.session_id, r.closed_at_ms, r.expected_count, r.paid_count, r.reversed_count,
       r.unpaid_count, r.expected_fen, r.paid_fen, r.reversed_fen, r.unpaid_fen, r.cash_issued_fen,
       r.cash_returned_fen, r.variance_fen, r.explanation);
}

template <class Archive>
void serialize(Archive& ar, OpeningRecord& r) {
    ar(r.session_id, r.disbursement_day_id, r.device_id, r.staff_a_id, r.staff_b_id, r.opened_at_ms,
       r.cash_issued_fen, r.cash_issued_notes);
}

template <class Archive>
void serialize(Archive& ar, StaffKeyRecord& r) {
    ar(r.key_id, r.staff_id, r.device_id, r.public_key, r.enrolled_at_ms);
}

namespace {

// A record tag keeps two record kinds with equal fields from sharing bytes.
template <class Record>
Bytes encode(std::uint8_t tag, const Record& r) {
    std::ostringstream os(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive ar(
            os, cereal::PortableBinaryOutputArchive::Options::LittleEndian());
        Record copy = r;
        ar(kSignedRecordVersion, tag, copy);
    }
    const std::string s = os.str();
    return Bytes(s.begin(), s.end());
}

}  // namespace

Bytes canonical_bytes(const PaymentRecord& r) {
    return encode(1, r);
}
Bytes canonical_bytes(const CustodyRecord& r) {
    return encode(2, r);
}
Bytes canonical_bytes(const DeliveryRecord& r) {
    return encode(3, r);
}
Bytes canonical_bytes(const ShiftCheckRecord& r) {
    return encode(4, r);
}
Bytes canonical_bytes(const ClosingRecord& r) {
    return encode(5, r);
}
Bytes canonical_bytes(const OpeningRecord& r) {
    return encode(6, r);
}
Bytes canonical_bytes(const StaffKeyRecord& r) {
    return encode(7, r);
}

}  // namespace gridsync::domain
