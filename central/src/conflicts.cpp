#include "conflicts.hpp"

#include <algorithm>
#include <set>

#include "gridsync/central/store.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/ratings.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "gridsync/domain/staff_keys.hpp"

namespace gridsync::central {

namespace {

std::string quoted(const std::string& id) {
    return "'" + id + "'";
}

// Central's second look at a row just applied: the same rules the device
// checked, on central's state.
Status second_look(store::Database& db, const RowChange& c) {
    return domain::verify_signed_row(db, c.table, c.id);
}

// A certificate's events disagree: the record is about the certificate row,
// so a row conflict the same entry raised on it becomes this one record.
void flag_certificate(std::vector<PendingConflict>& conflicts, const std::string& kind,
                      const std::string& certificate_id, const std::string& detail) {
    for (auto& c : conflicts) {
        if (c.table == "certificate" && c.key == quoted(certificate_id) && c.kind == "DATA") {
            c.kind = kind;
            c.detail = detail;
            return;
        }
    }
    conflicts.push_back({kind, "certificate", quoted(certificate_id), "", "", "", detail});
}

// The HLC of the last hand-over of `certificate_id` before `hlc` (0 if none),
// optionally only those to `to_staff`.
std::int64_t handover_before(store::Database& db, const std::string& certificate_id,
                             std::int64_t hlc, const std::string& to_staff = "") {
    return db
        .query_value<std::int64_t>(
            "SELECT coalesce(max(hlc), 0) FROM custody_transfer WHERE certificate_id = ?1 AND "
            "kind = 'handover' AND hlc < ?2 AND (?3 = '' OR to_staff_id = ?3)",
            certificate_id, hlc, to_staff)
        .value_or(0);
}

struct Attempt {
    std::string certificate_id, staff_id, outcome;
    std::int64_t hlc = 0;
};

Attempt load_attempt(store::Database& db, const std::string& id) {
    auto st = db.prepare(
        "SELECT certificate_id, staff_id, outcome, hlc FROM delivery_attempt WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        return {};
    return {st.column<std::string>(0), st.column<std::string>(1), st.column<std::string>(2),
            st.column<std::int64_t>(3)};
}

// A return of the certificate after the hand-over that made this deliverer
// its custodian: the grid leader's device delivered it while another device
// recorded it coming back to the center.
bool returned_since_handover(store::Database& db, const Attempt& a) {
    const std::int64_t handover = handover_before(db, a.certificate_id, a.hlc, a.staff_id);
    return handover > 0 &&
           db.query_value<int>(
               "SELECT 1 FROM custody_transfer WHERE certificate_id = ?1 AND kind = 'return' "
               "AND hlc > ?2",
               a.certificate_id, handover);
}

void flag_delivery(store::Database& db, const RowChange& c,
                   std::vector<PendingConflict>& conflicts) {
    const Attempt a = load_attempt(db, c.id);
    if (a.outcome != "delivered")
        return;
    const int delivered = db.query_value<int>(
                                "SELECT count(*) FROM delivery_attempt WHERE certificate_id = ?1 "
                                "AND outcome = 'delivered'",
                                a.certificate_id)
                              .value_or(0);
    if (delivered > 1) {
        flag_certificate(conflicts, "DOUBLE_DELIVERY", a.certificate_id,
                         "送达记录 " + c.id + ":该证件已有送达记录 / delivered twice");
    } else if (returned_since_handover(db, a)) {
        flag_certificate(conflicts, "DELIVERED_AND_RETURNED", a.certificate_id,
                         "送达记录 " + c.id + ":同时有退回中心的记录 / delivered and returned");
    }
}

void flag_return(store::Database& db, const RowChange& c, std::vector<PendingConflict>& conflicts) {
    auto st = db.prepare("SELECT certificate_id, kind, hlc FROM custody_transfer WHERE id = ?1");
    st.bind(1, c.id);
    if (!st.step() || st.column<std::string>(1) != "return")
        return;
    const std::string certificate = st.column<std::string>(0);
    const std::int64_t hlc = st.column<std::int64_t>(2);
    st.reset();
    if (db.query_value<int>(
            "SELECT 1 FROM delivery_attempt WHERE certificate_id = ?1 AND outcome = 'delivered' "
            "AND hlc > ?2",
            certificate, handover_before(db, certificate, hlc))) {
        flag_certificate(conflicts, "DELIVERED_AND_RETURNED", certificate,
                         "退回记录 " + c.id + ":该证件已送达 / returned after a delivery");
    }
}

void flag_payment(store::Database& db, const RowChange& c,
                  std::vector<PendingConflict>& conflicts) {
    const auto ent =
        db.query_value<std::string>("SELECT entitlement_id FROM payment WHERE id = ?1", c.id);
    const auto effective = db.query_value<std::int64_t>(
        "SELECT sum(CASE kind WHEN 'payment' THEN 1 ELSE -1 END) FROM payment WHERE "
        "entitlement_id = ?1 AND id NOT IN (SELECT payment_id FROM payment_void)",
        *ent);
    if (effective.value_or(0) > 1) {
        conflicts.push_back({"DOUBLE_PAYMENT", "entitlement", quoted(*ent), "", "", quoted(c.id),
                             "同一应发记录有多笔有效发放 / more than one effective payment of "
                             "this entitlement"});
    }
}

void flag_check_in(store::Database& db, const RowChange& c,
                   std::vector<PendingConflict>& conflicts) {
    auto me = db.prepare(
        "SELECT staff_id, device_id, at_ms FROM shift_check WHERE id = ?1 AND kind = 'in'");
    me.bind(1, c.id);
    if (!me.step())
        return;
    const std::string staff = me.column<std::string>(0), device = me.column<std::string>(1);
    const std::int64_t at = me.column<std::int64_t>(2);
    me.reset();
    // The person's check-ins just before and just after this one (two index
    // probes, however many check-ins there are): on another device, and
    // close in time, they are the same person in two places.
    for (const char* sql :
         {"SELECT id, device_id, at_ms FROM shift_check WHERE staff_id = ?1 AND kind = 'in' AND "
          "at_ms <= ?2 AND id <> ?3 ORDER BY at_ms DESC LIMIT 1",
          "SELECT id, device_id, at_ms FROM shift_check WHERE staff_id = ?1 AND kind = 'in' AND "
          "at_ms >= ?2 AND id <> ?3 ORDER BY at_ms LIMIT 1"}) {
        auto near = db.prepare(sql);
        near.bind_all(staff, at, c.id);
        if (near.step() && near.column<std::string>(1) != device &&
            std::abs(near.column<std::int64_t>(2) - at) <= kSimultaneousCheckInMs) {
            conflicts.push_back({"SIMULTANEOUS_CHECK_IN", "shift_check",
                                 quoted(near.column<std::string>(0)), "", "", quoted(c.id),
                                 "同一人在两台设备上同时签到 / one person checked in on two "
                                 "devices at one time"});
            return;
        }
    }
}

}  // namespace

std::string unquoted(const std::string& key) {
    return key.size() >= 2 && key.front() == '\'' ? key.substr(1, key.size() - 2) : key;
}

bool mergeable(const std::string& table) {
    return table == "resident" || table == "household";
}

ColumnMerge merge_columns(const std::vector<std::string>& columns, const store::Conflict& c,
                          std::int64_t incoming_hlc, const std::string& incoming_device) {
    ColumnMerge m;
    m.table = c.table;
    m.id = std::get<std::string>(c.key.at(0));
    m.central_row = store::to_display(c.local);
    m.incoming_old = store::to_display(c.incoming_old);
    m.incoming_new = store::to_display(c.incoming_new);
    std::int64_t local_hlc = 0;
    std::string local_origin;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == "hlc" && c.local[i])
            local_hlc = std::get<std::int64_t>(*c.local[i]);
        if (columns[i] == "origin_device" && c.local[i])
            local_origin = std::get<std::string>(*c.local[i]);
    }
    const bool incoming_later = incoming_hlc > local_hlc;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (!c.incoming_new[i] || !c.local[i] || columns[i] == "hlc" ||
            columns[i] == "origin_device")
            continue;
        const store::Value& here = *c.local[i];
        const store::Value& theirs = *c.incoming_new[i];
        if (here == theirs)
            continue;
        const bool unchanged_here = c.incoming_old[i] && *c.incoming_old[i] == here;
        if (unchanged_here) {
            m.set.emplace_back(columns[i], theirs);
            continue;
        }
        m.clash = true;
        if (incoming_later) {
            m.set.emplace_back(columns[i], theirs);
            m.lost += columns[i] + ": " + store::to_display(here) + "; ";
        } else {
            m.lost += columns[i] + ": " + store::to_display(theirs) + "; ";
        }
    }
    if (!m.set.empty()) {
        // The row carries the stamp of its latest change.
        m.set.emplace_back("hlc", std::max(local_hlc, incoming_hlc));
        m.set.emplace_back("origin_device", incoming_later ? incoming_device : local_origin);
    }
    return m;
}

void write_merge(store::Database& db, const ColumnMerge& m) {
    if (m.set.empty())
        return;
    // Table and column names come from central's own schema, never from input.
    std::string sql = "UPDATE " + m.table + " SET ";
    for (std::size_t i = 0; i < m.set.size(); ++i)
        sql += (i ? ", " : "") + m.set[i].first + " = ?" + std::to_string(i + 1);
    sql += " WHERE id = ?" + std::to_string(m.set.size() + 1);
    auto st = db.prepare(sql);
    for (std::size_t i = 0; i < m.set.size(); ++i)
        st.bind(static_cast<int>(i + 1), m.set[i].second);
    st.bind(static_cast<int>(m.set.size() + 1), m.id);
    st.run();
}

Status flag_domain_conflicts(store::Database& db, const DecodedEntry& entry,
                             std::vector<PendingConflict>& conflicts) {
    for (const auto& c : entry.rows) {
        if (c.op != store::Op::insert)
            continue;
        if (auto st = second_look(db, c); !st) {
            const auto code = st.code();
            if (c.table == "payment" && code == domain::Errc::amount_mismatch) {
                // The amount was corrected centrally after the device loaded
                // it: the money was handed out; keep the payment, flag it.
                conflicts.push_back({"AMOUNT_CHANGED", "payment", quoted(c.id), "", "", "",
                                     "发放金额与中心更正后的应发金额不符 / paid against an amount "
                                     "corrected since the device loaded it"});
                continue;
            }
            if (c.table == "delivery_attempt" && code == domain::Errc::not_custodian &&
                returned_since_handover(db, load_attempt(db, c.id))) {
                flag_certificate(
                    conflicts, "DELIVERED_AND_RETURNED", load_attempt(db, c.id).certificate_id,
                    "送达记录 " + c.id + ":同时有退回中心的记录 / delivered and returned");
                continue;
            }
            return fail(code, st.failure().message + " [" + c.table + " " + c.id + "]");
        }
        if (c.table == "payment")
            flag_payment(db, c, conflicts);
        else if (c.table == "delivery_attempt")
            flag_delivery(db, c, conflicts);
        else if (c.table == "custody_transfer")
            flag_return(db, c, conflicts);
        else if (c.table == "shift_check")
            flag_check_in(db, c, conflicts);
    }
    return {};
}

}  // namespace gridsync::central
