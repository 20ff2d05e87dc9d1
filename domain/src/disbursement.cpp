#include "gridsync/domain/disbursement.hpp"

#include <set>

#include "gridsync/crypto/hash.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "refusal.hpp"

namespace gridsync::domain {

using detail::refuse;

namespace {

struct DayRow {
    std::string id;
    std::string community_id;
    std::string local_date;
    std::string prepared_by;
};

DayRow load_day(store::Database& db, const std::string& id) {
    auto st = db.prepare(
        "SELECT id, community_id, local_date, prepared_by_staff_id FROM disbursement_day WHERE id "
        "= ?1");
    st.bind(1, id);
    if (!st.step())
        refuse(Errc::not_found, "发放日不存在 / no disbursement day " + id);
    return {st.column<std::string>(0), st.column<std::string>(1), st.column<std::string>(2),
            st.column<std::string>(3)};
}

struct SessionRow {
    std::string id;
    std::string day_id;
    std::string staff_a, staff_b;
    std::string state;
    Fen cash_issued_fen;
};

SessionRow load_session(store::Database& db, const std::string& id) {
    auto st = db.prepare(
        "SELECT id, disbursement_day_id, staff_a_id, staff_b_id, state, cash_issued_fen FROM "
        "disbursement_session "
        "WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        refuse(Errc::session_not_open, "发放场次不存在 / no disbursement session " + id);
    return {st.column<std::string>(0), st.column<std::string>(1), st.column<std::string>(2),
            st.column<std::string>(3), st.column<std::string>(4), st.column<Fen>(5)};
}

// What a session has paid so far against what it was assigned.
SessionTotals count_session(store::Database& db, const SessionRow& s) {
    SessionTotals t;
    t.session_id = s.id;
    t.state = s.state;
    t.cash_issued_fen = s.cash_issued_fen;
    auto e = db.prepare(
        "SELECT count(*), coalesce(sum(amount_fen), 0) FROM entitlement WHERE session_id = ?1");
    e.bind(1, s.id);
    e.step();
    t.expected_count = e.column<std::int64_t>(0);
    t.expected_fen = e.column<Fen>(1);
    e.reset();
    auto p = db.prepare(
        "SELECT kind, count(*), coalesce(sum(amount_fen), 0) FROM payment WHERE session_id = ?1 "
        "GROUP BY kind");
    p.bind(1, s.id);
    while (p.step()) {
        if (p.column<std::string>(0) == "payment") {
            t.paid_count = p.column<std::int64_t>(1);
            t.paid_fen = p.column<Fen>(2);
        } else {
            t.reversed_count = p.column<std::int64_t>(1);
            t.reversed_fen = p.column<Fen>(2);
        }
    }
    p.reset();
    auto u = db.prepare(R"(
        SELECT count(*), coalesce(sum(e.amount_fen), 0) FROM entitlement e
        WHERE e.session_id = ?1 AND coalesce((SELECT sum(CASE kind WHEN 'payment' THEN 1 ELSE -1 END)
                                             FROM payment WHERE entitlement_id = e.id), 0) = 0)");
    u.bind(1, s.id);
    u.step();
    t.unpaid_count = u.column<std::int64_t>(0);
    t.unpaid_fen = u.column<Fen>(1);
    return t;
}

// Rostered for the day, and checked in at the day's community on its local
// date with no check-out after the last check-in.
void require_on_duty(store::Database& db, const DayRow& day, const detail::StaffRow& s,
                     EpochMs now_ms) {
    if (!db.query_value<int>(
            "SELECT 1 FROM disbursement_roster WHERE disbursement_day_id = ?1 AND staff_id = ?2",
            day.id, s.id)) {
        refuse(Errc::not_rostered,
               s.name + " 未排入本发放日 / is not rostered for this disbursement day");
    }
    const EpochMs day_start = local_midnight_utc(day.local_date);
    auto last = db.query_value<std::string>(
        "SELECT kind FROM shift_check WHERE staff_id = ?1 AND community_id = ?2 AND at_ms >= ?3 "
        "AND at_ms <= ?4 "
        "ORDER BY at_ms DESC, hlc DESC LIMIT 1",
        s.id, day.community_id, day_start, now_ms);
    if (!last || *last != "in")
        refuse(Errc::not_checked_in, s.name + " 今天未签到 / has not checked in today");
}

struct EntitlementRow {
    std::string id;
    std::string day_id;
    std::string beneficiary_id;
    std::string beneficiary_name;
    std::string household_id;
    Bytes beneficiary_digest;
    Fen amount_fen;
    std::optional<std::string> session_id;
};

EntitlementRow load_entitlement(store::Database& db, const std::string& id) {
    auto st = db.prepare(R"(
        SELECT e.id, e.disbursement_day_id, r.id, r.name, r.household_id, r.id_digest, e.amount_fen, e.session_id
        FROM entitlement e JOIN resident r ON r.id = e.beneficiary_id WHERE e.id = ?1)");
    st.bind(1, id);
    if (!st.step())
        refuse(Errc::not_found, "应发记录不存在 / no entitlement " + id);
    return {st.column<std::string>(0), st.column<std::string>(1),
            st.column<std::string>(2), st.column<std::string>(3),
            st.column<std::string>(4), st.column<Bytes>(5),
            st.column<Fen>(6),         st.column<std::optional<std::string>>(7)};
}

// Payments minus reversals of one entitlement, on this device's records.
std::int64_t effective_payments(store::Database& db, const std::string& entitlement_id) {
    return db
        .query_value<std::int64_t>(
            "SELECT coalesce(sum(CASE kind WHEN 'payment' THEN 1 ELSE -1 END), 0) FROM payment "
            "WHERE entitlement_id = ?1",
            entitlement_id)
        .value_or(0);
}

void require_two_people(const Signer& a, const Signer& b) {
    if (a.staff_id == b.staff_id) {
        refuse(
            Errc::same_person,
            "经办人和复核人必须是两个不同的人 / payer and verifier must be two different people");
    }
}

void require_independent(const DayRow& day, const EntitlementRow& e, const detail::StaffRow& s) {
    if (s.id == day.prepared_by) {
        refuse(Errc::maker_is_checker,
               s.name + " 编制了本日发放名单,不能经办或复核 / prepared this day's list");
    }
    if (s.household_id && *s.household_id == e.household_id) {
        refuse(Errc::conflict_of_interest, s.name + " 与领取人 " + e.beneficiary_name +
                                               " 同户 / is in the beneficiary's household");
    }
}

Bytes payment_message(const PaymentRecord& rec) {
    return canonical_bytes(rec);
}

PaymentRecord read_payment_record(store::Statement& st) {
    PaymentRecord rec;
    rec.payment_id = st.column<std::string>(0);
    rec.kind = st.column<std::string>(1);
    rec.entitlement_id = st.column<std::string>(2);
    rec.session_id = st.column<std::string>(3);
    rec.reverses_payment_id = st.column<std::optional<std::string>>(4).value_or("");
    rec.amount_fen = st.column<Fen>(5);
    rec.paid_at_ms = st.column<std::int64_t>(6);
    rec.recipient_kind = st.column<std::string>(7);
    rec.proxy_registration_id = st.column<std::optional<std::string>>(8).value_or("");
    rec.payer_staff_id = st.column<std::string>(9);
    rec.verifier_staff_id = st.column<std::string>(10);
    rec.ack_name = st.column<std::string>(11);
    rec.ack_image_hash = st.column<Bytes>(12);
    rec.override_reason = st.column<std::optional<std::string>>(13).value_or("");
    rec.reason = st.column<std::optional<std::string>>(14).value_or("");
    return rec;
}

constexpr const char* kPaymentColumns =
    "id, kind, entitlement_id, session_id, reverses_payment_id, amount_fen, paid_at_ms, "
    "recipient_kind, "
    "proxy_registration_id, payer_staff_id, verifier_staff_id, ack_name, ack_image_hash, "
    "override_reason, reason";

}  // namespace

void insert_signed_payment(store::Database& db, const Stamp& stamp, const PaymentRecord& rec,
                           ByteView ack_image, const crypto::Signature& payer_sig,
                           const crypto::Signature& verifier_sig) {
    auto opt = [](const std::string& s) {
        return s.empty() ? std::nullopt : std::optional<std::string>(s);
    };
    db.execute(std::string("INSERT INTO payment(") + kPaymentColumns +
                   ", ack_image, payer_signature, verifier_signature, origin_device, hlc) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                   "?17, ?18, ?19, ?20)",
               rec.payment_id, rec.kind, rec.entitlement_id, rec.session_id,
               opt(rec.reverses_payment_id), rec.amount_fen, rec.paid_at_ms, rec.recipient_kind,
               opt(rec.proxy_registration_id), rec.payer_staff_id, rec.verifier_staff_id,
               rec.ack_name, rec.ack_image_hash, opt(rec.override_reason), opt(rec.reason),
               ack_image, payer_sig.view(), verifier_sig.view(), stamp.device_id, stamp.hlc.packed);
}

Result<std::string> open_session(store::Database& db, const Stamp& stamp, const OpenSession& in,
                                 const Signer& staff_a, const Signer& staff_b) {
    return detail::guarded([&] {
        const DayRow day = load_day(db, in.disbursement_day_id);
        if (in.staff_a_id == in.staff_b_id) {
            refuse(Errc::same_person,
                   "发放场次需要两名不同的工作人员 / a session needs two different staff");
        }
        if (staff_a.staff_id != in.staff_a_id || staff_b.staff_id != in.staff_b_id) {
            refuse(Errc::role_not_allowed,
                   "开启场次须由本场次的两名工作人员签字 / both session staff sign the opening");
        }
        if (in.cash_issued_fen < 0)
            refuse(Errc::bad_input, "领取现金不能为负 / cash issued cannot be negative");
        if (!db.query_value<int>(
                "SELECT 1 FROM disbursement_day WHERE id = ?1 AND approved_by_staff_id IS NOT NULL",
                day.id)) {
            refuse(Errc::wrong_state,
                   "发放名单尚未审核 / the entitlement list has not been approved");
        }
        for (const auto& id : {in.staff_a_id, in.staff_b_id}) {
            require_on_duty(db, day, detail::load_staff(db, id), stamp.now_ms);
        }
        const OpeningRecord rec{
            new_id(stamp.now_ms), day.id,       stamp.device_id,    in.staff_a_id,
            in.staff_b_id,        stamp.now_ms, in.cash_issued_fen, in.cash_issued_notes};
        // Each vouches for the cash the two of them take out.
        const Bytes msg = canonical_bytes(rec);
        const auto sig_a = detail::sign_as(db, stamp, staff_a, kOpeningContext, msg);
        const auto sig_b = detail::sign_as(db, stamp, staff_b, kOpeningContext, msg);
        db.execute(
            R"(INSERT INTO disbursement_session(id, disbursement_day_id, device_id, staff_a_id, staff_b_id,
                          opened_at_ms, cash_issued_fen, cash_issued_notes, state, origin_device, hlc,
                          staff_a_signature, staff_b_signature)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?3, ?9, ?10, ?11))",
            rec.session_id, day.id, stamp.device_id, in.staff_a_id, in.staff_b_id, stamp.now_ms,
            in.cash_issued_fen, in.cash_issued_notes, stamp.hlc.packed, sig_a.view(), sig_b.view());
        db.execute(
            "UPDATE entitlement SET session_id = ?1, origin_device = ?2, hlc = ?3 "
            "WHERE disbursement_day_id = ?4 AND session_id IS NULL",
            rec.session_id, stamp.device_id, stamp.hlc.packed, day.id);
        return rec.session_id;
    });
}

Status verify_opening(store::Database& db, const std::string& session_id) {
    return detail::guarded([&] {
        auto st = db.prepare(R"(
            SELECT id, disbursement_day_id, device_id, staff_a_id, staff_b_id, opened_at_ms,
                   cash_issued_fen, cash_issued_notes, staff_a_signature, staff_b_signature, hlc
            FROM disbursement_session WHERE id = ?1)");
        st.bind(1, session_id);
        if (!st.step())
            refuse(Errc::session_not_open,
                   "发放场次不存在 / no disbursement session " + session_id);
        const OpeningRecord rec{st.column<std::string>(0), st.column<std::string>(1),
                                st.column<std::string>(2), st.column<std::string>(3),
                                st.column<std::string>(4), st.column<std::int64_t>(5),
                                st.column<Fen>(6),         st.column<std::string>(7)};
        const Bytes msg = canonical_bytes(rec);
        // Signed where the session was opened, when it was opened.
        const detail::SignedAt at{rec.device_id, st.column<std::int64_t>(10)};
        const auto a = st.column<std::optional<Bytes>>(8);
        const auto b = st.column<std::optional<Bytes>>(9);
        if (!a || !b || !detail::verify_as(db, rec.staff_a_id, at, kOpeningContext, msg, *a) ||
            !detail::verify_as(db, rec.staff_b_id, at, kOpeningContext, msg, *b)) {
            refuse(Errc::bad_signature,
                   "开启场次的签名无效 / the session opening is not signed by both its staff");
        }
        if (rec.staff_a_id == rec.staff_b_id)
            refuse(Errc::same_person,
                   "发放场次需要两名不同的工作人员 / a session needs two people");
    });
}

Result<std::string> record_payment(store::Database& db, const Stamp& stamp, const PaymentInput& in,
                                   const Signer& payer, const Signer& verifier,
                                   const crypto::SecureBuffer& id_key) {
    return detail::guarded([&] {
        const SessionRow session = load_session(db, in.session_id);
        if (session.state != "open")
            refuse(Errc::session_not_open, "发放场次已结束 / the session is closed");
        const EntitlementRow e = load_entitlement(db, in.entitlement_id);
        if (e.day_id != session.day_id) {
            refuse(Errc::bad_input,
                   "该应发记录不属于本发放日 / entitlement belongs to another disbursement day");
        }
        if (in.amount_fen != e.amount_fen) {
            refuse(Errc::amount_mismatch, "金额 " + format_yuan(in.amount_fen) + " 元与应发 " +
                                              format_yuan(e.amount_fen) +
                                              " 元不符 / amount differs from the entitlement");
        }
        if (effective_payments(db, e.id) > 0) {
            refuse(Errc::already_paid, e.beneficiary_name + " 的这笔资金已发放 / already paid");
        }
        require_two_people(payer, verifier);
        const DayRow day = load_day(db, session.day_id);
        for (const Signer* s : {&payer, &verifier}) {
            const auto staff = detail::load_staff(db, s->staff_id);
            require_on_duty(db, day, staff, stamp.now_ms);
            require_independent(day, e, staff);
        }
        if (e.session_id && *e.session_id != session.id && in.override_reason.empty()) {
            refuse(Errc::assigned_elsewhere,
                   "该笔资金分配给了其他发放场次,需填写改派原因 / assigned to another session: "
                   "give an override reason");
        }
        auto id = ResidentIdNumber::parse(in.recipient_id_number);
        if (!id)
            refuse(Errc::recipient_missing, "未核验领取人身份:" + id.failure().message);
        const Bytes digest = id->digest(id_key);
        std::string recipient_kind = "beneficiary";
        if (in.proxy_registration_id) {
            auto reg = db.query_value<Bytes>(
                "SELECT proxy_id_digest FROM proxy_registration WHERE id = ?1 AND resident_id = ?2",
                *in.proxy_registration_id, e.beneficiary_id);
            if (!reg)
                refuse(Errc::proxy_not_registered,
                       "代领人未为 " + e.beneficiary_name + " 登记 / proxy not registered");
            if (!crypto::constant_time_equal(*reg, digest)) {
                refuse(Errc::id_mismatch,
                       "身份证号码与登记的代领人不符 / ID does not match the registered proxy");
            }
            recipient_kind = "proxy";
        } else if (!crypto::constant_time_equal(digest, e.beneficiary_digest)) {
            refuse(Errc::id_mismatch, "身份证号码与 " + e.beneficiary_name +
                                          " 的登记不符 / ID does not match the beneficiary");
        }
        if (in.ack_name.empty() || in.ack_image.empty()) {
            refuse(Errc::recipient_missing,
                   "缺少领取人签名或手印 / the recipient's acknowledgement is missing");
        }

        PaymentRecord rec;
        rec.payment_id = new_id(stamp.now_ms);
        rec.kind = "payment";
        rec.entitlement_id = e.id;
        rec.session_id = session.id;
        rec.amount_fen = in.amount_fen;
        rec.paid_at_ms = stamp.now_ms;
        rec.recipient_kind = recipient_kind;
        rec.proxy_registration_id = in.proxy_registration_id.value_or("");
        rec.payer_staff_id = payer.staff_id;
        rec.verifier_staff_id = verifier.staff_id;
        rec.ack_name = in.ack_name;
        rec.ack_image_hash = crypto::blake2b(in.ack_image);
        rec.override_reason =
            (e.session_id && *e.session_id != session.id) ? in.override_reason : "";
        const Bytes msg = payment_message(rec);
        const auto payer_sig = detail::sign_as(db, stamp, payer, kPayerContext, msg);
        const auto verifier_sig = detail::sign_as(db, stamp, verifier, kVerifierContext, msg);
        insert_signed_payment(db, stamp, rec, in.ack_image, payer_sig, verifier_sig);
        return rec.payment_id;
    });
}

Result<std::string> reverse_payment(store::Database& db, const Stamp& stamp,
                                    const std::string& payment_id, const std::string& reason,
                                    const Signer& payer, const Signer& verifier) {
    return detail::guarded([&] {
        auto st = db.prepare(std::string("SELECT ") + kPaymentColumns +
                             ", ack_image FROM payment WHERE id = ?1");
        st.bind(1, payment_id);
        if (!st.step())
            refuse(Errc::not_found, "发放记录不存在 / no payment " + payment_id);
        const PaymentRecord original = read_payment_record(st);
        const Bytes ack_image = st.column<Bytes>(15);
        if (original.kind != "payment")
            refuse(Errc::wrong_state, "冲正记录不能再冲正 / a reversal cannot be reversed");
        if (db.query_value<int>("SELECT 1 FROM payment WHERE reverses_payment_id = ?1",
                                payment_id)) {
            refuse(Errc::wrong_state, "该笔发放已冲正 / this payment was already reversed");
        }
        if (reason.empty())
            refuse(Errc::bad_input, "冲正需要填写原因 / a reversal needs a reason");
        const SessionRow session = load_session(db, original.session_id);
        if (session.state != "open")
            refuse(Errc::session_not_open, "发放场次已结束 / the session is closed");
        require_two_people(payer, verifier);
        const DayRow day = load_day(db, session.day_id);
        for (const Signer* s : {&payer, &verifier})
            require_on_duty(db, day, detail::load_staff(db, s->staff_id), stamp.now_ms);

        PaymentRecord rec = original;
        rec.payment_id = new_id(stamp.now_ms);
        rec.kind = "reversal";
        rec.reverses_payment_id = original.payment_id;
        rec.paid_at_ms = stamp.now_ms;
        rec.payer_staff_id = payer.staff_id;
        rec.verifier_staff_id = verifier.staff_id;
        rec.override_reason.clear();
        rec.reason = reason;
        const Bytes msg = payment_message(rec);
        const auto payer_sig = detail::sign_as(db, stamp, payer, kPayerContext, msg);
        const auto verifier_sig = detail::sign_as(db, stamp, verifier, kVerifierContext, msg);
        insert_signed_payment(db, stamp, rec, ack_image, payer_sig, verifier_sig);
        return rec.payment_id;
    });
}

Result<Reconciliation> close_session(store::Database& db, const Stamp& stamp,
                                     const CloseSession& in, const Signer& staff_a,
                                     const Signer& staff_b) {
    return detail::guarded([&] {
        const SessionRow session = load_session(db, in.session_id);
        if (session.state != "open")
            refuse(Errc::session_not_open, "发放场次已结束 / the session is already closed");
        const bool same_pair =
            (staff_a.staff_id == session.staff_a && staff_b.staff_id == session.staff_b) ||
            (staff_a.staff_id == session.staff_b && staff_b.staff_id == session.staff_a);
        if (!same_pair) {
            refuse(Errc::role_not_allowed,
                   "对账须由本场次的两名工作人员签字 / both session staff must sign the closing");
        }
        if (in.cash_returned_fen < 0)
            refuse(Errc::bad_input, "退回现金不能为负 / cash returned cannot be negative");

        Reconciliation r;
        r.closing_id = new_id(stamp.now_ms);
        r.cash_issued_fen = session.cash_issued_fen;
        r.cash_returned_fen = in.cash_returned_fen;
        const SessionTotals t = count_session(db, session);
        r.expected_count = t.expected_count;
        r.expected_fen = t.expected_fen;
        r.paid_count = t.paid_count;
        r.paid_fen = t.paid_fen;
        r.reversed_count = t.reversed_count;
        r.reversed_fen = t.reversed_fen;
        // Unpaid: assigned here, no effective payment. Each needs a reason.
        struct Unpaid {
            std::string entitlement_id;
            std::string rule;
            Fen amount;
        };
        std::vector<Unpaid> unpaid;
        auto up = db.prepare(R"(
            SELECT e.id, p.unpaid_rule, e.amount_fen FROM entitlement e JOIN aid_program p ON p.id = e.program_id
            WHERE e.session_id = ?1 AND coalesce((SELECT sum(CASE kind WHEN 'payment' THEN 1 ELSE -1 END)
                                                 FROM payment WHERE entitlement_id = e.id), 0) = 0
            ORDER BY e.id)");
        up.bind(1, session.id);
        std::string missing;
        std::map<std::string, std::string> reasons = in.unpaid_reasons;
        while (up.step()) {
            Unpaid u{up.column<std::string>(0), up.column<std::string>(1), up.column<Fen>(2)};
            if (!reasons.count(u.entitlement_id) && !in.default_unpaid_reason.empty())
                reasons[u.entitlement_id] = in.default_unpaid_reason;
            if (!reasons.count(u.entitlement_id))
                missing += (missing.empty() ? "" : ", ") + u.entitlement_id;
            r.unpaid_fen += u.amount;
            unpaid.push_back(std::move(u));
        }
        r.unpaid_count = static_cast<std::int64_t>(unpaid.size());
        if (!missing.empty()) {
            refuse(Errc::bad_input,
                   "以下未发放记录缺少原因 / unpaid entitlements need a reason each: " + missing);
        }
        static const std::set<std::string> kReasons = {
            "absent", "deceased", "moved", "refused", "identity_unverified", "other"};
        for (const auto& [eid, reason] : reasons) {
            if (!kReasons.count(reason))
                refuse(Errc::bad_input, "未发放原因无效 / unknown unpaid reason: " + reason);
        }
        r.variance_fen = r.cash_issued_fen - (r.paid_fen - r.reversed_fen) - r.cash_returned_fen;
        if (r.variance_fen != 0 && in.explanation.empty()) {
            refuse(Errc::variance_unexplained,
                   "现金差额 " + format_yuan(r.variance_fen) +
                       " 元,须书面说明 / the cash does not balance: explain the variance");
        }

        ClosingRecord rec;
        rec.closing_id = r.closing_id;
        rec.session_id = session.id;
        rec.closed_at_ms = stamp.now_ms;
        rec.expected_count = r.expected_count;
        rec.paid_count = r.paid_count;
        rec.reversed_count = r.reversed_count;
        rec.unpaid_count = r.unpaid_count;
        rec.expected_fen = r.expected_fen;
        rec.paid_fen = r.paid_fen;
        rec.reversed_fen = r.reversed_fen;
        rec.unpaid_fen = r.unpaid_fen;
        rec.cash_issued_fen = r.cash_issued_fen;
        rec.cash_returned_fen = r.cash_returned_fen;
        rec.variance_fen = r.variance_fen;
        rec.explanation = in.explanation;
        const Bytes msg = canonical_bytes(rec);
        const auto sig_a = detail::sign_as(db, stamp, staff_a, kClosingContext, msg);
        const auto sig_b = detail::sign_as(db, stamp, staff_b, kClosingContext, msg);
        // Signatures are stored in the session's a/b order whichever signed first.
        const bool swapped = staff_a.staff_id != session.staff_a;
        db.execute(
            R"(INSERT INTO session_closing(id, session_id, closed_at_ms, expected_count, expected_fen, paid_count,
                          paid_fen, reversed_count, reversed_fen, unpaid_count, unpaid_fen, cash_issued_fen,
                          cash_returned_fen, cash_returned_notes, variance_fen, explanation, staff_a_signature,
                          staff_b_signature, origin_device, hlc)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20))",
            r.closing_id, session.id, stamp.now_ms, r.expected_count, r.expected_fen, r.paid_count,
            r.paid_fen, r.reversed_count, r.reversed_fen, r.unpaid_count, r.unpaid_fen,
            r.cash_issued_fen, r.cash_returned_fen, in.cash_returned_notes, r.variance_fen,
            in.explanation.empty() ? std::nullopt : std::optional<std::string>(in.explanation),
            (swapped ? sig_b : sig_a).view(), (swapped ? sig_a : sig_b).view(), stamp.device_id,
            stamp.hlc.packed);
        for (const auto& u : unpaid) {
            db.execute(
                R"(INSERT INTO unpaid_entitlement(id, closing_id, entitlement_id, reason, carried_over,
                              origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))",
                new_id(stamp.now_ms), r.closing_id, u.entitlement_id, reasons.at(u.entitlement_id),
                u.rule == "carry_over" ? 1 : 0, stamp.device_id, stamp.hlc.packed);
        }
        db.execute(
            "UPDATE disbursement_session SET state = 'closed', origin_device = ?2, hlc = ?3 WHERE "
            "id = ?1",
            session.id, stamp.device_id, stamp.hlc.packed);
        return r;
    });
}

std::vector<PaymentView> session_payments(store::Database& db, const std::string& session_id) {
    std::vector<PaymentView> out;
    auto st = db.prepare(R"(
        SELECT p.id, p.kind, r.name, a.code, p.amount_fen, p.paid_at_ms,
               EXISTS (SELECT 1 FROM payment x WHERE x.reverses_payment_id = p.id)
        FROM payment p JOIN entitlement e ON e.id = p.entitlement_id JOIN resident r ON r.id = e.beneficiary_id
             JOIN aid_program a ON a.id = e.program_id
        WHERE p.session_id = ?1 ORDER BY p.paid_at_ms, p.id)");
    st.bind(1, session_id);
    while (st.step()) {
        out.push_back({st.column<std::string>(0), st.column<std::string>(1),
                       st.column<std::string>(2), st.column<std::string>(3), st.column<Fen>(4),
                       st.column<std::int64_t>(5), st.column<bool>(6)});
    }
    return out;
}

Status verify_payment(store::Database& db, const std::string& payment_id) {
    return detail::guarded([&] {
        auto st = db.prepare(std::string("SELECT ") + kPaymentColumns +
                             ", payer_signature, verifier_signature, origin_device, hlc FROM "
                             "payment WHERE id = ?1");
        st.bind(1, payment_id);
        if (!st.step())
            refuse(Errc::not_found, "发放记录不存在 / no payment " + payment_id);
        const PaymentRecord rec = read_payment_record(st);
        const Bytes msg = payment_message(rec);
        const detail::SignedAt at{st.column<std::string>(17), st.column<std::int64_t>(18)};
        if (!detail::verify_as(db, rec.payer_staff_id, at, kPayerContext, msg,
                               st.column<Bytes>(15)) ||
            !detail::verify_as(db, rec.verifier_staff_id, at, kVerifierContext, msg,
                               st.column<Bytes>(16))) {
            refuse(Errc::bad_signature,
                   "发放记录 " + rec.payment_id +
                       " 的经办人或复核人签名无效 / a payer or verifier signature does not verify");
        }
        if (rec.payer_staff_id == rec.verifier_staff_id) {
            refuse(Errc::same_person,
                   "经办人和复核人必须是两个人 / payer and verifier must be two people");
        }
        const SessionRow session = load_session(db, rec.session_id);
        const DayRow day = load_day(db, session.day_id);
        const EntitlementRow e = load_entitlement(db, rec.entitlement_id);
        for (const auto& id : {rec.payer_staff_id, rec.verifier_staff_id}) {
            if (!db.query_value<int>("SELECT 1 FROM disbursement_roster WHERE disbursement_day_id "
                                     "= ?1 AND staff_id = ?2",
                                     day.id, id)) {
                refuse(Errc::not_rostered,
                       "签名人未排入该发放日 / a signer is not rostered for the day");
            }
            require_independent(day, e, detail::load_staff(db, id));
        }
        // Checked last: central takes a payment whose only fault is an amount
        // corrected since the device loaded it, and flags it (docs/CONFLICTS.md).
        if (rec.kind == "payment" && rec.amount_fen != e.amount_fen) {
            refuse(Errc::amount_mismatch,
                   "发放金额与应发金额不符 / the amount differs from the entitlement");
        }
    });
}

std::vector<std::string> unverifiable_payments(store::Database& db, const std::string& session_id) {
    std::vector<std::string> bad;
    auto st = db.prepare("SELECT id FROM payment WHERE session_id = ?1 ORDER BY id");
    st.bind(1, session_id);
    while (st.step()) {
        const std::string id = st.column<std::string>(0);
        if (!verify_payment(db, id))
            bad.push_back(id);
    }
    return bad;
}

Status verify_closing(store::Database& db, const std::string& closing_id) {
    return detail::guarded([&] {
        auto st = db.prepare(
            R"(SELECT c.id, c.session_id, c.closed_at_ms, c.expected_count, c.paid_count, c.reversed_count,
                                       c.unpaid_count, c.expected_fen, c.paid_fen, c.reversed_fen, c.unpaid_fen,
                                       c.cash_issued_fen, c.cash_returned_fen, c.variance_fen, coalesce(c.explanation, ''),
                                       c.staff_a_signature, c.staff_b_signature, s.staff_a_id, s.staff_b_id,
                                       c.origin_device, c.hlc
                                FROM session_closing c JOIN disbursement_session s ON s.id = c.session_id WHERE c.id = ?1)");
        st.bind(1, closing_id);
        if (!st.step())
            refuse(Errc::not_found, "对账记录不存在 / no closing " + closing_id);
        ClosingRecord rec{
            st.column<std::string>(0),  st.column<std::string>(1),  st.column<std::int64_t>(2),
            st.column<std::int64_t>(3), st.column<std::int64_t>(4), st.column<std::int64_t>(5),
            st.column<std::int64_t>(6), st.column<Fen>(7),          st.column<Fen>(8),
            st.column<Fen>(9),          st.column<Fen>(10),         st.column<Fen>(11),
            st.column<Fen>(12),         st.column<Fen>(13),         st.column<std::string>(14)};
        const Bytes msg = canonical_bytes(rec);
        const detail::SignedAt at{st.column<std::string>(19), st.column<std::int64_t>(20)};
        if (!detail::verify_as(db, st.column<std::string>(17), at, kClosingContext, msg,
                               st.column<Bytes>(15)) ||
            !detail::verify_as(db, st.column<std::string>(18), at, kClosingContext, msg,
                               st.column<Bytes>(16))) {
            refuse(Errc::bad_signature, "对账记录签名无效 / a closing signature does not verify");
        }
        if (rec.cash_issued_fen !=
            (rec.paid_fen - rec.reversed_fen) + rec.cash_returned_fen + rec.variance_fen) {
            refuse(Errc::variance_unexplained, "对账不平 / the reconciliation does not add up");
        }
    });
}

std::vector<DayEntry> days_of(store::Database& db, const std::string& community_id) {
    std::vector<DayEntry> out;
    auto st = db.prepare(R"(
        SELECT d.id, d.local_date, d.approved_by_staff_id IS NOT NULL,
               (SELECT count(*) FROM entitlement e WHERE e.disbursement_day_id = d.id),
               (SELECT coalesce(sum(amount_fen), 0) FROM entitlement e WHERE e.disbursement_day_id = d.id)
        FROM disbursement_day d WHERE d.community_id = ?1 ORDER BY d.local_date)");
    st.bind(1, community_id);
    auto sessions = db.prepare(
        "SELECT id, state, device_id, staff_a_id, staff_b_id FROM disbursement_session WHERE "
        "disbursement_day_id = ?1 ORDER BY opened_at_ms");
    while (st.step()) {
        DayEntry d{st.column<std::string>(0),  st.column<std::string>(1), st.column<bool>(2),
                   st.column<std::int64_t>(3), st.column<Fen>(4),         {}};
        sessions.bind(1, d.day_id);
        while (sessions.step()) {
            d.sessions.push_back({sessions.column<std::string>(0), sessions.column<std::string>(1),
                                  sessions.column<std::string>(2), sessions.column<std::string>(3),
                                  sessions.column<std::string>(4)});
        }
        sessions.reset();
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<BeneficiaryMatch> find_beneficiaries(store::Database& db, const std::string& session_id,
                                                 const std::string& query, int limit) {
    std::vector<BeneficiaryMatch> out;
    // The day's list, matched by a part of the name or the ID's last 4.
    auto st = db.prepare(R"(
        SELECT e.id, r.id, r.name, r.id_last4, p.name, e.amount_fen,
               coalesce((SELECT sum(CASE x.kind WHEN 'payment' THEN 1 ELSE -1 END) FROM payment x
                         WHERE x.entitlement_id = e.id), 0) > 0,
               e.session_id
        FROM entitlement e JOIN resident r ON r.id = e.beneficiary_id
             JOIN aid_program p ON p.id = e.program_id
        WHERE e.disbursement_day_id = (SELECT disbursement_day_id FROM disbursement_session WHERE id = ?1)
          AND (?2 = '' OR instr(r.name, ?2) > 0 OR r.id_last4 = upper(?2))
        ORDER BY r.name, e.id LIMIT ?3)");
    st.bind_all(session_id, query, limit);
    while (st.step()) {
        out.push_back({st.column<std::string>(0), st.column<std::string>(1),
                       st.column<std::string>(2), st.column<std::string>(3),
                       st.column<std::string>(4), st.column<Fen>(5), st.column<bool>(6),
                       st.column<std::optional<std::string>>(7)});
    }
    return out;
}

Result<SessionTotals> session_totals(store::Database& db, const std::string& session_id) {
    return detail::guarded([&] { return count_session(db, load_session(db, session_id)); });
}

std::vector<RecoveryEntry> recoveries(store::Database& db) {
    std::vector<RecoveryEntry> out;
    auto st = db.prepare(R"(
        SELECT t.payment_id, t.amount_fen, t.state, v.reason, r.name
        FROM recovery_task t JOIN payment_void v ON v.payment_id = t.payment_id
             JOIN payment p ON p.id = t.payment_id JOIN entitlement e ON e.id = p.entitlement_id
             JOIN resident r ON r.id = e.beneficiary_id ORDER BY t.created_at_ms)");
    while (st.step()) {
        out.push_back({st.column<std::string>(0), st.column<Fen>(1), st.column<std::string>(2),
                       st.column<std::string>(3), st.column<std::string>(4)});
    }
    return out;
}

}  // namespace gridsync::domain
