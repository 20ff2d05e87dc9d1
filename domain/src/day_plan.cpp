#include "gridsync/domain/day_plan.hpp"

namespace gridsync::domain {

std::vector<CarriedOver> carry_over_unpaid(store::Database& db, const Stamp& stamp,
                                           const std::string& target_day_id) {
    std::vector<CarriedOver> out;
    auto st = db.prepare(R"(
        SELECT e.id, r.name, p.code, e.amount_fen, e.disbursement_day_id
        FROM disbursement_day t
        JOIN disbursement_day d ON d.community_id = t.community_id AND d.local_date < t.local_date
        JOIN entitlement e ON e.disbursement_day_id = d.id
        JOIN aid_program p ON p.id = e.program_id AND p.unpaid_rule = 'carry_over'
        JOIN resident r ON r.id = e.beneficiary_id
        WHERE t.id = ?1
          AND EXISTS (SELECT 1 FROM unpaid_entitlement u
                      JOIN session_closing c ON c.id = u.closing_id
                      JOIN disbursement_session s ON s.id = c.session_id
                      WHERE u.entitlement_id = e.id AND u.carried_over = 1
                        AND s.disbursement_day_id = e.disbursement_day_id)
          AND (SELECT coalesce(sum(CASE y.kind WHEN 'payment' THEN 1 ELSE -1 END), 0)
               FROM payment y WHERE y.entitlement_id = e.id
                 AND y.id NOT IN (SELECT payment_id FROM payment_void)) = 0
        ORDER BY d.local_date, r.name, e.id)");
    st.bind(1, target_day_id);
    while (st.step()) {
        out.push_back({st.column<std::string>(0), st.column<std::string>(1),
                       st.column<std::string>(2), st.column<Fen>(3), st.column<std::string>(4)});
    }
    st.reset();
    for (const auto& c : out) {
        db.execute(
            "UPDATE entitlement SET disbursement_day_id = ?1, session_id = NULL, "
            "carried_from_day_id = coalesce(carried_from_day_id, disbursement_day_id), "
            "origin_device = ?2, hlc = ?3 WHERE id = ?4",
            target_day_id, stamp.device_id, stamp.hlc.packed, c.entitlement_id);
    }
    return out;
}

}  // namespace gridsync::domain
