#pragma once
// The field app's static files, built into gridsync-edge from edge/app/
// (cmake/GridsyncAssets.cmake): the app works with no network at all.
#include <optional>
#include <string_view>

#include "gridsync/web/assets.hpp"

namespace gridsync::edge {

// "/", "/app.js", "/app.css", ...; nullopt for anything else.
std::optional<web::Asset> app_asset(std::string_view path);

}  // namespace gridsync::edge
