#include "gridsync/domain/names.hpp"

#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/errors.hpp"

namespace gridsync::domain {

Result<std::string> find_staff(store::Database& db, const std::string& text) {
    if (auto id = db.query_value<std::string>(
            "SELECT id FROM staff WHERE id = ?1 UNION ALL SELECT id FROM staff WHERE "
            "staff_number = ?1 LIMIT 1",
            text))
        return *id;
    return fail(Errc::not_found,
                "没有工号或编号为 " + text + " 的工作人员 / no staff member " + text);
}

Result<std::string> find_day(store::Database& db, const std::string& community_id,
                             const std::string& text) {
    if (db.query_value<int>("SELECT 1 FROM disbursement_day WHERE id = ?1", text))
        return text;
    const auto date = parse_local_date(text);
    if (date) {
        if (auto id = db.query_value<std::string>(
                "SELECT id FROM disbursement_day WHERE community_id = ?1 AND local_date = ?2",
                community_id, *date))
            return *id;
    }
    std::string known;
    auto st = db.prepare(
        "SELECT local_date FROM disbursement_day WHERE community_id = ?1 ORDER BY local_date");
    st.bind(1, community_id);
    while (st.step())
        known += (known.empty() ? "" : ", ") + st.column<std::string>(0);
    return fail(Errc::not_found, "没有这个发放日 / no disbursement day " + text +
                                     (known.empty() ? "" : "(有 known: " + known + ")"));
}

Result<std::string> find_entitlement(store::Database& db, const std::string& session_id,
                                     const std::string& text) {
    const auto day = db.query_value<std::string>(
        "SELECT disbursement_day_id FROM disbursement_session WHERE id = ?1", session_id);
    return find_entitlement_on_day(db, day.value_or(""), text);
}

Result<std::string> find_entitlement_anywhere(store::Database& db, const std::string& text) {
    if (db.query_value<int>("SELECT 1 FROM entitlement WHERE id = ?1", text))
        return text;
    const auto a = text.find('/'), b = text.find('/', a == std::string::npos ? a : a + 1);
    if (a == std::string::npos || b == std::string::npos) {
        return fail(Errc::not_found,
                    "发放写作 社区/日期/项目:身份证后四位,如 C01/2026-12-05/dibao:0019 "
                    "/ name it as C01/2026-12-05/dibao:0019");
    }
    const auto community =
        db.query_value<std::string>("SELECT id FROM community WHERE code = ?1", text.substr(0, a));
    if (!community)
        return fail(Errc::not_found, "社区编号不存在 / no community " + text.substr(0, a));
    auto day = find_day(db, *community, text.substr(a + 1, b - a - 1));
    if (!day)
        return day.failure();
    return find_entitlement_on_day(db, *day, text.substr(b + 1));
}

Result<std::string> find_entitlement_on_day(store::Database& db, const std::string& day_id,
                                            const std::string& text) {
    if (db.query_value<int>("SELECT 1 FROM entitlement WHERE id = ?1", text))
        return text;
    const auto colon = text.find(':');
    const std::string program = colon == std::string::npos ? "" : text.substr(0, colon);
    const std::string last4 = colon == std::string::npos ? text : text.substr(colon + 1);
    auto st = db.prepare(R"(
        SELECT e.id, p.code || ':' || r.id_last4 || ' ' || r.name FROM entitlement e
        JOIN aid_program p ON p.id = e.program_id JOIN resident r ON r.id = e.beneficiary_id
        WHERE e.disbursement_day_id = ?1
          AND r.id_last4 = upper(?2) AND (?3 = '' OR p.code = ?3) ORDER BY p.code)");
    st.bind_all(day_id, last4, program);
    std::vector<std::pair<std::string, std::string>> found;
    while (st.step())
        found.emplace_back(st.column<std::string>(0), st.column<std::string>(1));
    if (found.size() == 1)
        return found[0].first;
    if (found.empty()) {
        return fail(Errc::not_found, "该发放日没有这笔 / no entitlement " + text + " on that day");
    }
    std::string which;
    for (const auto& [id, label] : found)
        which += (which.empty() ? "" : ", ") + label;
    return fail(Errc::not_found,
                "不止一笔,请写明项目 / more than one, name the programme: " + which);
}

Result<std::string> find_session(store::Database& db, const std::string& device_id,
                                 const std::optional<std::string>& text) {
    if (text) {
        if (db.query_value<int>("SELECT 1 FROM disbursement_session WHERE id = ?1", *text))
            return *text;
        return fail(Errc::not_found, "没有这个发放场次 / no session " + *text);
    }
    auto st = db.prepare(
        "SELECT id FROM disbursement_session WHERE device_id = ?1 AND state = 'open' ORDER BY "
        "opened_at_ms");
    st.bind(1, device_id);
    std::vector<std::string> open;
    while (st.step())
        open.push_back(st.column<std::string>(0));
    if (open.size() == 1)
        return open[0];
    return fail(Errc::not_found, open.empty()
                                     ? "本设备没有进行中的场次 / no session open on this device"
                                     : "本设备有多个进行中的场次,请用 --session 指明 / several "
                                       "sessions are open here: name one with --session");
}

}  // namespace gridsync::domain
