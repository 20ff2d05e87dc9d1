#include "gridsync/central/views.hpp"

#include "gridsync/central/day_planner.hpp"
#include "gridsync/central/imports.hpp"
#include "gridsync/central/merkle_log.hpp"
#include "gridsync/central/quarantine.hpp"

#include "authorize.hpp"
#include "conflicts.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/names.hpp"
#include "gridsync/domain/organisation.hpp"
#include "gridsync/domain/staff_keys.hpp"
#include "gridsync/store/changeset.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

namespace json = boost::json;

namespace {

json::value json_of(const store::Value& v) {
    struct Visitor {
        json::value operator()(store::Null) const { return nullptr; }
        json::value operator()(std::int64_t i) const { return i; }
        json::value operator()(double d) const { return d; }
        json::value operator()(const std::string& s) const { return json::string(s); }
        // Images, signatures and digests: their size, never their bytes.
        json::value operator()(const Bytes& b) const {
            return json::string("‹" + std::to_string(b.size()) + " 字节 bytes›");
        }
    };
    return std::visit(Visitor{}, v);
}

json::object row_fields(store::Statement& st) {
    json::object o;
    for (int i = 0; i < st.column_count(); ++i)
        o[st.column_name(i)] = json_of(st.value(i));
    return o;
}

// Table names come from central's own conflict records, written by central.
std::optional<json::object> current_row(store::Database& db, const std::string& table,
                                        const std::string& id) {
    const auto& cols = columns_of(db, table);
    if (cols.empty())
        return std::nullopt;
    auto st = db.prepare("SELECT * FROM " + table + " WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return row_fields(st);
}

json::object side(const char* key, const std::string& label, json::object fields) {
    return {{"key", key}, {"label", label}, {"fields", std::move(fields)}};
}

// The device's version of the row: central's row with the entry's new
// values laid over it, read from the exact bytes the device signed.
std::optional<json::object> device_version(store::Database& db, const std::string& table,
                                           const std::string& key, const std::string& device_id,
                                           std::int64_t seq) {
    const auto envelope = db.query_value<Bytes>(
        "SELECT envelope FROM accepted_entry WHERE device_id = ?1 AND seq = ?2 UNION ALL SELECT "
        "envelope FROM parked_entry WHERE device_id = ?1 AND seq = ?2",
        device_id, seq);
    if (!envelope)
        return std::nullopt;
    const auto env = sync::decode_envelope(*envelope);
    if (!env)
        return std::nullopt;
    const auto& cols = columns_of(db, table);
    store::ChangesetIterator it(env->changeset);
    while (it.next()) {
        std::string k;
        for (const auto& v : it.primary_key())
            k += (k.empty() ? "" : ",") + store::to_display(v);
        if (it.table() != table || k != key)
            continue;
        json::object fields = current_row(db, table, unquoted(key)).value_or(json::object{});
        for (int i = 0; i < it.column_count() && i < static_cast<int>(cols.size()); ++i) {
            if (auto v = it.new_value(i))
                fields[cols[static_cast<std::size_t>(i)]] = json_of(*v);
        }
        return fields;
    }
    return std::nullopt;
}

void rows_as_sides(store::Database& db, json::array& sides, const std::string& sql,
                   const std::string& id, const std::string& label_column,
                   const char* payment_column = nullptr) {
    auto st = db.prepare(sql);
    st.bind(1, id);
    while (st.step()) {
        json::object fields = row_fields(st);
        const std::string label = json::value_to<std::string>(fields.at(label_column));
        json::object s = side("event", label, std::move(fields));
        if (payment_column)
            s["payment_id"] = s["fields"].as_object().at(payment_column);
        sides.push_back(std::move(s));
    }
}

json::array decisions_for(const std::string& kind) {
    if (kind == "DOUBLE_PAYMENT")
        return {"void_payment", "keep_central"};
    if (kind == "AMOUNT_CHANGED" || kind == "SIMULTANEOUS_CHECK_IN" || kind == "CLOCK_SKEW")
        return {"keep_central"};
    if (kind == "PARKED" || kind == "QUARANTINED")
        return {};
    return {"keep_central", "take_incoming"};
}

}  // namespace

json::object conflict_list(store::Database& db, const ConflictFilter& f, domain::EpochMs now) {
    json::object out;
    json::array list;
    auto st = db.prepare(R"(
        SELECT x.id, x.kind, x.table_name, x.row_key, x.device_id, coalesce(d.name, ''),
               coalesce(c.code, ''), x.seq, x.detected_at_ms, x.state, coalesce(x.detail, ''),
               coalesce(x.resolution, ''), coalesce(x.resolved_by, '')
        FROM conflict x LEFT JOIN device d ON d.id = x.device_id
             LEFT JOIN community c ON c.id = d.community_id
        WHERE (?1 = 'all' OR x.state = ?1) AND (?2 = '' OR x.kind = ?2)
          AND (?3 = '' OR c.code = ?3) AND x.detected_at_ms <= ?4
        ORDER BY x.detected_at_ms, x.id LIMIT 1000)");
    st.bind_all(f.state, f.kind, f.community, now - f.min_age_ms);
    while (st.step()) {
        list.push_back(
            {{"id", st.column<std::string>(0)},
             {"kind", st.column<std::string>(1)},
             {"table", st.column<std::string>(2)},
             {"row", st.column<std::string>(3)},
             {"device", st.column<std::string>(4)},
             {"device_name", st.column<std::string>(5)},
             {"community", st.column<std::string>(6)},
             {"seq", st.column<std::int64_t>(7)},
             {"detected_at_ms", st.column<std::int64_t>(8)},
             {"state", st.column<std::string>(9)},
             {"detail", st.column<std::string>(10)},
             {"resolution", st.column<std::string>(11)},
             {"resolved_by", st.column<std::string>(12)},
             {"group", conflict_group_of(st.column<std::string>(4), st.column<std::int64_t>(7),
                                         st.column<std::string>(1), st.column<std::string>(2))}});
    }
    out["conflicts"] = std::move(list);
    json::object counts;
    auto k = db.prepare("SELECT kind, count(*) FROM conflict WHERE state = 'open' GROUP BY kind");
    while (k.step())
        counts[k.column<std::string>(0)] = k.column<std::int64_t>(1);
    out["counts"] = std::move(counts);
    json::array communities;
    auto c = db.prepare("SELECT code, name FROM community ORDER BY code");
    while (c.step())
        communities.push_back(
            {{"code", c.column<std::string>(0)}, {"name", c.column<std::string>(1)}});
    out["communities"] = std::move(communities);
    return out;
}

json::array conflict_groups(store::Database& db, const ConflictFilter& f, domain::EpochMs now) {
    json::array groups;
    auto st = db.prepare(R"(
        SELECT x.device_id, x.seq, x.kind, x.table_name, count(*), min(x.detected_at_ms),
               coalesce(d.name, ''), coalesce(c.code, ''), min(x.id), coalesce(min(x.detail), '')
        FROM conflict x LEFT JOIN device d ON d.id = x.device_id
             LEFT JOIN community c ON c.id = d.community_id
        WHERE (?1 = 'all' OR x.state = ?1) AND (?2 = '' OR x.kind = ?2)
          AND (?3 = '' OR c.code = ?3) AND x.detected_at_ms <= ?4
        GROUP BY x.device_id, x.seq, x.kind, x.table_name
        ORDER BY min(x.detected_at_ms), min(x.id) LIMIT 1000)");
    st.bind_all(f.state, f.kind, f.community, now - f.min_age_ms);
    while (st.step()) {
        groups.push_back(
            {{"group", conflict_group_of(st.column<std::string>(0), st.column<std::int64_t>(1),
                                         st.column<std::string>(2), st.column<std::string>(3))},
             {"device", st.column<std::string>(0)},
             {"seq", st.column<std::int64_t>(1)},
             {"kind", st.column<std::string>(2)},
             {"table", st.column<std::string>(3)},
             {"count", st.column<std::int64_t>(4)},
             {"detected_at_ms", st.column<std::int64_t>(5)},
             {"device_name", st.column<std::string>(6)},
             {"community", st.column<std::string>(7)},
             {"sample", st.column<std::string>(8)},
             {"detail", st.column<std::string>(9)}});
    }
    return groups;
}

std::optional<json::object> conflict_detail(store::Database& db, const std::string& id) {
    auto st = db.prepare(R"(
        SELECT x.kind, x.table_name, x.row_key, x.device_id, coalesce(d.name, ''), coalesce(c.code, ''),
               x.seq, x.detected_at_ms, x.state, coalesce(x.detail, ''), coalesce(x.resolution, ''),
               coalesce(x.resolved_by, ''), x.resolved_at_ms, coalesce(x.reason, ''), coalesce(x.incoming_new, '')
        FROM conflict x LEFT JOIN device d ON d.id = x.device_id
             LEFT JOIN community c ON c.id = d.community_id WHERE x.id = ?1)");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    const std::string kind = st.column<std::string>(0);
    const std::string table = st.column<std::string>(1);
    const std::string key = st.column<std::string>(2);
    const std::string device = st.column<std::string>(3);
    const std::int64_t seq = st.column<std::int64_t>(6);
    const std::string incoming = st.column<std::string>(14);
    json::object o{{"id", id},
                   {"kind", kind},
                   {"table", table},
                   {"row", key},
                   {"device", device},
                   {"device_name", st.column<std::string>(4)},
                   {"community", st.column<std::string>(5)},
                   {"seq", seq},
                   {"detected_at_ms", st.column<std::int64_t>(7)},
                   {"state", st.column<std::string>(8)},
                   {"detail", st.column<std::string>(9)},
                   {"resolution", st.column<std::string>(10)},
                   {"resolved_by", st.column<std::string>(11)},
                   {"resolved_at_ms", st.is_null(12) ? json::value(nullptr)
                                                     : json::value(st.column<std::int64_t>(12))},
                   {"reason", st.column<std::string>(13)}};
    st.reset();

    json::array sides;
    const std::string row_id = unquoted(key);
    if (kind == "DOUBLE_PAYMENT") {
        rows_as_sides(db, sides, R"(
            SELECT p.id, p.amount_fen, p.paid_at_ms,
                   coalesce((SELECT name FROM device WHERE id = s.device_id), s.device_id) AS device,
                   p.session_id,
                   (SELECT name FROM staff WHERE id = p.payer_staff_id) AS payer,
                   (SELECT name FROM staff WHERE id = p.verifier_staff_id) AS verifier,
                   p.recipient_kind,
                   CASE WHEN v.id IS NULL THEN '' ELSE '已作废 void: ' || v.reason END AS void
            FROM payment p JOIN disbursement_session s ON s.id = p.session_id
                 LEFT JOIN payment_void v ON v.payment_id = p.id
            WHERE p.entitlement_id = ?1 AND p.kind = 'payment' ORDER BY p.paid_at_ms, p.id)",
                      row_id, "device", "id");
    } else if (kind == "AMOUNT_CHANGED") {
        if (auto p = current_row(db, "payment", row_id)) {
            const std::string ent = json::value_to<std::string>(p->at("entitlement_id"));
            if (auto e = current_row(db, "entitlement", ent))
                sides.push_back(side("central", "应发记录(更正后)/ entitlement, as corrected", *e));
            sides.push_back(side("device", "设备的发放记录 / the device's payment", *p));
        }
    } else if (kind == "SIMULTANEOUS_CHECK_IN") {
        for (const auto& [k, label, check] :
             {std::tuple{"central", "先到的签到 / the first check-in", row_id},
              std::tuple{"device", "这台设备的签到 / this device's check-in",
                         unquoted(incoming)}}) {
            if (auto r = current_row(db, "shift_check", check))
                sides.push_back(side(k, label, *r));
        }
    } else if (kind == "PARKED") {
        o["waiting_for"] = table + " " + key;
    } else if (kind == "QUARANTINED") {
        // Released through /admin/api/quarantine/release, not resolved here.
        o["quarantined"] = json::object{{"device", device}, {"seq", seq}};
    } else if (kind == "CLOCK_SKEW") {
        // What central measured of the device's clock (now, and when first flagged).
        rows_as_sides(db, sides, R"(
            SELECT id, name, clock_skew_ms, clock_checked_at_ms,
                   (SELECT count(*) FROM accepted_entry e WHERE e.device_id = d.id
                      AND e.clock_skew_ms IS NOT NULL) AS flagged_entries
            FROM device d WHERE id = ?1)",
                      row_id, "name");
    } else {
        if (auto r = current_row(db, table, row_id))
            sides.push_back(side("central", "中心现值 / central now", *r));
        if (auto r = device_version(db, table, key, device, seq))
            sides.push_back(side("device", "设备的版本 / the device's version", *r));
        if (kind == "DOUBLE_DELIVERY" || kind == "DELIVERED_AND_RETURNED") {
            rows_as_sides(db, sides, R"(
                SELECT id, '交接 ' || kind AS event, from_staff_id, to_staff_id, at_ms, origin_device
                FROM custody_transfer WHERE certificate_id = ?1
                UNION ALL
                SELECT id, '送达 ' || outcome, staff_id, recipient_kind, at_ms, origin_device
                FROM delivery_attempt WHERE certificate_id = ?1 ORDER BY at_ms)",
                          row_id, "event");
        }
    }
    o["sides"] = std::move(sides);
    o["decisions"] = o["state"] == "open" ? decisions_for(kind) : json::array{};
    return o;
}

json::object log_view(store::Database& db) {
    MerkleLog log(db);
    const auto latest = log.latest();
    const auto w = log.witnessing();
    json::array witnesses;
    for (const auto& x : w.latest) {
        witnesses.push_back(
            {{"community_id", x.community_id},
             {"community", db.query_value<std::string>("SELECT code FROM community WHERE id = ?1",
                                                       x.community_id)
                               .value_or(x.community_id)},
             {"device_id", x.device_id},
             {"device",
              db.query_value<std::string>("SELECT name FROM device WHERE id = ?1", x.device_id)
                  .value_or(x.device_id)},
             {"size", x.size},
             {"at_ms", static_cast<std::int64_t>(x.time_s) * 1000}});
    }
    // Alarms devices raised against this log, open first (protocol 5).
    json::array alarms;
    for (const auto& a : log.alarms(50)) {
        json::object o{{"device_id", a.device_id},
                       {"device", db.query_value<std::string>(
                                        "SELECT name FROM device WHERE id = ?1", a.device_id)
                                      .value_or(a.device_id)},
                       {"alarm_id", a.alarm_id},
                       {"at_ms", a.at_ms},
                       {"kind", a.kind},
                       {"detail", a.detail},
                       {"evidence", a.evidence},
                       {"held_note", a.held_note},
                       {"offered_note", a.offered_note},
                       {"received_at_ms", a.received_at_ms},
                       {"open", !a.cleared_at_ms}};
        if (a.cleared_at_ms) {
            o["cleared_at_ms"] = *a.cleared_at_ms;
            o["cleared_reason"] = a.cleared_reason;
        }
        alarms.push_back(std::move(o));
    }
    json::object out{{"leaves", log.size()},
                     {"witnesses_needed", w.needed},
                     {"witnessed_size", w.witnessed_size},
                     {"witnesses", std::move(witnesses)},
                     {"open_alarms", log.open_alarms()},
                     {"alarms", std::move(alarms)}};
    if (latest) {
        out["checkpoint_size"] = latest->size;
        out["checkpoint_at_ms"] = latest->signed_at_ms;
    }
    return out;
}

json::array device_list(store::Database& db) {
    json::array list;
    auto st = db.prepare(R"(
        SELECT d.id, d.name, d.role, d.staff_id, c.code, coalesce(g.name, ''), d.last_seq,
               d.enrolled_at_ms, d.revoked_at_ms IS NOT NULL, d.clock_skew_ms, d.clock_checked_at_ms
        FROM device d JOIN community c ON c.id = d.community_id LEFT JOIN grid g ON g.id = d.grid_id
        ORDER BY d.enrolled_at_ms, d.id)");
    while (st.step()) {
        const auto skew = st.column<std::optional<std::int64_t>>(9);
        const auto checked = st.column<std::optional<std::int64_t>>(10);
        list.push_back({{"id", st.column<std::string>(0)},
                        {"name", st.column<std::string>(1)},
                        {"role", st.column<std::string>(2)},
                        {"staff_id", st.column<std::string>(3)},
                        {"community", st.column<std::string>(4)},
                        {"grid", st.column<std::string>(5)},
                        {"entries", st.column<std::int64_t>(6)},
                        {"enrolled_at_ms", st.column<std::int64_t>(7)},
                        {"revoked", st.column<bool>(8)},
                        // Its clock minus central's at the last pull (null: never measured).
                        {"clock_skew_ms", skew ? json::value(*skew) : nullptr},
                        {"clock_checked_at_ms", checked ? json::value(*checked) : nullptr},
                        {"clock_skewed", skew && std::abs(*skew) > sync::kMaxClockSkewMs}});
    }
    return list;
}

json::array staff_key_list(store::Database& db, const std::string& staff_id) {
    json::array list;
    for (const auto& k : domain::staff_keys(db, staff_id)) {
        const auto name =
            db.query_value<std::string>("SELECT name FROM staff WHERE id = ?1", k.staff_id);
        const auto device =
            db.query_value<std::string>("SELECT name FROM device WHERE id = ?1", k.device_id);
        list.push_back({{"key_id", k.id},
                        {"staff_id", k.staff_id},
                        {"staff", name.value_or("")},
                        {"device_id", k.device_id},
                        {"device", device.value_or("")},
                        {"fingerprint", crypto::fingerprint(k.public_key)},
                        {"enrolled_at_ms", k.enrolled_at_ms},
                        {"with_code", k.enrolled_with_code},
                        {"revoked_at_ms",
                         k.revoked_at_ms ? json::value(*k.revoked_at_ms) : json::value(nullptr)},
                        {"revoked_reason", k.revoked_reason}});
    }
    return list;
}

Result<TokenGrant> token_grant(store::Database& db, const std::string& staff_id,
                               const std::string& role, const std::string& community_code,
                               const std::string& grid, int ttl_hours) {
    TokenGrant g;
    g.role = role;
    if (!staff_id.empty()) {
        // By staff number (工号) or id.
        auto found = domain::find_staff(db, staff_id);
        if (!found)
            return fail(Errc::bad_request, found.failure().message);
        g.staff_id = *found;
    }
    if (role != "community_laptop" && role != "grid_device")
        return fail(Errc::bad_request,
                    "角色应为 community_laptop 或 grid_device / role: "
                    "community_laptop | grid_device");
    const auto community =
        db.query_value<std::string>("SELECT id FROM community WHERE code = ?1", community_code);
    if (!community)
        return fail(Errc::bad_request, "社区编号不存在 / no community with code " + community_code);
    g.community_id = *community;
    if (role == "grid_device") {
        auto found = domain::find_grid(db, g.community_id, grid);
        if (!found)
            return fail(Errc::bad_request, found.failure().message);
        g.grid_id = found->id;
        // A grid leader's device is bound to that grid's leader, and no one else.
        if (!found->leader_staff_id)
            return fail(Errc::bad_request,
                        found->name + " 尚未指定网格负责人 / has no grid leader");
        if (g.staff_id.empty())
            g.staff_id = *found->leader_staff_id;
        if (g.staff_id != *found->leader_staff_id) {
            return fail(Errc::bad_request, "该工作人员不是" + found->name +
                                               "的网格负责人 / staff " + g.staff_id +
                                               " is not the leader of " + found->name);
        }
    }
    if (!db.query_value<int>("SELECT 1 FROM staff WHERE id = ?1", g.staff_id))
        return fail(Errc::bad_request, "工作人员不存在 / no staff member " + g.staff_id);
    if (ttl_hours < 1 || ttl_hours > 24 * 30)
        return fail(Errc::bad_request, "有效期 1 到 720 小时 / ttl: 1 to 720 hours");
    g.ttl_ms = static_cast<domain::EpochMs>(ttl_hours) * 3600000;
    return g;
}

std::string enrollment_code(const std::string& token, const crypto::KxPublicKey& central_kx) {
    return token + "." + to_hex(central_kx.bytes);
}

json::object approval_json(const ApprovalSummary& a) {
    json::array lines;
    for (const auto& l : a.lines) {
        lines.push_back({{"community", l.community_code},
                         {"date", l.local_date},
                         {"program", l.program_code},
                         {"entitlements", l.entitlements},
                         {"total_yuan", domain::format_yuan(l.total_fen)},
                         {"total_fen", l.total_fen}});
    }
    return {{"id", a.id},
            {"subject", a.subject},
            {"state", a.state},
            {"prepared_by", a.prepared_by_name},
            {"prepared_at", domain::format_local(a.prepared_at_ms)},
            {"prepared_at_ms", a.prepared_at_ms},
            {"decided_by", a.decided_by_name},
            {"reason", a.reason},
            {"entitlements", a.entitlements},
            {"total_yuan", domain::format_yuan(a.total_fen)},
            {"total_fen", a.total_fen},
            {"lines", std::move(lines)}};
}

json::object import_outcome_json(const ImportOutcome& r) {
    json::array problems;
    for (const auto& p : r.problems) {
        problems.push_back({{"line", p.line},
                            {"column", p.column},
                            {"heading", p.heading},
                            {"message", p.message},
                            {"text", describe(p)}});
    }
    return {{"kind", to_string(r.kind)},
            {"title", title_of(r.kind)},
            {"format", r.format},
            {"rows", r.rows},
            {"created", r.created},
            {"updated", r.updated},
            {"unchanged", r.unchanged},
            {"approval_id", r.approval_id},
            {"file_digest", r.file_digest},
            {"ok", r.ok()},
            {"problems", std::move(problems)}};
}

json::array quarantine_json(store::Database& db, QuarantineDesk& desk, bool all) {
    json::array out;
    for (const auto& q : desk.list(all)) {
        const auto name =
            db.query_value<std::string>("SELECT name FROM device WHERE id = ?1", q.device_id);
        out.push_back(json::object{
            {"device", q.device_id},
            {"device_name", name.value_or("")},
            {"seq", static_cast<std::int64_t>(q.seq)},
            {"code", q.code},
            {"reason", q.reason},
            {"at_ms", q.at_ms},
            {"at", domain::format_local(q.at_ms)},
            {"released", q.released_at_ms.has_value()},
            {"decision_verifies", desk.decision_verifies(q)},
        });
    }
    return out;
}

}  // namespace gridsync::central
