#include "gridsync/domain/errors.hpp"

#include <string>

namespace gridsync::domain {
namespace {

class Category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "gridsync.domain"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::bad_id_number:
                return "身份证号码无效 / invalid ID number";
            case Errc::not_found:
                return "记录不存在 / no such record";
            case Errc::not_custodian:
                return "该证件不在您手中 / you do not hold this certificate";
            case Errc::already_delivered:
                return "该证件已送达 / the certificate was already delivered";
            case Errc::id_mismatch:
                return "身份证号码与登记不符 / the ID number does not match the record";
            case Errc::not_grid_leader:
                return "您不是该网格的负责人 / you are not this grid's leader";
            case Errc::recipient_missing:
                return "未确认领取人身份 / the recipient was not identified";
            case Errc::bad_signature:
                return "签名无效 / the signature does not verify";
            case Errc::same_person:
                return "经办人和复核人必须是两个人 / payer and verifier must be two people";
            case Errc::amount_mismatch:
                return "金额与应发金额不一致 / the amount differs from the entitlement";
            case Errc::already_paid:
                return "该笔资金已发放 / this entitlement was already paid";
            case Errc::session_not_open:
                return "发放场次未开启或已结束 / the disbursement session is not open";
            case Errc::not_rostered:
                return "未排班 / not on the roster";
            case Errc::not_checked_in:
                return "未签到 / not checked in";
            case Errc::maker_is_checker:
                return "名单编制人不能经办或复核 / the list's preparer cannot pay or verify";
            case Errc::conflict_of_interest:
                return "经办人或复核人与领取人同户 / payer or verifier is in the beneficiary's "
                       "household";
            case Errc::assigned_elsewhere:
                return "该笔资金分配给了其他场次 / assigned to another session";
            case Errc::variance_unexplained:
                return "现金差额必须书面说明 / a cash variance needs a written explanation";
            case Errc::bad_input:
                return "输入有误 / invalid input";
            case Errc::proxy_not_registered:
                return "代领人未事先登记 / the proxy was not registered beforehand";
            case Errc::wrong_state:
                return "当前状态不允许此操作 / not allowed in the current state";
            case Errc::role_not_allowed:
                return "您的岗位不能执行此操作 / your role may not do this";
        }
        return "unknown domain error";
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const Category instance;
    return instance;
}

}  // namespace gridsync::domain
