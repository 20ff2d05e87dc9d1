#pragma once
// Static files built into a program (cmake/GridsyncAssets.cmake): no folder
// to find at run time, nothing downloaded, the same bytes the tests saw.
#include <optional>
#include <string_view>

namespace gridsync::web {

struct Asset {
    std::string_view content_type;
    std::string_view body;
};

}  // namespace gridsync::web
