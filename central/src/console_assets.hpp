#pragma once
// The web console's static files, built into the binary from central/console/
// (console_assets.cpp.in): no download and no folder to find at run time.
#include <optional>
#include <string_view>

namespace gridsync::central {

struct ConsoleAsset {
    std::string_view content_type;
    std::string_view body;
};

// "/admin/", "/admin/app.js", "/admin/app.css"; nullopt for anything else.
std::optional<ConsoleAsset> console_asset(std::string_view path);

}  // namespace gridsync::central
