#pragma once
// `report KIND` for both command lines: the reports library's four reports
// (docs/REPORTS.md) to the terminal, to JSON, or to CSV/.xlsx files.
#include <optional>
#include <string>

#include "gridsync/cli/support.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::cli {

// What a program may report on: central anything; an edge its community
// (and a grid device its grid), which is all it holds.
struct ReportLimits {
    std::string community_id;  // "" at central
    std::string grid_id;       // a grid device's grid
};

// Options: --month, --service-point, --community, --grid, --out, --format.
int report_command(store::Database& db, Args& args, Output& out, const ReportLimits& limits);

}  // namespace gridsync::cli
