#pragma once
// Certificate custody and door-to-door delivery (送证上门).
//
// at_center --handover (center staff -> grid leader, both sign)--> with_grid_leader
// with_grid_leader --delivery (recipient identified, grid leader signs)--> delivered
// with_grid_leader --failed attempt (reason, planned retry)--> with_grid_leader
// with_grid_leader --return (grid leader -> center staff, both sign)--> at_center
#include <optional>
#include <string>
#include <vector>

#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

struct IssueCertificate {
    std::string type_code;
    std::string resident_id;
    std::string print_code;  // printed as barcode / QR on the certificate
    // When the window finished it (the time limit counts from here); now if not given.
    std::optional<EpochMs> finished_at_ms;
};
// Returns the certificate id. Done at the center (by an admin or center staff).
Result<std::string> issue_certificate(store::Database& db, const Stamp& stamp,
                                      const IssueCertificate& in);

// Looks a certificate up by its printed code.
Result<std::string> certificate_by_print_code(store::Database& db, const std::string& print_code);

// The center hands a certificate to the grid leader of the resident's grid.
// Both sign. Returns the custody transfer id.
Result<std::string> hand_over(store::Database& db, const Stamp& stamp,
                              const std::string& certificate_id, const Signer& center_staff,
                              const Signer& grid_leader);

// The grid leader returns a certificate to the center. Both sign.
Result<std::string> return_to_center(store::Database& db, const Stamp& stamp,
                                     const std::string& certificate_id, const Signer& grid_leader,
                                     const Signer& center_staff);

enum class FailureReason { not_home, refused, moved, no_id, other };
std::optional<FailureReason> parse_failure_reason(const std::string& code);
std::string to_code(FailureReason r);

struct Location {
    double latitude;
    double longitude;
};

struct Delivery {
    std::string certificate_id;
    // The recipient: the resident, or a proxy (代领人) with name and relation.
    bool to_proxy = false;
    std::string proxy_name;
    std::string proxy_relation;       // spouse | child | parent | other
    std::string recipient_id_number;  // clear, checked then dropped: never stored
    Bytes signature_image;            // the recipient's signature, required
    Bytes photo;                      // optional
    std::optional<Location> location;
};
// Returns the delivery attempt id.
Result<std::string> deliver(store::Database& db, const Stamp& stamp, const Signer& grid_leader,
                            const Delivery& in, const crypto::SecureBuffer& id_key);

struct FailedAttempt {
    std::string certificate_id;
    FailureReason reason = FailureReason::not_home;
    EpochMs retry_on_ms = 0;  // the planned retry
    std::optional<Location> location;
};
Result<std::string> record_failed_attempt(store::Database& db, const Stamp& stamp,
                                          const Signer& grid_leader, const FailedAttempt& in);

struct OverdueCertificate {
    std::string certificate_id;
    std::string print_code;
    std::string resident_name;
    std::string state;
    EpochMs due_at_ms;
    std::int64_t days_overdue;
};
// Not delivered by their due time (限时办结): the end of the type's last
// working day after it was finished (calendar.hpp).
std::vector<OverdueCertificate> overdue_certificates(store::Database& db, EpochMs now_ms);

// A certificate as a person working with it sees it.
struct CertificateEntry {
    std::string id;
    std::string print_code;
    std::string state;  // at_center | with_grid_leader | delivered
    std::string type_name;
    std::string resident_id;
    std::string resident_name;
    std::string address;  // the resident's household
    std::string grid_name;
    std::optional<std::string> grid_leader_id;  // who takes it from the center
    std::optional<std::string> holder_id;
    std::string holder_name;  // "" while at the center
    EpochMs due_at_ms = 0;
    std::int64_t days_left = 0;  // calendar days to the due time; negative: overdue
    int failed_attempts = 0;
    std::string last_failure;  // the last failed attempt's reason code
    std::optional<EpochMs> retry_on_ms;
};
struct CertificateFilter {
    std::optional<std::string> state;
    std::optional<std::string> holder_id;  // held by this grid leader
};
// Overdue first, then by due time, address and print code.
std::vector<CertificateEntry> certificates(store::Database& db, const CertificateFilter& filter,
                                           EpochMs now_ms);

// Central's second look: both signatures of a transfer; the deliverer's
// signature, custody at the time, and grid leadership of an attempt.
Status verify_custody_transfer(store::Database& db, const std::string& transfer_id);
Status verify_delivery_attempt(store::Database& db, const std::string& attempt_id);

// Both checks over every record of a certificate; returns the ids that fail
// (empty is good).
std::vector<std::string> unverifiable_certificate_records(store::Database& db,
                                                          const std::string& certificate_id);

}  // namespace gridsync::domain
