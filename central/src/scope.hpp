#pragma once
// Where a row belongs: its community and, for certificates and what hangs
// off them, its grid. Used to authorize a device's writes and to choose what
// a device may pull.
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "authorize.hpp"
#include "gridsync/central/store.hpp"
#include "gridsync/sync/scope.hpp"

namespace gridsync::central {

// Looks a column of a row up: in the changeset first (a parent may arrive in
// the same entry), then in central's tables.
class Resolver {
    static constexpr std::size_t kMaxLookups = 65536;  // about 10 MiB at most

  public:
    explicit Resolver(store::Database& db) : db_(db) {}
    Resolver(store::Database& db, const std::vector<RowChange>& changes) : db_(db) {
        for (const auto& c : changes)
            rows_[{c.table, c.id}] = &c;
    }
    std::optional<std::string> text(const std::string& table, const std::string& id,
                                    const std::string& column) {
        auto it = rows_.find({table, id});
        if (it != rows_.end()) {
            auto v = it->second->after.find(column);
            if (v != it->second->after.end()) {
                if (auto* s = std::get_if<std::string>(&v->second))
                    return *s;
                return std::nullopt;
            }
        }
        // A resolver lives for one entry or one pull's read transaction, in
        // which central's rows do not change: each lookup is made once (a
        // pull's payments share a few sessions, each of one day).
        std::string key = table + '\0' + column + '\0' + id;
        if (auto hit = looked_up_.find(key); hit != looked_up_.end())
            return hit->second;
        if (looked_up_.size() >= kMaxLookups)
            looked_up_.clear();
        // Table and column names come from our own permission table, never from input.
        auto found = db_.query_value<std::optional<std::string>>(
                            "SELECT " + column + " FROM " + table + " WHERE id = ?1", id)
                         .value_or(std::nullopt);
        looked_up_.emplace(std::move(key), found);
        return found;
    }
    std::optional<std::string> community_of(const std::string& table, const std::string& id) {
        if (table == "shift_check" || table == "roster_shift" || table == "disbursement_day" ||
            table == "staff" || table == "grid") {
            return text(table, id, "community_id");
        }
        if (auto g = grid_of(table, id))
            return text("grid", *g, "community_id");
        auto via = [&](const char* column, const char* parent) -> std::optional<std::string> {
            auto p = text(table, id, column);
            return p ? community_of(parent, *p) : std::nullopt;
        };
        if (table == "disbursement_session" || table == "entitlement")
            return via("disbursement_day_id", "disbursement_day");
        if (table == "payment" || table == "session_closing")
            return via("session_id", "disbursement_session");
        if (table == "payment_void" || table == "recovery_task")
            return via("payment_id", "payment");
        if (table == "staff_key")
            return via("staff_id", "staff");
        if (table == "citizen_rating") {
            auto payment = text(table, id, "payment_id");
            return payment ? community_of("payment", *payment)
                           : via("delivery_attempt_id", "delivery_attempt");
        }
        if (table == "unpaid_entitlement")
            return via("closing_id", "session_closing");
        if (table == "disbursement_roster")
            return via("disbursement_day_id", "disbursement_day");
        if (table == "community")
            return id;
        return std::nullopt;
    }
    std::optional<std::string> grid_of(const std::string& table, const std::string& id) {
        if (table == "citizen_rating") {
            auto d = text(table, id, "delivery_attempt_id");
            return d ? grid_of("delivery_attempt", *d) : std::nullopt;
        }
        if (table == "custody_transfer" || table == "delivery_attempt") {
            auto c = text(table, id, "certificate_id");
            return c ? grid_of("certificate", *c) : std::nullopt;
        }
        if (table == "certificate" || table == "proxy_registration") {
            auto r = text(table, id, "resident_id");
            return r ? grid_of("resident", *r) : std::nullopt;
        }
        if (table == "resident") {
            auto h = text("resident", id, "household_id");
            return h ? text("household", *h, "grid_id") : std::nullopt;
        }
        if (table == "household")
            return text("household", id, "grid_id");
        return std::nullopt;
    }

  private:
    store::Database& db_;
    std::map<std::pair<std::string, std::string>, const RowChange*> rows_;
    std::unordered_map<std::string, std::optional<std::string>> looked_up_;
};

// Whether `device` may hold row `id` of `table` (central's current state).
bool visible(Resolver& resolve, const Device& device, const std::string& table,
             const std::string& id);

// The same scope as SQL, for reading it whole (snapshots, digests): keeps
// exactly the rows `visible` keeps (tests/central/scope_test.cpp).
sync::ScopeQuery scope_query(const Device& device);

}  // namespace gridsync::central
