#include "gridsync/sync/errors.hpp"

#include "gridsync/error_category.hpp"

namespace gridsync::sync {

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.sync",
        {
            {Errc::malformed_envelope, "变更包格式错误 / malformed envelope"},
            {Errc::unsupported_version, "版本不受支持 / unsupported version"},
            {Errc::bad_signature, "设备签名无效 / device signature does not verify"},
            {Errc::broken_chain, "哈希链断裂 / the hash chain is broken"},
            {Errc::hash_mismatch, "记录哈希不符 / entry hash does not match"},
            {Errc::wrong_device, "记录属于其他设备 / entry belongs to another device"},
            {Errc::malformed_changeset, "变更集格式错误 / malformed changeset"},
            {Errc::transport_failed, "无法连接中心 / central could not be reached"},
            {Errc::remote_refused, "中心拒绝了请求 / central refused the request"},
            {Errc::device_revoked, "本设备已被停用 / this device was revoked"},
            {Errc::scope_diverged,
             "本机数据与中心不一致 / this device's data differs from central's"},
            {Errc::central_busy, "中心暂时无法处理,稍后重试 / central cannot take it now: later"},
            {Errc::log_untrusted,
             "中心的日志校验未通过,已停止同步 / central's log failed a check: sync stopped"},
            {Errc::no_such_alarm, "没有这条未处理的告警 / no open alarm with that id"},
        });
    return instance;
}

}  // namespace gridsync::sync
