// gridsync-audit: checks an export of central's verifiable log (docs/AUDIT.md)
// with nothing but the keys the auditor pinned (tools/audit.hpp says what it
// checks).
//
// Prints a report; exits 0 when everything verifies, 1 naming the first
// evidence of each failure, 2 on a usage error.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/tlog/note.hpp"
#include "gridsync/tools/audit.hpp"

using namespace gridsync;

int main(int argc, char** argv) {
    std::string export_dir, log_vkey, central_hex;
    std::vector<std::string> fields;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "缺少参数值 / " << arg << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--export")
            export_dir = value();
        else if (arg == "--log-key")
            log_vkey = value();
        else if (arg == "--central-key")
            central_hex = value();
        else if (arg == "--field")
            fields.push_back(value());
        else {
            std::cerr << "用法 usage: gridsync-audit --export DIR --log-key VKEY --central-key HEX "
                         "[--field DIR]...\n  未知选项 unknown option: "
                      << arg << "\n";
            return 2;
        }
    }
    const auto log_key = tlog::NoteVerifier::parse(log_vkey);
    const auto central_bytes = from_hex(central_hex);
    const auto central_key = central_bytes ? crypto::PublicKey::from(*central_bytes) : std::nullopt;
    if (export_dir.empty() || !log_key || !central_key) {
        std::cerr << "用法 usage: gridsync-audit --export DIR --log-key VKEY --central-key HEX "
                     "[--field DIR]...\n  (--log-key: a C2SP verifier key; --central-key: 64 hex "
                     "digits)\n";
        return 2;
    }
    tools::AuditInput input{export_dir, *log_key, *central_key, {}};
    for (const auto& f : fields)
        input.field_dirs.emplace_back(f);
    const auto report = tools::audit_export(input);
    std::cout << report.text();
    return report.passed() ? 0 : 1;
}
