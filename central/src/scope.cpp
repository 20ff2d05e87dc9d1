#include "scope.hpp"

#include <set>

namespace gridsync::central {

bool visible(Resolver& resolve, const Device& device, const std::string& table,
             const std::string& id) {
    // Reference data every device needs whole.
    static const std::set<std::string> everywhere = {"service_point", "certificate_type",
                                                     "aid_program", "calendar_day"};
    if (everywhere.count(table))
        return true;
    if (table == "staff_key") {
        const auto staff = resolve.text("staff_key", id, "staff_id");
        return staff && visible(resolve, device, "staff", *staff);
    }
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
        static const std::set<std::string> grid_tables = {
            "household",        "resident",         "proxy_registration", "certificate",
            "custody_transfer", "delivery_attempt", "citizen_rating"};
        return grid_tables.count(table) && resolve.grid_of(table, id) == device.grid_id;
    }
    return resolve.community_of(table, id) == device.community_id;
}

sync::ScopeQuery scope_query(const Device& device) {
    // ?1 the device's community, ?2 its grid. Each subquery follows the
    // parent chain `Resolver` follows row by row.
    const bool grid_device = device.role == "grid_device";
    const std::string households =
        grid_device ? "SELECT id FROM household WHERE grid_id = ?2"
                    : "SELECT id FROM household WHERE grid_id IN (SELECT id FROM grid WHERE "
                      "community_id = ?1)";
    const std::string residents =
        "SELECT id FROM resident WHERE household_id IN (" + households + ")";
    const std::string certificates =
        "SELECT id FROM certificate WHERE resident_id IN (" + residents + ")";
    const std::string days = "SELECT id FROM disbursement_day WHERE community_id = ?1";
    const std::string sessions =
        "SELECT id FROM disbursement_session WHERE disbursement_day_id IN (" + days + ")";
    const std::string payments = "SELECT id FROM payment WHERE session_id IN (" + sessions + ")";
    const std::string closings =
        "SELECT id FROM session_closing WHERE session_id IN (" + sessions + ")";
    std::map<std::string, std::string> where = {
        {"service_point", ""},
        {"certificate_type", ""},
        {"aid_program", ""},
        {"calendar_day", ""},
        {"community", "id = ?1"},
        {"household", "id IN (" + households + ")"},
        {"resident", "household_id IN (" + households + ")"},
        {"proxy_registration", "resident_id IN (" + residents + ")"},
        {"certificate", "resident_id IN (" + residents + ")"},
        {"custody_transfer", "certificate_id IN (" + certificates + ")"},
        {"delivery_attempt", "certificate_id IN (" + certificates + ")"},
    };
    const std::string deliveries =
        "SELECT id FROM delivery_attempt WHERE certificate_id IN (" + certificates + ")";
    if (grid_device) {
        where["grid"] = "id = ?2 OR community_id = ?1";
        where["staff"] = "community_id = ?1";
    } else {
        where["grid"] = "community_id = ?1";
        where["staff"] = "community_id = ?1 OR community_id IS NULL";
    }
    where["staff_key"] = "staff_id IN (SELECT id FROM staff WHERE " + where["staff"] + ")";
    // A grid device holds its deliveries' ratings; a laptop its community's,
    // of deliveries and payments.
    where["citizen_rating"] = "delivery_attempt_id IN (" + deliveries + ")";
    if (!grid_device) {
        where["disbursement_day"] = "community_id = ?1";
        where["roster_shift"] = "community_id = ?1";
        where["shift_check"] = "community_id = ?1";
        where["disbursement_roster"] = "disbursement_day_id IN (" + days + ")";
        where["disbursement_session"] = "disbursement_day_id IN (" + days + ")";
        where["entitlement"] = "disbursement_day_id IN (" + days + ")";
        where["payment"] = "session_id IN (" + sessions + ")";
        where["session_closing"] = "session_id IN (" + sessions + ")";
        where["unpaid_entitlement"] = "closing_id IN (" + closings + ")";
        where["payment_void"] = "payment_id IN (" + payments + ")";
        where["recovery_task"] = "payment_id IN (" + payments + ")";
        where["citizen_rating"] =
            "delivery_attempt_id IN (" + deliveries + ") OR payment_id IN (" + payments + ")";
    }
    return {[where = std::move(where)](const std::string& table) {
                auto it = where.find(table);
                return it == where.end() ? std::string("0") : it->second;
            },
            {device.community_id, device.grid_id}};
}

}  // namespace gridsync::central
