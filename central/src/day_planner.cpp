#include "gridsync/central/day_planner.hpp"

#include <map>
#include <set>

#include "gridsync/central/errors.hpp"
#include "gridsync/store/changeset.hpp"

namespace gridsync::central {

namespace {

ApprovalSummary summary_of(store::Database& db, store::Statement& st) {
    ApprovalSummary s;
    s.id = st.column<std::string>(0);
    s.subject = st.column<std::string>(1);
    s.prepared_by_staff_id = st.column<std::string>(2);
    s.prepared_at_ms = st.column<std::int64_t>(3);
    const Bytes changeset = st.column<Bytes>(4);
    const auto approved_by = st.column<std::optional<std::string>>(5);
    const auto approved_at = st.column<std::optional<std::int64_t>>(6);
    const auto rejected_by = st.column<std::optional<std::string>>(7);
    const auto rejected_at = st.column<std::optional<std::int64_t>>(8);
    s.reason = st.column<std::optional<std::string>>(9).value_or("");
    auto name = [&](const std::string& staff) {
        return db.query_value<std::string>("SELECT name FROM staff WHERE id = ?1", staff)
            .value_or(staff);
    };
    s.prepared_by_name = name(s.prepared_by_staff_id);
    s.state = approved_by ? "approved" : rejected_by ? "rejected" : "waiting";
    if (approved_by || rejected_by) {
        s.decided_by_name = name(approved_by ? *approved_by : *rejected_by);
        s.decided_at_ms = approved_by ? approved_at : rejected_at;
    }
    std::map<std::tuple<std::string, std::string, std::string>, ApprovalSummary::Line> lines;
    store::ChangesetIterator it(changeset);
    while (it.next()) {
        if (it.table() != "entitlement" || it.op() != store::Op::insert)
            continue;
        auto text = [&](int col) {
            auto v = it.new_value(col);
            return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v)
                                                                : std::string();
        };
        const auto amount = it.new_value(5);
        const domain::Fen fen = amount && std::holds_alternative<std::int64_t>(*amount)
                                    ? std::get<std::int64_t>(*amount)
                                    : 0;
        auto day = db.prepare(
            "SELECT c.code, d.local_date FROM disbursement_day d JOIN community c ON c.id = "
            "d.community_id WHERE d.id = ?1");
        day.bind(1, text(1));
        std::string community, date;
        if (day.step()) {
            community = day.column<std::string>(0);
            date = day.column<std::string>(1);
        }
        const std::string program =
            db.query_value<std::string>("SELECT code FROM aid_program WHERE id = ?1", text(3))
                .value_or("?");
        auto& line = lines[{community, date, program}];
        line.community_code = community;
        line.local_date = date;
        line.program_code = program;
        ++line.entitlements;
        line.total_fen += fen;
        ++s.entitlements;
        s.total_fen += fen;
    }
    for (auto& [k, l] : lines)
        s.lines.push_back(std::move(l));
    return s;
}

constexpr const char* kApprovalColumns =
    "SELECT id, subject, prepared_by, prepared_at_ms, changeset, approved_by, approved_at_ms, "
    "rejected_by, rejected_at_ms, rejected_reason FROM pending_approval";

}  // namespace

std::vector<ApprovalSummary> DayPlanner::approvals(const std::string& state) {
    auto& db = log_.read_view();
    auto st = db.prepare(std::string(kApprovalColumns) + " ORDER BY prepared_at_ms DESC, id");
    std::vector<ApprovalSummary> out;
    while (st.step()) {
        auto s = summary_of(db, st);
        if (state == "all" || s.state == state)
            out.push_back(std::move(s));
    }
    return out;
}

std::optional<ApprovalSummary> DayPlanner::approval(const std::string& id) {
    auto& db = log_.read_view();
    auto st = db.prepare(std::string(kApprovalColumns) + " WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return summary_of(db, st);
}

std::vector<domain::CarriedOver> DayPlanner::carry_into(const std::vector<std::string>& day_ids,
                                                        const AdminSigner& admin,
                                                        domain::EpochMs now) {
    std::vector<domain::CarriedOver> carried;
    log_.record(central_key_, now, [&](store::Database& w, const domain::Stamp& stamp) {
        for (const auto& day : day_ids) {
            auto moved = domain::carry_over_unpaid(w, stamp, day);
            domain::Fen fen = 0;
            for (const auto& m : moved)
                fen += m.amount_fen;
            if (!moved.empty()) {
                admins_.record_admin_action(admin, "day.carry_over", day,
                                            std::to_string(moved.size()) + " entitlements, " +
                                                domain::format_yuan(fen) + " yuan",
                                            now);
            }
            carried.insert(carried.end(), moved.begin(), moved.end());
        }
    });
    return carried;
}

Result<Approved> DayPlanner::approve(const std::string& approval_id, const AdminSigner& approver,
                                     domain::EpochMs now) {
    auto summary = approval(approval_id);
    if (auto st = approvals_.approve(approval_id, approver, central_key_, now); !st)
        return st.failure();
    Approved out;
    std::set<std::string> days;
    for (const auto& l : summary->lines) {
        if (auto d = log_.read_view().query_value<std::string>(
                "SELECT d.id FROM disbursement_day d JOIN community c ON c.id = d.community_id "
                "WHERE c.code = ?1 AND d.local_date = ?2",
                l.community_code, l.local_date))
            days.insert(*d);
    }
    out.day_ids.assign(days.begin(), days.end());
    out.carried = carry_into(out.day_ids, approver, now);
    return out;
}

Status DayPlanner::reject(const std::string& approval_id, const AdminSigner& admin,
                          const std::string& reason, domain::EpochMs now) {
    return approvals_.reject(approval_id, admin, reason, now);
}

Result<std::vector<domain::CarriedOver>> DayPlanner::carry_over(const std::string& community_code,
                                                                const std::string& local_date,
                                                                const AdminSigner& admin,
                                                                domain::EpochMs now) {
    auto day = log_.read_view().query_value<std::string>(
        "SELECT d.id FROM disbursement_day d JOIN community c ON c.id = d.community_id WHERE "
        "c.code = ?1 AND d.local_date = ?2",
        community_code, local_date);
    if (!day) {
        return fail(Errc::bad_request, "没有这个发放日 / no disbursement day of " + community_code +
                                           " on " + local_date);
    }
    return carry_into({*day}, admin, now);
}

}  // namespace gridsync::central
