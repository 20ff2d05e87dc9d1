#include "authorize.hpp"

#include "gridsync/central/errors.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/store/columns.hpp"
#include "scope.hpp"

namespace gridsync::central {

const std::vector<std::string>& columns_of(store::Database& db, const std::string& table) {
    static thread_local std::map<std::string, std::vector<std::string>> cache;
    auto it = cache.find(table);
    if (it != cache.end())
        return it->second;
    return cache.emplace(table, store::column_names(db, table)).first->second;
}

namespace {

// What each role may change: table -> (may insert, columns an update may change).
struct Permission {
    bool insert = false;
    std::set<std::string> update_columns;
};
using Permissions = std::map<std::string, Permission>;

const std::set<std::string> kStamp = {"origin_device", "hlc"};
std::set<std::string> with_stamp(std::set<std::string> s) {
    s.insert(kStamp.begin(), kStamp.end());
    return s;
}

const Permissions& permissions(const std::string& role) {
    static const Permissions laptop = {
        {"shift_check", {true, {}}},
        {"roster_shift", {true, {}}},
        {"disbursement_session", {true, with_stamp({"state"})}},
        {"entitlement", {false, with_stamp({"session_id"})}},
        {"payment", {true, {}}},
        {"session_closing", {true, {}}},
        {"unpaid_entitlement", {true, {}}},
        {"certificate", {false, with_stamp({"state", "custodian_staff_id"})}},
        {"custody_transfer", {true, {}}},
        {"delivery_attempt", {true, {}}},
        {"staff_key", {true, {}}},
        {"citizen_rating", {true, {}}},
        {"resident", {false, with_stamp({"name", "phone"})}},
        {"household", {false, with_stamp({"address"})}},
    };
    static const Permissions grid = {
        {"certificate", {false, with_stamp({"state", "custodian_staff_id"})}},
        {"custody_transfer", {true, {}}},
        {"delivery_attempt", {true, {}}},
        {"staff_key", {true, {}}},
        {"citizen_rating", {true, {}}},
        {"resident", {false, with_stamp({"phone"})}},
        {"household", {false, with_stamp({"address"})}},
    };
    static const Permissions none;
    if (role == "community_laptop")
        return laptop;
    if (role == "grid_device")
        return grid;
    return none;
}

std::string permission_cell(const Permissions& p, const std::string& table) {
    const auto it = p.find(table);
    if (it == p.end())
        return "—";
    std::string cell = it->second.insert ? "insert" : "";
    if (!it->second.update_columns.empty()) {
        cell += cell.empty() ? "update " : "; update ";
        bool first = true;
        for (const auto& c : it->second.update_columns) {
            if (!kStamp.count(c)) {
                cell += (first ? "`" : ", `") + c + "`";
                first = false;
            }
        }
    }
    return cell;
}

Failure refuse(Errc code, const RowChange& c, const std::string& why) {
    return fail(code, why + " [" + c.table + " " + c.id + "]");
}

}  // namespace

std::string permission_matrix_markdown() {
    std::string out = "| table | community_laptop | grid_device |\n|---|---|---|\n";
    for (const auto& t : domain::replicated_tables()) {
        out += "| `" + t + "` | " + permission_cell(permissions("community_laptop"), t) + " | " +
               permission_cell(permissions("grid_device"), t) + " |\n";
    }
    return out;
}

Result<std::vector<RowChange>> decode_changes(store::Database& db, ByteView changeset) {
    std::vector<RowChange> out;
    store::ChangesetIterator it(changeset);
    while (it.next()) {
        RowChange c;
        c.op = it.op();
        c.table = std::string(it.table());
        const auto& cols = columns_of(db, c.table);
        if (cols.size() != static_cast<std::size_t>(it.column_count())) {
            return fail(Errc::malformed,
                        "table " + c.table + " is unknown here or has another shape");
        }
        const auto key = it.primary_key();
        if (key.size() != 1 || !std::holds_alternative<std::string>(key[0])) {
            return fail(Errc::malformed, "table " + c.table + " without a single text key");
        }
        c.id = std::get<std::string>(key[0]);
        for (int i = 0; i < it.column_count(); ++i) {
            auto v = it.new_value(i);
            if (!v)
                continue;
            c.after.emplace(cols[static_cast<std::size_t>(i)], *v);
            if (c.op == store::Op::update)
                c.changed.insert(cols[static_cast<std::size_t>(i)]);
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::optional<std::string> missing_parent(store::Database& db,
                                          const std::vector<RowChange>& changes) {
    std::set<std::pair<std::string, std::string>> here;
    for (const auto& c : changes) {
        if (c.op == store::Op::insert)
            here.emplace(c.table, c.id);
    }
    const auto here_before = [&](const RowChange& c) { return here.count({c.table, c.id}) > 0; };
    for (const auto& c : changes) {
        // An update of a row central has never seen waits for the row itself.
        // Table names come from SQLite's own schema, never from input.
        if (c.op == store::Op::update && !here_before(c) &&
            !db.query_value<int>("SELECT 1 FROM " + c.table + " WHERE id = ?1", c.id))
            return c.table + " '" + c.id + "'";
        auto fk = db.prepare("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1)");
        fk.bind(1, c.table);
        while (fk.step()) {
            const auto column = fk.column<std::string>(0);
            const auto parent = fk.column<std::string>(1);
            auto v = c.after.find(column);
            if (v == c.after.end())
                continue;
            const auto* id = std::get_if<std::string>(&v->second);
            if (!id || here.count({parent, *id}))
                continue;
            if (!db.query_value<int>("SELECT 1 FROM " + parent + " WHERE id = ?1", *id))
                return parent + " '" + *id + "'";
        }
    }
    return std::nullopt;
}

Status authorize_role(const Device& device, const std::vector<RowChange>& changes) {
    const Permissions& perms = permissions(device.role);
    for (const auto& c : changes) {
        auto p = perms.find(c.table);
        if (p == perms.end()) {
            return refuse(
                Errc::not_authorized, c,
                "设备角色 " + device.role + " 不能修改该表 / role may not write this table");
        }
        if (c.op == store::Op::erase)
            return refuse(Errc::not_authorized, c, "不允许删除 / devices never delete");
        if (c.op == store::Op::insert && !p->second.insert) {
            return refuse(Errc::not_authorized, c, "不能新增此类记录 / may not create these rows");
        }
        if (c.op == store::Op::update) {
            for (const auto& col : c.changed) {
                if (!p->second.update_columns.count(col)) {
                    return refuse(Errc::not_authorized, c,
                                  "不能修改字段 " + col + " / may not change column " + col);
                }
            }
        }
    }
    return {};
}

Status check_stamps(const Device& device, std::int64_t entry_hlc,
                    const std::vector<RowChange>& changes) {
    for (const auto& c : changes) {
        if (c.op == store::Op::erase)
            continue;  // authorize_role refuses it
        // Every insert and update stamps the row with this entry's HLC; the
        // origin, where written, is the signing device and no other.
        auto hlc = c.after.find("hlc");
        if (hlc == c.after.end() || hlc->second != store::Value(entry_hlc)) {
            return refuse(Errc::forged_stamp, c,
                          "记录的 hlc 与本条记录不符 / the row's hlc is not the entry's");
        }
        auto origin = c.after.find("origin_device");
        if (c.op == store::Op::insert && origin == c.after.end())
            return refuse(Errc::forged_stamp, c, "没有 origin_device / no origin_device");
        if (origin != c.after.end() && origin->second != store::Value(device.id)) {
            return refuse(Errc::forged_stamp, c,
                          "origin_device 不是签名设备 / origin_device is not the signing device");
        }
        // The device a record says it was made on (a check-in, a session, a
        // staff key) is the one that signed it.
        auto made_on = c.after.find("device_id");
        if (made_on != c.after.end() && made_on->second != store::Value(device.id)) {
            return refuse(Errc::forged_stamp, c,
                          "记录所写的设备不是签名设备 / the record names another device");
        }
    }
    return {};
}

Status authorize(store::Database& db, const Device& device, const std::vector<RowChange>& changes) {
    if (auto st = authorize_role(device, changes); !st)
        return st;
    Resolver resolve(db, changes);
    for (const auto& c : changes) {
        if (c.table == "staff_key") {
            // A key is registered for the device that holds it, for a person
            // who works there: a laptop its community's staff and the service
            // points'; a grid leader's device its leader only.
            if (resolve.text("staff_key", c.id, "device_id") != device.id) {
                return refuse(Errc::out_of_scope, c,
                              "密钥只能登记在持有它的设备上 / a key is registered by the device "
                              "that holds it");
            }
            const auto staff = resolve.text("staff_key", c.id, "staff_id").value_or("");
            const bool own_community =
                resolve.text("staff", staff, "community_id") == device.community_id;
            const bool service_point = resolve.text("staff", staff, "role") ==
                                       std::optional<std::string>("service_point_staff");
            const bool ok = device.role == "grid_device" ? staff == device.staff_id
                                                         : (own_community || service_point);
            if (!ok)
                return refuse(Errc::out_of_scope, c,
                              "该工作人员不在本设备范围 / staff member outside the device's scope");
            continue;
        }
        if (device.role == "grid_device") {
            if (resolve.grid_of(c.table, c.id) != device.grid_id) {
                return refuse(Errc::out_of_scope, c, "不属于本网格 / outside the device's grid");
            }
        } else if (resolve.community_of(c.table, c.id) != device.community_id) {
            return refuse(Errc::out_of_scope, c, "不属于本社区 / outside the device's community");
        }
    }
    return {};
}

}  // namespace gridsync::central
