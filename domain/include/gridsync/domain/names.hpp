#pragma once
// The things people name on a command line, by the codes they use rather
// than 36-character ids: a person by their staff number (工号), a
// disbursement day by its date, an entitlement by its programme and the
// last four characters of the beneficiary's ID number (what the card in
// front of the payer shows), a session as "the one open on this device".
// An id is always accepted too. Failures not_found, naming what exists
// when that helps.
#include <optional>
#include <string>

#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

Result<std::string> find_staff(store::Database& db, const std::string& text);

// In `community_id`: "2026-12-05" (or another way to write it) or an id.
Result<std::string> find_day(store::Database& db, const std::string& community_id,
                             const std::string& text);

// Within the day of `session_id`: "dibao:0019", "0019" (when only one
// programme matches), or an id.
Result<std::string> find_entitlement(store::Database& db, const std::string& session_id,
                                     const std::string& text);

// The same within a day.
Result<std::string> find_entitlement_on_day(store::Database& db, const std::string& day_id,
                                            const std::string& text);

// At central, with no session to go by: "C01/2026-12-05/dibao:0019" or an id.
Result<std::string> find_entitlement_anywhere(store::Database& db, const std::string& text);

// The one session open on `device_id`; or `text` when it names one (an id).
Result<std::string> find_session(store::Database& db, const std::string& device_id,
                                 const std::optional<std::string>& text);

}  // namespace gridsync::domain
