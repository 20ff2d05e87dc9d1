#pragma once
// Planning disbursement days at central: what is left unpaid at a day's
// closing moves, by its programme's rule (aid_program.unpaid_rule), to the
// community's next day. An entitlement is never copied: the same row moves,
// so "paid at most once" holds across days as it does within one.
#include <string>
#include <vector>

#include "gridsync/domain/money.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

struct CarriedOver {
    std::string entitlement_id;
    std::string beneficiary_name;
    std::string program_code;
    Fen amount_fen = 0;
    std::string from_day_id;
};

// Moves into `target_day_id` every entitlement of an earlier day of the same
// community that a closing of its current day listed unpaid with
// carried_over = 1, and that has no payment standing (payments less
// reversals, voided payments aside). Its session is cleared and the day it
// was first due kept (carried_from_day_id). Returns what moved.
std::vector<CarriedOver> carry_over_unpaid(store::Database& db, const Stamp& stamp,
                                           const std::string& target_day_id);

}  // namespace gridsync::domain
