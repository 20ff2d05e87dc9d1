#include "refusal.hpp"

namespace gridsync::domain::detail {

StaffRow load_staff(store::Database& db, const std::string& staff_id) {
    auto st = db.prepare(
        "SELECT id, name, role, community_id, household_id, public_key, active FROM staff WHERE id "
        "= ?1");
    st.bind(1, staff_id);
    if (!st.step())
        refuse(Errc::not_found, "工作人员不存在 / no staff member " + staff_id);
    return StaffRow{st.column<std::string>(0),
                    st.column<std::string>(1),
                    st.column<std::string>(2),
                    st.column<std::optional<std::string>>(3),
                    st.column<std::optional<std::string>>(4),
                    st.column<std::optional<Bytes>>(5),
                    st.column<bool>(6)};
}

crypto::Signature sign_as(store::Database& db, const std::string& staff_id,
                          const crypto::SigningKey& key, crypto::SigningContext context,
                          ByteView message) {
    const StaffRow staff = load_staff(db, staff_id);
    if (!staff.active)
        refuse(Errc::role_not_allowed, staff.name + " 已停用 / is no longer active");
    if (!staff.public_key ||
        !crypto::constant_time_equal(*staff.public_key, key.public_key().view())) {
        refuse(Errc::bad_signature, staff.name + " 的密钥与登记的公钥不符 / the key used is not " +
                                        staff.name + "'s registered key");
    }
    return key.sign(context, message);
}

bool verify_as(store::Database& db, const std::string& staff_id, crypto::SigningContext context,
               ByteView message, ByteView signature) {
    auto pk_bytes = db.query_value<std::optional<Bytes>>(
        "SELECT public_key FROM staff WHERE id = ?1", staff_id);
    if (!pk_bytes || !*pk_bytes)
        return false;
    auto pk = crypto::PublicKey::from(**pk_bytes);
    auto sig = crypto::Signature::from(signature);
    return pk && sig && crypto::verify(*pk, context, message, *sig);
}

}  // namespace gridsync::domain::detail
