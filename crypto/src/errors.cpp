#include "gridsync/crypto/errors.hpp"

#include "gridsync/error_category.hpp"

namespace gridsync::crypto {

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.crypto",
        {
            {Errc::init_failed, "密码库无法初始化 / crypto library failed to start"},
            {Errc::bad_length, "密钥或签名长度错误 / key or signature has the wrong length"},
            {Errc::sealed_malformed,
             "密钥文件格式错误或不完整 / key file is malformed or truncated"},
            {Errc::sealed_unsupported, "密钥文件版本不受支持 / key file version is not supported"},
            {Errc::wrong_pin_or_damaged,
             "PIN 码错误或密钥文件已损坏 / wrong PIN or damaged key file"},
            {Errc::out_of_memory, "内存不足 / out of memory"},
            {Errc::bad_public_key, "公钥无效 / invalid public key"},
            {Errc::decrypt_failed,
             "解密失败:数据被篡改或密钥错误 / decryption failed: tampered data or wrong "
             "key"},
            {Errc::io, "密钥文件读写失败 / key file could not be read or written"},
            {Errc::weak_pin, "PIN 码太短(至少 4 位) / PIN too short (at least 4 characters)"},
        });
    return instance;
}

}  // namespace gridsync::crypto
