#include "gridsync/domain/reference.hpp"

#include <map>

#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/shifts.hpp"

namespace gridsync::domain {

namespace {

std::optional<std::string> from_words(const std::map<std::string, std::string>& words,
                                      const std::string& word) {
    auto it = words.find(word);
    if (it != words.end())
        return it->second;
    for (const auto& [w, code] : words) {
        if (code == word)
            return code;
    }
    return std::nullopt;
}

// The update of an existing row when anything differs: `set` is the SET
// list for ?2.. and `differs` the matching test; ?1 is the id and the stamp
// takes the two parameters after the values.
template <class... Values>
Change update_if_different(store::Database& db, const Stamp& stamp, const char* table,
                           const std::string& id, const std::vector<std::string>& columns,
                           const Values&... values) {
    std::string set, differs;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const std::string p = "?" + std::to_string(i + 2);
        set += columns[i] + " = " + p + ", ";
        differs += std::string(i ? " OR " : "") + columns[i] + " IS NOT " + p;
    }
    const std::string dev = "?" + std::to_string(columns.size() + 2);
    const std::string hlc = "?" + std::to_string(columns.size() + 3);
    db.execute(std::string("UPDATE ") + table + " SET " + set + "origin_device = " + dev +
                   ", hlc = " + hlc + " WHERE id = ?1 AND (" + differs + ")",
               id, values..., stamp.device_id, stamp.hlc.packed);
    return db.changes() > 0 ? Change::updated : Change::unchanged;
}

}  // namespace

Put put_service_point(store::Database& db, const Stamp& stamp, const ServicePointInput& in) {
    // A point known by name before it had a code (the demo's) takes the code.
    auto id = db.query_value<std::string>(
        "SELECT id FROM service_point WHERE code = ?1 UNION ALL SELECT id FROM service_point "
        "WHERE code IS NULL AND name = ?2 LIMIT 1",
        in.code, in.name);
    if (!id) {
        const std::string nid = new_id(stamp.now_ms);
        db.execute(
            "INSERT INTO service_point(id, name, code, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, "
            "?5)",
            nid, in.name, in.code, stamp.device_id, stamp.hlc.packed);
        return {nid, Change::created};
    }
    return {*id, update_if_different(db, stamp, "service_point", *id, {"code", "name"}, in.code,
                                     in.name)};
}

Put put_community(store::Database& db, const Stamp& stamp, const CommunityInput& in) {
    auto id = db.query_value<std::string>("SELECT id FROM community WHERE code = ?1", in.code);
    if (!id) {
        const std::string nid = new_id(stamp.now_ms);
        db.execute(
            "INSERT INTO community(id, code, name, service_point_id, opens_at_minute, "
            "closes_at_minute, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            nid, in.code, in.name, in.service_point_id, in.opens_at_minute.value_or(540),
            in.closes_at_minute.value_or(1020), stamp.device_id, stamp.hlc.packed);
        return {nid, Change::created};
    }
    const auto opens =
        in.opens_at_minute
            ? *in.opens_at_minute
            : *db.query_value<int>("SELECT opens_at_minute FROM community WHERE id = ?1", *id);
    const auto closes =
        in.closes_at_minute
            ? *in.closes_at_minute
            : *db.query_value<int>("SELECT closes_at_minute FROM community WHERE id = ?1", *id);
    return {*id,
            update_if_different(db, stamp, "community", *id,
                                {"name", "service_point_id", "opens_at_minute", "closes_at_minute"},
                                in.name, in.service_point_id, opens, closes)};
}

Put put_grid(store::Database& db, const Stamp& stamp, const std::string& community_id,
             const std::string& name) {
    if (auto id = db.query_value<std::string>(
            "SELECT id FROM grid WHERE community_id = ?1 AND name = ?2", community_id, name))
        return {*id, Change::unchanged};
    const std::string nid = new_id(stamp.now_ms);
    db.execute(
        "INSERT INTO grid(id, community_id, name, leader_staff_id, origin_device, hlc) VALUES (?1, "
        "?2, ?3, NULL, ?4, ?5)",
        nid, community_id, name, stamp.device_id, stamp.hlc.packed);
    return {nid, Change::created};
}

Put put_staff(store::Database& db, const Stamp& stamp, const StaffInput& in) {
    auto id = db.query_value<std::string>("SELECT id FROM staff WHERE staff_number = ?1",
                                          in.staff_number);
    if (!id) {
        const std::string nid = new_id(stamp.now_ms);
        db.execute(
            "INSERT INTO staff(id, name, role, community_id, service_point_id, household_id, "
            "active, staff_number, phone, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, NULL, "
            "?6, ?7, ?8, ?9, ?10)",
            nid, in.name, in.role, in.community_id, in.service_point_id, in.active ? 1 : 0,
            in.staff_number, in.phone, stamp.device_id, stamp.hlc.packed);
        return {nid, Change::created};
    }
    return {*id,
            update_if_different(
                db, stamp, "staff", *id,
                {"name", "role", "community_id", "service_point_id", "phone", "active"}, in.name,
                in.role, in.community_id, in.service_point_id, in.phone, in.active ? 1 : 0)};
}

Change set_grid_leader(store::Database& db, const Stamp& stamp, const std::string& grid_id,
                       const std::string& staff_id) {
    return update_if_different(db, stamp, "grid", grid_id, {"leader_staff_id"}, staff_id);
}

PutResident put_resident(store::Database& db, const Stamp& stamp, const ResidentInput& in) {
    PutResident out;
    auto household = db.query_value<std::string>(
        "SELECT id FROM household WHERE grid_id = ?1 AND address = ?2", in.grid_id, in.address);
    if (!household) {
        household = new_id(stamp.now_ms);
        db.execute(
            "INSERT INTO household(id, grid_id, address, origin_device, hlc) VALUES (?1, ?2, ?3, "
            "?4, ?5)",
            *household, in.grid_id, in.address, stamp.device_id, stamp.hlc.packed);
        out.household_created = true;
    }
    auto id =
        db.query_value<std::string>("SELECT id FROM resident WHERE id_digest = ?1", in.id_digest);
    if (!id) {
        const std::string nid = new_id(stamp.now_ms);
        db.execute(
            R"(INSERT INTO resident(id, household_id, name, id_digest, id_last4, phone, origin_device, hlc)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))",
            nid, *household, in.name, in.id_digest, in.id_last4, in.phone, stamp.device_id,
            stamp.hlc.packed);
        out.resident = {nid, Change::created};
        return out;
    }
    const auto phone = in.phone ? in.phone
                                : db.query_value<std::optional<std::string>>(
                                        "SELECT phone FROM resident WHERE id = ?1", *id)
                                      .value_or(std::nullopt);
    out.resident = {
        *id, update_if_different(db, stamp, "resident", *id, {"household_id", "name", "phone"},
                                 *household, in.name, phone)};
    return out;
}

Put put_proxy(store::Database& db, const Stamp& stamp, const ProxyInput& in) {
    auto id = db.query_value<std::string>(
        "SELECT id FROM proxy_registration WHERE resident_id = ?1 AND proxy_id_digest = ?2",
        in.resident_id, in.proxy_id_digest);
    if (!id) {
        const std::string nid = new_id(stamp.now_ms);
        db.execute(
            R"(INSERT INTO proxy_registration(id, resident_id, proxy_name, relation, proxy_id_digest,
                          proxy_id_last4, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))",
            nid, in.resident_id, in.proxy_name, in.relation, in.proxy_id_digest, in.proxy_id_last4,
            stamp.device_id, stamp.hlc.packed);
        return {nid, Change::created};
    }
    return {*id, update_if_different(db, stamp, "proxy_registration", *id,
                                     {"proxy_name", "relation"}, in.proxy_name, in.relation)};
}

Put put_program(store::Database& db, const Stamp& stamp, const ProgramInput& in) {
    auto id = db.query_value<std::string>("SELECT id FROM aid_program WHERE code = ?1", in.code);
    if (!id) {
        const std::string nid = new_id(stamp.now_ms);
        db.execute(
            "INSERT INTO aid_program(id, code, name, unpaid_rule, origin_device, hlc) VALUES (?1, "
            "?2, ?3, ?4, ?5, ?6)",
            nid, in.code, in.name, in.unpaid_rule, stamp.device_id, stamp.hlc.packed);
        return {nid, Change::created};
    }
    return {*id, update_if_different(db, stamp, "aid_program", *id, {"name", "unpaid_rule"},
                                     in.name, in.unpaid_rule)};
}

Put put_service_type(store::Database& db, const Stamp& stamp, const ServiceType& in) {
    auto id =
        db.query_value<std::string>("SELECT id FROM certificate_type WHERE code = ?1", in.code);
    if (!id) {
        const std::string nid = new_id(stamp.now_ms);
        db.execute(
            "INSERT INTO certificate_type(id, code, name, due_working_days, category, handling, "
            "active, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            nid, in.code, in.name, in.due_working_days, in.category, in.handling, in.active ? 1 : 0,
            stamp.device_id, stamp.hlc.packed);
        return {nid, Change::created};
    }
    return {*id, update_if_different(db, stamp, "certificate_type", *id,
                                     {"name", "due_working_days", "category", "handling", "active"},
                                     in.name, in.due_working_days, in.category, in.handling,
                                     in.active ? 1 : 0)};
}

std::vector<ServiceType> service_types(store::Database& db) {
    std::vector<ServiceType> out;
    auto st = db.prepare(
        "SELECT code, name, category, due_working_days, handling, active FROM certificate_type "
        "ORDER BY category, code");
    while (st.step()) {
        out.push_back({st.column<std::string>(0), st.column<std::string>(1),
                       st.column<std::string>(2), st.column<int>(3), st.column<std::string>(4),
                       st.column<int>(5) != 0});
    }
    return out;
}

Put put_calendar_day(store::Database& db, const Stamp& stamp, const CalendarDayInput& in) {
    if (!db.query_value<int>("SELECT 1 FROM calendar_day WHERE id = ?1", in.local_date)) {
        db.execute(
            "INSERT INTO calendar_day(id, kind, name, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, "
            "?5)",
            in.local_date, in.kind, in.name, stamp.device_id, stamp.hlc.packed);
        return {in.local_date, Change::created};
    }
    return {in.local_date, update_if_different(db, stamp, "calendar_day", in.local_date,
                                               {"kind", "name"}, in.kind, in.name)};
}

Put put_roster_shift(store::Database& db, const Stamp& stamp, const RosterShiftInput& in) {
    auto id = db.query_value<std::string>(
        "SELECT id FROM roster_shift WHERE community_id = ?1 AND local_date = ?2 AND kind = ?3 AND "
        "staff_id = ?4",
        in.community_id, in.local_date, in.kind, in.staff_id);
    if (!id) {
        auto ids = add_roster(db, stamp, in.community_id, in.local_date,
                              {{in.staff_id, in.kind, in.backup_staff_id}})
                       .value();
        return {ids.at(0), Change::created};
    }
    return {*id, update_if_different(db, stamp, "roster_shift", *id, {"backup_staff_id"},
                                     in.backup_staff_id)};
}

Put put_disbursement_day(store::Database& db, const Stamp& stamp, const DisbursementDayInput& in) {
    Put out;
    auto id = db.query_value<std::string>(
        "SELECT id FROM disbursement_day WHERE community_id = ?1 AND local_date = ?2",
        in.community_id, in.local_date);
    if (id) {
        out = {*id, Change::unchanged};
    } else {
        out = {new_id(stamp.now_ms), Change::created};
        db.execute(
            "INSERT INTO disbursement_day(id, community_id, local_date, prepared_by_staff_id, "
            "approved_by_staff_id, origin_device, hlc) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)",
            out.id, in.community_id, in.local_date, in.prepared_by_staff_id, stamp.device_id,
            stamp.hlc.packed);
    }
    for (const auto& s : in.staff_ids) {
        if (db.query_value<int>("SELECT 1 FROM disbursement_roster WHERE disbursement_day_id = ?1 "
                                "AND staff_id = ?2",
                                out.id, s))
            continue;
        db.execute(
            "INSERT INTO disbursement_roster(id, disbursement_day_id, staff_id, origin_device, "
            "hlc) VALUES (?1, ?2, ?3, ?4, ?5)",
            new_id(stamp.now_ms), out.id, s, stamp.device_id, stamp.hlc.packed);
        if (out.change == Change::unchanged)
            out.change = Change::updated;
    }
    return out;
}

std::optional<std::string> role_code(const std::string& word) {
    static const std::map<std::string, std::string> words = {
        {"网格负责人", "grid_leader"},
        {"网格员", "grid_leader"},
        {"办事点工作人员", "service_point_staff"},
        {"办事点", "service_point_staff"},
        {"社区工作者", "community_worker"},
        {"社区工作人员", "community_worker"},
        {"管理员", "admin"}};
    return from_words(words, word);
}

std::optional<std::string> shift_kind_code(const std::string& word) {
    static const std::map<std::string, std::string> words = {
        {"正常班", "normal"}, {"正常", "normal"}, {"早班", "early"},
        {"早", "early"},      {"晚班", "late"},   {"晚", "late"}};
    return from_words(words, word);
}

std::optional<std::string> relation_code(const std::string& word) {
    static const std::map<std::string, std::string> words = {
        {"配偶", "spouse"}, {"子女", "child"}, {"父母", "parent"}, {"其他", "other"}};
    return from_words(words, word);
}

std::optional<std::string> unpaid_rule_code(const std::string& word) {
    static const std::map<std::string, std::string> words = {
        {"结转", "carry_over"}, {"结转下次", "carry_over"}, {"作废", "lapse"}, {"不结转", "lapse"}};
    return from_words(words, word);
}

std::optional<std::string> calendar_kind_code(const std::string& word) {
    static const std::map<std::string, std::string> words = {
        {"休息日", "holiday"}, {"节假日", "holiday"},   {"放假", "holiday"},
        {"上班", "workday"},   {"调休上班", "workday"}, {"工作日", "workday"}};
    return from_words(words, word);
}

std::optional<std::string> handling_code(const std::string& word) {
    static const std::map<std::string, std::string> words = {
        {"立即办", "immediate"}, {"承诺办", "promised"}, {"报送办", "forwarded"}};
    return from_words(words, word);
}

std::optional<bool> yes_no(const std::string& word) {
    if (word == "是" || word == "yes" || word == "1" || word == "true" || word == "TRUE" ||
        word == "启用" || word == "在岗")
        return true;
    if (word == "否" || word == "no" || word == "0" || word == "false" || word == "FALSE" ||
        word == "停用" || word == "离岗")
        return false;
    return std::nullopt;
}

}  // namespace gridsync::domain
