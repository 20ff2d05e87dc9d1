#pragma once
// Corrections to residents and households made in the field: a grid leader
// or the community's counter updates a phone number, a misspelt name, a door
// number. Two devices may correct the same row while both are offline; central
// merges them column by column (docs/CONFLICTS.md).
#include <optional>
#include <string>

#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

struct ResidentEdit {
    std::optional<std::string> name;
    std::optional<std::string> phone;
};

Status edit_resident(store::Database& db, const Stamp& stamp, const std::string& resident_id,
                     const ResidentEdit& edit);
Status correct_address(store::Database& db, const Stamp& stamp, const std::string& household_id,
                       const std::string& address);

}  // namespace gridsync::domain
