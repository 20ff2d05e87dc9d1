#include "gridsync/tools/audit.hpp"

#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "gridsync/central/admin.hpp"
#include "gridsync/central/backend.hpp"
#include "gridsync/central/log_export.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/schema.hpp"
#include "gridsync/domain/signed_records.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/changeset.hpp"
#include "gridsync/store/migrate.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/log_leaf.hpp"
#include "gridsync/tlog/merkle.hpp"

namespace gridsync::tools {
namespace {

namespace fs = std::filesystem;

// A checkpoint note (bounded: a note with its cosignatures is a few KiB).
std::optional<std::string> read_text(const fs::path& p) {
    auto bytes = read_file(p, 1 << 20);
    if (!bytes)
        return std::nullopt;
    return std::string(as_chars(*bytes));
}

// The longest leaf an export may hold: an entry of the largest changeset.
constexpr std::uint64_t kMaxLeaf = sync::kMaxChangesetBytes + (1u << 20);

// The restores the log records (epoch leaves): a checkpoint or anchor of a
// size beyond a restore's, from before it, belongs to the history that
// restore lost, not to a rewritten one (docs/AUDIT.md).
struct Restores {
    std::vector<std::pair<std::uint64_t, sync::EpochLeaf>> at;  // leaf index, its leaf
    // The restore, logged before leaf `before`, whose lost history a tree of
    // `size` leaves would be part of.
    const sync::EpochLeaf* lost(std::uint64_t size, std::uint64_t before) const {
        for (auto it = at.rbegin(); it != at.rend(); ++it)
            if (it->first < before && size > it->first)
                return &it->second;
        return nullptr;
    }
    static std::string why(const sync::EpochLeaf& e) {
        return "from the history lost when central was restored at leaf " +
               std::to_string(e.restored_size) + " (epoch " + e.epoch_id + ")";
    }
};

// One checkpoint note against the tree: signed by the log key, of a size
// the export holds, with the tree's root at that size. One of the history a
// logged restore lost is counted, not failed.
void check_checkpoint(const std::string& what, const std::string& text,
                      const tlog::NoteVerifier& log_key, tlog::MemoryTree& tree,
                      const Restores& restores, AuditReport& a,
                      std::optional<tlog::Checkpoint>* parsed = nullptr) {
    auto note = tlog::parse_note(text);
    if (!note || !tlog::verified_by(*note, log_key)) {
        a.failures.push_back(what + ": 不是日志密钥签的 / not signed by the pinned log key");
        return;
    }
    auto cp = tlog::parse_checkpoint(note->text);
    if (!cp || cp->origin != log_key.name) {
        a.failures.push_back(what + ": 格式错误 / malformed checkpoint");
        return;
    }
    if (parsed)
        *parsed = *cp;
    const bool beyond = cp->size > tree.size();
    if (!beyond && tlog::root(tree, cp->size) == cp->root)
        return;
    if (const auto* r = restores.lost(cp->size, tree.size() + 1); r && !parsed) {
        ++a.lost_in_restore;
        a.notes.push_back(what + " (" + std::to_string(cp->size) +
                          " leaves): " + Restores::why(*r));
        return;
    }
    if (beyond) {
        a.failures.push_back(what + ": 检查点有 " + std::to_string(cp->size) + " 条,导出只有 " +
                             std::to_string(tree.size()) + " 条 / the checkpoint covers " +
                             std::to_string(cp->size) + " leaves, the export holds " +
                             std::to_string(tree.size()) +
                             ": the export is truncated or leaves were removed");
        return;
    }
    a.failures.push_back(
        what + ": 根哈希不符 / the root of the export's first " + std::to_string(cp->size) +
        " leaves is not the signed one: a leaf at or before " + std::to_string(cp->size - 1) +
        " was altered, removed, inserted or reordered");
}

// One device's chain as the log holds it. Entries come in seq order, so
// they are kept in a vector by seq; one out of order (after a gap) goes to
// a map: 10^6 entries take 72 bytes each, not three map nodes.
struct Chain {
    struct Link {
        sync::Hash32 hash{};     // the entry's hash
        sync::Hash32 prev{};     // the prev_hash it claims
        std::uint64_t leaf = 0;  // its first leaf
    };
    std::vector<Link> dense;               // seq 1..dense.size()
    std::map<std::uint64_t, Link> sparse;  // seqs beyond a gap
    const Link* find(std::uint64_t seq) const {
        if (seq >= 1 && seq <= dense.size())
            return &dense[seq - 1];
        const auto it = sparse.find(seq);
        return it == sparse.end() ? nullptr : &it->second;
    }
    void add(std::uint64_t seq, const Link& link) {
        if (seq == dense.size() + 1) {
            dense.push_back(link);
            // What waited beyond the gap this entry closed.
            for (auto it = sparse.find(dense.size() + 1);
                 it != sparse.end() && it->first == dense.size() + 1; it = sparse.erase(it))
                dense.push_back(it->second);
        } else if (seq > dense.size()) {
            sparse.emplace(seq, link);
        }
    }
    // Every link in seq order.
    template <class F>
    void each(F&& f) const {
        for (std::size_t i = 0; i < dense.size(); ++i)
            f(static_cast<std::uint64_t>(i + 1), dense[i]);
        for (const auto& [seq, link] : sparse)
            f(seq, link);
    }
};

// The state rebuilt from the log: the replicated schema, empty, then the
// baseline and every applied entry in log order.
class Replay {
  public:
    // In a scratch file (a whole subdistrict's state need not fit in memory),
    // removed afterwards; nothing in it needs to survive a crash.
    Replay()
        : path_(fs::temp_directory_path() /
                ("gridsync-audit-" + to_hex(crypto::random_bytes(8)) + ".db")),
          db_(open(path_)) {
        (void)store::migrate(db_, domain::migrations());
        // The auditor's own: which entry wrote each payment (for a decision
        // on the conflicts that entry raised), on disk, not in memory.
        db_.exec(
            "CREATE TABLE audit_payment_entry(payment_id TEXT PRIMARY KEY, entry TEXT NOT NULL) "
            "WITHOUT ROWID");
    }
    void note_payment(const std::string& id, const std::string& entry) {
        db_.execute(
            "INSERT INTO audit_payment_entry(payment_id, entry) VALUES (?1, ?2) ON "
            "CONFLICT(payment_id) DO UPDATE SET entry = excluded.entry",
            id, entry);
    }
    std::optional<std::string> payment_entry(const std::string& id) {
        return db_.query_value<std::string>(
            "SELECT entry FROM audit_payment_entry WHERE payment_id = ?1", id);
    }
    ~Replay() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"})
            fs::remove(path_.string() + suffix, ignored);
    }
    Replay(const Replay&) = delete;
    Replay& operator=(const Replay&) = delete;
    store::Database& db() { return db_; }

    // Applies one changeset as central does: a row that cannot merge keeps
    // the value the replay holds (central records the device's version as a
    // conflict, and what an admin then decides is central's own logged
    // entry). Central's column merge of households is not replayed: the
    // replay keeps its value there too. Returns the rows inserted (table,
    // id) and a failure text if any.
    std::vector<std::pair<std::string, std::string>> apply(ByteView changeset,
                                                           std::string& trouble) {
        std::vector<std::pair<std::string, std::string>> inserted;
        try {
            for (store::ChangesetIterator it(changeset); it.next();) {
                const auto key = it.primary_key();
                if (it.op() == store::Op::insert && key.size() == 1 &&
                    std::holds_alternative<std::string>(key[0]))
                    inserted.emplace_back(std::string(it.table()), std::get<std::string>(key[0]));
            }
            // Most entries meet no conflict: applied by cached statements
            // (store::apply_cleanly says why), the rest as central applies.
            if (store::apply_cleanly(db_, changeset))
                return inserted;
            store::apply_changeset(db_, changeset, [&](const store::Conflict& c) {
                if (c.kind == store::ConflictKind::constraint)
                    trouble = "a change to " + c.table + " breaks a constraint of the schema";
                return store::ConflictAction::omit;
            });
        } catch (const std::exception& e) {
            trouble = std::string("the changeset does not apply: ") + e.what();
        }
        return inserted;
    }

  private:
    static store::Database open(const fs::path& p) {
        store::OpenOptions o;
        o.synchronous = store::Synchronous::off;
        o.cache_kib = 64 * 1024;
        return store::Database::open(p, o);
    }
    fs::path path_;
    store::Database db_;
};

std::string quoted(const std::string& id) {
    return "'" + id + "'";
}

}  // namespace

AuditReport audit_export(const AuditInput& in) {
    AuditReport a;
    const fs::path leaves_file = in.export_dir / "leaves";
    tlog::MemoryTree tree;
    Restores restores;
    {
        central::ExportLeafReader r(leaves_file, kMaxLeaf);
        if (!r.opened())
            a.failures.push_back("导出中没有 leaves 文件 / the export has no leaves file");
        while (const auto l = r.next()) {
            // The restores first (u8 marker, u16 version, u8 kind): the
            // checkpoints are checked before the leaves are read again.
            if (l->size() > 3 && (*l)[3] == static_cast<std::uint8_t>(sync::LeafKind::epoch)) {
                if (auto e = sync::decode_log_leaf(*l)) {
                    if (const auto* epoch = std::get_if<sync::EpochLeaf>(&*e)) {
                        if (epoch->restored_size != tree.size())
                            a.failures.push_back("leaf " + std::to_string(tree.size()) +
                                                 ": 恢复记录的大小不符 / a restore that names "
                                                 "another tree size");
                        restores.at.emplace_back(tree.size(), *epoch);
                    }
                }
            }
            tree.append(tlog::leaf_hash(*l));
        }
        if (!r.problem().empty())
            a.failures.push_back(r.problem());
    }
    a.leaves = tree.size();

    // 1. Every checkpoint central signed, the latest included.
    const auto latest_text = read_text(in.export_dir / "checkpoint");
    if (!latest_text)
        a.failures.push_back("导出中没有 checkpoint 文件 / the export has no checkpoint");
    else
        check_checkpoint("checkpoint", *latest_text, in.log_key, tree, restores, a, &a.latest);
    if (fs::is_directory(in.export_dir / "checkpoints")) {
        for (const auto& f : fs::directory_iterator(in.export_dir / "checkpoints")) {
            check_checkpoint("checkpoints/" + f.path().filename().string(),
                             read_text(f.path()).value_or(""), in.log_key, tree, restores, a);
            ++a.checkpoints;
        }
    }
    if (a.latest && a.latest->size < tree.size())
        a.notes.push_back(std::to_string(tree.size() - a.latest->size) +
                          " leaves after the latest checkpoint: not yet signed, checked as the "
                          "rest");

    // 2. Every leaf: keys registered before use, signatures, chains; the
    // state rebuilt and every signed row checked on it.
    // Pass 2, one leaf at a time and the one after it (a held entry is
    // followed by central's decision).
    central::ExportLeafReader reader(leaves_file, kMaxLeaf);  // where it is cut: noted above
    auto read_decoded = [&](std::size_t i) -> std::optional<sync::LogLeaf> {
        auto bytes = reader.next();
        if (!bytes)
            return std::nullopt;
        auto leaf = sync::decode_log_leaf(*bytes);
        if (!leaf) {
            a.failures.push_back("leaf " + std::to_string(i) + ": " + leaf.failure().message);
            return std::nullopt;
        }
        return std::move(*leaf);
    };
    std::optional<sync::LogLeaf> following = a.leaves > 0 ? read_decoded(0) : std::nullopt;
    std::map<std::string, crypto::PublicKey> devices{{"central", in.central_key}};
    std::map<std::string, crypto::PublicKey> admins;
    std::map<std::string, Chain> chains;
    Replay replay;
    std::set<std::string> decided;  // "entitlement 'E'" or a conflict group "device:seq:KIND:table"
    bool entries_seen = false;
    std::map<std::uint64_t, tlog::Hash> roots;  // tree size -> root, as anchors ask
    // The replay commits every kReplayBatch leaves, not every changeset: its
    // scratch file needs no durability, and a commit per entry costs more
    // than the entry's rows.
    constexpr std::size_t kReplayBatch = 1000;
    std::optional<store::Transaction> batch;
    for (std::size_t i = 0; i < a.leaves; ++i) {
        if (i % kReplayBatch == 0) {
            if (batch)
                batch->commit();
            batch.emplace(replay.db());
        }
        const std::optional<sync::LogLeaf> current = std::move(following);
        following = i + 1 < a.leaves ? read_decoded(i + 1) : std::nullopt;
        if (!current)
            continue;
        const std::string at = "leaf " + std::to_string(i);
        const auto& leaf = *current;
        if (const auto* d = std::get_if<sync::DeviceKeyLeaf>(&leaf)) {
            const auto k = crypto::PublicKey::from(d->signing_key);
            if (!k || devices.count(d->device_id))
                a.failures.push_back(at + ": 设备密钥登记无效或重复 / device " + d->device_id +
                                     " registered twice or with a bad key");
            else
                devices.emplace(d->device_id, *k);
        } else if (const auto* k = std::get_if<sync::AdminKeyLeaf>(&leaf)) {
            const auto key = crypto::PublicKey::from(k->signing_key);
            if (!key || admins.count(k->login) ||
                (!k->created_by.empty() && !admins.count(k->created_by)) ||
                (k->created_by.empty() && !admins.empty()))
                a.failures.push_back(at + ": 管理员密钥来历不明 / admin key for " + k->login +
                                     " is not added by a logged admin");
            else
                admins.emplace(k->login, *key);
        } else if (const auto* act = std::get_if<sync::AdminActionLeaf>(&leaf)) {
            ++a.admin_actions;
            const auto it = admins.find(act->login);
            const auto sig = crypto::Signature::from(act->signature);
            if (it == admins.end() || !sig ||
                !crypto::verify(it->second, central::kAdminActionContext, act->body, *sig)) {
                a.failures.push_back(at + ": 管理员操作签名无效 / admin action by " + act->login +
                                     " does not verify with a logged admin key");
                continue;
            }
            const auto action = central::decode_admin_action(act->body);
            if (!action || action->login != act->login) {
                a.failures.push_back(at + ": 管理员操作格式错误 / a malformed admin action");
                continue;
            }
            // What a conflict decision settled (its detail begins with the
            // resolution and the conflict's row: "keep_central entitlement 'E'").
            if (action->action == "conflict.resolve") {
                const auto space = action->detail.find(' ');
                const auto colon = action->detail.find(':');
                if (space != std::string::npos && colon != std::string::npos && colon > space)
                    decided.insert(action->detail.substr(space + 1, colon - space - 1));
            } else if (action->action == "conflict.resolve_group") {
                decided.insert(action->subject);
            }
        } else if (const auto* q = std::get_if<sync::QuarantinedLeaf>(&leaf)) {
            ++a.quarantine_decisions;
            const auto sig = crypto::Signature::from(q->decision_signature);
            if (!sig ||
                !crypto::verify(in.central_key, central::kQuarantineContext, q->decision, *sig))
                a.failures.push_back(at +
                                     ": 隔离决定签名无效 / a quarantine decision not signed by "
                                     "central");
        } else if (const auto* ep = std::get_if<sync::EpochLeaf>(&leaf)) {
            a.notes.push_back(at + ": 中心从备份恢复 / central was restored from a backup at " +
                              std::to_string(ep->at_ms) + " ms (epoch " + ep->epoch_id +
                              ", accepted log from " + std::to_string(ep->accepted_base) +
                              "): what it held after the backup was lost and is checked as "
                              "devices offered it again");
        } else if (const auto* b = std::get_if<sync::BaselineLeaf>(&leaf)) {
            ++a.baseline_leaves;
            if (entries_seen) {
                a.failures.push_back(at +
                                     ": 基线在记录之后 / a baseline after the log's first "
                                     "entry: central may not add rows outside the log");
                continue;
            }
            std::string trouble;
            (void)replay.apply(b->changeset, trouble);
            if (!trouble.empty())
                a.failures.push_back(at + " (baseline of " + b->table + "): " + trouble);
        } else if (const auto* e = std::get_if<sync::EntryLeaf>(&leaf)) {
            ++a.entries;
            entries_seen = true;
            auto env = sync::decode_envelope(e->envelope);
            const auto sig = crypto::Signature::from(e->signature);
            if (!env || !sig) {
                a.failures.push_back(at + ": 记录格式错误 / malformed entry");
                continue;
            }
            const std::string who = env->device_id + ":" + std::to_string(env->seq);
            const auto key = devices.find(env->device_id);
            if (key == devices.end()) {
                a.failures.push_back(at + " (" + who +
                                     "): 设备未在日志中登记 / no key logged for the device");
                continue;
            }
            if (!crypto::verify(key->second, sync::kEnvelopeContext, e->envelope, *sig)) {
                a.failures.push_back(at + " (" + who +
                                     "): 签名无效 / the signature does not verify");
                continue;
            }
            // The anchor: the device had verified the tree of that size with
            // that root before it made this entry.
            if (env->anchor_size > i) {
                a.failures.push_back(at + " (" + who +
                                     "): 锚点在本条之后 / anchored to a tree of " +
                                     std::to_string(env->anchor_size) +
                                     " leaves, which would hold this entry's own leaf");
            } else if (env->anchor_size > 0) {
                auto r = roots.find(env->anchor_size);
                if (r == roots.end())
                    r = roots.emplace(env->anchor_size, tlog::root(tree, env->anchor_size)).first;
                const auto* lost = restores.lost(env->anchor_size, i);
                if (r->second != env->anchor_root && lost) {
                    // Made before the restore, offered again after it.
                    ++a.anchors_lost_in_restore;
                } else if (r->second != env->anchor_root) {
                    ++a.anchors_broken;
                    a.failures.push_back(
                        at + " (" + who + "): 日志被改写(分叉)/ its device had verified root " +
                        to_hex(env->anchor_root).substr(0, 16) + "… at " +
                        std::to_string(env->anchor_size) +
                        " leaves; the log's tree of that size has another root: the history "
                        "before it was changed after the device saw it");
                } else {
                    ++a.anchors;
                }
            }
            auto& chain = chains[env->device_id];
            const auto hash = sync::entry_hash(e->envelope, *sig);
            const auto* seen = chain.find(env->seq);
            if (seen && seen->hash != hash) {
                a.failures.push_back(at + " (" + who +
                                     "): 同一序号两条不同记录(分叉)/ a second, different "
                                     "entry with this seq: the chain is forked");
                continue;
            }
            if (!seen)
                chain.add(env->seq, {hash, env->prev_hash, i});
            // An entry held unapplied is followed by central's decision; it
            // is logged again when released and applied.
            const bool held =
                following && std::holds_alternative<sync::QuarantinedLeaf>(*following);
            if (held)
                continue;
            std::string trouble;
            const auto rows = replay.apply(env->changeset, trouble);
            if (!trouble.empty())
                a.failures.push_back(at + " (" + who + "): " + trouble);
            for (const auto& [table, id] : rows) {
                if (!domain::has_signed_rows(table) ||
                    (table == "staff_key" && env->device_id == "central"))
                    continue;  // central vouches for the keys it registers itself
                ++a.signed_rows;
                if (table == "payment") {
                    ++a.payments;
                    replay.note_payment(id, who);
                }
                const auto st = domain::verify_signed_row(replay.db(), table, id);
                if (st)
                    continue;
                if (table == "payment" && st.failure().code == domain::Errc::amount_mismatch) {
                    a.notes.push_back(at + " (" + who + "): payment " + id +
                                      ": amount differs from the entitlement (flagged at central)");
                    continue;
                }
                a.failures.push_back(at + " (" + who + "): " + table + " " + id + ": " +
                                     st.failure().message);
            }
        }
    }
    if (batch)
        batch->commit();
    for (const auto& [device, chain] : chains) {
        std::uint64_t expect = 1;
        chain.each([&](std::uint64_t seq, const Chain::Link& link) {
            const std::string who =
                device + ":" + std::to_string(seq) + " (leaf " + std::to_string(link.leaf) + ")";
            if (seq != expect) {
                a.failures.push_back(who + ": 缺少第 " + std::to_string(expect) + " 条 / entries " +
                                     std::to_string(expect) + ".." + std::to_string(seq - 1) +
                                     " are missing from the log");
                expect = seq;
            }
            const sync::Hash32 zero{};
            const Chain::Link* before = seq == 1 ? nullptr : chain.find(seq - 1);
            const sync::Hash32 want = seq == 1 ? zero : before ? before->hash : link.prev;
            if (link.prev != want)
                a.failures.push_back(who + ": 与上一条不相连 / does not link to entry " +
                                     std::to_string(seq - 1));
            ++expect;
        });
    }
    a.chains = chains.size();
    a.device_keys = devices.size() - 1;
    a.admin_keys = admins.size();

    // 3. No entitlement paid twice without a logged decision on it.
    {
        auto st = replay.db().prepare(
            "SELECT entitlement_id, group_concat(id, ' ') FROM payment WHERE id NOT IN (SELECT "
            "payment_id FROM payment_void) GROUP BY entitlement_id HAVING sum(CASE kind WHEN "
            "'payment' THEN 1 ELSE -1 END) > 1 ORDER BY entitlement_id");
        while (st.step()) {
            const auto entitlement = st.column<std::string>(0);
            const auto ids = st.column<std::string>(1);
            bool ok = decided.count("entitlement " + quoted(entitlement)) > 0;
            std::istringstream each(ids);
            std::string id;
            while (!ok && each >> id) {
                const auto w = replay.payment_entry(id);
                ok = w && decided.count(*w + ":DOUBLE_PAYMENT:entitlement") > 0;
            }
            if (ok)
                ++a.double_payments_resolved;
            else
                a.failures.push_back("entitlement " + entitlement +
                                     ": 重复发放且日志中没有处理决定 / paid more than once (" +
                                     ids + ") and no admin decision on it is in the log");
        }
    }

    // 4. Checkpoints devices verified in the field.
    for (const auto& dir : in.field_dirs) {
        if (!fs::is_directory(dir)) {
            a.failures.push_back("--field " + dir.string() + ": not a folder");
            continue;
        }
        for (const auto& f : fs::directory_iterator(dir)) {
            check_checkpoint("field " + f.path().filename().string(),
                             read_text(f.path()).value_or(""), in.log_key, tree, restores, a);
            ++a.field_checkpoints;
        }
    }
    return a;
}

std::string AuditReport::text() const {
    std::ostringstream o;
    o << "gridsync-audit: " << leaves << " leaves (" << entries << " entries, "
      << quarantine_decisions << " quarantine decisions, " << admin_actions << " admin actions, "
      << device_keys << " device keys, " << admin_keys << " admin keys, " << baseline_leaves
      << " baseline), " << checkpoints << " checkpoints, " << field_checkpoints
      << " field checkpoints, " << chains << " chains\n";
    o << "anchors: " << anchors << " entries anchored to a checkpoint of this tree";
    if (anchors_lost_in_restore)
        o << ", " << anchors_lost_in_restore << " to the history a logged restore lost";
    if (anchors_broken)
        o << ", " << anchors_broken << " to another history";
    o << "\n";
    o << "replayed: " << signed_rows << " signed rows checked (" << payments
      << " payments with two staff signatures), " << double_payments_resolved
      << " double payments with a logged decision\n";
    if (latest)
        o << "latest checkpoint: " << latest->size << " leaves, root " << to_hex(latest->root)
          << "\n";
    for (const auto& n : notes)
        o << "note: " << n << "\n";
    if (failures.empty()) {
        o << "通过 PASS: every leaf, checkpoint, chain and signed row verifies\n";
        return o.str();
    }
    for (const auto& f : failures)
        o << "失败 FAIL: " << f << "\n";
    o << "未通过 FAILED: " << failures.size() << " problems\n";
    return o.str();
}

}  // namespace gridsync::tools
