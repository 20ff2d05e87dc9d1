// gridsync-edge: every field workflow on the command line.
#include "cli.hpp"

#include <unistd.h>

#include <pthread.h>
#include <signal.h>
#include <atomic>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "gridsync/cli/report_command.hpp"
#include "gridsync/cli/support.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/names.hpp"
#include "gridsync/edge/field_app.hpp"
#include "gridsync/edge/field_service.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/edge/node.hpp"
#include "gridsync/edge/sync_service.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/errors.hpp"
#include "gridsync/sync/log_check.hpp"
#include "gridsync/text.hpp"
#include "gridsync/web/server.hpp"
#include "staff_json.hpp"

namespace gridsync::edge::cli {

using namespace gridsync::cli;

namespace fs = std::filesystem;
using domain::Stamp;

namespace {

const char* kHelp = R"(gridsync-edge — 街道离线工作节点 / the subdistrict's offline field node

用法 / Usage:  gridsync-edge --data DIR [--json] COMMAND ...

设备 / Device
  init --device-name NAME [--role community_laptop|grid_device --community C01 [--grid 1|第1网格]]
       [--demo-seed --demo-pin PIN] [--simulation] [--fast-kdf]
                                  建立节点:设备密钥、数据库 / create the node, its keys and database
  enroll --central HOST:PORT --code CODE
                                  用管理员给的登记码向中心登记 / enroll with central using the admin's code
  sync                            同步一轮:上传待传记录,下载本范围的更新 / one round: push, then pull
  serve [--listen 127.0.0.1:8765] [--interval-seconds 30] [--port-file F] [--no-app] [--no-sync]
                                  现场网页(浏览器打开 http://127.0.0.1:8765/),网络可用时后台持续同步,
                                  失败后指数退避 / the field app in a browser, and background sync
                                  whenever central is reachable, backing off on failure
  status                          待上传记录、链校验、设备指纹 / pending entries, chain, fingerprint
  log [--clear ID --reason TEXT]  中心日志的安全告警及证据;核实后处理 / alarms about central's log, their evidence; clear one after checking
  log --compare FILE              与另一台设备核验的检查点比对 / compare a checkpoint another device verified with this device's
  verify                          校验本设备整条签名哈希链 / verify this device's whole signed chain

工作人员 / Staff
  staff list [--role ROLE]        列出工作人员 / list staff
  staff enroll-key --staff ID     本人在本设备生成签名密钥:输入管理员发给本人的登记码和新 PIN(两次)
                                  the person makes their key on this device: the enrolment code an
                                  admin issued to them, then a new PIN twice (标准输入 stdin)

证件送达 / Certificates
  cert list [--state at_center|with_grid_leader|delivered]
  cert handover --code CODE | --codes FILE --from STAFF --to LEADER
                                  中心交给网格负责人,双方签名 / center to grid leader, both sign
  cert deliver --code CODE --leader LEADER --signature-file F [--photo-file F] [--lat X --lon Y]
               [--to-proxy --proxy-name NAME --relation spouse|child|parent|other]
               (标准输入 stdin: PIN, 领取人身份证号码 recipient's ID number)
  cert fail --code CODE --leader LEADER --reason not_home|refused|moved|no_id|other --retry-days N
  cert return --code CODE --leader LEADER --to STAFF
  cert round --leader LEADER --script FILE --signature-file F
               (FILE 每行 each line: CODE,delivered,ID_NUMBER  或 or  CODE,failed,REASON,RETRY_DAYS)
  cert overdue                    超期未送达 / not delivered within the time limit (限时办结)

发放日 / Disbursement days
  day list
  day open --day YYYY-MM-DD --staff-a A --staff-b B --cash YUAN [--notes "10000x50"]
           (标准输入 stdin: A 的 PIN, B 的 PIN;两人签字领取现金 both sign for the cash)
  pay [--session S] --entitlement dibao:0019 --amount YUAN --payer P --verifier V --ack-name NAME --ack-file F
      [--proxy REGISTRATION] [--override REASON]
      (标准输入 stdin: 经办人 PIN, 复核人 PIN, 领取人身份证号码 recipient's ID number)
  pay --batch FILE [--session S] --payer P --verifier V --ack-file F
      (FILE 每行 each line: ENTITLEMENT,AMOUNT_YUAN,ID_NUMBER,ACK_NAME; 标准输入 stdin: 两个 PIN)
  reverse --payment ID --reason TEXT --payer P --verifier V
  session show [--session S]      本场次发放记录(含待上传状态)/ payments, with pending status
  day close [--session S] --returned YUAN [--notes N] [--unpaid-reason absent] [--explanation TEXT]
            --staff-a A --staff-b B

居民信息与评议 / Residents and ratings
  rate --delivery ID | --payment ID --level very_satisfied|satisfied|basically_satisfied|dissatisfied|very_dissatisfied
       [--comment TEXT]           群众评议(非常满意 … 非常不满意)/ the resident rates the service
  resident edit --resident ID [--name NAME] [--phone PHONE]
                                  更正姓名或电话;两台设备改了不同字段会合并 / correct a name or phone;
                                  edits of different fields on two devices merge
  recovery list                   中心作废的重复发放及应追回金额 / payments central voided, amounts to recover
  report reconciliation|delivery|attendance|assessment [--month YYYY-MM] [--out F.xlsx|F.csv|F.json]
                                  本设备范围内的报表(与中心同一算法,docs/REPORTS.md)/ this device's reports, computed as central does

排班考勤 / Shifts (8+4)
  shift check --staff S --kind in|out [--skew-minutes M] [--skew-bound-minutes 5]
                                  设备时钟与中心相差超过界限时标记 / flags a device clock off by more than the bound
  shift report --date YYYY-MM-DD [--grace-minutes 15]
                                  迟到、早退、空岗、一人两地 / lateness, early leaving, gaps, double presence
  shift month --month YYYY-MM [--grace-minutes 15]
                                  月度考勤汇总 / monthly attendance

通用选项 / Common options
  --data DIR               节点目录 / the node's folder
  --json                   机器可读输出 / machine-readable output
  --passphrase-file F      设备口令文件(否则从终端或标准输入读取第一行)
                           device passphrase file (otherwise the first line of the terminal or stdin)
  --at "YYYY-MM-DD HH:MM"  仅限模拟节点:指定当地时间 / simulation nodes only: the local time to record

人员用工号(或编号)、发放日用日期、一笔发放用“项目:身份证后四位”(如 dibao:0019)、
场次不写时为本设备唯一进行中的场次;不认识的选项一律拒绝。
People by staff number (or id), days by date, an entitlement as PROGRAMME:LAST4 (dibao:0019),
the session by default the one open on this device; unknown options are refused.

PIN 和身份证号码只从终端或标准输入读取,从不出现在命令行参数中。
PINs and ID numbers are read from the terminal or standard input, never from the command line.

退出码 / Exit codes: 0 成功 ok, 1 用法 usage, 2 规则拒绝 refused by a rule,
  3 PIN/口令错误 wrong PIN or passphrase, 4 存储错误 storage, 5 链断裂或签名无效 broken chain or signature,
  6 无法连接中心 central unreachable
)";

// The clock the node records with: the system's, or a scripted one.
class NodeClock final : public domain::Clock {
  public:
    domain::EpochMs now_ms() override { return fixed_ ? *fixed_ : system_.now_ms(); }
    void fix(domain::EpochMs t) { fixed_ = t; }

  private:
    domain::SystemClock system_;
    std::optional<domain::EpochMs> fixed_;
};

Bytes read_blob(const std::string& path) {
    auto b = read_file(path, 8u << 20);
    if (!b)
        throw UsageError{"无法读取文件 / cannot read " + path + ": " + b.failure().message};
    return std::move(b).value();
}

domain::Fen yuan(const std::string& text) {
    auto f = domain::parse_yuan(text);
    if (!f)
        throw UsageError{"金额格式应为 元.角分,如 560.00 / amount must look like 560.00: " + text};
    return *f;
}

// A whole-number option within its sensible range (Args::integer).
int number(const Args& args, const std::string& name, int fallback) {
    static const std::map<std::string, std::pair<int, int>> ranges = {
        {"grace-minutes", {0, 240}},       {"interval-seconds", {1, 86400}},
        {"retry-days", {0, 60}},           {"rounds", {0, 1000000}},
        {"skew-bound-minutes", {1, 1440}}, {"skew-minutes", {-100000, 100000}}};
    const auto r = ranges.at(name);
    return static_cast<int>(args.integer(name, fallback, r.first, r.second));
}

std::string clear(const crypto::SecureBuffer& b) {
    return std::string(as_chars(b.view()));
}

std::string code_of(const std::error_code& ec) {
    return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

struct Context;

// Runs `one` for every line of a batch file (blank lines and # comments
// skipped). Each line is its own recorded write: a refused line is reported
// with its number and code, and the others still go through.
struct BatchResult {
    int done = 0;
    int refused = 0;
};
template <class F>
BatchResult run_batch(Context& c, const std::string& path, F&& one);

struct Context {
    Args& args;
    Output& out;
    SecretReader& secrets;
    EdgeNode& node;
    NodeClock& clock;
    FieldService& field;

    // A person as the option names them: staff number (工号) or id.
    std::string staff(const char* option) const {
        auto id = domain::find_staff(node.db(), args.need(option));
        if (!id)
            throw UsageError{"--" + std::string(option) + ": " + id.failure().message};
        return *id;
    }
    // A day by its date (or id), in this device's community.
    std::string day(const char* option) const {
        auto id = domain::find_day(node.db(), node.config().community_id, args.need(option));
        if (!id)
            throw UsageError{"--" + std::string(option) + ": " + id.failure().message};
        return *id;
    }
    // --session, or the one session open on this device.
    std::string session() const {
        auto id = domain::find_session(node.db(), node.config().device_id, args.get("session"));
        if (!id)
            throw UsageError{"--session: " + id.failure().message};
        return *id;
    }

    // An entitlement of the session's day: "dibao:0019", "0019" or an id.
    Result<std::string> entitlement(const std::string& text, const std::string& session_id) const {
        return domain::find_entitlement(node.db(), session_id, text);
    }

    // The PIN of `staff_id`, asked as `who`; wrong ones counted (FieldService::unlock).
    Result<crypto::SigningKey> unlock(const std::string& staff_id, const std::string& who) {
        auto pin = secrets.read(who + " PIN");
        return field.unlock(staff_id, pin);
    }
};

template <class F>
BatchResult run_batch(Context& c, const std::string& path, F&& one) {
    std::ifstream file(path);
    if (!file)
        throw UsageError{"无法读取 / cannot read " + path};
    BatchResult r;
    boost::json::array problems;
    std::string line;
    for (int n = 1; std::getline(file, line); ++n) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        const Status st = one(split_csv_record(line));
        if (st) {
            ++r.done;
            continue;
        }
        ++r.refused;
        problems.push_back(
            {{"line", n}, {"code", code_of(st.code())}, {"message", st.failure().message}});
        c.out.line("第 " + std::to_string(n) + " 行被拒绝 line refused: " + st.failure().message);
    }
    c.out.data()["refused"] = r.refused;
    c.out.data()["problems"] = std::move(problems);
    return r;
}

template <class T>
Status status_of(const Result<T>& r) {
    if (r)
        return {};
    return r.failure();
}

// Unwraps a Result inside a command or returns its failure as the exit.
#define GS_TRY(var, expr) \
    auto var = (expr);    \
    if (!var.ok())        \
    return c.out.failure(var.failure())

// What a person does when the outbox is damaged: the records are still in
// the tables; only an admin can settle what central never received.
constexpr const char* kBrokenOutboxAdvice =
    "请勿删除或重装本设备,联系管理员处理 / do not wipe or reinstall this device: tell an admin";

// The log's alarms on this device, with their evidence; --clear ID --reason
// after someone has looked (the next pull trusts central's checkpoint afresh).
int cmd_log(Context& c) {
    if (c.args.get("clear")) {  // an option with a value, not a flag
        const auto id = c.args.integer("clear", 0, 1, std::numeric_limits<int>::max());
        const std::string reason = c.args.need("reason");
        if (auto st = sync::clear_log_alarm(c.node.db(), id, reason, c.clock.now_ms()); !st)
            return c.out.failure(st.failure());
        c.out.line("告警已处理 alarm cleared: #" + std::to_string(id));
        return c.out.finish(Exit::ok);
    }
    if (const auto file = c.args.get("compare")) {
        // Another device's verified checkpoint, one note per file.
        const auto bytes = read_file(*file, 1 << 20);
        if (!bytes)
            return c.out.failure(bytes.failure());
        auto r =
            sync::compare_checkpoint(c.node.db(), std::string(as_chars(*bytes)), c.clock.now_ms());
        if (!r)
            return c.out.failure(r.failure());
        static const char* names[] = {"agrees", "split_view", "other_size"};
        c.out.data()["comparison"] = names[static_cast<int>(r->result)];
        c.out.data()["size"] = r->size;
        switch (r->result) {
            case sync::Comparison::agrees:
                c.out.line(
                    "一致 agrees: 两台设备核验的检查点相同 / both devices verified the same "
                    "tree of " +
                    std::to_string(r->size) + " leaves");
                break;
            case sync::Comparison::split_view:
                c.out.data()["alarm_id"] = r->alarm_id;
                c.out.line("告警 ALARM #" + std::to_string(r->alarm_id) +
                           " split_view: 中心给两台设备看了不同的日志 / central showed the two "
                           "devices different trees of " +
                           std::to_string(r->size) + " leaves");
                return c.out.finish(Exit::chain_broken);
            case sync::Comparison::other_size:
                c.out.line("无法比较 cannot tell: 本机没有核验过 " + std::to_string(r->size) +
                           " 条的检查点 / this device verified no checkpoint of that size");
                break;
        }
        return c.out.finish(Exit::ok);
    }
    // Built apart and moved in: a reference into data() would not survive
    // the next key's insertion (the object may rehash).
    boost::json::array list;
    for (const auto& a : sync::log_alarms(c.node.db(), false)) {
        list.push_back(boost::json::object{{"id", a.id},
                                           {"kind", a.kind},
                                           {"open", a.open},
                                           {"detail", a.detail},
                                           {"held_checkpoint", a.held_note},
                                           {"offered_checkpoint", a.offered_note}});
        c.out.line(std::string(a.open ? "未处理 OPEN" : "已处理 cleared") + " #" +
                   std::to_string(a.id) + " " + a.kind + ": " + a.detail);
    }
    boost::json::array notes;
    for (const auto& n : sync::verified_notes(c.node.db()))
        notes.push_back(boost::json::string(n));
    if (list.empty())
        c.out.line("没有告警 no alarms; " + std::to_string(notes.size()) + " checkpoints verified");
    c.out.data()["alarms"] = std::move(list);
    c.out.data()["verified_checkpoints"] = std::move(notes);
    return c.out.finish(Exit::ok);
}

int cmd_status(Context& c) {
    const auto chain = sync::verify_chain(c.node.db(), c.node.config().device_id,
                                          c.node.device_key().public_key());
    SyncService sync_service(c.node, c.clock);
    const SyncStatus s = sync_service.status();
    auto& d = c.out.data();
    d["device_id"] = c.node.config().device_id;
    d["device_name"] = c.node.config().device_name;
    d["role"] = to_string(c.node.config().role);
    d["fingerprint"] = crypto::fingerprint(c.node.device_key().public_key());
    d["entries"] = s.entries;
    d["pending"] = s.pending;
    d["chain_ok"] = chain.ok;
    // Central's verifiable log as this device has checked it (docs/AUDIT.md).
    const auto open_alarms = sync::log_alarms(c.node.db(), true);
    d["log_alarms"] = open_alarms.size();
    for (const auto& a : open_alarms)
        c.out.line("!! 安全告警 SECURITY ALARM #" + std::to_string(a.id) + " " + a.kind + ": " +
                   a.detail);
    if (const auto v = sync::verified_checkpoint(c.node.db())) {
        d["log_verified_size"] = v->checkpoint.size;
        c.out.line("中心日志已核验 central's log verified: " + std::to_string(v->checkpoint.size) +
                   " 条 leaves");
    }
    if (auto pin = c.node.central_pin()) {
        d["central"] = c.node.central_address();
        d["central_fingerprint"] = crypto::fingerprint(pin->signing_key);
        c.out.line("中心 central: " + c.node.central_address() + "(指纹 fingerprint " +
                   crypto::fingerprint(pin->signing_key) + ")");
    } else {
        c.out.line("中心 central: 尚未登记 not enrolled");
    }
    // This device's clock minus central's, as the last pull measured it.
    if (const auto off = s.clock_offset_ms) {
        d["clock_offset_ms"] = *off;
        d["clock_skewed"] = std::abs(*off) > sync::kMaxClockSkewMs;
        if (std::abs(*off) > sync::kMaxClockSkewMs) {
            c.out.line(std::string("本机时钟比中心") + (*off > 0 ? "快 " : "慢 ") +
                       std::to_string(std::abs(*off) / 60000) +
                       " 分钟,请校正;记录按中心时间排序,中心会标记本机的记录 / this device's clock "
                       "is " +
                       std::to_string(std::abs(*off) / 60000) + " minutes " +
                       (*off > 0 ? "ahead of" : "behind") +
                       " central's: set it right (records are ordered by central's time and "
                       "flagged)");
        }
    }
    if (s.last_sync_ms) {
        d["last_sync"] = domain::format_local(*s.last_sync_ms);
        c.out.line("上次同步 last sync: " + domain::format_local(*s.last_sync_ms));
    }
    if (!s.last_error.empty()) {
        d["last_error"] = s.last_error;
        c.out.line("上次同步失败 last sync failed: " + s.last_error);
    }
    boost::json::array notices;
    for (const auto& n : s.notices) {
        notices.push_back({{"at", domain::format_local(n.at_ms)},
                           {"seq", n.seq},
                           {"status", n.status},
                           {"code", n.code},
                           {"message", n.message}});
    }
    d["notices"] = std::move(notices);
    boost::json::array quarantined;
    for (const auto& q : s.quarantined) {
        quarantined.push_back({{"seq", q.seq},
                               {"code", q.code},
                               {"message", q.message},
                               {"at", domain::format_local(q.at_ms)}});
        c.out.line("中心隔离了第 " + std::to_string(q.seq) +
                   " 条记录,请联系管理员处理 / central quarantined entry #" +
                   std::to_string(q.seq) + " (tell an admin): [" + q.code + "] " + q.message);
    }
    d["quarantined"] = std::move(quarantined);
    c.out.line("设备 device: " + c.node.config().device_name + " (" + c.node.config().device_id +
               ")");
    c.out.line("指纹 fingerprint: " + crypto::fingerprint(c.node.device_key().public_key()));
    c.out.line("记录 entries: " + std::to_string(s.entries) +
               ",待上传 pending: " + std::to_string(s.pending));
    c.out.line(std::string("哈希链 chain: ") +
               (chain.ok ? "完好 intact" : "断裂 broken: " + chain.reason));
    if (!chain.ok) {
        d["first_broken_seq"] = *chain.first_broken_seq;
        c.out.line(kBrokenOutboxAdvice);
        return c.out.finish(Exit::chain_broken);
    }
    return c.out.finish(Exit::ok);
}

int report_round(Context& c, const sync::RoundReport& r) {
    auto& d = c.out.data();
    d["accepted"] = r.accepted;
    d["duplicates"] = r.duplicates;
    d["rejected"] = r.rejected;
    d["pulled"] = r.pulled;
    d["clashes"] = r.clashes;
    d["snapshot_rows"] = r.snapshot_rows;
    d["repaired"] = r.repaired;
    d["quarantined"] = r.quarantined;
    d["central_restored"] = r.central_restored;
    d["reoffered"] = r.reoffered;
    if (r.central_restored || r.reoffered > 0) {
        c.out.line("中心已从备份恢复,已重新上传其缺少的 " + std::to_string(r.reoffered) +
                   " 条记录 / central was restored from a backup: " + std::to_string(r.reoffered) +
                   " entries it lacked were sent again");
    }
    if (r.repaired) {
        c.out.line(
            "本机数据与中心不一致,已按范围重新下载(未上传的记录均保留)/ this device had drifted "
            "from central: its scope was downloaded again, unpushed records kept");
    }
    boost::json::array rejections, notices;
    for (const auto& a : r.rejections) {
        rejections.push_back(
            {{"seq", a.seq}, {"code", a.code}, {"message", a.message}, {"transient", a.transient}});
        c.out.line("被中心拒绝 refused by central: #" + std::to_string(a.seq) + " [" + a.code +
                   "] " + a.message);
    }
    for (const auto& a : r.notices) {
        notices.push_back({{"seq", a.seq}, {"message", a.message}});
        c.out.line("中心提示 central says: #" + std::to_string(a.seq) + " " + a.message);
    }
    d["rejections"] = std::move(rejections);
    d["notices"] = std::move(notices);
    if (r.outbox_broken) {
        d["outbox_broken_seq"] = *r.outbox_broken->first_broken_seq;
        c.out.line("本机待上传记录损坏,上传停在第 " +
                   std::to_string(*r.outbox_broken->first_broken_seq) +
                   " 条之前 / a stored entry is damaged: the push stopped before it (" +
                   r.outbox_broken->reason + ")");
        c.out.line(kBrokenOutboxAdvice);
    }
    c.out.line("上传 pushed: 接收 accepted " + std::to_string(r.accepted) + ",重复 duplicates " +
               std::to_string(r.duplicates) + ",拒绝 refused " + std::to_string(r.rejected) +
               ";初始数据 snapshot " + std::to_string(r.snapshot_rows) + " 行 rows" +
               ";下载 pulled " + std::to_string(r.pulled) + " 条,本地冲突 local clashes " +
               std::to_string(r.clashes));
    if (r.outbox_broken)
        return c.out.finish(Exit::chain_broken);
    return c.out.finish(r.rejected == 0 ? Exit::ok : Exit::refused);
}

int cmd_enroll(Context& c, const crypto::SecureBuffer& passphrase) {
    const std::string central = c.args.need("central");
    HttpTransport http(central);
    const auto kdf =
        c.args.has("fast-kdf") ? crypto::KdfParams::minimum() : crypto::KdfParams::interactive();
    if (auto st = c.node.enroll(http, central, c.args.need("code"), passphrase, kdf); !st)
        return c.out.failure(st.failure());
    const auto pin = c.node.central_pin();
    c.out.data()["device_id"] = c.node.config().device_id;
    c.out.data()["central_fingerprint"] = crypto::fingerprint(pin->signing_key);
    c.out.line("已登记 enrolled: " + c.node.config().device_id + "(" +
               to_string(c.node.config().role) + ")");
    c.out.line("中心指纹 central fingerprint: " + crypto::fingerprint(pin->signing_key) +
               "(请与管理员核对 / compare it with the admin's)");
    return c.out.finish(Exit::ok);
}

int cmd_sync(Context& c) {
    HttpTransport http(c.node.central_address());
    SyncService sync_service(c.node, c.clock);
    // Progress on stderr, and only for a person at a terminal: --json stays one line.
    const bool person = ::isatty(STDERR_FILENO) != 0;
    GS_TRY(r, sync_service.round(http, [person](const sync::PullProgress& p) {
        if (!person)
            return;
        if (p.snapshot || p.snapshot_rows > 0)
            std::cerr << "\r初始数据 snapshot: " << p.snapshot_rows << " 行 rows";
        if (!p.snapshot)
            std::cerr << "  下载中 pulling: " << p.entries << " 条 entries (位置 position "
                      << p.cursor << ")";
        std::cerr << std::flush;
    }));
    if (person)
        std::cerr << "\n";
    return report_round(c, *r);
}

// `serve`: the field app on 127.0.0.1 and, beside it, a background sync
// whenever central is reachable (SyncService::run), each on its own
// connection to the node. Local writes never wait for the network: they go
// to SQLite (WAL), from this process or a command run next to it, and the
// next round takes them.
int cmd_serve(Context& c, const fs::path& dir, const crypto::SecureBuffer& passphrase) {
    const auto interval = std::chrono::seconds(number(c.args, "interval-seconds", 30));
    const int max_rounds = number(c.args, "rounds", 0);  // 0: until stopped
    const bool app = !c.args.has("no-app");
    const bool background = !c.args.has("no-sync") && c.node.enrolled();
    const std::string listen = c.args.get("listen").value_or("127.0.0.1:8765");
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos)
        throw UsageError{"--listen HOST:PORT"};

    // SIGTERM/SIGINT: stop serving, finish the round in progress.
    std::atomic<bool> stop{false};
    std::atomic<bool> wake{false};
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::unique_ptr<web::HttpServer> server;
    bool serving_ended = false;
    std::mutex server_mutex;
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&set, &sig);
        stop = true;
        std::lock_guard lock(server_mutex);
        if (server)
            server->stop();
    });

    domain::SystemClock sync_clock;
    std::unique_ptr<EdgeNode> sync_node;
    std::thread syncer;
    if (background) {
        auto opened = EdgeNode::open(dir, passphrase, sync_clock);
        if (!opened)
            return c.out.failure(opened.failure());
        sync_node = std::move(*opened);
        const std::string central = c.node.central_address();
        syncer = std::thread([&, central] {
            SyncService sync_service(*sync_node, sync_clock);
            sync_service.run(
                stop, interval, max_rounds,
                [central] {
                    return std::make_unique<HttpTransport>(central, std::chrono::seconds(30));
                },
                [&](const Result<sync::RoundReport>& r) {
                    const std::string at = domain::format_local(sync_clock.now_ms());
                    if (!r) {
                        std::cerr << at << " 同步失败,稍后重试 sync failed, retrying: "
                                  << r.failure().message << std::endl;
                        return;
                    }
                    std::cerr << at << " 同步完成 synced: accepted " << r->accepted << ", pulled "
                              << r->pulled << ", refused " << r->rejected << std::endl;
                    if (r->outbox_broken) {
                        std::cerr << "本机待上传记录损坏 outbox damaged: "
                                  << r->outbox_broken->reason << "; " << kBrokenOutboxAdvice
                                  << std::endl;
                    }
                },
                &wake);
            // Rounds done (--rounds): the app goes on serving until stopped.
        });
    }
    if (app) {
        // A person pressing 同步 wakes the background syncer and waits for its round.
        auto sync_now = [&] {
            if (!background)
                return;
            const std::string before = c.node.state("last_attempt_ms");
            wake = true;
            for (int i = 0; i < 600 && !stop && c.node.state("last_attempt_ms") == before; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        };
        FieldApp field_app(c.node, c.clock, {},
                           background ? std::function<void()>(sync_now) : std::function<void()>());
        web::ServerOptions o;
        o.name = "gridsync-edge";
        o.host = listen.substr(0, colon);
        try {
            Args port;
            port.options["port"] = listen.substr(colon + 1);
            o.port = static_cast<unsigned short>(port.integer("port", 0, 0, 65535));
        } catch (const std::exception&) {
            throw UsageError{"--listen HOST:PORT"};
        }
        o.threads = 2;
        o.body_limit = 16u << 20;  // a photo and a signature, downscaled by the page
        {
            std::lock_guard lock(server_mutex);
            server = std::make_unique<web::HttpServer>(
                [&field_app](const web::HttpCall& call) { return field_app.handle(call); }, o);
        }
        if (auto f = c.args.get("port-file")) {
            const std::string port = std::to_string(server->port()) + "\n";
            if (auto st = write_file_atomic(*f, as_bytes(port), 0644); !st)
                return c.out.failure(st.failure());
        }
        std::cerr << "gridsync-edge: 请在浏览器打开 open in a browser: http://" << o.host << ":"
                  << server->port() << "/" << std::endl;
        if (!stop && !server->run())
            serving_ended = true;
    } else if (syncer.joinable()) {
        syncer.join();
    }
    stop = true;
    pthread_kill(waiter.native_handle(), SIGTERM);  // harmless if it already returned
    waiter.join();
    if (syncer.joinable())
        syncer.join();
    if (serving_ended) {
        std::cerr << "gridsync-edge: 服务意外停止 / serving ended unexpectedly" << std::endl;
        return Exit::serving_ended;
    }
    return c.out.finish(Exit::ok);
}

int cmd_verify(Context& c) {
    const auto r = sync::verify_chain(c.node.db(), c.node.config().device_id,
                                      c.node.device_key().public_key());
    auto& d = c.out.data();
    d["entries"] = r.entries;
    d["chain_ok"] = r.ok;
    if (r.ok) {
        c.out.line("哈希链完好,共 " + std::to_string(r.entries) +
                   " 条 / chain intact: " + std::to_string(r.entries) + " entries");
        return c.out.finish(Exit::ok);
    }
    d["first_broken_seq"] = *r.first_broken_seq;
    return c.out.failure({r.code, "哈希链断裂 / broken chain: " + r.reason});
}

int cmd_staff(Context& c, const std::string& sub) {
    if (sub == "list") {
        boost::json::array list;
        for (const auto& s : c.field.staff(c.args.get("role"))) {
            list.push_back(staff_json(s));
            c.out.line(s.id + "  " + s.role + "  " + s.name +
                       (s.staff_number.empty() ? "" : "  " + s.staff_number) +
                       (s.has_key ? "  (有密钥 key)" : ""));
        }
        c.out.data()["staff"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    if (sub == "enroll-key") {
        const std::string staff = c.staff("staff");
        // The code the admin gave this person, then their new PIN, twice.
        const auto code = c.secrets.read_sensitive("登记码 / enrolment code");
        auto pin = c.secrets.read("新 PIN / new PIN");
        auto again = c.secrets.read("再次输入 PIN / PIN again");
        if (!crypto::constant_time_equal(pin.view(), again.view())) {
            return c.out.failure(
                {crypto::Errc::wrong_pin_or_damaged, "两次输入的 PIN 不一致 / the PINs differ"});
        }
        GS_TRY(fp, c.field.enroll_key(staff, clear(code), pin));
        c.out.data()["fingerprint"] = *fp;
        c.out.line("已生成密钥,指纹 key created, fingerprint: " + *fp);
        return c.out.finish(Exit::ok);
    }
    throw UsageError{"未知的 staff 子命令 / unknown staff command: " + sub};
}

std::optional<domain::Location> location_of(const Args& args) {
    const auto lat = args.get("lat");
    if (!lat)
        return std::nullopt;
    try {
        return domain::Location{std::stod(*lat), std::stod(args.need("lon"))};
    } catch (const std::invalid_argument&) {
        throw UsageError{"--lat/--lon 应为数字 / must be numbers"};
    }
}

int cmd_cert(Context& c, const std::string& sub) {
    if (sub == "list") {
        boost::json::array list;
        domain::CertificateFilter f;
        f.state = c.args.get("state");
        for (const auto& e : c.field.certificates(f)) {
            const std::string holder = e.holder_name.empty() ? "中心 center" : e.holder_name;
            list.push_back({{"code", e.print_code},
                            {"state", e.state},
                            {"resident", e.resident_name},
                            {"holder", holder},
                            {"due", domain::format_local(e.due_at_ms)}});
            c.out.line(e.print_code + "  " + e.state + "  " + e.resident_name + "  " + holder +
                       "  due " + domain::format_local(e.due_at_ms));
        }
        c.out.data()["certificates"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    if (sub == "overdue") {
        boost::json::array list;
        for (const auto& o : c.field.overdue()) {
            list.push_back({{"code", o.print_code},
                            {"resident", o.resident_name},
                            {"state", o.state},
                            {"days_overdue", o.days_overdue}});
            c.out.line(o.print_code + "  " + o.resident_name + "  超期 overdue " +
                       std::to_string(o.days_overdue) + " 天 days");
        }
        c.out.data()["overdue"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    if (sub == "round") {
        const std::string leader = c.staff("leader");
        GS_TRY(key, c.unlock(leader, "网格负责人 grid leader"));
        const domain::Signer signer{leader, &*key};
        const Bytes signature = read_blob(c.args.need("signature-file"));
        int delivered = 0, failed = 0;
        const auto batch =
            run_batch(c, c.args.need("script"), [&](const std::vector<std::string>& f) -> Status {
                const auto bad = [] {
                    return fail(domain::Errc::bad_input,
                                "line must be CODE,delivered,ID or CODE,failed,REASON,DAYS");
                };
                if (f.size() < 3)
                    return bad();
                if (f[1] == "delivered") {
                    DeliveryInput d;
                    d.print_code = f[0];
                    d.recipient_id_number = f[2];
                    d.signature_image = signature;
                    auto r = c.field.deliver(signer, d);
                    delivered += r ? 1 : 0;
                    return status_of(r);
                }
                auto reason = domain::parse_failure_reason(f[2]);
                if (f[1] != "failed" || f.size() < 4 || !reason)
                    return bad();
                FailedAttemptInput fa{f[0], *reason, std::atoi(f[3].c_str()), std::nullopt};
                auto r = c.field.fail_attempt(signer, fa);
                failed += r ? 1 : 0;
                return status_of(r);
            });
        auto& d = c.out.data();
        d["delivered"] = delivered;
        d["failed_attempts"] = failed;
        c.out.line("送达 delivered " + std::to_string(delivered) + ",未送达 failed attempts " +
                   std::to_string(failed) + ",被拒绝 refused " + std::to_string(batch.refused));
        return c.out.finish(batch.refused == 0 ? Exit::ok : Exit::refused);
    }
    if (sub == "handover" && c.args.get("codes")) {
        // A morning's hand-over: every code scanned from the pile actually
        // handed across, both PINs once, one signed transfer per certificate.
        const std::string from = c.staff("from"), to = c.staff("to");
        GS_TRY(kf, c.unlock(from, "中心工作人员 center staff"));
        GS_TRY(kt, c.unlock(to, "网格负责人 grid leader"));
        const auto r =
            run_batch(c, c.args.need("codes"), [&](const std::vector<std::string>& f) -> Status {
                return status_of(c.field.hand_over(f.at(0), {from, &*kf}, {to, &*kt}));
            });
        c.out.data()["handed_over"] = r.done;
        c.out.line("已交接 handed over " + std::to_string(r.done) + ",被拒绝 refused " +
                   std::to_string(r.refused));
        return c.out.finish(r.refused == 0 ? Exit::ok : Exit::refused);
    }
    const std::string code = c.args.need("code");
    if (auto id = c.field.certificate_id(code); !id)
        throw UsageError{id.failure().message};
    if (sub == "handover" || sub == "return") {
        // Two people, two PINs, both sign the transfer.
        const bool handover = sub == "handover";
        const std::string from = handover ? c.staff("from") : c.staff("leader");
        const std::string to = c.staff("to");
        GS_TRY(kf,
               c.unlock(from, handover ? "中心工作人员 center staff" : "网格负责人 grid leader"));
        GS_TRY(kt, c.unlock(to, handover ? "网格负责人 grid leader" : "中心工作人员 center staff"));
        GS_TRY(r, handover ? c.field.hand_over(code, {from, &*kf}, {to, &*kt})
                           : c.field.return_to_center(code, {from, &*kf}, {to, &*kt}));
        c.out.data()["transfer_id"] = *r;
        c.out.line(handover ? "已交接,双方已签名 / handed over, signed by both"
                            : "已退回中心,双方已签名 / returned to the center, signed by both");
        return c.out.finish(Exit::ok);
    }
    if (sub == "deliver") {
        const std::string leader = c.staff("leader");
        GS_TRY(key, c.unlock(leader, "网格负责人 grid leader"));
        auto id_number = c.secrets.read_sensitive("领取人身份证号码 / recipient's ID number");
        DeliveryInput d;
        d.print_code = code;
        d.recipient_id_number = clear(id_number);
        d.signature_image = read_blob(c.args.need("signature-file"));
        if (auto p = c.args.get("photo-file"))
            d.photo = read_blob(*p);
        if (c.args.has("to-proxy")) {
            d.to_proxy = true;
            d.proxy_name = c.args.need("proxy-name");
            d.proxy_relation = c.args.need("relation");
        }
        d.location = location_of(c.args);
        GS_TRY(r, c.field.deliver({leader, &*key}, d));
        c.out.data()["attempt_id"] = *r;
        c.out.line("已送达,记录已签名 / delivered and signed");
        return c.out.finish(Exit::ok);
    }
    if (sub == "fail") {
        const std::string leader = c.staff("leader");
        auto reason = domain::parse_failure_reason(c.args.need("reason"));
        if (!reason)
            throw UsageError{"原因应为 not_home|refused|moved|no_id|other / unknown reason"};
        GS_TRY(key, c.unlock(leader, "网格负责人 grid leader"));
        const FailedAttemptInput fa{code, *reason, number(c.args, "retry-days", 1),
                                    location_of(c.args)};
        GS_TRY(r, c.field.fail_attempt({leader, &*key}, fa));
        c.out.data()["attempt_id"] = *r;
        c.out.line("已记录未送达及计划重送时间 / failed attempt recorded with its planned retry");
        return c.out.finish(Exit::ok);
    }
    throw UsageError{"未知的 cert 子命令 / unknown cert command: " + sub};
}

int cmd_pay(Context& c) {
    if (auto st = c.field.require_laptop("记录发放"); !st)
        return c.out.failure(st.failure());
    const std::string payer = c.staff("payer"), verifier = c.staff("verifier"),
                      session = c.session();
    GS_TRY(kp, c.unlock(payer, "经办人 payer"));
    GS_TRY(kv, c.unlock(verifier, "复核人 verifier"));
    const domain::Signer p{payer, &*kp}, v{verifier, &*kv};
    const Bytes ack = read_blob(c.args.need("ack-file"));
    if (auto batch = c.args.get("batch")) {
        const auto r = run_batch(c, *batch, [&](const std::vector<std::string>& f) -> Status {
            if (f.size() < 4 || !domain::parse_yuan(f[1])) {
                return fail(domain::Errc::bad_input,
                            "line must be ENTITLEMENT,AMOUNT_YUAN,ID_NUMBER,ACK_NAME");
            }
            auto entitlement = c.entitlement(f[0], session);
            if (!entitlement)
                return entitlement.failure();
            domain::PaymentInput in;
            in.entitlement_id = *entitlement;
            in.session_id = session;
            in.amount_fen = *domain::parse_yuan(f[1]);
            in.recipient_id_number = f[2];
            in.ack_name = f[3];
            in.ack_image = ack;
            return status_of(c.field.pay(in, p, v));
        });
        c.out.data()["paid"] = r.done;
        c.out.line("已发放 paid " + std::to_string(r.done) + " 笔,被拒绝 refused " +
                   std::to_string(r.refused) + " 笔");
        return c.out.finish(r.refused == 0 ? Exit::ok : Exit::refused);
    }
    auto entitlement = c.entitlement(c.args.need("entitlement"), session);
    if (!entitlement)
        throw UsageError{"--entitlement: " + entitlement.failure().message};
    domain::PaymentInput in;
    in.entitlement_id = *entitlement;
    in.session_id = session;
    in.amount_fen = yuan(c.args.need("amount"));
    in.ack_name = c.args.need("ack-name");
    in.ack_image = ack;
    in.proxy_registration_id = c.args.get("proxy");
    in.override_reason = c.args.get("override").value_or("");
    in.recipient_id_number =
        clear(c.secrets.read_sensitive("领取人身份证号码 / recipient's ID number"));
    GS_TRY(r, c.field.pay(in, p, v));
    c.out.data()["payment_id"] = *r;
    c.out.line("已发放 " + domain::format_yuan(in.amount_fen) +
               " 元,经办人和复核人已签名,待上传 / paid, signed by both, pending upload");
    return c.out.finish(Exit::ok);
}

int cmd_day(Context& c, const std::string& sub) {
    if (sub == "list") {
        boost::json::array list;
        for (const auto& d : c.field.days()) {
            std::string sessions;
            for (const auto& s : d.sessions)
                sessions += (sessions.empty() ? "" : ",") + s.id + ":" + s.state;
            list.push_back({{"day_id", d.day_id},
                            {"date", d.local_date},
                            {"entitlements", d.entitlements},
                            {"total_yuan", domain::format_yuan(d.total_fen)},
                            {"sessions", sessions}});
            c.out.line(d.local_date + "  " + d.day_id + "  应发 " + std::to_string(d.entitlements) +
                       " 笔 " + domain::format_yuan(d.total_fen) + " 元");
        }
        c.out.data()["days"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    if (auto st = c.field.require_laptop("管理发放场次"); !st)
        return c.out.failure(st.failure());
    if (sub == "open") {
        domain::OpenSession in{c.day("day"), c.staff("staff-a"), c.staff("staff-b"),
                               yuan(c.args.need("cash")), c.args.get("notes").value_or("")};
        // Both take the cash out: both sign the opening with their PINs.
        GS_TRY(ka, c.unlock(in.staff_a_id, "工作人员 A staff"));
        GS_TRY(kb, c.unlock(in.staff_b_id, "工作人员 B staff"));
        GS_TRY(r, c.field.open_session(in, {in.staff_a_id, &*ka}, {in.staff_b_id, &*kb}));
        c.out.data()["session_id"] = *r;
        c.out.line("发放场次已开启 / session opened: " + *r);
        return c.out.finish(Exit::ok);
    }
    if (sub == "close") {
        const std::string a = c.staff("staff-a"), b = c.staff("staff-b");
        CloseInput in;
        in.session_id = c.session();
        in.cash_returned_fen = yuan(c.args.need("returned"));
        in.cash_returned_notes = c.args.get("notes").value_or("");
        in.explanation = c.args.get("explanation").value_or("");
        in.unpaid_reason = c.args.get("unpaid-reason").value_or("");
        GS_TRY(ka, c.unlock(a, "工作人员 A staff"));
        GS_TRY(kb, c.unlock(b, "工作人员 B staff"));
        GS_TRY(r, c.field.close_session(in, {a, &*ka}, {b, &*kb}));
        const auto& rec = *r;
        auto& d = c.out.data();
        d["closing_id"] = rec.closing_id;
        d["expected"] = {{"count", rec.expected_count},
                         {"yuan", domain::format_yuan(rec.expected_fen)}};
        d["paid"] = {{"count", rec.paid_count}, {"yuan", domain::format_yuan(rec.paid_fen)}};
        d["reversed"] = {{"count", rec.reversed_count},
                         {"yuan", domain::format_yuan(rec.reversed_fen)}};
        d["unpaid"] = {{"count", rec.unpaid_count}, {"yuan", domain::format_yuan(rec.unpaid_fen)}};
        d["cash_issued_yuan"] = domain::format_yuan(rec.cash_issued_fen);
        d["cash_returned_yuan"] = domain::format_yuan(rec.cash_returned_fen);
        d["variance_yuan"] = domain::format_yuan(rec.variance_fen);
        c.out.line("对账 reconciliation: 应发 expected " + std::to_string(rec.expected_count) +
                   " 笔 " + domain::format_yuan(rec.expected_fen) + " 元;已发 paid " +
                   std::to_string(rec.paid_count) + " 笔 " + domain::format_yuan(rec.paid_fen) +
                   " 元;冲正 reversed " + std::to_string(rec.reversed_count) + ";未发 unpaid " +
                   std::to_string(rec.unpaid_count));
        c.out.line("现金 cash: 领取 issued " + domain::format_yuan(rec.cash_issued_fen) +
                   " = 已发 paid " + domain::format_yuan(rec.paid_fen - rec.reversed_fen) +
                   " + 退回 returned " + domain::format_yuan(rec.cash_returned_fen) +
                   " + 差额 variance " + domain::format_yuan(rec.variance_fen));
        return c.out.finish(Exit::ok);
    }
    throw UsageError{"未知的 day 子命令 / unknown day command: " + sub};
}

int cmd_reverse(Context& c) {
    if (auto st = c.field.require_laptop("记录冲正"); !st)
        return c.out.failure(st.failure());
    const std::string payer = c.staff("payer"), verifier = c.staff("verifier");
    GS_TRY(kp, c.unlock(payer, "经办人 payer"));
    GS_TRY(kv, c.unlock(verifier, "复核人 verifier"));
    GS_TRY(r, c.field.reverse(c.args.need("payment"), c.args.need("reason"), {payer, &*kp},
                              {verifier, &*kv}));
    c.out.data()["reversal_id"] = *r;
    c.out.line("已冲正,双方已签名 / reversed, signed by both");
    return c.out.finish(Exit::ok);
}

int cmd_resident(Context& c, const std::string& sub) {
    if (sub != "edit")
        throw UsageError{"resident edit --resident ID [--name NAME] [--phone PHONE]"};
    const std::string resident = c.args.need("resident");
    if (auto st = c.field.edit_resident(resident, {c.args.get("name"), c.args.get("phone")}); !st)
        return c.out.failure(st.failure());
    c.out.data()["resident_id"] = resident;
    c.out.line("已更正,同步后送中心 / corrected; goes to central at the next sync");
    return c.out.finish(Exit::ok);
}

int cmd_rate(Context& c) {
    domain::RatingInput in;
    in.delivery_attempt_id = c.args.get("delivery").value_or("");
    in.payment_id = c.args.get("payment").value_or("");
    const auto level = domain::parse_rating_level(c.args.need("level"));
    if (!level) {
        throw UsageError{
            "--level very_satisfied|satisfied|basically_satisfied|dissatisfied|very_dissatisfied"};
    }
    in.level = *level;
    in.comment = c.args.get("comment").value_or("");
    GS_TRY(r, c.field.rate(in));
    c.out.data()["rating_id"] = *r;
    c.out.line("已记录群众评议:" + domain::chinese_name(in.level) + " / rating recorded");
    return c.out.finish(Exit::ok);
}

int cmd_recovery(Context& c) {
    boost::json::array list;
    for (const auto& r : c.field.recoveries()) {
        list.push_back({{"payment_id", r.payment_id},
                        {"amount_fen", r.amount_fen},
                        {"state", r.state},
                        {"reason", r.reason},
                        {"resident", r.resident_name}});
        c.out.line(r.resident_name + "  " + domain::format_yuan(r.amount_fen) + "  " + r.state +
                   "  作废 void " + r.payment_id + ": " + r.reason);
    }
    c.out.data()["recoveries"] = std::move(list);
    return c.out.finish(Exit::ok);
}

int cmd_session(Context& c) {
    const std::string session = c.session();
    boost::json::array list;
    for (const auto& p : c.field.session_payments(session)) {
        const bool pending = sync::row_pending(c.node.db(), "payment", p.payment_id);
        list.push_back({{"payment_id", p.payment_id},
                        {"kind", p.kind},
                        {"beneficiary", p.beneficiary_name},
                        {"program", p.program},
                        {"yuan", domain::format_yuan(p.amount_fen)},
                        {"reversed", p.reversed},
                        {"status", pending ? "pending" : "accepted"}});
        c.out.line(domain::format_local(p.paid_at_ms) + "  " + p.beneficiary_name + "  " +
                   p.program + "  " + domain::format_yuan(p.amount_fen) + " 元  " +
                   (p.kind == "reversal" ? "冲正 reversal  " : "") +
                   (pending ? "待上传 pending" : "已接收 accepted"));
    }
    c.out.data()["payments"] = std::move(list);
    c.out.data()["unverifiable"] =
        boost::json::value_from(domain::unverifiable_payments(c.node.db(), session));
    return c.out.finish(Exit::ok);
}

// --grace-minutes: how late or early still counts as on time (default 15).
domain::EpochMs grace(const Context& c) {
    return c.args.get("grace-minutes") ? number(c.args, "grace-minutes", 15) * 60000LL
                                       : domain::kDefaultGraceMs;
}

int cmd_shift(Context& c, const std::string& sub) {
    if (sub == "check") {
        if (auto st = c.field.require_laptop("记录考勤"); !st)
            return c.out.failure(st.failure());
        const std::string staff = c.staff("staff");
        GS_TRY(key, c.unlock(staff, "工作人员 staff"));
        std::optional<domain::EpochMs> skew, bound;
        if (c.args.get("skew-minutes"))
            skew = number(c.args, "skew-minutes", 0) * 60000LL;
        if (c.args.get("skew-bound-minutes"))
            bound = number(c.args, "skew-bound-minutes", 5) * 60000LL;
        const std::string kind = c.args.need("kind");
        GS_TRY(r, c.field.check({staff, &*key}, kind, skew, bound));
        c.out.data()["check_id"] = r->check_id;
        c.out.data()["flags"] = boost::json::value_from(r->flags);
        std::string flags;
        for (const auto& f : r->flags)
            flags += " [" + f + "]";
        c.out.line((kind == "in" ? "签到 checked in " : "签退 checked out ") +
                   domain::format_local(c.clock.now_ms()) + flags);
        return c.out.finish(Exit::ok);
    }
    if (sub == "report") {
        const Coverage cov = c.field.coverage(c.args.need("date"), grace(c));
        boost::json::array shifts, gaps, doubles;
        for (const auto& a : cov.shifts) {
            shifts.push_back({{"staff", a.staff_name},
                              {"kind", a.kind},
                              {"absent", a.absent},
                              {"late_minutes", a.late_ms / 60000},
                              {"left_early_minutes", a.left_early_ms / 60000}});
            c.out.line(a.staff_name + "  " + a.kind + "  " +
                       domain::format_local(a.starts_at_ms).substr(11) + "-" +
                       domain::format_local(a.ends_at_ms).substr(11) + "  " +
                       (a.absent ? "缺勤 absent"
                                 : "迟到 late " + std::to_string(a.late_ms / 60000) +
                                       " 分 min, 早退 left early " +
                                       std::to_string(a.left_early_ms / 60000) + " 分 min"));
        }
        for (const auto& g : cov.gaps) {
            gaps.push_back(
                {{"from", domain::format_local(g.from_ms)}, {"to", domain::format_local(g.to_ms)}});
            c.out.line("空岗 uncovered: " + domain::format_local(g.from_ms) + " - " +
                       domain::format_local(g.to_ms).substr(11));
        }
        for (const auto& d : cov.double_presence) {
            doubles.push_back({{"staff", d.staff_name},
                               {"from", domain::format_local(d.overlap.from_ms)},
                               {"to", domain::format_local(d.overlap.to_ms)}});
            c.out.line("一人两地 at two places: " + d.staff_name + " " +
                       domain::format_local(d.overlap.from_ms));
        }
        auto& o = c.out.data();
        o["shifts"] = std::move(shifts);
        o["coverage_gaps"] = std::move(gaps);
        o["double_presence"] = std::move(doubles);
        return c.out.finish(Exit::ok);
    }
    if (sub == "month") {
        boost::json::array list;
        for (const auto& m : c.field.month(c.args.need("month"), grace(c))) {
            list.push_back({{"staff", m.staff_name},
                            {"shifts", m.shifts},
                            {"attended", m.attended},
                            {"absent", m.absent},
                            {"late", m.late},
                            {"left_early", m.left_early},
                            {"worked_hours", static_cast<double>(m.worked_ms) / 3.6e6}});
            c.out.line(m.staff_name + "  班次 shifts " + std::to_string(m.shifts) +
                       "  出勤 attended " + std::to_string(m.attended) + "  迟到 late " +
                       std::to_string(m.late) + "  早退 left early " +
                       std::to_string(m.left_early));
        }
        c.out.data()["staff"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    throw UsageError{"未知的 shift 子命令 / unknown shift command: " + sub};
}

int cmd_init(Args& args, Output& out, SecretReader& secrets) {
    const fs::path dir = args.need("data");
    InitOptions o;
    o.device_name = args.need("device-name");
    // Without --community the node waits for enrollment, which brings its
    // role and scope from central.
    if (args.get("community")) {
        auto role = parse_role(args.need("role"));
        if (!role)
            throw UsageError{
                "--role 应为 community_laptop 或 grid_device / --role must be community_laptop or "
                "grid_device"};
        o.role = *role;
        o.community_code = args.need("community");
        if (o.role == DeviceRole::grid_device)
            o.grid = args.need("grid");
    }
    o.demo_seed = args.has("demo-seed");
    if (o.demo_seed)
        o.demo_pin = args.need("demo-pin");
    o.simulation = args.has("simulation");
    if (args.has("fast-kdf"))
        o.kdf = crypto::KdfParams::minimum();
    const auto passphrase = read_passphrase(args, secrets, "设备口令 / device passphrase");
    if (auto st = EdgeNode::init(dir, o, passphrase); !st)
        return out.failure(st.failure());
    domain::SystemClock clock;
    auto node = EdgeNode::open(dir, passphrase, clock);
    if (!node)
        return out.failure(node.failure());
    const auto fp = crypto::fingerprint((*node)->device_key().public_key());
    out.data()["device_id"] = (*node)->config().device_id;
    out.data()["fingerprint"] = fp;
    out.data()["date"] = domain::local_date(clock.now_ms());
    out.line("节点已建立 node created: " + (*node)->config().device_id);
    out.line("设备指纹 device fingerprint: " + fp + "(登记时请核对 / compare it at enrollment)");
    if (o.demo_seed)
        out.line("演示数据 demo data: " + (dir / "demo").string() + "(虚构人员 fictional people)");
    return out.finish(Exit::ok);
}

// The options each command takes (beside --data, --json, --passphrase-file,
// --at): anything else is refused before the command runs.
void check_options(const Args& args, const std::string& cmd) {
    static const std::map<std::string, std::set<std::string>> options = {
        {"init",
         {"device-name", "role", "community", "grid", "demo-seed", "demo-pin", "simulation",
          "fast-kdf"}},
        {"enroll", {"central", "code", "fast-kdf"}},
        {"sync", {}},
        {"serve", {"listen", "interval-seconds", "port-file", "no-app", "no-sync", "rounds"}},
        {"status", {}},
        {"log", {"clear", "reason", "compare"}},
        {"verify", {}},
        {"staff", {"role", "staff"}},
        {"cert",
         {"state", "code", "codes", "from", "to", "leader", "signature-file", "photo-file", "lat",
          "lon", "to-proxy", "proxy-name", "relation", "reason", "retry-days", "script"}},
        {"day",
         {"day", "staff-a", "staff-b", "cash", "notes", "session", "returned", "unpaid-reason",
          "explanation"}},
        {"pay",
         {"session", "entitlement", "amount", "payer", "verifier", "ack-name", "ack-file", "proxy",
          "override", "batch"}},
        {"reverse", {"payment", "reason", "payer", "verifier"}},
        {"session", {"session"}},
        {"shift",
         {"staff", "kind", "skew-minutes", "skew-bound-minutes", "date", "grace-minutes", "month"}},
        {"resident", {"resident", "name", "phone"}},
        {"rate", {"delivery", "payment", "level", "comment"}},
        {"recovery", {}},
        {"report", {"month", "out", "format", "service-point", "community", "grid", "as-of"}},
    };
    auto it = options.find(cmd);
    if (it == options.end())
        throw UsageError{"未知命令 / unknown command: " + cmd + "(--help 查看用法 / see --help)"};
    std::set<std::string> allowed = {"data", "json", "help", "passphrase-file", "at"};
    allowed.insert(it->second.begin(), it->second.end());
    args.only(allowed);
}

}  // namespace

int run(int argc, char** argv) {
    return run_program(
        argc, argv, kHelp,
        [](Args& args, Output& out, SecretReader& secrets, const std::string& cmd) {
            check_options(args, cmd);
            const std::string sub = args.positional.size() > 1 ? args.positional[1] : "";
            if (cmd == "init")
                return cmd_init(args, out, secrets);
            const fs::path dir = args.need("data");
            const auto passphrase = read_passphrase(args, secrets, "设备口令 / device passphrase");
            NodeClock clock;
            auto node = EdgeNode::open(dir, passphrase, clock);
            if (!node)
                return out.failure(node.failure());
            if (auto at = args.get("at")) {
                if (!(*node)->config().simulation) {
                    throw UsageError{"--at 只能用于模拟节点 / --at is for simulation nodes only"};
                }
                auto t = domain::parse_local_time(*at);
                if (!t)
                    throw UsageError{
                        "--at 格式应为 \"YYYY-MM-DD HH:MM\" / --at must be \"YYYY-MM-DD HH:MM\""};
                clock.fix(*t);
            }
            FieldService field(**node, clock);
            Context c{args, out, secrets, **node, clock, field};
            if (cmd == "status")
                return cmd_status(c);
            if (cmd == "log")
                return cmd_log(c);
            if (cmd == "enroll")
                return cmd_enroll(c, passphrase);
            if (cmd == "sync")
                return cmd_sync(c);
            if (cmd == "serve")
                return cmd_serve(c, dir, passphrase);
            if (cmd == "verify")
                return cmd_verify(c);
            if (cmd == "staff")
                return cmd_staff(c, sub);
            if (cmd == "cert")
                return cmd_cert(c, sub);
            if (cmd == "pay")
                return cmd_pay(c);
            if (cmd == "reverse")
                return cmd_reverse(c);
            if (cmd == "day")
                return cmd_day(c, sub);
            if (cmd == "session")
                return cmd_session(c);
            if (cmd == "shift")
                return cmd_shift(c, sub);
            if (cmd == "resident")
                return cmd_resident(c, sub);
            if (cmd == "rate")
                return cmd_rate(c);
            if (cmd == "recovery")
                return cmd_recovery(c);
            if (cmd == "report") {
                // This device's part of the subdistrict is all it holds.
                const auto& cfg = (*node)->config();
                return report_command((*node)->db(), args, out, {cfg.community_id, cfg.grid_id});
            }
            throw UsageError{"未知命令 / unknown command: " + cmd +
                             "(--help 查看用法 / see --help)"};
        });
}

}  // namespace gridsync::edge::cli
