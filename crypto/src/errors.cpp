#include "gridsync/crypto/errors.hpp"

#include <string>

namespace gridsync::crypto {
namespace {

class Category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "gridsync.crypto"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::init_failed:
                return "密码库无法初始化 / crypto library failed to start";
            case Errc::bad_length:
                return "密钥或签名长度错误 / key or signature has the wrong length";
            case Errc::sealed_malformed:
                return "密钥文件格式错误或不完整 / key file is malformed or truncated";
            case Errc::sealed_unsupported:
                return "密钥文件版本不受支持 / key file version is not supported";
            case Errc::wrong_pin_or_damaged:
                return "PIN 码错误或密钥文件已损坏 / wrong PIN or damaged key file";
            case Errc::out_of_memory:
                return "内存不足 / out of memory";
            case Errc::bad_public_key:
                return "公钥无效 / invalid public key";
            case Errc::decrypt_failed:
                return "解密失败:数据被篡改或密钥错误 / decryption failed: tampered data or wrong "
                       "key";
            case Errc::io:
                return "密钥文件读写失败 / key file could not be read or written";
            case Errc::weak_pin:
                return "PIN 码太短(至少 4 位) / PIN too short (at least 4 characters)";
        }
        return "unknown crypto error";
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const Category instance;
    return instance;
}

}  // namespace gridsync::crypto
