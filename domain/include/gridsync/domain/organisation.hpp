#pragma once
// The subdistrict's organisation as people name it: grids are "第1网格",
// "第2网格", ... within a community, and people say "grid 1", not an id.
#include <optional>
#include <string>
#include <vector>

#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

struct GridRef {
    std::string id;
    std::string name;
    std::optional<int> number;  // N of "第N网格" in the name, if it has one
    std::optional<std::string> leader_staff_id;
};

// The number people use for a grid: N of "...第N网格" (ASCII digits), or
// nullopt for a name without one.
std::optional<int> grid_number(const std::string& grid_name);

// A community's grids in the order people count them: by number, then name
// (so 第2网格 comes before 第10网格).
std::vector<GridRef> grids_of(store::Database& db, const std::string& community_id);

// The grid `text` names in the community: a number as people say it ("1",
// "第1网格") or the grid's exact name. Failure not_found, listing what exists.
Result<GridRef> find_grid(store::Database& db, const std::string& community_id,
                          const std::string& text);

}  // namespace gridsync::domain
