// gridsync-audit: checks an export of central's verifiable log (docs/AUDIT.md)
// with nothing but the keys the auditor pinned. It trusts no file of the
// export: every leaf is hashed into the tree again, every checkpoint is
// verified with the pinned log key and against that tree, every entry's
// signature with the key its device was registered with in the log, every
// admin action with its admin's logged key. Checkpoints collected from
// devices (--field) must be checkpoints of the same tree.
//
// Prints a report; exits 0 when everything verifies, 1 naming the first
// evidence of each failure, 2 on a usage error.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gridsync/central/admin.hpp"
#include "gridsync/central/backend.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/log_leaf.hpp"
#include "gridsync/tlog/merkle.hpp"
#include "gridsync/tlog/note.hpp"

namespace fs = std::filesystem;
using namespace gridsync;

namespace {

struct Audit {
    std::vector<std::string> failures;
    std::vector<std::string> notes;
    void failure(const std::string& s) { failures.push_back(s); }
};

std::optional<std::string> read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The leaves file: u64 LE length + bytes, repeated.
bool read_leaves(const fs::path& p, std::vector<Bytes>& out, Audit& a) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        a.failure("导出中没有 leaves 文件 / the export has no leaves file");
        return false;
    }
    for (;;) {
        std::uint8_t len[8];
        in.read(reinterpret_cast<char*>(len), 8);
        if (in.gcount() == 0)
            return true;
        if (in.gcount() != 8) {
            a.failure("leaves: cut inside the length of leaf " + std::to_string(out.size()));
            return false;
        }
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | len[i];
        if (n > (80u << 20)) {
            a.failure("leaves: leaf " + std::to_string(out.size()) + " claims " +
                      std::to_string(n) + " bytes");
            return false;
        }
        Bytes b(n);
        in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(n));
        if (static_cast<std::uint64_t>(in.gcount()) != n) {
            a.failure("leaves: leaf " + std::to_string(out.size()) + " is cut short");
            return false;
        }
        out.push_back(std::move(b));
    }
}

struct Chain {
    std::map<std::uint64_t, sync::Hash32> hashes;  // seq -> entry hash
    std::map<std::uint64_t, sync::Hash32> prev;    // seq -> prev_hash claimed
    std::map<std::uint64_t, std::uint64_t> leaf;   // seq -> first leaf
};

// One checkpoint note against the tree: signed by the log key, of a size
// the export holds, with the tree's root at that size.
void check_checkpoint(const std::string& what, const std::string& text,
                      const tlog::NoteVerifier& log_key, tlog::MemoryTree& tree, Audit& a,
                      std::optional<tlog::Checkpoint>* parsed = nullptr) {
    auto note = tlog::parse_note(text);
    if (!note || !tlog::verified_by(*note, log_key)) {
        a.failure(what + ": 不是日志密钥签的 / not signed by the pinned log key");
        return;
    }
    auto cp = tlog::parse_checkpoint(note->text);
    if (!cp || cp->origin != log_key.name) {
        a.failure(what + ": 格式错误 / malformed checkpoint");
        return;
    }
    if (parsed)
        *parsed = *cp;
    if (cp->size > tree.size()) {
        a.failure(what + ": 检查点有 " + std::to_string(cp->size) + " 条,导出只有 " +
                  std::to_string(tree.size()) + " 条 / the checkpoint covers " +
                  std::to_string(cp->size) + " leaves, the export holds " +
                  std::to_string(tree.size()) + ": the export is truncated or leaves were removed");
        return;
    }
    if (tlog::root(tree, cp->size) != cp->root) {
        a.failure(what + ": 根哈希不符 / the root of the export's first " +
                  std::to_string(cp->size) + " leaves is not the signed one: a leaf at or before " +
                  std::to_string(cp->size - 1) + " was altered, removed, inserted or reordered");
    }
}

}  // namespace

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
    Audit a;
    std::vector<Bytes> leaves;
    read_leaves(fs::path(export_dir) / "leaves", leaves, a);
    tlog::MemoryTree tree;
    for (const auto& l : leaves)
        tree.append(tlog::leaf_hash(l));

    // 1. Every checkpoint central signed, the latest included.
    std::optional<tlog::Checkpoint> latest;
    const auto latest_text = read_text(fs::path(export_dir) / "checkpoint");
    if (!latest_text)
        a.failure("导出中没有 checkpoint 文件 / the export has no checkpoint");
    else
        check_checkpoint("checkpoint", *latest_text, *log_key, tree, a, &latest);
    std::size_t checkpoints = 0;
    if (fs::is_directory(fs::path(export_dir) / "checkpoints")) {
        for (const auto& f : fs::directory_iterator(fs::path(export_dir) / "checkpoints")) {
            check_checkpoint("checkpoints/" + f.path().filename().string(),
                             read_text(f.path()).value_or(""), *log_key, tree, a);
            ++checkpoints;
        }
    }
    if (latest && latest->size < tree.size())
        a.notes.push_back(
            std::to_string(tree.size() - latest->size) +
            " leaves after the latest checkpoint: not yet signed, checked as the rest");

    // 2. Every leaf: keys registered before use, signatures, chains.
    std::map<std::string, crypto::PublicKey> devices{{"central", *central_key}};
    std::map<std::string, crypto::PublicKey> admins;
    std::map<std::string, Chain> chains;
    std::size_t entries = 0, actions = 0, held = 0;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        const std::string at = "leaf " + std::to_string(i);
        auto leaf = sync::decode_log_leaf(leaves[i]);
        if (!leaf) {
            a.failure(at + ": " + leaf.failure().message);
            continue;
        }
        if (const auto* d = std::get_if<sync::DeviceKeyLeaf>(&*leaf)) {
            const auto k = crypto::PublicKey::from(d->signing_key);
            if (!k || devices.count(d->device_id))
                a.failure(at + ": 设备密钥登记无效或重复 / device " + d->device_id +
                          " registered twice or with a bad key");
            else
                devices.emplace(d->device_id, *k);
        } else if (const auto* k = std::get_if<sync::AdminKeyLeaf>(&*leaf)) {
            const auto key = crypto::PublicKey::from(k->signing_key);
            if (!key || admins.count(k->login) ||
                (!k->created_by.empty() && !admins.count(k->created_by)) ||
                (k->created_by.empty() && !admins.empty()))
                a.failure(at + ": 管理员密钥来历不明 / admin key for " + k->login +
                          " is not added by a logged admin");
            else
                admins.emplace(k->login, *key);
        } else if (const auto* act = std::get_if<sync::AdminActionLeaf>(&*leaf)) {
            ++actions;
            const auto it = admins.find(act->login);
            const auto sig = crypto::Signature::from(act->signature);
            if (it == admins.end() || !sig ||
                !crypto::verify(it->second, central::kAdminActionContext, act->body, *sig))
                a.failure(at + ": 管理员操作签名无效 / admin action by " + act->login +
                          " does not verify with a logged admin key");
        } else if (const auto* q = std::get_if<sync::QuarantinedLeaf>(&*leaf)) {
            ++held;
            const auto sig = crypto::Signature::from(q->decision_signature);
            if (!sig ||
                !crypto::verify(*central_key, central::kQuarantineContext, q->decision, *sig))
                a.failure(at + ": 隔离决定签名无效 / a quarantine decision not signed by central");
        } else if (const auto* e = std::get_if<sync::EntryLeaf>(&*leaf)) {
            ++entries;
            auto env = sync::decode_envelope(e->envelope);
            const auto sig = crypto::Signature::from(e->signature);
            if (!env || !sig) {
                a.failure(at + ": 记录格式错误 / malformed entry");
                continue;
            }
            const std::string who = env->device_id + ":" + std::to_string(env->seq);
            const auto key = devices.find(env->device_id);
            if (key == devices.end()) {
                a.failure(at + " (" + who + "): 设备未在日志中登记 / no key logged for the device");
                continue;
            }
            if (!crypto::verify(key->second, sync::kEnvelopeContext, e->envelope, *sig)) {
                a.failure(at + " (" + who + "): 签名无效 / the signature does not verify");
                continue;
            }
            auto& chain = chains[env->device_id];
            const auto hash = sync::entry_hash(e->envelope, *sig);
            const auto seen = chain.hashes.find(env->seq);
            if (seen != chain.hashes.end() && seen->second != hash) {
                a.failure(at + " (" + who +
                          "): 同一序号两条不同记录(分叉)/ a second, different "
                          "entry with this seq: the chain is forked");
                continue;
            }
            chain.hashes[env->seq] = hash;
            chain.prev[env->seq] = env->prev_hash;
            chain.leaf.emplace(env->seq, i);
        }
    }
    for (const auto& [device, chain] : chains) {
        std::uint64_t expect = 1;
        for (const auto& [seq, hash] : chain.hashes) {
            const std::string who = device + ":" + std::to_string(seq) + " (leaf " +
                                    std::to_string(chain.leaf.at(seq)) + ")";
            if (seq != expect) {
                a.failure(who + ": 缺少第 " + std::to_string(expect) + " 条 / entries " +
                          std::to_string(expect) + ".." + std::to_string(seq - 1) +
                          " are missing from the log");
                expect = seq;
            }
            const sync::Hash32 zero{};
            const sync::Hash32 want = seq == 1                      ? zero
                                      : chain.hashes.count(seq - 1) ? chain.hashes.at(seq - 1)
                                                                    : chain.prev.at(seq);
            if (chain.prev.at(seq) != want)
                a.failure(who + ": 与上一条不相连 / does not link to entry " +
                          std::to_string(seq - 1));
            ++expect;
        }
    }

    // 3. Checkpoints devices verified in the field.
    std::size_t field = 0;
    for (const auto& dir : fields) {
        if (!fs::is_directory(dir)) {
            a.failure("--field " + dir + ": not a folder");
            continue;
        }
        for (const auto& f : fs::directory_iterator(dir)) {
            check_checkpoint("field " + f.path().filename().string(),
                             read_text(f.path()).value_or(""), *log_key, tree, a);
            ++field;
        }
    }

    std::cout << "gridsync-audit: " << leaves.size() << " leaves (" << entries << " entries, "
              << held << " quarantine decisions, " << actions << " admin actions, "
              << devices.size() - 1 << " device keys, " << admins.size() << " admin keys), "
              << checkpoints << " checkpoints, " << field << " field checkpoints, " << chains.size()
              << " chains\n";
    if (latest)
        std::cout << "latest checkpoint: " << latest->size << " leaves, root "
                  << to_hex(latest->root) << "\n";
    for (const auto& n : a.notes)
        std::cout << "note: " << n << "\n";
    if (a.failures.empty()) {
        std::cout << "通过 PASS: every leaf, checkpoint and chain verifies\n";
        return 0;
    }
    for (const auto& f : a.failures)
        std::cout << "失败 FAIL: " << f << "\n";
    std::cout << "未通过 FAILED: " << a.failures.size() << " problems\n";
    return 1;
}
