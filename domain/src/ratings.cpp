#include "gridsync/domain/ratings.hpp"

#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/text_rules.hpp"
#include "refusal.hpp"

namespace gridsync::domain {

using detail::refuse;

namespace {

struct Level {
    RatingLevel level;
    const char* code;
    const char* chinese;
};
constexpr Level kLevels[] = {
    {RatingLevel::very_satisfied, "very_satisfied", "非常满意"},
    {RatingLevel::satisfied, "satisfied", "满意"},
    {RatingLevel::basically_satisfied, "basically_satisfied", "基本满意"},
    {RatingLevel::dissatisfied, "dissatisfied", "不满意"},
    {RatingLevel::very_dissatisfied, "very_dissatisfied", "非常不满意"},
};

// Who served the resident in the event: the grid leader who delivered, or
// the payer. Refuses an event that is not a delivery or a payment.
std::string server_of(store::Database& db, const std::string& delivery_id,
                      const std::string& payment_id) {
    if (delivery_id.empty() == payment_id.empty())
        refuse(Errc::bad_input, "请指定一次送达或一笔发放 / rate one delivery or one payment");
    if (!delivery_id.empty()) {
        auto st = db.prepare("SELECT staff_id, outcome FROM delivery_attempt WHERE id = ?1");
        st.bind(1, delivery_id);
        if (!st.step())
            refuse(Errc::not_found, "没有这次送达 / no delivery " + delivery_id);
        if (st.column<std::string>(1) != "delivered")
            refuse(Errc::wrong_state, "未送达的记录不能评议 / only a delivery is rated");
        return st.column<std::string>(0);
    }
    auto st = db.prepare("SELECT payer_staff_id, kind FROM payment WHERE id = ?1");
    st.bind(1, payment_id);
    if (!st.step())
        refuse(Errc::not_found, "没有这笔发放 / no payment " + payment_id);
    if (st.column<std::string>(1) != "payment")
        refuse(Errc::wrong_state, "冲正记录不能评议 / a reversal is not rated");
    return st.column<std::string>(0);
}

std::optional<std::string> opt(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

std::optional<RatingLevel> parse_rating_level(const std::string& code) {
    for (const auto& l : kLevels) {
        if (code == l.code)
            return l.level;
    }
    return std::nullopt;
}

std::string to_code(RatingLevel level) {
    for (const auto& l : kLevels) {
        if (l.level == level)
            return l.code;
    }
    return "";
}

std::string chinese_name(RatingLevel level) {
    for (const auto& l : kLevels) {
        if (l.level == level)
            return l.chinese;
    }
    return "";
}

Result<std::string> rate_service(store::Database& db, const Stamp& stamp, const RatingInput& in) {
    return detail::guarded([&] {
        const std::string staff = server_of(db, in.delivery_attempt_id, in.payment_id);
        if (db.query_value<int>(
                "SELECT 1 FROM citizen_rating WHERE delivery_attempt_id = ?1 OR payment_id = ?2",
                in.delivery_attempt_id, in.payment_id)) {
            refuse(Errc::wrong_state, "这次服务已评议过 / this service was rated already");
        }
        if (!in.comment.empty()) {
            if (auto why = text_problem(in.comment, 200))
                refuse(Errc::bad_input, "评议意见" + *why + " / the comment is refused");
        }
        const std::string id = new_id(stamp.now_ms);
        db.execute(
            R"(INSERT INTO citizen_rating(id, delivery_attempt_id, payment_id, staff_id, level, comment,
                          rated_at_ms, device_id, origin_device, hlc)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9))",
            id, opt(in.delivery_attempt_id), opt(in.payment_id), staff, to_code(in.level),
            opt(in.comment), stamp.now_ms, stamp.device_id, stamp.hlc.packed);
        return id;
    });
}

Status verify_rating(store::Database& db, const std::string& rating_id) {
    return detail::guarded([&] {
        auto st = db.prepare(
            "SELECT coalesce(delivery_attempt_id, ''), coalesce(payment_id, ''), staff_id FROM "
            "citizen_rating WHERE id = ?1");
        st.bind(1, rating_id);
        if (!st.step())
            refuse(Errc::not_found, "没有该评议 / no rating " + rating_id);
        const std::string d = st.column<std::string>(0), p = st.column<std::string>(1),
                          staff = st.column<std::string>(2);
        st.reset();
        if (server_of(db, d, p) != staff)
            refuse(Errc::bad_input,
                   "评议的工作人员不是提供服务的人 / the rating names someone "
                   "who did not serve");
    });
}

}  // namespace gridsync::domain
