#include "gridsync/sync/refusals.hpp"

#include <charconv>

#include "gridsync/error_category.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::sync {

const std::error_category& refusal_category() noexcept {
    using R = Refusal;
    static const TableCategory<Refusal> instance(
        "gridsync.central",
        {
            {R::unknown_device, "设备未登记 / the device is not enrolled"},
            {R::revoked, "设备已被停用 / the device was revoked"},
            {R::bad_signature, "设备签名无效 / the device signature does not verify"},
            {R::sequence_gap, "缺少之前的记录 / an earlier entry is missing"},
            {R::forked_chain, "同一序号出现不同记录(安全事件)/ a forked chain (security event)"},
            {R::broken_chain, "哈希链不连续 / the hash chain does not link"},
            {R::malformed, "数据格式错误 / malformed data"},
            {R::unsupported_version, "版本不受支持 / unsupported version"},
            {R::not_authorized, "该设备无权进行此修改 / the device may not make this change"},
            {R::out_of_scope, "超出设备的管辖范围 / outside the device's scope"},
            {R::rule_failed, "中心复核未通过 / central's check of the rules failed"},
            {R::missing_parent,
             "引用的记录尚未到达中心 / refers to a record central has not seen yet"},
            {R::token_invalid, "登记令牌无效 / invalid enrollment token"},
            {R::token_expired, "登记令牌已过期 / the enrollment token has expired"},
            {R::token_used, "登记令牌已使用 / the enrollment token was already used"},
            {R::admin_login_failed, "管理员登录名或密码不正确 / wrong admin login or password"},
            {R::conflict_not_open, "冲突不存在或已处理 / no such open conflict"},
            {R::admin_session, "请先登录 / please log in"},
            {R::csrf_failed, "请求缺少有效的防伪令牌 / the request lacks a valid CSRF token"},
            {R::too_many_attempts, "尝试次数过多,请稍后再试 / too many attempts, try later"},
            {R::bad_request, "请求格式错误 / bad request"},
            {R::forged_stamp,
             "记录的设备或时间戳与签名不符 / a row stamp that does not match "
             "the signed entry"},
            {R::clock_out_of_bounds,
             "记录时间超出允许范围,请校正设备时钟 / the entry's time is out of bounds: set the "
             "device clock right"},
            {R::staff_key_refused,
             "密钥登记未获管理员授权(登记码无效、已用或已过期)/ the staff key has no valid "
             "enrolment code (unknown, used or expired)"},
            {R::hlc_regressed,
             "记录时间早于本设备上一条记录 / the entry's time is before the device's last entry"},
            {R::busy, "中心繁忙,请稍后重试 / central is busy: try again later"},
            {R::replayed_request,
             "重复的请求(已处理过)/ a request central has answered before (a replay)"},
            {R::not_quarantined, "没有这条隔离记录,或已放行 / no such quarantined entry"},
            {R::storage_failed,
             "中心存储写入失败,本次请求未保存,请稍后重试 / central could not write: nothing of "
             "the request was kept; try again later"},
        });
    return instance;
}

bool may_be_transient(const std::error_code& code) noexcept {
    if (code.category() == refusal_category()) {
        switch (static_cast<Refusal>(code.value())) {
            case Refusal::sequence_gap:         // the missing entry comes first next time
            case Refusal::missing_parent:       // the parent arrives
            case Refusal::too_many_attempts:    // the window passes
            case Refusal::clock_out_of_bounds:  // central's clock catches up, or the device's is
                                                // set
            case Refusal::busy:
            case Refusal::storage_failed:    // the disk is freed or mended
            case Refusal::replayed_request:  // a new request has a new number
                return true;
            default:
                return false;
        }
    }
    if (code.category() == category())
        return static_cast<Errc>(code.value()) == Errc::transport_failed ||
               static_cast<Errc>(code.value()) == Errc::central_busy;
    return code == std::errc::resource_unavailable_try_again || code == std::errc::timed_out;
}

std::string code_text(const std::error_code& code) {
    return std::string(code.category().name()) + ":" + std::to_string(code.value());
}

std::optional<Refusal> refusal_of(std::string_view text) {
    const std::string_view prefix = "gridsync.central:";
    if (!text.starts_with(prefix))
        return std::nullopt;
    int n = 0;
    const auto digits = text.substr(prefix.size());
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0)
        return std::nullopt;
    return static_cast<Refusal>(n);
}

}  // namespace gridsync::sync
