#pragma once
// Citizen ratings (群众评议): right after a delivery or a payment, the
// resident may rate the service in five levels (非常满意 ... 非常不满意) with
// an optional comment. The rating is the resident's, not a staff record: no
// staff signature; it names the person who served them (the deliverer, the
// payer) and feeds the monthly assessment (三考两评).
#include <optional>
#include <string>

#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

enum class RatingLevel {
    very_satisfied,
    satisfied,
    basically_satisfied,
    dissatisfied,
    very_dissatisfied
};
std::optional<RatingLevel> parse_rating_level(const std::string& code);
std::string to_code(RatingLevel l);
std::string chinese_name(RatingLevel l);  // 非常满意 ... 非常不满意

struct RatingInput {
    // Exactly one of them: the event rated.
    std::string delivery_attempt_id;
    std::string payment_id;
    RatingLevel level = RatingLevel::satisfied;
    std::string comment;  // optional, at most 200 characters
};
// Refused: no such event, an event that is not a delivery or a payment, an
// event rated already (wrong_state), a comment that is too long or holds
// control characters (bad_input). Returns the rating id.
Result<std::string> rate_service(store::Database& db, const Stamp& stamp, const RatingInput& in);

// Central's second look: the staff named is the one who served, the event
// is a delivery (not a failed attempt) or a payment (not a reversal).
Status verify_rating(store::Database& db, const std::string& rating_id);

}  // namespace gridsync::domain
