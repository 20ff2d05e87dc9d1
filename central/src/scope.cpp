#include "scope.hpp"

#include <set>

namespace gridsync::central {

bool visible(Resolver& resolve, const Device& device, const std::string& table,
             const std::string& id) {
    // Reference data every device needs whole.
    static const std::set<std::string> everywhere = {"service_point", "certificate_type",
                                                     "aid_program"};
    if (everywhere.count(table))
        return true;
    if (table == "staff") {
        // A laptop sees its community's staff and those who serve every
        // community (service points, admins); a grid device its community's.
        const auto community = resolve.text("staff", id, "community_id");
        if (community)
            return *community == device.community_id;
        return device.role == "community_laptop";
    }
    if (device.role == "grid_device") {
        if (table == "community")
            return id == device.community_id;
        if (table == "grid")
            return id == device.grid_id ||
                   resolve.text("grid", id, "community_id") == device.community_id;
        static const std::set<std::string> grid_tables = {"household",          "resident",
                                                          "proxy_registration", "certificate",
                                                          "custody_transfer",   "delivery_attempt"};
        return grid_tables.count(table) && resolve.grid_of(table, id) == device.grid_id;
    }
    return resolve.community_of(table, id) == device.community_id;
}

}  // namespace gridsync::central
