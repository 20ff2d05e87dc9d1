#include "gridsync/central/errors.hpp"

#include "gridsync/error_category.hpp"

namespace gridsync::central {

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.central",
        {
            {Errc::unknown_device, "设备未登记 / the device is not enrolled"},
            {Errc::revoked, "设备已被停用 / the device was revoked"},
            {Errc::bad_signature, "设备签名无效 / the device signature does not verify"},
            {Errc::sequence_gap, "缺少之前的记录 / an earlier entry is missing"},
            {Errc::forked_chain, "同一序号出现不同记录(安全事件)/ a forked chain (security event)"},
            {Errc::broken_chain, "哈希链不连续 / the hash chain does not link"},
            {Errc::malformed, "数据格式错误 / malformed data"},
            {Errc::unsupported_version, "版本不受支持 / unsupported version"},
            {Errc::not_authorized, "该设备无权进行此修改 / the device may not make this change"},
            {Errc::out_of_scope, "超出设备的管辖范围 / outside the device's scope"},
            {Errc::rule_failed, "中心复核未通过 / central's check of the rules failed"},
            {Errc::missing_parent,
             "引用的记录尚未到达中心 / refers to a record central has not seen yet"},
            {Errc::token_invalid, "登记令牌无效 / invalid enrollment token"},
            {Errc::token_expired, "登记令牌已过期 / the enrollment token has expired"},
            {Errc::token_used, "登记令牌已使用 / the enrollment token was already used"},
            {Errc::admin_login_failed, "管理员登录名或密码不正确 / wrong admin login or password"},
            {Errc::conflict_not_open, "冲突不存在或已处理 / no such open conflict"},
            {Errc::admin_session, "请先登录 / please log in"},
            {Errc::csrf_failed, "请求缺少有效的防伪令牌 / the request lacks a valid CSRF token"},
            {Errc::too_many_attempts, "尝试次数过多,请稍后再试 / too many attempts, try later"},
            {Errc::bad_request, "请求格式错误 / bad request"},
            {Errc::forged_stamp,
             "记录的设备或时间戳与签名不符 / a row stamp that does not match "
             "the signed entry"},
            {Errc::clock_out_of_bounds,
             "记录时间超出允许范围,请校正设备时钟 / the entry's time is out of bounds: set the "
             "device clock right"},
            {Errc::staff_key_refused,
             "密钥登记未获管理员授权(登记码无效、已用或已过期)/ the staff key has no valid "
             "enrolment code (unknown, used or expired)"},
            {Errc::hlc_regressed,
             "记录时间早于本设备上一条记录 / the entry's time is before the device's last entry"},
        });
    return instance;
}

}  // namespace gridsync::central
