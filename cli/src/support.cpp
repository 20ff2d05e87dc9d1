#include "gridsync/cli/support.hpp"

#include <charconv>

#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "gridsync/crypto/errors.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/errors.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::cli {

namespace {
const std::set<std::string> kFlags = {"json",     "help", "demo-seed", "simulation", "fast-kdf",
                                      "to-proxy", "none", "no-app",    "no-sync",    "groups"};
}

Args Args::parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s == "-h")
            s = "--help";
        if (s.rfind("--", 0) == 0) {
            std::string name = s.substr(2);
            const auto eq = name.find('=');
            if (eq != std::string::npos) {
                a.options[name.substr(0, eq)] = name.substr(eq + 1);
            } else if (kFlags.count(name)) {
                a.flags.insert(name);
            } else if (i + 1 < argc) {
                a.options[name] = argv[++i];
            } else {
                throw UsageError{"选项 --" + name + " 需要一个值 / option --" + name +
                                 " needs a value"};
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end())
        return std::nullopt;
    return it->second;
}

void Args::only(const std::set<std::string>& allowed) const {
    std::string unknown;
    for (const auto& [name, value] : options) {
        if (!allowed.count(name))
            unknown += " --" + name;
    }
    for (const auto& name : flags) {
        if (!allowed.count(name))
            unknown += " --" + name;
    }
    if (!unknown.empty()) {
        throw UsageError{"不认识的选项 / unknown option:" + unknown +
                         "(--help 列出可用选项 / --help lists the options)"};
    }
}

long long Args::integer(const std::string& name, long long fallback, long long min,
                        long long max) const {
    const auto v = get(name);
    if (!v)
        return fallback;
    long long n = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || end != v->data() + v->size() || n < min || n > max) {
        throw UsageError{"--" + name + " 应为 " + std::to_string(min) + " 到 " +
                         std::to_string(max) + " 的整数 / --" + name + ": a whole number from " +
                         std::to_string(min) + " to " + std::to_string(max)};
    }
    return n;
}

std::string Args::need(const std::string& name) const {
    auto v = get(name);
    if (!v || v->empty())
        throw UsageError{"缺少选项 --" + name + " / missing option --" + name};
    return *v;
}

crypto::SecureBuffer SecretReader::read(const std::string& prompt) {
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (tty) {
        std::cerr << prompt << ": " << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line));
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    if (!got)
        throw UsageError{"标准输入中缺少:" + prompt + " / standard input ended before: " + prompt};
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    auto out = crypto::SecureBuffer::copy_of(as_bytes(line));
    std::memset(line.data(), 0, line.size());
    return out;
}

crypto::SecureBuffer read_passphrase(const Args& args, SecretReader& secrets,
                                     const std::string& prompt) {
    return read_secret(args, secrets, "passphrase-file", "GRIDSYNC_PASSPHRASE_FILE", prompt);
}

crypto::SecureBuffer read_secret(const Args& args, SecretReader& secrets,
                                 const std::string& file_option, const char* env_name,
                                 const std::string& prompt) {
    std::optional<std::string> file = args.get(file_option);
    if (!file && env_name) {
        if (const char* env = std::getenv(env_name))
            file = env;
    }
    if (file) {
        auto bytes = read_file(*file, 4096);
        if (!bytes)
            throw UsageError{"无法读取口令文件 / cannot read passphrase file: " +
                             bytes.failure().message};
        std::string_view text = as_chars(*bytes);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.remove_suffix(1);
        return crypto::SecureBuffer::copy_of(as_bytes(text));
    }
    return secrets.read(prompt);
}

void Output::line(const std::string& text) {
    lines_.push_back(text);
}

int Output::finish(int code) {
    if (json_) {
        data_["ok"] = code == Exit::ok;
        std::cout << boost::json::serialize(data_) << "\n";
    } else {
        for (const auto& l : lines_)
            std::cout << l << "\n";
    }
    return code;
}

int Output::failure(const Failure& f) {
    const int code = exit_code_for(f.code);
    if (json_) {
        data_["error"] = {
            {"code", std::string(f.code.category().name()) + ":" + std::to_string(f.code.value())},
            {"message", f.message}};
        data_["ok"] = false;
        std::cout << boost::json::serialize(data_) << "\n";
    } else {
        std::cerr << "错误 error [" << f.code.category().name() << ":" << f.code.value()
                  << "]: " << f.message << "\n";
    }
    return code;
}

int exit_code_for(const std::error_code& code) {
    if (!code)
        return Exit::ok;
    const auto& cat = code.category();
    if (cat == domain::category() || std::string_view(cat.name()) == "gridsync.central")
        return Exit::refused;
    if (cat == crypto::category())
        return Exit::auth;
    if (cat == sync::category()) {
        if (code == sync::Errc::transport_failed)
            return Exit::network;
        if (code == sync::Errc::remote_refused || code == sync::Errc::device_revoked ||
            code == sync::Errc::scope_diverged)
            return Exit::refused;
        return Exit::chain_broken;
    }
    return Exit::storage;
}

}  // namespace gridsync::cli
