#include "gridsync/sync/errors.hpp"

#include <string>

namespace gridsync::sync {
namespace {
class Category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "gridsync.sync"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::malformed_envelope:
                return "变更包格式错误 / malformed envelope";
            case Errc::unsupported_version:
                return "版本不受支持 / unsupported version";
            case Errc::bad_signature:
                return "设备签名无效 / device signature does not verify";
            case Errc::broken_chain:
                return "哈希链断裂 / the hash chain is broken";
            case Errc::hash_mismatch:
                return "记录哈希不符 / entry hash does not match";
            case Errc::wrong_device:
                return "记录属于其他设备 / entry belongs to another device";
            case Errc::malformed_changeset:
                return "变更集格式错误 / malformed changeset";
        }
        return "unknown sync error";
    }
};
}  // namespace

const std::error_category& category() noexcept {
    static const Category instance;
    return instance;
}

}  // namespace gridsync::sync
