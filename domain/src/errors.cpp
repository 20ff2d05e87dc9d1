#include "gridsync/domain/errors.hpp"

#include "gridsync/error_category.hpp"

namespace gridsync::domain {

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.domain",
        {
            {Errc::bad_id_number, "身份证号码无效 / invalid ID number"},
            {Errc::not_found, "记录不存在 / no such record"},
            {Errc::not_custodian, "该证件不在您手中 / you do not hold this certificate"},
            {Errc::already_delivered, "该证件已送达 / the certificate was already delivered"},
            {Errc::id_mismatch, "身份证号码与登记不符 / the ID number does not match the record"},
            {Errc::not_grid_leader, "您不是该网格的负责人 / you are not this grid's leader"},
            {Errc::recipient_missing, "未确认领取人身份 / the recipient was not identified"},
            {Errc::bad_signature, "签名无效 / the signature does not verify"},
            {Errc::same_person,
             "经办人和复核人必须是两个人 / payer and verifier must be two people"},
            {Errc::amount_mismatch,
             "金额与应发金额不一致 / the amount differs from the entitlement"},
            {Errc::already_paid, "该笔资金已发放 / this entitlement was already paid"},
            {Errc::session_not_open,
             "发放场次未开启或已结束 / the disbursement session is not open"},
            {Errc::not_rostered, "未排班 / not on the roster"},
            {Errc::not_checked_in, "未签到 / not checked in"},
            {Errc::maker_is_checker,
             "名单编制人不能经办或复核 / the list's preparer cannot pay or verify"},
            {Errc::conflict_of_interest,
             "经办人或复核人与领取人同户 / payer or verifier is in the beneficiary's "
             "household"},
            {Errc::assigned_elsewhere, "该笔资金分配给了其他场次 / assigned to another session"},
            {Errc::variance_unexplained,
             "现金差额必须书面说明 / a cash variance needs a written explanation"},
            {Errc::bad_input, "输入有误 / invalid input"},
            {Errc::proxy_not_registered,
             "代领人未事先登记 / the proxy was not registered beforehand"},
            {Errc::wrong_state, "当前状态不允许此操作 / not allowed in the current state"},
            {Errc::role_not_allowed, "您的岗位不能执行此操作 / your role may not do this"},
            {Errc::key_revoked, "该密钥已被停用 / this key was revoked"},
            {Errc::key_exists,
             "该工作人员在本设备已有密钥 / this person already has a key on "
             "this device"},
        });
    return instance;
}

}  // namespace gridsync::domain
