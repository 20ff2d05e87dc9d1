#pragma once
// The web console's static files, built into the binary from central/console/
// (cmake/GridsyncAssets.cmake): no download and no folder to find at run time.
#include <optional>
#include <string_view>

#include "gridsync/web/assets.hpp"

namespace gridsync::central {

// "/admin/", "/admin/app.js", "/admin/app.css"; nullopt for anything else.
std::optional<web::Asset> console_asset(std::string_view path);

}  // namespace gridsync::central
