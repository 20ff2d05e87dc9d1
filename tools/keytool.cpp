// gridsync-keytool: create and inspect sealed Ed25519 identities, and show the
// fingerprint that a person compares by eye at enrollment.
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "gridsync/crypto/crypto.hpp"
#include "gridsync/file.hpp"

namespace {

using namespace gridsync;

constexpr std::size_t kMaxSealedFile = 64 * 1024;

const char* kUsage = R"(gridsync-keytool — 密钥工具 / key tool

用法 / Usage:
  gridsync-keytool generate FILE     生成新的签名密钥,用 PIN 加密保存到 FILE,显示指纹
                                     create a new signing key, sealed with a PIN, and print its fingerprint
  gridsync-keytool show FILE         输入 PIN 解锁 FILE,显示公钥和指纹
                                     unlock FILE with its PIN and print the public key and fingerprint
  gridsync-keytool fingerprint HEX   显示一个公钥(64 位十六进制)的指纹
                                     print the fingerprint of a public key given in hex

PIN 从终端读取(不回显);非终端时从标准输入读取一行。PIN 至少 4 位。
The PIN is read from the terminal without echo, or as one line of standard input. At least 4 characters.

退出码 / Exit codes: 0 成功 ok, 1 用法错误 usage, 2 PIN 错误或文件损坏 wrong PIN or damaged file, 3 读写失败 I/O error
)";

// Reads one line; turns off echo when stdin is a terminal. The PIN is held in
// secure memory once read.
crypto::SecureBuffer read_pin(const char* prompt) {
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (tty) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    auto pin = crypto::SecureBuffer::copy_of(as_bytes(line));
    std::memset(line.data(), 0, line.size());
    return pin;
}

void print_identity(const crypto::PublicKey& pk) {
    std::cout << "公钥 public key:  " << pk.hex() << "\n"
              << "指纹 fingerprint: " << crypto::fingerprint(pk) << "\n";
}

int generate(const std::string& file) {
    auto pin = read_pin("设置 PIN / new PIN: ");
    const auto key = crypto::SigningKey::generate();
    const Bytes sealed = crypto::seal_secret(key.seed().view(), pin.view());
    if (auto st = write_file_atomic(file, sealed); !st) {
        std::cerr << "错误 error: " << st.failure().message << "\n";
        return 3;
    }
    print_identity(key.public_key());
    return 0;
}

int show(const std::string& file) {
    auto sealed = read_file(file, kMaxSealedFile);
    if (!sealed) {
        std::cerr << "错误 error: " << sealed.failure().message << "\n";
        return 3;
    }
    auto pin = read_pin("PIN: ");
    auto seed = crypto::unseal_secret(*sealed, pin.view());
    if (!seed) {
        std::cerr << "错误 error [" << seed.failure().code.category().name() << ":"
                  << seed.failure().code.value() << "]: " << seed.failure().message << "\n";
        return 2;
    }
    print_identity(crypto::SigningKey::from_seed(seed->view()).public_key());
    return 0;
}

int fingerprint(std::string_view hex) {
    auto bytes = from_hex(hex);
    auto pk = bytes ? crypto::PublicKey::from(*bytes) : std::nullopt;
    if (!pk) {
        std::cerr << "错误 error: 公钥应为 64 位十六进制 / a public key is 64 hex characters\n";
        return 1;
    }
    print_identity(*pk);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view cmd = argc > 1 ? argv[1] : "";
    try {
        if (argc == 3 && cmd == "generate")
            return generate(argv[2]);
        if (argc == 3 && cmd == "show")
            return show(argv[2]);
        if (argc == 3 && cmd == "fingerprint")
            return fingerprint(argv[2]);
        std::cout << kUsage;
        return (cmd == "--help" || cmd == "-h") ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "错误 error: " << e.what() << "\n";
        return 3;
    }
}
