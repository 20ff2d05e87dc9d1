#include "gridsync/domain/residents.hpp"

#include "gridsync/domain/text_rules.hpp"
#include "refusal.hpp"

namespace gridsync::domain {

using detail::refuse;

namespace {

bool plausible_phone(const std::string& phone) {
    int digits = 0;
    for (const char ch : phone) {
        if (ch >= '0' && ch <= '9')
            ++digits;
        else if (ch != '+' && ch != '-' && ch != ' ')
            return false;
    }
    return digits >= 5 && digits <= 20;
}

}  // namespace

Status edit_resident(store::Database& db, const Stamp& stamp, const std::string& resident_id,
                     const ResidentEdit& edit) {
    return detail::guarded([&] {
        if (!db.query_value<int>("SELECT 1 FROM resident WHERE id = ?1", resident_id))
            refuse(Errc::not_found, "没有该居民 / no resident " + resident_id);
        if (edit.name) {
            if (auto why = name_problem(*edit.name))
                refuse(Errc::bad_input, "姓名" + *why + " / the name is refused");
        }
        if (!edit.name && !edit.phone)
            refuse(Errc::bad_input, "没有要修改的内容 / nothing to change");
        if (edit.phone && !plausible_phone(*edit.phone)) {
            refuse(Errc::bad_input,
                   "电话号码应为 5 到 20 位数字(可含 + - 空格)/ a phone number is "
                   "5 to 20 digits (+, - and spaces allowed): " +
                       *edit.phone);
        }
        // Only the columns named change, so a concurrent edit of another
        // column on another device merges instead of clashing.
        if (edit.name) {
            db.execute("UPDATE resident SET name = ?1, origin_device = ?2, hlc = ?3 WHERE id = ?4",
                       *edit.name, stamp.device_id, stamp.hlc.packed, resident_id);
        }
        if (edit.phone) {
            db.execute("UPDATE resident SET phone = ?1, origin_device = ?2, hlc = ?3 WHERE id = ?4",
                       *edit.phone, stamp.device_id, stamp.hlc.packed, resident_id);
        }
    });
}

Status correct_address(store::Database& db, const Stamp& stamp, const std::string& household_id,
                       const std::string& address) {
    return detail::guarded([&] {
        if (auto why = address_problem(address))
            refuse(Errc::bad_input, "地址" + *why + " / the address is refused");
        if (!db.query_value<int>("SELECT 1 FROM household WHERE id = ?1", household_id))
            refuse(Errc::not_found, "没有该住户 / no household " + household_id);
        db.execute("UPDATE household SET address = ?1, origin_device = ?2, hlc = ?3 WHERE id = ?4",
                   address, stamp.device_id, stamp.hlc.packed, household_id);
    });
}

}  // namespace gridsync::domain
