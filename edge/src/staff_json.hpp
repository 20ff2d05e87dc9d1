#pragma once
// A person on a device's staff list as both of the edge's adapters show it
// (`gridsync-edge staff list --json` and the field app's /api/staff): one
// shape, so the CLI and the page never disagree on a field.
#include <boost/json.hpp>

#include "gridsync/domain/staff_keys.hpp"

namespace gridsync::edge {

inline boost::json::object staff_json(const domain::StaffEntry& s) {
    return {{"id", s.id},
            {"name", s.name},
            {"staff_number", s.staff_number},
            {"role", s.role},
            {"has_key", s.has_key}};
}

}  // namespace gridsync::edge
