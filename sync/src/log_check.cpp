#include "gridsync/sync/log_check.hpp"

#include <cstring>
#include <set>
#include <sstream>

#include "gridsync/sync/errors.hpp"
#include "gridsync/sync/log_leaf.hpp"

namespace gridsync::sync {
namespace {

std::string text_state(store::Database& db, const char* key) {
    return db.query_value<std::string>("SELECT value FROM node_state WHERE key = ?1", key)
        .value_or("");
}

void set_text_state(store::Database& db, const char* key, const std::string& value) {
    db.execute(
        "INSERT INTO node_state(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value "
        "= excluded.value",
        key, value);
}

bool alarm_open(store::Database& db) {
    return db.query_value<std::int64_t>(
                 "SELECT count(*) FROM log_alarm WHERE cleared_at_ms IS NULL AND kind <> "
                 "'restored'")
               .value_or(0) > 0;
}

void raise_alarm(store::Database& db, domain::EpochMs now, const std::string& kind,
                 const std::string& detail, const std::string& held, const std::string& offered) {
    db.execute(
        "INSERT INTO log_alarm(at_ms, kind, detail, held_note, offered_note) VALUES (?1, ?2, ?3, "
        "?4, ?5)",
        now, kind, detail, held, offered);
    if (kind == "restored") {
        // Recorded, not acted on: the restore also sets cleared_at_ms, so it
        // never blocks, and the evidence stays.
        db.execute(
            "UPDATE log_alarm SET cleared_at_ms = ?1, cleared_reason = 'epoch changed' WHERE id = "
            "?2",
            now, db.last_insert_rowid());
    }
}

Failure untrusted(const std::string& why) {
    return fail(Errc::log_untrusted,
                "中心的日志校验未通过,已停止同步,请联系管理员 / central's log failed a check, "
                "sync stopped until an admin has looked: " +
                    why);
}

// The acknowledged entries not yet proved, oldest first.
std::vector<std::pair<std::uint64_t, std::optional<std::uint64_t>>> unproven(store::Database& db) {
    auto st = db.prepare(
        "SELECT seq, log_index FROM outbox WHERE acked = 1 AND log_proven = 0 ORDER BY seq "
        "LIMIT ?1");
    st.bind(1, static_cast<std::int64_t>(kMaxProofsPerBatch));
    std::vector<std::pair<std::uint64_t, std::optional<std::uint64_t>>> out;
    while (st.step()) {
        std::optional<std::uint64_t> leaf;
        if (!st.is_null(1))
            leaf = static_cast<std::uint64_t>(st.column<std::int64_t>(1));
        out.emplace_back(static_cast<std::uint64_t>(st.column<std::int64_t>(0)), leaf);
    }
    return out;
}

}  // namespace

std::optional<VerifiedCheckpoint> verified_checkpoint(store::Database& db) {
    auto st = db.prepare(
        "SELECT note, epoch, verified_at_ms FROM log_verified WHERE epoch NOT LIKE "
        "'%:distrusted-%' ORDER BY verified_at_ms DESC, size DESC LIMIT 1");
    if (!st.step())
        return std::nullopt;
    auto note = tlog::parse_note(st.column<std::string>(0));
    if (!note)
        return std::nullopt;
    auto c = tlog::parse_checkpoint(note->text);
    if (!c)
        return std::nullopt;
    return VerifiedCheckpoint{*c, st.column<std::string>(0), st.column<std::string>(1),
                              st.column<std::int64_t>(2)};
}

bool is_alarm_kind(std::string_view kind) {
    for (const char* k : {"log_key_changed", "bad_checkpoint", "rolled_back", "forked",
                          "inclusion_failed", "withheld", "restored", "split_view"}) {
        if (kind == k)
            return true;
    }
    return false;
}

std::string witness_name(const std::string& device_id) {
    return "gridsync.witness/" + device_id;
}

void add_log_requests(store::Database& db, PullRequest& req, const crypto::SigningKey& device_key,
                      domain::EpochMs now) {
    if (const auto v = verified_checkpoint(db)) {
        req.verified_size = v->checkpoint.size;
        // Once per checkpoint verified: a device witnesses what it checked.
        const std::string mark = v->epoch + "/" + std::to_string(v->checkpoint.size);
        if (text_state(db, "log_cosigned") != mark) {
            const auto note = tlog::parse_note(v->note);
            req.cosignature = tlog::cosign(note->text, witness_name(req.device_id), device_key,
                                           static_cast<std::uint64_t>(now / 1000))
                                  .line();
            set_text_state(db, "log_cosigned", mark);
        }
    }
    for (const auto& [seq, leaf] : unproven(db))
        req.prove_seqs.push_back(seq);
    // Alarms central has not heard of in their present state, oldest
    // first; which ones went out is kept until central's signed answer.
    auto st = db.prepare(
        "SELECT id, at_ms, kind, detail, coalesce(held_note, ''), coalesce(offered_note, ''), "
        "coalesce(cleared_at_ms, 0), coalesce(cleared_reason, ''), "
        "CASE WHEN cleared_at_ms IS NULL THEN 1 ELSE 2 END FROM log_alarm "
        "WHERE reported < CASE WHEN cleared_at_ms IS NULL THEN 1 ELSE 2 END ORDER BY id LIMIT ?1");
    st.bind(1, static_cast<std::int64_t>(kMaxAlarmReports));
    std::string sent;
    while (st.step()) {
        AlarmReport a;
        a.id = static_cast<std::uint64_t>(st.column<std::int64_t>(0));
        a.at_ms = st.column<std::int64_t>(1);
        a.kind = st.column<std::string>(2);
        a.detail = st.column<std::string>(3);
        a.held_note = st.column<std::string>(4);
        a.offered_note = st.column<std::string>(5);
        a.cleared_at_ms = st.column<std::int64_t>(6);
        a.cleared_reason = st.column<std::string>(7);
        sent += std::to_string(a.id) + ":" + std::to_string(st.column<std::int64_t>(8)) + " ";
        req.alarms.push_back(std::move(a));
    }
    set_text_state(db, "log_alarms_sent", sent);
}

void alarm_reports_heard(store::Database& db) {
    std::istringstream in(text_state(db, "log_alarms_sent"));
    std::string item;
    store::Transaction tx(db);
    while (in >> item) {
        const auto colon = item.find(':');
        if (colon == std::string::npos)
            continue;
        db.execute("UPDATE log_alarm SET reported = max(reported, ?1) WHERE id = ?2",
                   std::stoll(item.substr(colon + 1)), std::stoll(item.substr(0, colon)));
    }
    set_text_state(db, "log_alarms_sent", "");
    tx.commit();
}

Result<ComparedCheckpoint> compare_checkpoint(store::Database& db, const std::string& text,
                                              domain::EpochMs now) {
    const auto verifier = tlog::NoteVerifier::parse(text_state(db, "log_key"));
    if (!verifier)
        return fail(Errc::bad_signature,
                    "本机尚未核验过中心的日志 / this device has not verified central's log yet");
    const auto refused = [] {
        return fail(Errc::bad_signature,
                    "不是中心日志密钥签的检查点 / not a checkpoint signed by the pinned log key");
    };
    const auto note = tlog::parse_note(text);
    if (!note || !tlog::verified_by(*note, *verifier))
        return refused();
    const auto cp = tlog::parse_checkpoint(note->text);
    if (!cp || cp->origin != verifier->name)
        return refused();
    ComparedCheckpoint out;
    out.size = cp->size;
    // Agrees with any checkpoint of that size this device verified; is a
    // split view only against one of the epoch it trusts now (after a
    // restore, an older epoch's tree of that size is another history by
    // right, and says nothing of this one).
    const auto current = verified_checkpoint(db);
    std::optional<std::string> held;
    auto st = db.prepare(
        "SELECT root, note, epoch FROM log_verified WHERE size = ?1 AND epoch NOT LIKE "
        "'%:distrusted-%'");
    st.bind(1, static_cast<std::int64_t>(cp->size));
    while (st.step()) {
        if (st.column<Bytes>(0) == Bytes(cp->root.begin(), cp->root.end())) {
            out.result = Comparison::agrees;
            return out;
        }
        if (current && st.column<std::string>(2) == current->epoch)
            held = st.column<std::string>(1);
    }
    if (!held)
        return out;  // other_size: nothing to hold it against
    store::Transaction tx(db);
    raise_alarm(db, now, "split_view",
                "另一台设备的检查点与本机的大小相同、根不同:中心给两台设备看了不同的日志 / "
                "another device's checkpoint of the same size has another root: central showed "
                "the two devices different trees",
                *held, text);
    out.alarm_id = db.last_insert_rowid();
    tx.commit();
    out.result = Comparison::split_view;
    return out;
}

Status check_log(store::Database& db, const PullBatch& batch, domain::EpochMs now) {
    if (!batch.log)
        return alarm_open(db) ? Status(untrusted("an alarm is open")) : Status{};
    store::Transaction tx(db);
    auto refuse = [&](const std::string& kind, const std::string& detail,
                      const std::string& held) -> Status {
        raise_alarm(db, now, kind, detail, held, batch.log->checkpoint);
        tx.commit();
        return untrusted(detail);
    };
    if (alarm_open(db)) {
        tx.commit();
        return untrusted("an alarm is open");
    }
    const LogProofs& log = *batch.log;
    const std::string pinned = text_state(db, "log_key");
    if (!pinned.empty() && pinned != log.log_key) {
        return refuse("log_key_changed",
                      "中心日志的签名密钥变了 / central's log key is not the one pinned", pinned);
    }
    const auto verifier = tlog::NoteVerifier::parse(log.log_key);
    if (!verifier)
        return refuse("bad_checkpoint", "中心日志密钥格式错误 / malformed log key", "");
    auto note = tlog::parse_note(log.checkpoint);
    if (!note || !tlog::verified_by(*note, *verifier)) {
        return refuse("bad_checkpoint",
                      "检查点签名无效 / the checkpoint is not signed by the log key", "");
    }
    auto cp = tlog::parse_checkpoint(note->text);
    if (!cp || cp->origin != verifier->name)
        return refuse("bad_checkpoint", "检查点格式错误 / malformed checkpoint", "");
    if (pinned.empty())
        set_text_state(db, "log_key", log.log_key);
    // What the proofs cost on the wire (gridsync-edge log, gridsync-bench):
    // key, note, consistency hashes, and per inclusion its seq, leaf and path.
    std::size_t proof_bytes =
        log.log_key.size() + log.checkpoint.size() + log.consistency.size() * sizeof(tlog::Hash);
    for (const auto& p : log.inclusion)
        proof_bytes += 2 * sizeof(std::uint64_t) + p.path.size() * sizeof(tlog::Hash);
    // "bytes inclusions pulls": the last pull's, and every pull's since the log began.
    set_text_state(db, "log_proof_bytes",
                   std::to_string(proof_bytes) + " " + std::to_string(log.inclusion.size()) + " 1");
    {
        std::uint64_t total = 0, proofs = 0, pulls = 0;
        std::istringstream was(text_state(db, "log_proof_total"));
        was >> total >> proofs >> pulls;
        set_text_state(db, "log_proof_total",
                       std::to_string(total + proof_bytes) + " " +
                           std::to_string(proofs + log.inclusion.size()) + " " +
                           std::to_string(pulls + 1));
    }
    const std::string epoch = batch.epoch ? batch.epoch->id : "";
    const auto held = verified_checkpoint(db);
    if (held) {
        const auto& h = held->checkpoint;
        std::string why;
        std::string kind;
        if (cp->size < h.size) {
            kind = "rolled_back";
            why = "中心日志比本机已核验的短:" + std::to_string(cp->size) + " < " +
                  std::to_string(h.size) + " / central's tree is smaller than the one verified";
        } else if (!tlog::verify_consistency(h.size, cp->size, h.root, cp->root, log.consistency)) {
            kind = "forked";
            why = "中心日志与本机已核验的不一致(分叉)/ central's tree of " +
                  std::to_string(cp->size) + " is not an extension of the verified one of " +
                  std::to_string(h.size);
        }
        if (!kind.empty()) {
            if (!epoch.empty() && epoch != held->epoch) {
                // A restore: evidence kept, trust moves to the new epoch.
                raise_alarm(
                    db, now, "restored",
                    "中心已从备份恢复,日志重新开始 / central was restored from a backup: " + why,
                    held->note, log.checkpoint);
            } else {
                return refuse(kind, why, held->note);
            }
        }
    }
    db.execute(
        "INSERT INTO log_verified(size, root, note, epoch, verified_at_ms) VALUES (?1, ?2, ?3, "
        "?4, ?5) ON CONFLICT(epoch, size) DO UPDATE SET verified_at_ms = excluded.verified_at_ms",
        static_cast<std::int64_t>(cp->size), ByteView(cp->root), log.checkpoint, epoch, now);

    // This device's entries at the leaves central promised. What the request
    // asked about is the oldest unproven, bounded: the same list, read now.
    const auto asked = unproven(db);
    std::set<std::uint64_t> proved;
    for (const auto& p : log.inclusion) {
        auto st = db.prepare("SELECT signature, envelope, log_index FROM outbox WHERE seq = ?1");
        st.bind(1, static_cast<std::int64_t>(p.seq));
        if (!st.step())
            return refuse("inclusion_failed",
                          "中心证明了本机没有的记录 / a proof of an entry this device never made",
                          "");
        const tlog::Hash leaf = entry_leaf_hash(st.column<Bytes>(0), st.column<Bytes>(1));
        const bool promised_elsewhere =
            !st.is_null(2) && static_cast<std::uint64_t>(st.column<std::int64_t>(2)) != p.leaf;
        st.reset();
        if (promised_elsewhere ||
            !tlog::verify_inclusion(leaf, p.leaf, cp->size, p.path, cp->root)) {
            return refuse("inclusion_failed",
                          "第 " + std::to_string(p.seq) + " 条记录不在中心的日志里 / entry " +
                              std::to_string(p.seq) + " is not at leaf " + std::to_string(p.leaf) +
                              " of the checkpoint",
                          held ? held->note : "");
        }
        db.execute("UPDATE outbox SET log_index = ?1, log_proven = 1 WHERE seq = ?2",
                   static_cast<std::int64_t>(p.leaf), static_cast<std::int64_t>(p.seq));
        proved.insert(p.seq);
    }
    // An entry central promised a leaf for, under this checkpoint, and did
    // not prove when asked: withheld. (Those past the request's bound are
    // asked about in the next round.)
    for (const auto& [seq, leaf] : asked) {
        if (leaf && *leaf < cp->size && !proved.count(seq)) {
            return refuse("withheld",
                          "中心未能证明第 " + std::to_string(seq) + " 条记录已入日志 / central " +
                              "did not prove entry " + std::to_string(seq) + " (leaf " +
                              std::to_string(*leaf) + ") under a checkpoint of " +
                              std::to_string(cp->size),
                          held ? held->note : "");
        }
    }
    tx.commit();
    return {};
}

std::vector<LogAlarm> log_alarms(store::Database& db, bool open_only) {
    auto st = db.prepare(
        std::string("SELECT id, at_ms, kind, detail, coalesce(held_note, ''), "
                    "coalesce(offered_note, ''), cleared_at_ms IS NULL FROM log_alarm ") +
        (open_only ? "WHERE cleared_at_ms IS NULL " : "") + "ORDER BY id");
    std::vector<LogAlarm> out;
    while (st.step()) {
        out.push_back({st.column<std::int64_t>(0), st.column<std::int64_t>(1),
                       st.column<std::string>(2), st.column<std::string>(3),
                       st.column<std::string>(4), st.column<std::string>(5), st.column<bool>(6)});
    }
    return out;
}

std::vector<std::string> verified_notes(store::Database& db) {
    auto st = db.prepare("SELECT note FROM log_verified ORDER BY epoch, size");
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.column<std::string>(0));
    return out;
}

Status clear_log_alarm(store::Database& db, std::int64_t id, const std::string& reason,
                       domain::EpochMs now) {
    store::Transaction tx(db);
    db.execute(
        "UPDATE log_alarm SET cleared_at_ms = ?1, cleared_reason = ?2 WHERE id = ?3 AND "
        "cleared_at_ms IS NULL",
        now, reason, id);
    if (db.changes() == 0)
        return fail(Errc::no_such_alarm,
                    "没有这条未处理的告警 / no open alarm " + std::to_string(id));
    // Trust starts again from what central shows next; the old checkpoints
    // stay, as evidence, under an epoch of their own.
    db.execute(
        "UPDATE log_verified SET epoch = epoch || ':distrusted-' || ?1 WHERE epoch NOT LIKE "
        "'%:distrusted-%'",
        id);
    db.execute("DELETE FROM node_state WHERE key = 'log_key'");
    tx.commit();
    return {};
}

}  // namespace gridsync::sync
