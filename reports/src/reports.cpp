#include "gridsync/reports/reports.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/organisation.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/file.hpp"

namespace gridsync::reports {

namespace {

using office::Cell;
using office::CellKind;
using office::Column;
using office::Table;
using Fen = domain::Fen;

Cell text(std::string s) {
    return Cell(std::move(s));
}
Cell num(std::int64_t n) {
    return Cell(n);
}
// A rate in basis points, or empty when there is nothing to divide by.
Cell rate(std::int64_t part, std::int64_t whole) {
    return whole > 0 ? Cell(part * 10000 / whole) : Cell();
}
std::optional<std::int64_t> rate_bp(std::int64_t part, std::int64_t whole) {
    return whole > 0 ? std::optional<std::int64_t>(part * 10000 / whole) : std::nullopt;
}
Cell opt(const std::optional<std::int64_t>& v) {
    return v ? Cell(*v) : Cell();
}

const char* reason_zh(const std::string& r) {
    static const std::map<std::string, const char*> names = {{"absent", "未到场"},
                                                             {"deceased", "已故"},
                                                             {"moved", "已迁出"},
                                                             {"refused", "拒领"},
                                                             {"identity_unverified", "身份未核实"},
                                                             {"other", "其他"},
                                                             {"not_home", "不在家"},
                                                             {"no_id", "无法核验身份"}};
    auto it = names.find(r);
    return it == names.end() ? "其他" : it->second;
}

std::string month_after(const std::string& month) {
    int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2));
    if (++m > 12) {
        m = 1;
        ++y;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d", y, m);
    return buf;
}

// What a report covers: the communities, and a grid within one.
struct Where {
    std::vector<std::string> communities;  // ids, by code
    std::map<std::string, std::string> community_names;
    std::optional<std::string> grid;
    std::string month;
    domain::EpochMs from_ms = 0, to_ms = 0;  // the month, local
    domain::EpochMs now = 0;

    bool has(const std::string& community) const { return community_names.count(community) > 0; }
};

Where where_of(store::Database& db, const Scope& scope, const std::string& month,
               domain::EpochMs now) {
    Where w;
    w.grid = scope.grid_id;
    w.month = month;
    w.from_ms = domain::local_midnight_utc(month + "-01");
    w.to_ms = domain::local_midnight_utc(month_after(month) + "-01");
    w.now = now;
    auto st = db.prepare(
        "SELECT id, name FROM community WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR "
        "service_point_id = ?2) ORDER BY code");
    st.bind_all(scope.community_id, scope.service_point_id);
    while (st.step()) {
        w.communities.push_back(st.column<std::string>(0));
        w.community_names[st.column<std::string>(0)] = st.column<std::string>(1);
    }
    return w;
}

std::vector<std::string> notes_of(const Scope& scope, const Where& w, const std::string& extra) {
    std::vector<std::string> notes = {"范围 scope:" + scope.label,
                                      "期间 period:" + w.month + "(北京时间 Asia/Shanghai)",
                                      "制表时间 made:" + domain::format_local(w.now)};
    if (!extra.empty())
        notes.push_back(extra);
    return notes;
}

// ---------------------------------------------------------------- reconciliation

struct EntitlementRow {
    std::string id, day_id, date, community, session, program, program_name, beneficiary,
        beneficiary_last4;
    Fen amount = 0;
    bool carried_in = false;
};
struct PaymentRow {
    std::string id, entitlement, session, kind, payer, verifier, proxy;
    Fen amount = 0;
    domain::EpochMs at = 0;
    bool voided = false;
};

Report reconciliation(store::Database& db, const Scope& scope, const Where& w) {
    Report r;
    r.kind = ReportKind::reconciliation;
    r.title = "民生扶助资金发放对账表";
    std::vector<EntitlementRow> ents;
    std::map<std::string, std::size_t> ent_index;
    {
        auto st = db.prepare(R"(
            SELECT e.id, d.id, d.local_date, d.community_id, coalesce(e.session_id, ''), p.code, p.name,
                   res.name, res.id_last4, e.amount_fen, e.carried_from_day_id IS NOT NULL, h.grid_id
            FROM entitlement e
            JOIN disbursement_day d ON d.id = e.disbursement_day_id
            JOIN aid_program p ON p.id = e.program_id
            JOIN resident res ON res.id = e.beneficiary_id
            JOIN household h ON h.id = res.household_id
            WHERE substr(d.local_date, 1, 7) = ?1
            ORDER BY d.local_date, p.code, res.name, e.id)");
        st.bind(1, w.month);
        while (st.step()) {
            if (!w.has(st.column<std::string>(3)))
                continue;
            if (w.grid && st.column<std::string>(11) != *w.grid)
                continue;
            EntitlementRow e{
                st.column<std::string>(0), st.column<std::string>(1), st.column<std::string>(2),
                st.column<std::string>(3), st.column<std::string>(4), st.column<std::string>(5),
                st.column<std::string>(6), st.column<std::string>(7), st.column<std::string>(8),
                st.column<Fen>(9),         st.column<int>(10) != 0};
            ent_index[e.id] = ents.size();
            ents.push_back(std::move(e));
        }
    }
    std::vector<PaymentRow> pays;
    {
        auto st = db.prepare(R"(
            SELECT y.id, y.entitlement_id, y.session_id, y.kind, a.name, b.name,
                   coalesce(x.proxy_name, ''), y.amount_fen, y.paid_at_ms, v.id IS NOT NULL
            FROM payment y JOIN staff a ON a.id = y.payer_staff_id JOIN staff b ON b.id = y.verifier_staff_id
            LEFT JOIN proxy_registration x ON x.id = y.proxy_registration_id
            LEFT JOIN payment_void v ON v.payment_id = y.id
            ORDER BY y.paid_at_ms, y.id)");
        while (st.step()) {
            if (!ent_index.count(st.column<std::string>(1)))
                continue;
            pays.push_back({st.column<std::string>(0), st.column<std::string>(1),
                            st.column<std::string>(2), st.column<std::string>(3),
                            st.column<std::string>(4), st.column<std::string>(5),
                            st.column<std::string>(6), st.column<Fen>(7),
                            st.column<std::int64_t>(8), st.column<int>(9) != 0});
        }
    }
    // Per entitlement: paid (payments standing), reversed, voided.
    struct Net {
        Fen paid = 0, reversed = 0, voided = 0;
        int paid_n = 0, reversed_n = 0, voided_n = 0;
    };
    std::map<std::string, Net> net;
    for (const auto& p : pays) {
        auto& n = net[p.entitlement];
        if (p.kind == "reversal") {
            n.reversed += p.amount;
            ++n.reversed_n;
        } else if (p.voided) {
            n.voided += p.amount;
            ++n.voided_n;
        } else {
            n.paid += p.amount;
            ++n.paid_n;
        }
    }
    auto unpaid = [&](const EntitlementRow& e) {
        const auto it = net.find(e.id);
        return it == net.end() || it->second.paid - it->second.reversed <= 0;
    };
    // Unpaid reasons recorded at closings.
    std::map<std::string, std::pair<std::string, bool>> reasons;
    {
        auto st = db.prepare("SELECT entitlement_id, reason, carried_over FROM unpaid_entitlement");
        while (st.step()) {
            reasons[st.column<std::string>(0)] = {st.column<std::string>(1),
                                                  st.column<int>(2) != 0};
        }
    }

    // 1. Sessions.
    Table sessions;
    sessions.sheet_name = "场次对账";
    sessions.title = r.title + " — 按场次";
    sessions.notes = notes_of(scope, w,
                              w.grid ? "按网格统计时不含现金栏(现金按场次清点)/ cash is counted "
                                       "per session, not per grid"
                                     : "");
    sessions.columns = {{"社区"},
                        {"发放日期"},
                        {"场次开始"},
                        {"工作人员A"},
                        {"工作人员B"},
                        {"状态"},
                        {"应发笔数", CellKind::integer},
                        {"应发金额", CellKind::yuan},
                        {"已发笔数", CellKind::integer},
                        {"已发金额", CellKind::yuan},
                        {"冲正笔数", CellKind::integer},
                        {"冲正金额", CellKind::yuan},
                        {"作废笔数", CellKind::integer},
                        {"作废金额", CellKind::yuan},
                        {"未领笔数", CellKind::integer},
                        {"未领金额", CellKind::yuan},
                        {"领取现金", CellKind::yuan},
                        {"交回现金", CellKind::yuan},
                        {"差额", CellKind::yuan},
                        {"差额说明"}};
    std::vector<std::int64_t> totals(20, 0);
    auto add_total = [&](std::size_t col, std::int64_t v) { totals[col] += v; };
    {
        auto st = db.prepare(R"(
            SELECT s.id, d.community_id, d.local_date, s.opened_at_ms, a.name, b.name, s.state,
                   s.cash_issued_fen, c.cash_returned_fen, c.variance_fen, coalesce(c.explanation, '')
            FROM disbursement_session s JOIN disbursement_day d ON d.id = s.disbursement_day_id
            JOIN staff a ON a.id = s.staff_a_id JOIN staff b ON b.id = s.staff_b_id
            LEFT JOIN session_closing c ON c.session_id = s.id
            WHERE substr(d.local_date, 1, 7) = ?1
            ORDER BY d.local_date, s.opened_at_ms, s.id)");
        st.bind(1, w.month);
        while (st.step()) {
            const std::string sid = st.column<std::string>(0);
            if (!w.has(st.column<std::string>(1)))
                continue;
            std::int64_t exp_n = 0, exp_f = 0, paid_n = 0, paid_f = 0, rev_n = 0, rev_f = 0,
                         void_n = 0, void_f = 0, un_n = 0, un_f = 0;
            for (const auto& e : ents) {
                if (e.session != sid)
                    continue;
                ++exp_n;
                exp_f += e.amount;
                if (unpaid(e)) {
                    ++un_n;
                    un_f += e.amount;
                }
            }
            for (const auto& p : pays) {
                if (p.session != sid)
                    continue;
                if (p.kind == "reversal") {
                    ++rev_n;
                    rev_f += p.amount;
                } else if (p.voided) {
                    ++void_n;
                    void_f += p.amount;
                } else {
                    ++paid_n;
                    paid_f += p.amount;
                }
            }
            const bool closed = !st.is_null(8);
            std::vector<Cell> row = {text(w.community_names.at(st.column<std::string>(1))),
                                     text(st.column<std::string>(2)),
                                     text(domain::format_local(st.column<std::int64_t>(3))),
                                     text(st.column<std::string>(4)),
                                     text(st.column<std::string>(5)),
                                     text(closed ? "已结束" : "进行中"),
                                     num(exp_n),
                                     num(exp_f),
                                     num(paid_n),
                                     num(paid_f),
                                     num(rev_n),
                                     num(rev_f),
                                     num(void_n),
                                     num(void_f),
                                     num(un_n),
                                     num(un_f)};
            const std::int64_t figures[] = {exp_n, exp_f,  paid_n, paid_f, rev_n,
                                            rev_f, void_n, void_f, un_n,   un_f};
            for (std::size_t i = 0; i < std::size(figures); ++i)
                add_total(6 + i, figures[i]);
            if (w.grid) {
                row.insert(row.end(), {Cell(), Cell(), Cell(), Cell()});
            } else {
                row.push_back(num(st.column<Fen>(7)));
                add_total(16, st.column<Fen>(7));
                if (closed) {
                    row.push_back(num(st.column<Fen>(8)));
                    row.push_back(num(st.column<Fen>(9)));
                    add_total(17, st.column<Fen>(8));
                    add_total(18, st.column<Fen>(9));
                } else {
                    row.insert(row.end(), {Cell(), Cell()});
                }
                row.push_back(text(st.column<std::string>(10)));
            }
            sessions.rows.push_back(std::move(row));
        }
    }
    sessions.totals = {text("合计")};
    for (std::size_t c = 1; c < sessions.columns.size(); ++c) {
        const bool summed = c >= 6 && c <= 18 && !(w.grid && c >= 16);
        sessions.totals.push_back(summed ? num(totals[c]) : Cell());
    }
    sessions.footer = {"经办人签字:____________    复核人签字:____________    日期:__________"};

    // 2. Days and programmes.
    Table days;
    days.sheet_name = "按发放日和项目";
    days.title = r.title + " — 按发放日和项目";
    days.notes = notes_of(
        scope, w, "已发 = 有效发放(不含作废)减冲正;结转转入为之前发放日未领、按项目规则转入的");
    days.columns = {{"社区"},
                    {"发放日期"},
                    {"项目"},
                    {"应发笔数", CellKind::integer},
                    {"应发金额", CellKind::yuan},
                    {"其中结转转入", CellKind::integer},
                    {"已发笔数", CellKind::integer},
                    {"已发金额", CellKind::yuan},
                    {"冲正金额", CellKind::yuan},
                    {"作废金额", CellKind::yuan},
                    {"未领笔数", CellKind::integer},
                    {"未领金额", CellKind::yuan}};
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::int64_t>> groups;
    std::map<std::tuple<std::string, std::string, std::string>, std::string> group_names;
    for (const auto& e : ents) {
        const auto key = std::tuple{e.date, w.community_names.at(e.community), e.program};
        group_names[key] = e.program_name;
        auto& g = groups[key];
        g.resize(9, 0);
        const Net n = net.count(e.id) ? net.at(e.id) : Net{};
        ++g[0];
        g[1] += e.amount;
        g[2] += e.carried_in ? 1 : 0;
        if (!unpaid(e))
            ++g[3];
        g[4] += n.paid - n.reversed;
        g[5] += n.reversed;
        g[6] += n.voided;
        if (unpaid(e)) {
            ++g[7];
            g[8] += e.amount;
        }
    }
    std::vector<std::int64_t> dt(9, 0);
    for (const auto& [key, g] : groups) {
        std::vector<Cell> row = {text(std::get<1>(key)), text(std::get<0>(key)),
                                 text(group_names.at(key))};
        for (std::size_t i = 0; i < g.size(); ++i) {
            row.push_back(num(g[i]));
            dt[i] += g[i];
        }
        days.rows.push_back(std::move(row));
    }
    days.totals = {text("合计"), Cell(), Cell()};
    for (const auto v : dt)
        days.totals.push_back(num(v));

    // 3. Every payment, with who paid and who verified.
    Table detail;
    detail.sheet_name = "发放明细";
    detail.title = r.title + " — 发放明细";
    detail.notes = notes_of(scope, w, "");
    detail.columns = {{"社区"},
                      {"发放日期"},
                      {"领取人"},
                      {"身份证号"},
                      {"项目"},
                      {"类型"},
                      {"金额", CellKind::yuan},
                      {"时间"},
                      {"经办人"},
                      {"复核人"},
                      {"代领人"},
                      {"状态"}};
    Fen detail_total = 0;
    for (const auto& p : pays) {
        const auto& e = ents[ent_index.at(p.entitlement)];
        const bool reversal = p.kind == "reversal";
        const Fen signed_amount = reversal ? -p.amount : p.voided ? 0 : p.amount;
        detail_total += signed_amount;
        detail.rows.push_back(
            {text(w.community_names.at(e.community)), text(e.date), text(e.beneficiary),
             text(domain::mask_from_last4("500103", e.beneficiary_last4)), text(e.program_name),
             text(reversal ? "冲正" : "发放"), num(reversal ? -p.amount : p.amount),
             text(domain::format_local(p.at)), text(p.payer), text(p.verifier), text(p.proxy),
             text(p.voided ? "已作废(待追回)" : "有效")});
    }
    detail.totals = {
        text("合计(有效发放减冲正)"), Cell(), Cell(), Cell(), Cell(), Cell(), num(detail_total)};

    // 4. What was not paid, and why.
    Table unpaid_list;
    unpaid_list.sheet_name = "未领明细";
    unpaid_list.title = r.title + " — 未领明细";
    unpaid_list.notes = notes_of(scope, w, "");
    unpaid_list.columns = {{"社区"}, {"发放日期"}, {"领取人"}, {"项目"}, {"金额", CellKind::yuan},
                           {"原因"}, {"处理"}};
    Fen unpaid_total = 0;
    for (const auto& e : ents) {
        if (!unpaid(e))
            continue;
        unpaid_total += e.amount;
        auto it = reasons.find(e.id);
        unpaid_list.rows.push_back(
            {text(w.community_names.at(e.community)), text(e.date), text(e.beneficiary),
             text(e.program_name), num(e.amount),
             text(it == reasons.end() ? "未结束场次" : reason_zh(it->second.first)),
             text(it == reasons.end() ? ""
                  : it->second.second ? "结转"
                                      : "作废")});
    }
    unpaid_list.totals = {text("合计"), Cell(), Cell(), Cell(), num(unpaid_total)};

    r.tables = {std::move(sessions), std::move(days), std::move(detail), std::move(unpaid_list)};
    return r;
}

// ---------------------------------------------------------------- delivery

std::int64_t median(std::vector<int> v) {
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    // Half days are kept as tenths: the median of 2 and 3 working days is 2.5.
    return n % 2 ? v[n / 2] * 10 : (v[n / 2 - 1] + v[n / 2]) * 5;
}

std::string tenths(std::int64_t t) {
    return std::to_string(t / 10) + (t % 10 ? "." + std::to_string(t % 10) : "");
}

Report delivery(store::Database& db, const Scope& scope, const Where& w) {
    Report r;
    r.kind = ReportKind::delivery;
    r.title = "证件送达限时办结统计表";
    struct Group {
        std::string community, leader, type;
        int total = 0, on_time = 0, late = 0, overdue = 0, pending = 0;
        std::map<std::string, int> failures;
        std::vector<int> days;
    };
    std::map<std::tuple<std::string, std::string, std::string>, Group> groups;
    auto st = db.prepare(R"(
        SELECT c.id, t.name, c.issued_at_ms, c.due_at_ms, g.community_id, g.id,
               coalesce(l.name, '(无负责人)'),
               (SELECT min(a.at_ms) FROM delivery_attempt a WHERE a.certificate_id = c.id AND a.outcome = 'delivered')
        FROM certificate c JOIN certificate_type t ON t.id = c.type_id
        JOIN resident r ON r.id = c.resident_id JOIN household h ON h.id = r.household_id
        JOIN grid g ON g.id = h.grid_id LEFT JOIN staff l ON l.id = g.leader_staff_id
        WHERE c.issued_at_ms >= ?1 AND c.issued_at_ms < ?2
        ORDER BY g.community_id, l.name, t.name)");
    st.bind_all(w.from_ms, w.to_ms);
    auto fails = db.prepare(
        "SELECT failure_reason, count(*) FROM delivery_attempt WHERE certificate_id = ?1 AND "
        "outcome = 'failed' GROUP BY failure_reason");
    while (st.step()) {
        if (!w.has(st.column<std::string>(4)))
            continue;
        if (w.grid && st.column<std::string>(5) != *w.grid)
            continue;
        const std::string community = w.community_names.at(st.column<std::string>(4));
        auto& g = groups[{community, st.column<std::string>(6), st.column<std::string>(1)}];
        g.community = community;
        g.leader = st.column<std::string>(6);
        g.type = st.column<std::string>(1);
        ++g.total;
        const auto issued = st.column<std::int64_t>(2), due = st.column<std::int64_t>(3);
        const auto delivered = st.column<std::optional<std::int64_t>>(7);
        if (delivered) {
            (*delivered <= due ? g.on_time : g.late)++;
            g.days.push_back(domain::working_days_between(db, issued, *delivered));
        } else {
            (w.now > due ? g.overdue : g.pending)++;
        }
        fails.bind(1, st.column<std::string>(0));
        while (fails.step())
            g.failures[fails.column<std::string>(0)] += fails.column<int>(1);
        fails.reset();
    }
    Table t;
    t.sheet_name = "限时办结";
    t.title = r.title;
    t.notes = notes_of(
        scope, w, "按本月办结(出证)的证件统计;时限按工作日计(工作日历);“超期未送”截至制表时间");
    t.columns = {{"社区"},
                 {"网格负责人"},
                 {"事项"},
                 {"证件数", CellKind::integer},
                 {"按时送达", CellKind::integer},
                 {"超时送达", CellKind::integer},
                 {"超期未送", CellKind::integer},
                 {"未到期未送", CellKind::integer},
                 {"按时率", CellKind::percent},
                 {"失败:不在家", CellKind::integer},
                 {"失败:拒收", CellKind::integer},
                 {"失败:已搬迁", CellKind::integer},
                 {"失败:无法核验身份", CellKind::integer},
                 {"失败:其他", CellKind::integer},
                 {"办结到送达中位数(工作日)"}};
    const char* reasons[] = {"not_home", "refused", "moved", "no_id", "other"};
    std::vector<std::int64_t> tot(11, 0);
    std::vector<int> all_days;
    for (auto& [k, g] : groups) {
        std::vector<Cell> row = {
            text(g.community), text(g.leader), text(g.type),
            num(g.total),      num(g.on_time), num(g.late),
            num(g.overdue),    num(g.pending), rate(g.on_time, g.on_time + g.late + g.overdue)};
        tot[0] += g.total;
        tot[1] += g.on_time;
        tot[2] += g.late;
        tot[3] += g.overdue;
        tot[4] += g.pending;
        for (std::size_t i = 0; i < std::size(reasons); ++i) {
            row.push_back(num(g.failures[reasons[i]]));
            tot[5 + i] += g.failures[reasons[i]];
        }
        const auto m = median(g.days);
        row.push_back(m < 0 ? Cell() : text(tenths(m)));
        all_days.insert(all_days.end(), g.days.begin(), g.days.end());
        t.rows.push_back(std::move(row));
    }
    const auto m = median(all_days);
    t.totals = {text("合计"), Cell(),      Cell(),
                num(tot[0]),  num(tot[1]), num(tot[2]),
                num(tot[3]),  num(tot[4]), rate(tot[1], tot[1] + tot[2] + tot[3]),
                num(tot[5]),  num(tot[6]), num(tot[7]),
                num(tot[8]),  num(tot[9]), m < 0 ? Cell() : text(tenths(m))};
    r.tables = {std::move(t)};
    return r;
}

// ---------------------------------------------------------------- attendance

struct PersonMonth {
    std::string community, staff_id, name, number, role;
    domain::MonthlyAttendance a;
};

std::vector<PersonMonth> people_month(store::Database& db, const Where& w) {
    std::vector<PersonMonth> out;
    for (const auto& c : w.communities) {
        for (auto& a : domain::monthly_summary(db, c, w.month, w.now)) {
            auto st =
                db.prepare("SELECT coalesce(staff_number, ''), role FROM staff WHERE id = ?1");
            st.bind(1, a.staff_id);
            std::string number, role;
            if (st.step()) {
                number = st.column<std::string>(0);
                role = st.column<std::string>(1);
            }
            if (w.grid && !db.query_value<int>("SELECT 1 FROM grid WHERE id = ?1 AND "
                                               "leader_staff_id = ?2",
                                               *w.grid, a.staff_id))
                continue;
            out.push_back({w.community_names.at(c), a.staff_id, a.staff_name, number, role, a});
        }
    }
    std::sort(out.begin(), out.end(), [](const PersonMonth& x, const PersonMonth& y) {
        return std::tie(x.community, x.number, x.name) < std::tie(y.community, y.number, y.name);
    });
    return out;
}

// Minutes of a community's 8+4 window with nobody checked in, day by day.
struct Uncovered {
    std::string community, date, gaps;
    std::int64_t minutes = 0;
};
std::vector<Uncovered> uncovered(store::Database& db, const Where& w) {
    std::vector<Uncovered> out;
    for (const auto& c : w.communities) {
        auto days = db.prepare(
            "SELECT DISTINCT local_date FROM roster_shift WHERE community_id = ?1 AND "
            "substr(local_date, 1, 7) = ?2 ORDER BY local_date");
        days.bind_all(c, w.month);
        while (days.step()) {
            const std::string date = days.column<std::string>(0);
            if (domain::local_midnight_utc(date) > w.now)
                break;
            Uncovered u{w.community_names.at(c), date, "", 0};
            for (const auto& g : domain::coverage_gaps(db, c, date, w.now)) {
                u.minutes += (g.to_ms - g.from_ms) / 60000;
                u.gaps += (u.gaps.empty() ? "" : "、") +
                          domain::format_local(g.from_ms).substr(11) + "-" +
                          domain::format_local(g.to_ms).substr(11);
            }
            out.push_back(std::move(u));
        }
    }
    return out;
}

Report attendance(store::Database& db, const Scope& scope, const Where& w) {
    Report r;
    r.kind = ReportKind::attendance;
    r.title = "日常考勤月报";
    Table t;
    t.sheet_name = "个人考勤";
    t.title = r.title + " — 个人";
    t.notes = notes_of(scope, w, "迟到、早退超过 15 分钟计;A角缺勤而B角在岗为“B角顶岗”,计入B角");
    t.columns = {{"社区"},
                 {"工号"},
                 {"姓名"},
                 {"应到班次", CellKind::integer},
                 {"出勤", CellKind::integer},
                 {"迟到", CellKind::integer},
                 {"早退", CellKind::integer},
                 {"缺勤", CellKind::integer},
                 {"其中B角顶岗", CellKind::integer},
                 {"作为B角顶岗", CellKind::integer},
                 {"出勤率", CellKind::percent},
                 {"在岗小时"}};
    std::vector<std::int64_t> tot(7, 0);
    for (const auto& p : people_month(db, w)) {
        const auto& a = p.a;
        t.rows.push_back({text(p.community), text(p.number), text(p.name), num(a.shifts),
                          num(a.attended), num(a.late), num(a.left_early), num(a.absent),
                          num(a.absences_covered), num(a.covered_for_others),
                          rate(a.attended, a.shifts),
                          text(tenths((a.worked_ms + a.covering_ms) / 360000))});
        const std::int64_t v[] = {
            a.shifts,           a.attended,          a.late, a.left_early, a.absent,
            a.absences_covered, a.covered_for_others};
        for (std::size_t i = 0; i < 7; ++i)
            tot[i] += v[i];
    }
    t.totals = {text("合计"),         Cell(),      Cell(),      num(tot[0]), num(tot[1]),
                num(tot[2]),          num(tot[3]), num(tot[4]), num(tot[5]), num(tot[6]),
                rate(tot[1], tot[0]), Cell()};
    Table gaps;
    gaps.sheet_name = "8+4未覆盖";
    gaps.title = r.title + " — 8+4 窗口未覆盖时段";
    gaps.notes = notes_of(scope, w, "窗口为开门前 2 小时到关门后 2 小时;无人签到的时段");
    gaps.columns = {{"社区"}, {"日期"}, {"未覆盖分钟", CellKind::integer}, {"时段"}};
    std::int64_t minutes = 0;
    if (!w.grid) {
        for (const auto& u : uncovered(db, w)) {
            gaps.rows.push_back({text(u.community), text(u.date), num(u.minutes), text(u.gaps)});
            minutes += u.minutes;
        }
    }
    gaps.totals = {text("合计"), Cell(), num(minutes), Cell()};
    r.tables = {std::move(t), std::move(gaps)};
    return r;
}

// ---------------------------------------------------------------- assessment

Report assessment(store::Database& db, const Scope& scope, const Where& w) {
    Report r;
    r.kind = ReportKind::assessment;
    r.title = "三考两评月度考核表";
    struct Person {
        std::string community, number, name, role;
        int shifts = 0, attended = 0, late = 0, absent = 0;
        int delivered = 0, on_time = 0, overdue_held = 0;
        int paid = 0, verified = 0;
        int ratings = 0, satisfied = 0;
    };
    std::map<std::string, Person> people;  // by staff id
    auto person = [&](const std::string& id, const std::string& community) -> Person& {
        auto [it, fresh] = people.try_emplace(id);
        if (fresh) {
            auto st = db.prepare(
                "SELECT coalesce(staff_number, ''), name, role FROM staff WHERE id = ?1");
            st.bind(1, id);
            if (st.step()) {
                it->second.number = st.column<std::string>(0);
                it->second.name = st.column<std::string>(1);
                it->second.role = st.column<std::string>(2);
            }
            it->second.community = community;
        }
        return it->second;
    };
    auto in_grid = [&](const std::string& staff) {
        return !w.grid ||
               db.query_value<int>("SELECT 1 FROM grid WHERE id = ?1 AND leader_staff_id = ?2",
                                   *w.grid, staff);
    };
    // Everyone of the communities in scope, even with nothing this month.
    for (const auto& c : w.communities) {
        auto st = db.prepare(
            "SELECT id FROM staff WHERE community_id = ?1 AND active = 1 AND role IN "
            "('community_worker', 'grid_leader')");
        st.bind(1, c);
        while (st.step()) {
            if (in_grid(st.column<std::string>(0)))
                person(st.column<std::string>(0), w.community_names.at(c));
        }
    }
    for (const auto& p : people_month(db, w)) {
        auto& x = person(p.staff_id, p.community);
        x.shifts += p.a.shifts;
        x.attended += p.a.attended;
        x.late += p.a.late;
        x.absent += p.a.absent - p.a.absences_covered;
    }
    {
        auto st = db.prepare(R"(
            SELECT a.staff_id, g.community_id, a.at_ms <= c.due_at_ms
            FROM delivery_attempt a JOIN certificate c ON c.id = a.certificate_id
            JOIN resident r ON r.id = c.resident_id JOIN household h ON h.id = r.household_id
            JOIN grid g ON g.id = h.grid_id
            WHERE a.outcome = 'delivered' AND a.at_ms >= ?1 AND a.at_ms < ?2)");
        st.bind_all(w.from_ms, w.to_ms);
        while (st.step()) {
            if (!w.has(st.column<std::string>(1)) || !in_grid(st.column<std::string>(0)))
                continue;
            auto& x =
                person(st.column<std::string>(0), w.community_names.at(st.column<std::string>(1)));
            ++x.delivered;
            x.on_time += st.column<int>(2);
        }
        auto held = db.prepare(R"(
            SELECT c.custodian_staff_id, g.community_id FROM certificate c
            JOIN resident r ON r.id = c.resident_id JOIN household h ON h.id = r.household_id
            JOIN grid g ON g.id = h.grid_id
            WHERE c.state = 'with_grid_leader' AND c.due_at_ms < ?1)");
        held.bind(1, std::min(w.now, w.to_ms));
        while (held.step()) {
            if (held.is_null(0) || !w.has(held.column<std::string>(1)) ||
                !in_grid(held.column<std::string>(0)))
                continue;
            ++person(held.column<std::string>(0), w.community_names.at(held.column<std::string>(1)))
                  .overdue_held;
        }
    }
    {
        auto st = db.prepare(R"(
            SELECT y.payer_staff_id, y.verifier_staff_id, d.community_id
            FROM payment y JOIN entitlement e ON e.id = y.entitlement_id
            JOIN disbursement_day d ON d.id = e.disbursement_day_id
            WHERE y.kind = 'payment' AND y.paid_at_ms >= ?1 AND y.paid_at_ms < ?2
              AND y.id NOT IN (SELECT payment_id FROM payment_void))");
        st.bind_all(w.from_ms, w.to_ms);
        while (st.step()) {
            const std::string c = st.column<std::string>(2);
            if (!w.has(c) || w.grid)
                continue;
            ++person(st.column<std::string>(0), w.community_names.at(c)).paid;
            ++person(st.column<std::string>(1), w.community_names.at(c)).verified;
        }
    }
    {
        auto st = db.prepare(R"(
            SELECT cr.staff_id, cr.level,
                   coalesce((SELECT g.community_id FROM delivery_attempt a JOIN certificate c ON c.id = a.certificate_id
                             JOIN resident r ON r.id = c.resident_id JOIN household h ON h.id = r.household_id
                             JOIN grid g ON g.id = h.grid_id WHERE a.id = cr.delivery_attempt_id),
                            (SELECT d.community_id FROM payment y JOIN entitlement e ON e.id = y.entitlement_id
                             JOIN disbursement_day d ON d.id = e.disbursement_day_id WHERE y.id = cr.payment_id))
            FROM citizen_rating cr WHERE cr.rated_at_ms >= ?1 AND cr.rated_at_ms < ?2)");
        st.bind_all(w.from_ms, w.to_ms);
        while (st.step()) {
            if (st.is_null(2) || !w.has(st.column<std::string>(2)) ||
                !in_grid(st.column<std::string>(0)))
                continue;
            auto& x =
                person(st.column<std::string>(0), w.community_names.at(st.column<std::string>(2)));
            ++x.ratings;
            const std::string level = st.column<std::string>(1);
            x.satisfied +=
                level == "very_satisfied" || level == "satisfied" || level == "basically_satisfied";
        }
    }
    static const std::map<std::string, const char*> posts = {
        {"grid_leader", "网格负责人"},
        {"community_worker", "社区工作者"},
        {"service_point_staff", "办事点工作人员"},
        {"admin", "管理员"}};
    Table t;
    t.sheet_name = "个人考核";
    t.title = r.title + " — 个人";
    t.notes = notes_of(
        scope, w,
        "得分 = 出勤率×40 + 按时送达率×30 + 满意率×30,只按适用的项目折算为百分制(docs/REPORTS.md)");
    t.columns = {{"社区"},
                 {"工号"},
                 {"姓名"},
                 {"岗位"},
                 {"应到班次", CellKind::integer},
                 {"出勤", CellKind::integer},
                 {"迟到", CellKind::integer},
                 {"缺勤(未顶岗)", CellKind::integer},
                 {"出勤率", CellKind::percent},
                 {"送达", CellKind::integer},
                 {"按时送达", CellKind::integer},
                 {"持有超期", CellKind::integer},
                 {"按时送达率", CellKind::percent},
                 {"经办笔数", CellKind::integer},
                 {"复核笔数", CellKind::integer},
                 {"群众评价", CellKind::integer},
                 {"满意率", CellKind::percent},
                 {"得分", CellKind::percent}};
    std::vector<const Person*> order;
    for (const auto& [id, p] : people)
        order.push_back(&p);
    std::sort(order.begin(), order.end(), [](const Person* a, const Person* b) {
        return std::tie(a->community, a->number, a->name) <
               std::tie(b->community, b->number, b->name);
    });
    struct CommunityTotals {
        int people = 0, shifts = 0, attended = 0, delivered = 0, on_time = 0, overdue = 0, paid = 0,
            ratings = 0, satisfied = 0, scored = 0;
        std::int64_t score_sum = 0;
    };
    std::map<std::string, CommunityTotals> per_community;
    for (const auto* p : order) {
        const auto att = rate_bp(p->attended, p->shifts);
        const auto on_time = rate_bp(p->on_time, p->delivered + p->overdue_held);
        const auto satisfied = rate_bp(p->satisfied, p->ratings);
        const auto score = assessment_score(att, on_time, satisfied);
        t.rows.push_back({text(p->community), text(p->number), text(p->name),
                          text(posts.count(p->role) ? posts.at(p->role) : p->role), num(p->shifts),
                          num(p->attended), num(p->late), num(p->absent), opt(att),
                          num(p->delivered), num(p->on_time), num(p->overdue_held), opt(on_time),
                          num(p->paid), num(p->verified), num(p->ratings), opt(satisfied),
                          opt(score)});
        auto& c = per_community[p->community];
        ++c.people;
        c.shifts += p->shifts;
        c.attended += p->attended;
        c.delivered += p->delivered;
        c.on_time += p->on_time;
        c.overdue += p->overdue_held;
        c.paid += p->paid;
        c.ratings += p->ratings;
        c.satisfied += p->satisfied;
        if (score) {
            ++c.scored;
            c.score_sum += *score;
        }
    }
    std::map<std::string, std::pair<Fen, std::int64_t>> variance_and_gaps;
    {
        auto st = db.prepare(R"(
            SELECT d.community_id, sum(c.variance_fen) FROM session_closing c
            JOIN disbursement_session s ON s.id = c.session_id
            JOIN disbursement_day d ON d.id = s.disbursement_day_id
            WHERE substr(d.local_date, 1, 7) = ?1 GROUP BY d.community_id)");
        st.bind(1, w.month);
        while (st.step()) {
            if (w.has(st.column<std::string>(0)))
                variance_and_gaps[w.community_names.at(st.column<std::string>(0))].first =
                    st.column<Fen>(1);
        }
        if (!w.grid) {
            for (const auto& u : uncovered(db, w))
                variance_and_gaps[u.community].second += u.minutes;
        }
    }
    Table c;
    c.sheet_name = "社区考核";
    c.title = r.title + " — 社区";
    c.notes = notes_of(scope, w, "社区得分为本社区人员得分的平均");
    c.columns = {{"社区"},
                 {"人员", CellKind::integer},
                 {"出勤率", CellKind::percent},
                 {"按时送达率", CellKind::percent},
                 {"发放笔数", CellKind::integer},
                 {"对账差额", CellKind::yuan},
                 {"8+4未覆盖分钟", CellKind::integer},
                 {"群众评价", CellKind::integer},
                 {"满意率", CellKind::percent},
                 {"平均得分", CellKind::percent}};
    for (const auto& [name, x] : per_community) {
        const auto& vg = variance_and_gaps[name];
        c.rows.push_back({text(name), num(x.people), rate(x.attended, x.shifts),
                          rate(x.on_time, x.delivered + x.overdue), num(x.paid), num(vg.first),
                          num(vg.second), num(x.ratings), rate(x.satisfied, x.ratings),
                          x.scored ? Cell(x.score_sum / x.scored) : Cell()});
    }
    c.footer = {"考核人签字:____________    审核人签字:____________    日期:__________"};
    r.tables = {std::move(t), std::move(c)};
    return r;
}

}  // namespace

std::optional<std::int64_t> assessment_score(std::optional<std::int64_t> attendance_bp,
                                             std::optional<std::int64_t> on_time_bp,
                                             std::optional<std::int64_t> satisfied_bp) {
    std::int64_t weighted = 0, weights = 0;
    const std::pair<std::optional<std::int64_t>, std::int64_t> parts[] = {
        {attendance_bp, 40}, {on_time_bp, 30}, {satisfied_bp, 30}};
    for (const auto& [bp, weight] : parts) {
        if (!bp)
            continue;
        weighted += *bp * weight;
        weights += weight;
    }
    if (weights == 0)
        return std::nullopt;
    return weighted / weights;  // basis points: 10000 is a score of 100
}

std::optional<ReportKind> report_kind_from(std::string_view name) {
    for (const auto k : {ReportKind::reconciliation, ReportKind::delivery, ReportKind::attendance,
                         ReportKind::assessment}) {
        if (name == to_string(k) || name == title_of(k))
            return k;
    }
    return std::nullopt;
}

const char* to_string(ReportKind kind) {
    switch (kind) {
        case ReportKind::reconciliation:
            return "reconciliation";
        case ReportKind::delivery:
            return "delivery";
        case ReportKind::attendance:
            return "attendance";
        case ReportKind::assessment:
            return "assessment";
    }
    return "?";
}

const char* title_of(ReportKind kind) {
    switch (kind) {
        case ReportKind::reconciliation:
            return "发放对账";
        case ReportKind::delivery:
            return "限时办结";
        case ReportKind::attendance:
            return "考勤";
        case ReportKind::assessment:
            return "月度考核";
    }
    return "?";
}

Result<Scope> resolve_scope(store::Database& db, const std::string& service_point_code,
                            const std::string& community_code, const std::string& grid) {
    Scope s;
    s.label = "全街道";
    if (!service_point_code.empty()) {
        auto st = db.prepare("SELECT id, name FROM service_point WHERE code = ?1 OR name = ?1");
        st.bind(1, service_point_code);
        if (!st.step()) {
            return fail(domain::Errc::not_found,
                        "办事点不存在 / no service point " + service_point_code);
        }
        s.service_point_id = st.column<std::string>(0);
        s.label = st.column<std::string>(1);
    }
    if (!community_code.empty()) {
        auto st = db.prepare("SELECT id, name FROM community WHERE code = ?1");
        st.bind(1, community_code);
        if (!st.step())
            return fail(domain::Errc::not_found, "社区编号不存在 / no community " + community_code);
        s.community_id = st.column<std::string>(0);
        s.label = st.column<std::string>(1);
    }
    if (!grid.empty()) {
        if (!s.community_id) {
            return fail(domain::Errc::bad_input,
                        "网格须和社区一起给出 / a grid is named within its community");
        }
        auto g = domain::find_grid(db, *s.community_id, grid);
        if (!g)
            return g.failure();
        s.grid_id = g->id;
        s.label = g->name;
    }
    return s;
}

Result<Scope> device_scope(store::Database& db, const std::string& community_id,
                           const std::string& grid_id) {
    Scope s;
    s.community_id = community_id;
    s.label = db.query_value<std::string>("SELECT name FROM community WHERE id = ?1", community_id)
                  .value_or("");
    if (s.label.empty())
        return fail(domain::Errc::not_found,
                    "本设备的社区不存在 / the device's community is unknown");
    if (!grid_id.empty()) {
        s.grid_id = grid_id;
        s.label = db.query_value<std::string>("SELECT name FROM grid WHERE id = ?1", grid_id)
                      .value_or(s.label);
    }
    return s;
}

Result<Report> make_report(store::Database& db, ReportKind kind, const Scope& scope,
                           const std::string& month, domain::EpochMs now) {
    if (month.size() != 7 || domain::local_midnight_utc(month + "-01") < 0)
        return fail(domain::Errc::bad_input, "月份应为 YYYY-MM / a month such as 2026-12");
    const Where w = where_of(db, scope, month, now);
    switch (kind) {
        case ReportKind::reconciliation:
            return reconciliation(db, scope, w);
        case ReportKind::delivery:
            return delivery(db, scope, w);
        case ReportKind::attendance:
            return attendance(db, scope, w);
        case ReportKind::assessment:
            return assessment(db, scope, w);
    }
    return fail(domain::Errc::bad_input, "unknown report");
}

std::string to_json(const Report& report) {
    auto cell = [](const Cell& c) -> boost::json::value {
        if (const auto* s = std::get_if<std::string>(&c))
            return boost::json::string(*s);
        if (const auto* n = std::get_if<std::int64_t>(&c))
            return *n;
        return nullptr;
    };
    auto kind_name = [](CellKind k) {
        switch (k) {
            case CellKind::text:
                return "text";
            case CellKind::integer:
                return "integer";
            case CellKind::yuan:
                return "yuan_fen";
            case CellKind::percent:
                return "percent_bp";
        }
        return "text";
    };
    boost::json::array tables;
    for (const auto& t : report.tables) {
        boost::json::array columns, rows, totals, notes, footer;
        for (const auto& c : t.columns)
            columns.push_back({{"heading", c.heading}, {"kind", kind_name(c.kind)}});
        for (const auto& r : t.rows) {
            boost::json::array row;
            for (const auto& c : r)
                row.push_back(cell(c));
            rows.push_back(std::move(row));
        }
        for (const auto& c : t.totals)
            totals.push_back(cell(c));
        for (const auto& n : t.notes)
            notes.push_back(boost::json::string(n));
        for (const auto& f : t.footer)
            footer.push_back(boost::json::string(f));
        tables.push_back({{"name", t.sheet_name},
                          {"title", t.title},
                          {"notes", std::move(notes)},
                          {"columns", std::move(columns)},
                          {"rows", std::move(rows)},
                          {"totals", std::move(totals)},
                          {"footer", std::move(footer)}});
    }
    return boost::json::serialize(boost::json::object{
        {"kind", to_string(report.kind)}, {"title", report.title}, {"tables", std::move(tables)}});
}

std::optional<FileFormat> file_format(const std::string& format, const std::string& path) {
    std::string f = format;
    if (f.empty()) {
        const auto dot = path.rfind('.');
        f = dot == std::string::npos ? "" : path.substr(dot + 1);
    }
    if (f == "csv")
        return FileFormat::csv;
    if (f == "xlsx")
        return FileFormat::xlsx;
    if (f == "json")
        return FileFormat::json;
    return std::nullopt;
}

Result<std::vector<std::string>> write_report(const Report& report, FileFormat format,
                                              const std::string& path) {
    std::vector<std::string> written;
    auto write_text = [&](const std::string& file, const std::string& text) -> Status {
        if (auto st = write_file_atomic(file, as_bytes(text), 0644); !st)
            return st;
        written.push_back(file);
        return {};
    };
    if (format == FileFormat::xlsx) {
        if (auto st = office::write_xlsx(path, report.tables); !st)
            return st.failure();
        written.push_back(path);
        return written;
    }
    if (format == FileFormat::json) {
        if (auto st = write_text(path, to_json(report)); !st)
            return st.failure();
        return written;
    }
    const auto dot = path.rfind('.');
    const std::string stem = dot == std::string::npos ? path : path.substr(0, dot);
    for (std::size_t i = 0; i < report.tables.size(); ++i) {
        const std::string file = i == 0 ? path : stem + "-" + report.tables[i].sheet_name + ".csv";
        if (auto st = write_text(file, office::to_csv(report.tables[i])); !st)
            return st.failure();
    }
    return written;
}

std::vector<std::string> text_lines(const Report& report) {
    std::vector<std::string> lines;
    for (const auto& t : report.tables) {
        lines.push_back("== " + t.title);
        for (const auto& n : t.notes)
            lines.push_back("   " + n);
        std::string header;
        for (const auto& c : t.columns)
            header += (header.empty() ? "" : "\t") + c.heading;
        lines.push_back(header);
        auto row = [&](const std::vector<Cell>& cells) {
            std::string line;
            for (std::size_t i = 0; i < cells.size(); ++i) {
                line += (i ? "\t" : "") + office::cell_text(cells[i], i < t.columns.size()
                                                                          ? t.columns[i].kind
                                                                          : CellKind::text);
            }
            lines.push_back(line);
        };
        for (const auto& r : t.rows)
            row(r);
        if (!t.totals.empty())
            row(t.totals);
        lines.push_back("");
    }
    return lines;
}

}  // namespace gridsync::reports
