#include "gridsync/domain/certificates.hpp"

#include "gridsync/crypto/hash.hpp"
#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "refusal.hpp"

namespace gridsync::domain {

using detail::Refusal;
using detail::refuse;

namespace {

struct CertificateRow {
    std::string id;
    std::string print_code;
    std::string state;
    std::optional<std::string> custodian;
    std::string resident_id;
    std::string resident_name;
    Bytes resident_id_digest;
    std::optional<std::string> grid_leader;
};

CertificateRow load_certificate(store::Database& db, const std::string& id) {
    auto st = db.prepare(R"(
        SELECT c.id, c.print_code, c.state, c.custodian_staff_id, r.id, r.name, r.id_digest, g.leader_staff_id
        FROM certificate c JOIN resident r ON r.id = c.resident_id
             JOIN household h ON h.id = r.household_id JOIN grid g ON g.id = h.grid_id
        WHERE c.id = ?1)");
    st.bind(1, id);
    if (!st.step())
        refuse(Errc::not_found, "证件不存在 / no certificate " + id);
    return {st.column<std::string>(0), st.column<std::string>(1),
            st.column<std::string>(2), st.column<std::optional<std::string>>(3),
            st.column<std::string>(4), st.column<std::string>(5),
            st.column<Bytes>(6),       st.column<std::optional<std::string>>(7)};
}

void require_center_staff(const detail::StaffRow& s) {
    if (s.role == "grid_leader") {
        refuse(Errc::role_not_allowed,
               s.name + " 是网格负责人,不能代表中心交接 / a grid leader cannot act for the center");
    }
}

void require_leader_of(const CertificateRow& c, const detail::StaffRow& s) {
    if (s.role != "grid_leader" || !c.grid_leader || *c.grid_leader != s.id) {
        refuse(Errc::not_grid_leader,
               s.name + " 不是 " + c.resident_name +
                   " 所在网格的负责人 / is not the leader of the resident's grid");
    }
}

void require_custodian(const CertificateRow& c, const detail::StaffRow& s) {
    if (c.state == "delivered") {
        refuse(Errc::already_delivered,
               "证件 " + c.print_code + " 已送达 / certificate already delivered");
    }
    if (c.state != "with_grid_leader" || !c.custodian || *c.custodian != s.id) {
        refuse(Errc::not_custodian, "证件 " + c.print_code + " 不在 " + s.name + " 手中 / " +
                                        s.name + " does not hold certificate " + c.print_code);
    }
}

std::string transfer(store::Database& db, const Stamp& stamp, const CertificateRow& c,
                     const std::string& kind, const Signer& from, const Signer& to) {
    CustodyRecord rec{new_id(stamp.now_ms), c.id,        c.print_code, kind,
                      from.staff_id,        to.staff_id, stamp.now_ms};
    const Bytes msg = canonical_bytes(rec);
    const auto from_sig = detail::sign_as(db, stamp, from, kCustodyFromContext, msg);
    const auto to_sig = detail::sign_as(db, stamp, to, kCustodyToContext, msg);
    db.execute(
        R"(INSERT INTO custody_transfer(id, certificate_id, kind, from_staff_id, to_staff_id, at_ms,
                      from_signature, to_signature, origin_device, hlc)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))",
        rec.transfer_id, c.id, kind, from.staff_id, to.staff_id, rec.at_ms, from_sig.view(),
        to_sig.view(), stamp.device_id, stamp.hlc.packed);
    return rec.transfer_id;
}

void set_state(store::Database& db, const Stamp& stamp, const std::string& id,
               const std::string& state, const std::optional<std::string>& custodian) {
    db.execute(
        "UPDATE certificate SET state = ?2, custodian_staff_id = ?3, origin_device = ?4, hlc = ?5 "
        "WHERE id = ?1",
        id, state, custodian, stamp.device_id, stamp.hlc.packed);
}

void check_location(const std::optional<Location>& loc) {
    if (loc && (loc->latitude < -90 || loc->latitude > 90 || loc->longitude < -180 ||
                loc->longitude > 180)) {
        refuse(Errc::bad_input, "位置坐标超出范围 / location out of range");
    }
}

// At the door, only the grid leader who holds the certificate may record anything.
std::pair<CertificateRow, detail::StaffRow> at_the_door(store::Database& db,
                                                        const std::string& certificate_id,
                                                        const Signer& grid_leader,
                                                        const std::optional<Location>& loc) {
    auto c = load_certificate(db, certificate_id);
    auto staff = detail::load_staff(db, grid_leader.staff_id);
    require_custodian(c, staff);
    require_leader_of(c, staff);
    check_location(loc);
    return {std::move(c), std::move(staff)};
}

}  // namespace

std::optional<FailureReason> parse_failure_reason(const std::string& code) {
    if (code == "not_home")
        return FailureReason::not_home;
    if (code == "refused")
        return FailureReason::refused;
    if (code == "moved")
        return FailureReason::moved;
    if (code == "no_id")
        return FailureReason::no_id;
    if (code == "other")
        return FailureReason::other;
    return std::nullopt;
}

std::string to_code(FailureReason r) {
    switch (r) {
        case FailureReason::not_home:
            return "not_home";
        case FailureReason::refused:
            return "refused";
        case FailureReason::moved:
            return "moved";
        case FailureReason::no_id:
            return "no_id";
        case FailureReason::other:
            return "other";
    }
    return "other";
}

Result<std::string> issue_certificate(store::Database& db, const Stamp& stamp,
                                      const IssueCertificate& in) {
    return detail::guarded([&] {
        auto type =
            db.prepare("SELECT id, due_working_days, active FROM certificate_type WHERE code = ?1");
        type.bind(1, in.type_code);
        if (!type.step())
            refuse(Errc::not_found, "证件类型不存在 / no certificate type " + in.type_code);
        const std::string type_id = type.column<std::string>(0);
        const int due_days = type.column<int>(1);
        const bool active = type.column<int>(2) != 0;
        type.reset();
        if (!active) {
            refuse(Errc::bad_input,
                   "该事项已停用 / the service item is no longer offered: " + in.type_code);
        }
        if (!db.query_value<int>("SELECT 1 FROM resident WHERE id = ?1", in.resident_id)) {
            refuse(Errc::not_found, "居民不存在 / no resident " + in.resident_id);
        }
        if (in.print_code.empty())
            refuse(Errc::bad_input, "缺少证件打印码 / missing print code");
        if (db.query_value<int>("SELECT 1 FROM certificate WHERE print_code = ?1", in.print_code)) {
            refuse(Errc::bad_input, "打印码已被使用 / print code already used: " + in.print_code);
        }
        // 限时办结 counts working days from when the window finished it.
        const EpochMs finished = in.finished_at_ms.value_or(stamp.now_ms);
        const std::string id = new_id(stamp.now_ms);
        db.execute(
            R"(INSERT INTO certificate(id, type_id, resident_id, print_code, issued_at_ms, due_at_ms, state,
                          custodian_staff_id, origin_device, hlc)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'at_center', NULL, ?7, ?8))",
            id, type_id, in.resident_id, in.print_code, finished,
            due_after_working_days(db, finished, due_days), stamp.device_id, stamp.hlc.packed);
        return id;
    });
}

Result<std::string> certificate_by_print_code(store::Database& db, const std::string& print_code) {
    auto id =
        db.query_value<std::string>("SELECT id FROM certificate WHERE print_code = ?1", print_code);
    if (!id)
        return fail(Errc::not_found,
                    "没有打印码为 " + print_code + " 的证件 / no certificate with that code");
    return *id;
}

Result<std::string> hand_over(store::Database& db, const Stamp& stamp,
                              const std::string& certificate_id, const Signer& center_staff,
                              const Signer& grid_leader) {
    return detail::guarded([&] {
        const auto c = load_certificate(db, certificate_id);
        const auto from = detail::load_staff(db, center_staff.staff_id);
        const auto to = detail::load_staff(db, grid_leader.staff_id);
        if (from.id == to.id)
            refuse(Errc::same_person, "交接双方必须是两个人 / hand-over needs two people");
        if (c.state != "at_center") {
            refuse(Errc::wrong_state,
                   "证件 " + c.print_code + " 不在中心 / certificate is not at the center");
        }
        require_center_staff(from);
        require_leader_of(c, to);
        const std::string tid = transfer(db, stamp, c, "handover", center_staff, grid_leader);
        set_state(db, stamp, c.id, "with_grid_leader", to.id);
        return tid;
    });
}

Result<std::string> return_to_center(store::Database& db, const Stamp& stamp,
                                     const std::string& certificate_id, const Signer& grid_leader,
                                     const Signer& center_staff) {
    return detail::guarded([&] {
        const auto c = load_certificate(db, certificate_id);
        const auto from = detail::load_staff(db, grid_leader.staff_id);
        const auto to = detail::load_staff(db, center_staff.staff_id);
        if (from.id == to.id)
            refuse(Errc::same_person, "交接双方必须是两个人 / hand-over needs two people");
        require_custodian(c, from);
        require_center_staff(to);
        const std::string tid = transfer(db, stamp, c, "return", grid_leader, center_staff);
        set_state(db, stamp, c.id, "at_center", std::nullopt);
        return tid;
    });
}

Result<std::string> deliver(store::Database& db, const Stamp& stamp, const Signer& grid_leader,
                            const Delivery& in, const crypto::SecureBuffer& id_key) {
    return detail::guarded([&] {
        const auto [c, staff] = at_the_door(db, in.certificate_id, grid_leader, in.location);
        if (in.signature_image.empty()) {
            refuse(Errc::recipient_missing,
                   "缺少领取人签名 / the recipient's signature is missing");
        }
        auto id = ResidentIdNumber::parse(in.recipient_id_number);
        if (!id)
            refuse(Errc::recipient_missing, "未核验领取人身份:" + id.failure().message);
        std::string relation;
        if (in.to_proxy) {
            if (in.proxy_name.empty())
                refuse(Errc::recipient_missing, "缺少代领人姓名 / proxy's name missing");
            relation = in.proxy_relation;
            if (relation != "spouse" && relation != "child" && relation != "parent" &&
                relation != "other") {
                refuse(Errc::bad_input,
                       "代领人关系应为 spouse/child/parent/other / relation must be one of those");
            }
            // A proxy for a certificate need not be registered beforehand (unlike
            // for aid payments): their ID is checked for form and its last 4 kept.
        } else if (!crypto::constant_time_equal(id->digest(id_key), c.resident_id_digest)) {
            refuse(Errc::id_mismatch,
                   "身份证号码与 " + c.resident_name +
                       " 的登记不符 / the ID number does not match the resident's record");
        }
        DeliveryRecord rec;
        rec.attempt_id = new_id(stamp.now_ms);
        rec.certificate_id = c.id;
        rec.staff_id = staff.id;
        rec.at_ms = stamp.now_ms;
        rec.outcome = "delivered";
        rec.recipient_kind = in.to_proxy ? "proxy" : "resident";
        rec.proxy_name = in.proxy_name;
        rec.proxy_relation = relation;
        rec.recipient_id_last4 = id->last4();
        rec.signature_image_hash = crypto::blake2b(in.signature_image);
        if (!in.photo.empty())
            rec.photo_hash = crypto::blake2b(in.photo);
        const auto sig = detail::sign_as(db, stamp, {staff.id, grid_leader.key}, kDeliveryContext,
                                         canonical_bytes(rec));
        db.execute(
            R"(INSERT INTO delivery_attempt(id, certificate_id, staff_id, at_ms, outcome, recipient_kind,
                          proxy_name, proxy_relation, recipient_id_last4, signature_image, signature_image_hash,
                          photo, photo_hash, latitude, longitude, failure_reason, retry_on_ms, staff_signature,
                          origin_device, hlc)
                      VALUES (?1, ?2, ?3, ?4, 'delivered', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULL, NULL,
                              ?15, ?16, ?17))",
            rec.attempt_id, c.id, staff.id, rec.at_ms, rec.recipient_kind,
            in.to_proxy ? std::optional<std::string>(in.proxy_name) : std::nullopt,
            in.to_proxy ? std::optional<std::string>(relation) : std::nullopt,
            rec.recipient_id_last4, in.signature_image, rec.signature_image_hash,
            in.photo.empty() ? std::optional<Bytes>() : std::optional<Bytes>(in.photo),
            in.photo.empty() ? std::optional<Bytes>() : std::optional<Bytes>(rec.photo_hash),
            in.location ? std::optional<double>(in.location->latitude) : std::nullopt,
            in.location ? std::optional<double>(in.location->longitude) : std::nullopt, sig.view(),
            stamp.device_id, stamp.hlc.packed);
        set_state(db, stamp, c.id, "delivered", staff.id);
        return rec.attempt_id;
    });
}

Result<std::string> record_failed_attempt(store::Database& db, const Stamp& stamp,
                                          const Signer& grid_leader, const FailedAttempt& in) {
    return detail::guarded([&] {
        const auto [c, staff] = at_the_door(db, in.certificate_id, grid_leader, in.location);
        if (in.retry_on_ms <= stamp.now_ms) {
            refuse(Errc::bad_input,
                   "计划重送时间应晚于现在 / the planned retry must be in the future");
        }
        DeliveryRecord rec;
        rec.attempt_id = new_id(stamp.now_ms);
        rec.certificate_id = c.id;
        rec.staff_id = staff.id;
        rec.at_ms = stamp.now_ms;
        rec.outcome = "failed";
        rec.failure_reason = to_code(in.reason);
        rec.retry_on_ms = in.retry_on_ms;
        const auto sig = detail::sign_as(db, stamp, {staff.id, grid_leader.key}, kDeliveryContext,
                                         canonical_bytes(rec));
        db.execute(
            R"(INSERT INTO delivery_attempt(id, certificate_id, staff_id, at_ms, outcome, failure_reason,
                          retry_on_ms, latitude, longitude, staff_signature, origin_device, hlc)
                      VALUES (?1, ?2, ?3, ?4, 'failed', ?5, ?6, ?7, ?8, ?9, ?10, ?11))",
            rec.attempt_id, c.id, staff.id, rec.at_ms, rec.failure_reason, rec.retry_on_ms,
            in.location ? std::optional<double>(in.location->latitude) : std::nullopt,
            in.location ? std::optional<double>(in.location->longitude) : std::nullopt, sig.view(),
            stamp.device_id, stamp.hlc.packed);
        return rec.attempt_id;
    });
}

std::vector<OverdueCertificate> overdue_certificates(store::Database& db, EpochMs now_ms) {
    std::vector<OverdueCertificate> out;
    auto st = db.prepare(R"(
        SELECT c.id, c.print_code, r.name, c.state, c.due_at_ms
        FROM certificate c JOIN resident r ON r.id = c.resident_id
        WHERE c.state <> 'delivered' AND c.due_at_ms < ?1
        ORDER BY c.due_at_ms)");
    st.bind(1, now_ms);
    while (st.step()) {
        const EpochMs due = st.column<std::int64_t>(4);
        out.push_back({st.column<std::string>(0), st.column<std::string>(1),
                       st.column<std::string>(2), st.column<std::string>(3), due,
                       (now_ms - due) / kDayMs});
    }
    return out;
}

std::vector<CertificateEntry> certificates(store::Database& db, const CertificateFilter& filter,
                                           EpochMs now_ms) {
    std::vector<CertificateEntry> out;
    auto st = db.prepare(R"(
        SELECT c.id, c.print_code, c.state, t.name, r.id, r.name, h.address, c.custodian_staff_id,
               coalesce(s.name, ''), c.due_at_ms, g.name, g.leader_staff_id,
               (SELECT count(*) FROM delivery_attempt a WHERE a.certificate_id = c.id AND a.outcome = 'failed'),
               coalesce((SELECT a.failure_reason FROM delivery_attempt a WHERE a.certificate_id = c.id
                         AND a.outcome = 'failed' ORDER BY a.hlc DESC LIMIT 1), ''),
               (SELECT a.retry_on_ms FROM delivery_attempt a WHERE a.certificate_id = c.id
                         AND a.outcome = 'failed' ORDER BY a.hlc DESC LIMIT 1)
        FROM certificate c JOIN certificate_type t ON t.id = c.type_id
             JOIN resident r ON r.id = c.resident_id JOIN household h ON h.id = r.household_id
             JOIN grid g ON g.id = h.grid_id LEFT JOIN staff s ON s.id = c.custodian_staff_id
        WHERE (?1 IS NULL OR c.state = ?1) AND (?2 IS NULL OR c.custodian_staff_id = ?2)
        ORDER BY c.state <> 'delivered' AND c.due_at_ms < ?3 DESC, c.due_at_ms, h.address, c.print_code)");
    st.bind_all(filter.state, filter.holder_id, now_ms);
    while (st.step()) {
        CertificateEntry e;
        e.id = st.column<std::string>(0);
        e.print_code = st.column<std::string>(1);
        e.state = st.column<std::string>(2);
        e.type_name = st.column<std::string>(3);
        e.resident_id = st.column<std::string>(4);
        e.resident_name = st.column<std::string>(5);
        e.address = st.column<std::string>(6);
        e.holder_id = st.column<std::optional<std::string>>(7);
        e.holder_name = st.column<std::string>(8);
        e.due_at_ms = st.column<std::int64_t>(9);
        e.grid_name = st.column<std::string>(10);
        e.grid_leader_id = st.column<std::optional<std::string>>(11);
        // Whole days, rounded down toward overdue: due later today is 0.
        const EpochMs left = e.due_at_ms - now_ms;
        e.days_left = left >= 0 ? left / kDayMs : -((-left + kDayMs - 1) / kDayMs);
        e.failed_attempts = st.column<int>(12);
        e.last_failure = st.column<std::string>(13);
        e.retry_on_ms = st.column<std::optional<std::int64_t>>(14);
        out.push_back(std::move(e));
    }
    return out;
}

Status verify_custody_transfer(store::Database& db, const std::string& transfer_id) {
    return detail::guarded([&] {
        auto ct = db.prepare(R"(
            SELECT t.id, t.certificate_id, c.print_code, t.kind, t.from_staff_id, t.to_staff_id, t.at_ms,
                   t.from_signature, t.to_signature, t.origin_device, t.hlc
            FROM custody_transfer t JOIN certificate c ON c.id = t.certificate_id WHERE t.id = ?1)");
        ct.bind(1, transfer_id);
        if (!ct.step())
            refuse(Errc::not_found, "交接记录不存在 / no custody transfer " + transfer_id);
        const CustodyRecord rec{ct.column<std::string>(0), ct.column<std::string>(1),
                                ct.column<std::string>(2), ct.column<std::string>(3),
                                ct.column<std::string>(4), ct.column<std::string>(5),
                                ct.column<std::int64_t>(6)};
        const Bytes msg = canonical_bytes(rec);
        const detail::SignedAt at{ct.column<std::string>(9), ct.column<std::int64_t>(10)};
        if (!detail::verify_as(db, rec.from_staff_id, at, kCustodyFromContext, msg,
                               ct.column<Bytes>(7)) ||
            !detail::verify_as(db, rec.to_staff_id, at, kCustodyToContext, msg,
                               ct.column<Bytes>(8))) {
            refuse(Errc::bad_signature, "交接记录签名无效 / a custody signature does not verify");
        }
    });
}

Status verify_delivery_attempt(store::Database& db, const std::string& attempt_id) {
    return detail::guarded([&] {
        auto da = db.prepare(R"(
            SELECT id, certificate_id, staff_id, at_ms, outcome, recipient_kind, proxy_name, proxy_relation,
                   recipient_id_last4, signature_image_hash, photo_hash, failure_reason, retry_on_ms, staff_signature,
                   origin_device, hlc
            FROM delivery_attempt WHERE id = ?1)");
        da.bind(1, attempt_id);
        if (!da.step())
            refuse(Errc::not_found, "送达记录不存在 / no delivery attempt " + attempt_id);
        DeliveryRecord rec;
        rec.attempt_id = da.column<std::string>(0);
        rec.certificate_id = da.column<std::string>(1);
        rec.staff_id = da.column<std::string>(2);
        rec.at_ms = da.column<std::int64_t>(3);
        rec.outcome = da.column<std::string>(4);
        rec.recipient_kind = da.column<std::optional<std::string>>(5).value_or("");
        rec.proxy_name = da.column<std::optional<std::string>>(6).value_or("");
        rec.proxy_relation = da.column<std::optional<std::string>>(7).value_or("");
        rec.recipient_id_last4 = da.column<std::optional<std::string>>(8).value_or("");
        rec.signature_image_hash = da.column<std::optional<Bytes>>(9).value_or(Bytes{});
        rec.photo_hash = da.column<std::optional<Bytes>>(10).value_or(Bytes{});
        rec.failure_reason = da.column<std::optional<std::string>>(11).value_or("");
        rec.retry_on_ms = da.column<std::optional<std::int64_t>>(12).value_or(0);
        if (!detail::verify_as(db, rec.staff_id,
                               {da.column<std::string>(14), da.column<std::int64_t>(15)},
                               kDeliveryContext, canonical_bytes(rec), da.column<Bytes>(13))) {
            refuse(Errc::bad_signature,
                   "送达记录签名无效 / the delivery signature does not verify");
        }
        // Only the custodian delivers: the last hand-over of the certificate
        // before the attempt went to this grid leader, and no return since.
        // (Causal order is the HLC's: wall clocks of two devices may disagree.)
        const auto last = db.query_value<std::string>(
            "SELECT kind || ':' || to_staff_id FROM custody_transfer WHERE certificate_id = ?1 "
            "AND hlc < (SELECT hlc FROM delivery_attempt WHERE id = ?2) ORDER BY hlc DESC LIMIT 1",
            rec.certificate_id, rec.attempt_id);
        if (!last || *last != "handover:" + rec.staff_id) {
            refuse(Errc::not_custodian,
                   "送达人不是该证件的保管人 / the deliverer was not the certificate's custodian");
        }
        require_leader_of(load_certificate(db, rec.certificate_id),
                          detail::load_staff(db, rec.staff_id));
    });
}

std::vector<std::string> unverifiable_certificate_records(store::Database& db,
                                                          const std::string& certificate_id) {
    std::vector<std::string> bad;
    auto ct = db.prepare("SELECT id FROM custody_transfer WHERE certificate_id = ?1 ORDER BY id");
    ct.bind(1, certificate_id);
    while (ct.step()) {
        if (!verify_custody_transfer(db, ct.column<std::string>(0)))
            bad.push_back(ct.column<std::string>(0));
    }
    auto da = db.prepare("SELECT id FROM delivery_attempt WHERE certificate_id = ?1 ORDER BY id");
    da.bind(1, certificate_id);
    while (da.step()) {
        if (!verify_delivery_attempt(db, da.column<std::string>(0)))
            bad.push_back(da.column<std::string>(0));
    }
    return bad;
}

}  // namespace gridsync::domain
