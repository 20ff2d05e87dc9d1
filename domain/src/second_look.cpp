#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ratings.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "gridsync/domain/staff_keys.hpp"

namespace gridsync::domain {

Status verify_signed_row(store::Database& db, const std::string& table, const std::string& id) {
    if (table == "payment")
        return verify_payment(db, id);
    if (table == "custody_transfer")
        return verify_custody_transfer(db, id);
    if (table == "delivery_attempt")
        return verify_delivery_attempt(db, id);
    if (table == "shift_check")
        return verify_shift_check(db, id);
    if (table == "session_closing")
        return verify_closing(db, id);
    if (table == "disbursement_session")
        return verify_opening(db, id);
    if (table == "staff_key")
        return verify_staff_key(db, id);
    if (table == "citizen_rating")
        return verify_rating(db, id);
    return {};
}

}  // namespace gridsync::domain
