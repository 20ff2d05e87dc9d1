#include "gridsync/domain/staff_keys.hpp"

#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "refusal.hpp"

namespace gridsync::domain {

using detail::refuse;

namespace {

constexpr const char* kColumns =
    "id, staff_id, device_id, public_key, enrolled_at_ms, revoked_at_ms, "
    "coalesce(revoked_reason, ''), enrolment_key IS NOT NULL";

StaffKey read_key(store::Statement& st) {
    StaffKey k;
    k.id = st.column<std::string>(0);
    k.staff_id = st.column<std::string>(1);
    k.device_id = st.column<std::string>(2);
    k.public_key = crypto::PublicKey::from(st.column<Bytes>(3)).value_or(crypto::PublicKey{});
    k.enrolled_at_ms = st.column<std::int64_t>(4);
    k.revoked_at_ms = st.column<std::optional<std::int64_t>>(5);
    k.revoked_reason = st.column<std::string>(6);
    k.enrolled_with_code = st.column<bool>(7);
    return k;
}

}  // namespace

Result<std::string> register_staff_key(store::Database& db, const Stamp& stamp,
                                       const std::string& staff_id,
                                       const crypto::PublicKey& public_key,
                                       const crypto::SigningKey& enrolment_key) {
    return detail::guarded([&] {
        const auto staff = detail::load_staff(db, staff_id);
        if (!staff.active)
            refuse(Errc::role_not_allowed, staff.name + " 已停用 / is no longer active");
        if (active_staff_key(db, staff_id, stamp.device_id)) {
            refuse(Errc::key_exists,
                   staff.name +
                       " 在本设备已有密钥;如需更换,请管理员先停用旧密钥 / already has a key on "
                       "this device: an admin revokes the old one first");
        }
        const StaffKeyRecord rec{new_id(stamp.now_ms), staff_id, stamp.device_id,
                                 Bytes(public_key.bytes.begin(), public_key.bytes.end()),
                                 stamp.now_ms};
        const auto sig = enrolment_key.sign(kStaffKeyEnrolmentContext, canonical_bytes(rec));
        db.execute(
            R"(INSERT INTO staff_key(id, staff_id, device_id, public_key, enrolled_at_ms, enrolment_key,
                          enrolment_signature, origin_device, hlc)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?3, ?8))",
            rec.key_id, staff_id, stamp.device_id, public_key.view(), stamp.now_ms,
            enrolment_key.public_key().view(), sig.view(), stamp.hlc.packed);
        return rec.key_id;
    });
}

Status verify_staff_key(store::Database& db, const std::string& key_id) {
    return detail::guarded([&] {
        auto st = db.prepare(R"(
            SELECT id, staff_id, device_id, public_key, enrolled_at_ms, enrolment_key,
                   enrolment_signature, origin_device, revoked_at_ms
            FROM staff_key WHERE id = ?1)");
        st.bind(1, key_id);
        if (!st.step())
            refuse(Errc::not_found, "没有该密钥 / no staff key " + key_id);
        const StaffKeyRecord rec{st.column<std::string>(0), st.column<std::string>(1),
                                 st.column<std::string>(2), st.column<Bytes>(3),
                                 st.column<std::int64_t>(4)};
        const auto code_key = st.column<std::optional<Bytes>>(5);
        const auto signature = st.column<std::optional<Bytes>>(6);
        const auto pk = code_key ? crypto::PublicKey::from(*code_key) : std::nullopt;
        const auto sig = signature ? crypto::Signature::from(*signature) : std::nullopt;
        if (!pk || !sig ||
            !crypto::verify(*pk, kStaffKeyEnrolmentContext, canonical_bytes(rec), *sig)) {
            refuse(Errc::bad_signature,
                   "密钥登记没有有效的登记码签名 / the key registration is not signed with an "
                   "enrolment code");
        }
        if (st.column<std::string>(7) != rec.device_id) {
            refuse(Errc::bad_signature,
                   "密钥登记的设备不是记录它的设备 / a key registered for another device");
        }
        if (!st.is_null(8))
            refuse(Errc::bad_input, "新登记的密钥不能已停用 / a new key cannot come revoked");
        st.reset();
        if (db.query_value<int>("SELECT count(*) FROM staff_key WHERE staff_id = ?1 AND device_id "
                                "= ?2 AND revoked_at_ms IS NULL",
                                rec.staff_id, rec.device_id)
                .value_or(0) > 1) {
            refuse(Errc::key_exists,
                   "该工作人员在这台设备上已有未停用的密钥 / the person already has an "
                   "unrevoked key on that device");
        }
    });
}

std::optional<StaffKey> active_staff_key(store::Database& db, const std::string& staff_id,
                                         const std::string& device_id) {
    auto st = db.prepare(std::string("SELECT ") + kColumns +
                         " FROM staff_key WHERE staff_id = ?1 AND device_id = ?2 AND "
                         "revoked_at_ms IS NULL ORDER BY hlc DESC LIMIT 1");
    st.bind_all(staff_id, device_id);
    if (!st.step())
        return std::nullopt;
    return read_key(st);
}

std::vector<StaffKey> staff_keys(store::Database& db, const std::string& staff_id) {
    std::vector<StaffKey> out;
    auto st = db.prepare(std::string("SELECT ") + kColumns +
                         " FROM staff_key WHERE ?1 = '' OR staff_id = ?1 ORDER BY staff_id, hlc");
    st.bind(1, staff_id);
    while (st.step())
        out.push_back(read_key(st));
    return out;
}

std::vector<StaffEntry> staff_of(store::Database& db, const std::string& community_id,
                                 const std::string& device_id,
                                 const std::optional<std::string>& role) {
    std::vector<StaffEntry> out;
    auto st = db.prepare(R"(
        SELECT s.id, s.name, s.role, coalesce(s.community_id, ''),
               EXISTS (SELECT 1 FROM staff_key k WHERE k.staff_id = s.id AND k.device_id = ?3
                       AND k.revoked_at_ms IS NULL),
               coalesce(s.staff_number, '')
        FROM staff s WHERE s.active = 1 AND (?1 IS NULL OR s.role = ?1)
             AND (s.community_id IS NULL OR s.community_id = ?2)
        ORDER BY s.role, s.name, s.id)");
    st.bind_all(role, community_id, device_id);
    while (st.step()) {
        out.push_back({st.column<std::string>(0), st.column<std::string>(1),
                       st.column<std::string>(2), st.column<std::string>(3), st.column<bool>(4),
                       st.column<std::string>(5)});
    }
    return out;
}

void register_key_by_central(store::Database& db, const Stamp& stamp, const std::string& staff_id,
                             const std::string& device_id, const crypto::PublicKey& public_key) {
    db.execute(
        R"(INSERT INTO staff_key(id, staff_id, device_id, public_key, enrolled_at_ms, origin_device, hlc)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))",
        new_id(stamp.now_ms), staff_id, device_id, public_key.view(), stamp.now_ms, stamp.device_id,
        stamp.hlc.packed);
}

}  // namespace gridsync::domain
