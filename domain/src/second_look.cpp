#include <map>

#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/ratings.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "gridsync/domain/staff_keys.hpp"

namespace gridsync::domain {

namespace {

using Verify = Status (*)(store::Database&, const std::string&);

// Every table whose rows carry staff signatures, with its record's check.
const std::map<std::string, Verify>& verifiers() {
    static const std::map<std::string, Verify> all{
        {"payment", verify_payment},
        {"custody_transfer", verify_custody_transfer},
        {"delivery_attempt", verify_delivery_attempt},
        {"shift_check", verify_shift_check},
        {"session_closing", verify_closing},
        {"disbursement_session", verify_opening},
        {"staff_key", verify_staff_key},
        {"citizen_rating", verify_rating},
    };
    return all;
}

}  // namespace

bool has_signed_rows(const std::string& table) {
    return verifiers().count(table) > 0;
}

Status verify_signed_row(store::Database& db, const std::string& table, const std::string& id) {
    const auto it = verifiers().find(table);
    return it == verifiers().end() ? Status{} : it->second(db, id);
}

}  // namespace gridsync::domain
