// gridsync-edge: every field workflow on the command line.
#include "cli.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "gridsync/cli/support.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/residents.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/edge/node.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/errors.hpp"

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
  serve [--interval-seconds 30]   网络可用时持续同步,失败后指数退避;整体范围校验每小时一次
                                  keep syncing, backing off on failure; the whole-scope check hourly
  status                          待上传记录、链校验、设备指纹 / pending entries, chain, fingerprint
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
  day open --day DAY --staff-a A --staff-b B --cash YUAN [--notes "10000x50"]
           (标准输入 stdin: A 的 PIN, B 的 PIN;两人签字领取现金 both sign for the cash)
  pay --session S --entitlement E --amount YUAN --payer P --verifier V --ack-name NAME --ack-file F
      [--proxy REGISTRATION] [--override REASON]
      (标准输入 stdin: 经办人 PIN, 复核人 PIN, 领取人身份证号码 recipient's ID number)
  pay --batch FILE --session S --payer P --verifier V --ack-file F
      (FILE 每行 each line: ENTITLEMENT,AMOUNT_YUAN,ID_NUMBER,ACK_NAME; 标准输入 stdin: 两个 PIN)
  reverse --payment ID --reason TEXT --payer P --verifier V
  session show --session S        本场次发放记录(含待上传状态)/ payments, with pending status
  day close --session S --returned YUAN [--notes N] [--unpaid-reason absent] [--explanation TEXT]
            --staff-a A --staff-b B

居民信息 / Residents
  resident edit --resident ID [--name NAME] [--phone PHONE]
                                  更正姓名或电话;两台设备改了不同字段会合并 / correct a name or phone;
                                  edits of different fields on two devices merge
  recovery list                   中心作废的重复发放及应追回金额 / payments central voided, amounts to recover

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

std::optional<domain::EpochMs> parse_local(const std::string& text) {
    if (text.size() != 16 || text[10] != ' ' || text[13] != ':')
        return std::nullopt;
    const domain::EpochMs midnight = domain::local_midnight_utc(text.substr(0, 10));
    const int hh = std::atoi(text.substr(11, 2).c_str());
    const int mm = std::atoi(text.substr(14, 2).c_str());
    if (midnight < 0 || hh > 23 || mm > 59)
        return std::nullopt;
    return midnight + (hh * 60LL + mm) * 60000;
}

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

std::string clear(const crypto::SecureBuffer& b) {
    return std::string(as_chars(b.view()));
}

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');)
        f.push_back(x);
    return f;
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

    Result<crypto::SigningKey> unlock(const std::string& staff_id, const std::string& who) {
        auto pin = secrets.read(who + " PIN");
        return node.unlock_staff(staff_id, pin);
    }
    template <class T, class F>
    Result<sync::Recorded<T>> record(F&& write) {
        return node.outbox().record_as<T>(std::forward<F>(write));
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
        const Status st = one(split_csv(line));
        if (st) {
            ++r.done;
            continue;
        }
        ++r.refused;
        problems.push_back({{"line", n},
                            {"code", std::string(st.code().category().name()) + ":" +
                                         std::to_string(st.code().value())},
                            {"message", st.failure().message}});
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

int cmd_status(Context& c) {
    const auto s = c.node.outbox().status();
    const auto chain = sync::verify_chain(c.node.db(), c.node.config().device_id,
                                          c.node.device_key().public_key());
    auto& d = c.out.data();
    d["device_id"] = c.node.config().device_id;
    d["device_name"] = c.node.config().device_name;
    d["role"] = to_string(c.node.config().role);
    d["fingerprint"] = crypto::fingerprint(c.node.device_key().public_key());
    d["entries"] = s.entries;
    d["pending"] = s.pending;
    d["chain_ok"] = chain.ok;
    if (auto pin = c.node.central_pin()) {
        d["central"] = c.node.central_address();
        d["central_fingerprint"] = crypto::fingerprint(pin->signing_key);
        c.out.line("中心 central: " + c.node.central_address() + "(指纹 fingerprint " +
                   crypto::fingerprint(pin->signing_key) + ")");
    } else {
        c.out.line("中心 central: 尚未登记 not enrolled");
    }
    // This device's clock minus central's, as the last pull measured it.
    if (auto off = c.node.db().query_value<std::int64_t>(
            "SELECT value FROM node_state WHERE key = 'central_offset_ms'")) {
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
    if (auto last = c.node.db().query_value<std::string>(
            "SELECT value FROM node_state WHERE key = 'last_sync_ms'")) {
        d["last_sync"] = domain::format_local(std::stoll(*last));
        c.out.line("上次同步 last sync: " + domain::format_local(std::stoll(*last)));
    }
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
    if (r.repaired) {
        c.out.line(
            "本机数据与中心不一致,已按范围重新下载(未上传的记录均保留)/ this device had drifted "
            "from central: its scope was downloaded again, unpushed records kept");
    }
    boost::json::array rejections;
    for (const auto& a : r.rejections) {
        rejections.push_back({{"seq", a.seq}, {"code", a.code}, {"message", a.message}});
        c.out.line("被中心拒绝 refused by central: #" + std::to_string(a.seq) + " [" + a.code +
                   "] " + a.message);
    }
    d["rejections"] = std::move(rejections);
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
    // Progress on stderr, and only for a person at a terminal: --json stays one line.
    const bool person = ::isatty(STDERR_FILENO) != 0;
    GS_TRY(r, c.node.sync_round(http, c.clock, [person](const sync::PullProgress& p) {
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

std::atomic<bool> g_stop{false};

// Keeps syncing whenever central is reachable: after a success, waits the
// interval; after a failure, backs off exponentially (1 s, 2 s, ... 5 min)
// with jitter, so a fleet coming back online does not arrive all at once.
// Local writes never wait for it: they go to SQLite (WAL) from other
// processes, and the next round takes them.
int cmd_serve(Context& c) {
    ::signal(SIGTERM, [](int) { g_stop = true; });
    ::signal(SIGINT, [](int) { g_stop = true; });
    const auto interval =
        std::chrono::seconds(std::stoi(c.args.get("interval-seconds").value_or("30")));
    const int max_rounds = std::stoi(c.args.get("rounds").value_or("0"));  // 0: until stopped
    HttpTransport http(c.node.central_address(), std::chrono::seconds(30));
    std::mt19937 jitter(std::random_device{}());
    auto backoff = std::chrono::milliseconds(1000);
    for (int round = 1; !g_stop && (max_rounds == 0 || round <= max_rounds); ++round) {
        // Every round pushes and pulls; the whole-scope check, which costs
        // central a read of the community, runs hourly (and after a snapshot).
        sync::SyncOptions options;
        options.verify_scope_every_ms = 3600000;
        auto r = c.node.sync_round(http, c.clock, {}, options);
        std::chrono::milliseconds wait = interval;
        if (r) {
            std::cerr << domain::format_local(c.clock.now_ms()) << " 同步完成 synced: accepted "
                      << r->accepted << ", pulled " << r->pulled << ", refused " << r->rejected
                      << std::endl;
            if (r->outbox_broken) {
                std::cerr << "本机待上传记录损坏 outbox damaged: " << r->outbox_broken->reason
                          << "; " << kBrokenOutboxAdvice << std::endl;
            }
            backoff = std::chrono::milliseconds(1000);
        } else {
            std::cerr << domain::format_local(c.clock.now_ms())
                      << " 同步失败,稍后重试 sync failed, retrying: " << r.failure().message
                      << std::endl;
            wait = backoff + std::chrono::milliseconds(jitter() % (backoff.count() / 2 + 1));
            backoff = std::min(backoff * 2, std::chrono::milliseconds(300000));
        }
        for (auto waited = std::chrono::milliseconds(0); waited < wait && !g_stop;
             waited += std::chrono::milliseconds(100)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
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
        auto st = c.node.db().prepare(
            "SELECT id, name, role, coalesce(community_id, ''), EXISTS (SELECT 1 FROM staff_key k "
            "WHERE k.staff_id = staff.id AND k.device_id = ?3 AND k.revoked_at_ms IS NULL) FROM "
            "staff WHERE (?1 IS NULL OR role = ?1) AND (community_id IS NULL OR community_id = ?2) "
            "ORDER BY role, name");
        st.bind_all(c.args.get("role"), c.node.config().community_id, c.node.config().device_id);
        boost::json::array list;
        while (st.step()) {
            list.push_back({{"id", st.column<std::string>(0)},
                            {"name", st.column<std::string>(1)},
                            {"role", st.column<std::string>(2)},
                            {"has_key", st.column<bool>(4)}});
            c.out.line(st.column<std::string>(0) + "  " + st.column<std::string>(2) + "  " +
                       st.column<std::string>(1));
        }
        c.out.data()["staff"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    if (sub == "enroll-key") {
        const std::string staff = c.args.need("staff");
        // The code the admin gave this person, then their new PIN, twice.
        const auto code = c.secrets.read_sensitive("登记码 / enrolment code");
        auto pin = c.secrets.read("新 PIN / new PIN");
        auto again = c.secrets.read("再次输入 PIN / PIN again");
        if (!crypto::constant_time_equal(pin.view(), again.view())) {
            return c.out.failure(
                {crypto::Errc::wrong_pin_or_damaged, "两次输入的 PIN 不一致 / the PINs differ"});
        }
        GS_TRY(fp, c.node.enroll_staff_key(staff, clear(code), pin));
        c.out.data()["fingerprint"] = *fp;
        c.out.line("已生成密钥,指纹 key created, fingerprint: " + *fp);
        return c.out.finish(Exit::ok);
    }
    throw UsageError{"未知的 staff 子命令 / unknown staff command: " + sub};
}

domain::Delivery delivery_input(Context& c, const std::string& cert,
                                const crypto::SecureBuffer& id_number) {
    domain::Delivery d;
    d.certificate_id = cert;
    d.recipient_id_number = clear(id_number);
    d.signature_image = read_blob(c.args.need("signature-file"));
    if (auto p = c.args.get("photo-file"))
        d.photo = read_blob(*p);
    if (c.args.has("to-proxy")) {
        d.to_proxy = true;
        d.proxy_name = c.args.need("proxy-name");
        d.proxy_relation = c.args.need("relation");
    }
    if (auto lat = c.args.get("lat"))
        d.location = domain::Location{std::stod(*lat), std::stod(c.args.need("lon"))};
    return d;
}

int cmd_cert(Context& c, const std::string& sub) {
    auto& db = c.node.db();
    if (sub == "list") {
        auto st = db.prepare(
            R"(SELECT c.print_code, c.state, r.name, coalesce(s.name, '中心 center'), c.due_at_ms
                                FROM certificate c JOIN resident r ON r.id = c.resident_id
                                LEFT JOIN staff s ON s.id = c.custodian_staff_id
                                WHERE ?1 IS NULL OR c.state = ?1 ORDER BY c.print_code)");
        st.bind(1, c.args.get("state"));
        boost::json::array list;
        while (st.step()) {
            list.push_back({{"code", st.column<std::string>(0)},
                            {"state", st.column<std::string>(1)},
                            {"resident", st.column<std::string>(2)},
                            {"holder", st.column<std::string>(3)},
                            {"due", domain::format_local(st.column<std::int64_t>(4))}});
            c.out.line(st.column<std::string>(0) + "  " + st.column<std::string>(1) + "  " +
                       st.column<std::string>(2) + "  " + st.column<std::string>(3) + "  due " +
                       domain::format_local(st.column<std::int64_t>(4)));
        }
        c.out.data()["certificates"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    if (sub == "overdue") {
        boost::json::array list;
        for (const auto& o : domain::overdue_certificates(db, c.clock.now_ms())) {
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
        const std::string leader = c.args.need("leader");
        GS_TRY(key, c.unlock(leader, "网格负责人 grid leader"));
        const Bytes signature = read_blob(c.args.need("signature-file"));
        int delivered = 0, failed = 0;
        const auto batch =
            run_batch(c, c.args.need("script"), [&](const std::vector<std::string>& f) -> Status {
                if (f.size() < 3)
                    return fail(domain::Errc::bad_input,
                                "line must be CODE,delivered,ID or CODE,failed,REASON,DAYS");
                auto cert = domain::certificate_by_print_code(db, f[0]);
                if (!cert)
                    return cert.failure();
                if (f[1] == "delivered") {
                    domain::Delivery d;
                    d.certificate_id = *cert;
                    d.recipient_id_number = f[2];
                    d.signature_image = signature;
                    auto r = c.record<std::string>([&](const Stamp& s) {
                        return domain::deliver(db, s, {leader, &*key}, d, c.node.id_key());
                    });
                    delivered += r ? 1 : 0;
                    return status_of(r);
                }
                auto reason = domain::parse_failure_reason(f[2]);
                if (f[1] != "failed" || f.size() < 4 || !reason) {
                    return fail(domain::Errc::bad_input,
                                "line must be CODE,delivered,ID or CODE,failed,REASON,DAYS");
                }
                const domain::FailedAttempt fa{*cert, *reason,
                                               c.clock.now_ms() + std::stoll(f[3]) * domain::kDayMs,
                                               std::nullopt};
                auto r = c.record<std::string>([&](const Stamp& s) {
                    return domain::record_failed_attempt(db, s, {leader, &*key}, fa);
                });
                failed += r ? 1 : 0;
                return status_of(r);
            });
        const int refused = batch.refused;
        auto& d = c.out.data();
        d["delivered"] = delivered;
        d["failed_attempts"] = failed;
        c.out.line("送达 delivered " + std::to_string(delivered) + ",未送达 failed attempts " +
                   std::to_string(failed) + ",被拒绝 refused " + std::to_string(refused));
        return c.out.finish(refused == 0 ? Exit::ok : Exit::refused);
    }
    if (sub == "handover" && c.args.get("codes")) {
        // A morning's hand-over: every code scanned from the pile actually
        // handed across, both PINs once, one signed transfer per certificate.
        const std::string from = c.args.need("from"), to = c.args.need("to");
        GS_TRY(kf, c.unlock(from, "中心工作人员 center staff"));
        GS_TRY(kt, c.unlock(to, "网格负责人 grid leader"));
        const auto r =
            run_batch(c, c.args.need("codes"), [&](const std::vector<std::string>& f) -> Status {
                auto cert = domain::certificate_by_print_code(db, f.at(0));
                if (!cert)
                    return cert.failure();
                return status_of(c.record<std::string>([&](const Stamp& s) {
                    return domain::hand_over(db, s, *cert, {from, &*kf}, {to, &*kt});
                }));
            });
        const int done = r.done, refused = r.refused;
        c.out.data()["handed_over"] = done;
        c.out.line("已交接 handed over " + std::to_string(done) + ",被拒绝 refused " +
                   std::to_string(refused));
        return c.out.finish(refused == 0 ? Exit::ok : Exit::refused);
    }
    const std::string cert = [&] {
        auto id = domain::certificate_by_print_code(db, c.args.need("code"));
        if (!id)
            throw UsageError{id.failure().message};
        return *id;
    }();
    // Hand-over and return: two people, two PINs, both sign the transfer.
    auto transfer = [&](const std::string& from, const char* from_label, const std::string& to,
                        const char* to_label, auto op, const char* done) {
        GS_TRY(kf, c.unlock(from, from_label));
        GS_TRY(kt, c.unlock(to, to_label));
        GS_TRY(r, c.record<std::string>([&](const Stamp& s) {
            return op(db, s, cert, domain::Signer{from, &*kf}, domain::Signer{to, &*kt});
        }));
        c.out.data()["transfer_id"] = r->value;
        c.out.line(done);
        return c.out.finish(Exit::ok);
    };
    if (sub == "handover") {
        return transfer(c.args.need("from"), "中心工作人员 center staff", c.args.need("to"),
                        "网格负责人 grid leader", domain::hand_over,
                        "已交接,双方已签名 / handed over, signed by both");
    }
    if (sub == "return") {
        return transfer(c.args.need("leader"), "网格负责人 grid leader", c.args.need("to"),
                        "中心工作人员 center staff", domain::return_to_center,
                        "已退回中心,双方已签名 / returned to the center, signed by both");
    }
    if (sub == "deliver") {
        const std::string leader = c.args.need("leader");
        GS_TRY(key, c.unlock(leader, "网格负责人 grid leader"));
        auto id_number = c.secrets.read_sensitive("领取人身份证号码 / recipient's ID number");
        const domain::Delivery d = delivery_input(c, cert, id_number);
        GS_TRY(r, c.record<std::string>([&](const Stamp& s) {
            return domain::deliver(db, s, {leader, &*key}, d, c.node.id_key());
        }));
        c.out.data()["attempt_id"] = r->value;
        c.out.line("已送达,记录已签名 / delivered and signed");
        return c.out.finish(Exit::ok);
    }
    if (sub == "fail") {
        const std::string leader = c.args.need("leader");
        auto reason = domain::parse_failure_reason(c.args.need("reason"));
        if (!reason)
            throw UsageError{"原因应为 not_home|refused|moved|no_id|other / unknown reason"};
        GS_TRY(key, c.unlock(leader, "网格负责人 grid leader"));
        const domain::FailedAttempt fa{
            cert, *reason,
            c.clock.now_ms() + std::stoll(c.args.need("retry-days")) * domain::kDayMs,
            std::nullopt};
        GS_TRY(r, c.record<std::string>([&](const Stamp& s) {
            return domain::record_failed_attempt(db, s, {leader, &*key}, fa);
        }));
        c.out.data()["attempt_id"] = r->value;
        c.out.line("已记录未送达及计划重送时间 / failed attempt recorded with its planned retry");
        return c.out.finish(Exit::ok);
    }
    throw UsageError{"未知的 cert 子命令 / unknown cert command: " + sub};
}

int cmd_pay(Context& c) {
    if (auto st = c.node.require_role(DeviceRole::community_laptop, "记录发放"); !st)
        return c.out.failure(st.failure());
    const std::string payer = c.args.need("payer"), verifier = c.args.need("verifier"),
                      session = c.args.need("session");
    GS_TRY(kp, c.unlock(payer, "经办人 payer"));
    GS_TRY(kv, c.unlock(verifier, "复核人 verifier"));
    const Bytes ack = read_blob(c.args.need("ack-file"));
    if (auto batch = c.args.get("batch")) {
        const auto r = run_batch(c, *batch, [&](const std::vector<std::string>& f) -> Status {
            if (f.size() < 4 || !domain::parse_yuan(f[1])) {
                return fail(domain::Errc::bad_input,
                            "line must be ENTITLEMENT,AMOUNT_YUAN,ID_NUMBER,ACK_NAME");
            }
            domain::PaymentInput in;
            in.entitlement_id = f[0];
            in.session_id = session;
            in.amount_fen = *domain::parse_yuan(f[1]);
            in.recipient_id_number = f[2];
            in.ack_name = f[3];
            in.ack_image = ack;
            return status_of(c.record<std::string>([&](const Stamp& s) {
                return domain::record_payment(c.node.db(), s, in, {payer, &*kp}, {verifier, &*kv},
                                              c.node.id_key());
            }));
        });
        const int paid = r.done, refused = r.refused;
        c.out.data()["paid"] = paid;
        c.out.line("已发放 paid " + std::to_string(paid) + " 笔,被拒绝 refused " +
                   std::to_string(refused) + " 笔");
        return c.out.finish(refused == 0 ? Exit::ok : Exit::refused);
    }
    domain::PaymentInput in;
    in.entitlement_id = c.args.need("entitlement");
    in.session_id = session;
    in.amount_fen = yuan(c.args.need("amount"));
    in.ack_name = c.args.need("ack-name");
    in.ack_image = ack;
    in.proxy_registration_id = c.args.get("proxy");
    in.override_reason = c.args.get("override").value_or("");
    in.recipient_id_number =
        clear(c.secrets.read_sensitive("领取人身份证号码 / recipient's ID number"));
    GS_TRY(r, c.record<std::string>([&](const Stamp& s) {
        return domain::record_payment(c.node.db(), s, in, {payer, &*kp}, {verifier, &*kv},
                                      c.node.id_key());
    }));
    c.out.data()["payment_id"] = r->value;
    c.out.line("已发放 " + domain::format_yuan(in.amount_fen) +
               " 元,经办人和复核人已签名,待上传 / paid, signed by both, pending upload");
    return c.out.finish(Exit::ok);
}

int cmd_day(Context& c, const std::string& sub) {
    auto& db = c.node.db();
    if (sub == "list") {
        auto st =
            db.prepare(R"(SELECT d.id, d.local_date, count(e.id), coalesce(sum(e.amount_fen), 0),
                                       (SELECT group_concat(s.id || ':' || s.state) FROM disbursement_session s WHERE s.disbursement_day_id = d.id)
                                FROM disbursement_day d LEFT JOIN entitlement e ON e.disbursement_day_id = d.id
                                WHERE d.community_id = ?1 GROUP BY d.id ORDER BY d.local_date)");
        st.bind(1, c.node.config().community_id);
        boost::json::array list;
        while (st.step()) {
            list.push_back({{"day_id", st.column<std::string>(0)},
                            {"date", st.column<std::string>(1)},
                            {"entitlements", st.column<std::int64_t>(2)},
                            {"total_yuan", domain::format_yuan(st.column<std::int64_t>(3))},
                            {"sessions", st.column<std::optional<std::string>>(4).value_or("")}});
            c.out.line(st.column<std::string>(1) + "  " + st.column<std::string>(0) + "  应发 " +
                       std::to_string(st.column<std::int64_t>(2)) + " 笔 " +
                       domain::format_yuan(st.column<std::int64_t>(3)) + " 元");
        }
        c.out.data()["days"] = std::move(list);
        return c.out.finish(Exit::ok);
    }
    if (auto st = c.node.require_role(DeviceRole::community_laptop, "管理发放场次"); !st)
        return c.out.failure(st.failure());
    if (sub == "open") {
        domain::OpenSession in{c.args.need("day"), c.args.need("staff-a"), c.args.need("staff-b"),
                               yuan(c.args.need("cash")), c.args.get("notes").value_or("")};
        // Both take the cash out: both sign the opening with their PINs.
        GS_TRY(ka, c.unlock(in.staff_a_id, "工作人员 A staff"));
        GS_TRY(kb, c.unlock(in.staff_b_id, "工作人员 B staff"));
        GS_TRY(r, c.record<std::string>([&](const Stamp& s) {
            return domain::open_session(db, s, in, {in.staff_a_id, &*ka}, {in.staff_b_id, &*kb});
        }));
        c.out.data()["session_id"] = r->value;
        c.out.line("发放场次已开启 / session opened: " + r->value);
        return c.out.finish(Exit::ok);
    }
    if (sub == "close") {
        const std::string a = c.args.need("staff-a"), b = c.args.need("staff-b");
        domain::CloseSession in;
        in.session_id = c.args.need("session");
        in.cash_returned_fen = yuan(c.args.need("returned"));
        in.cash_returned_notes = c.args.get("notes").value_or("");
        in.explanation = c.args.get("explanation").value_or("");
        if (auto reason = c.args.get("unpaid-reason")) {
            auto st = db.prepare(
                R"(SELECT id FROM entitlement e WHERE session_id = ?1 AND coalesce((SELECT sum(CASE kind WHEN 'payment'
                                    THEN 1 ELSE -1 END) FROM payment WHERE entitlement_id = e.id), 0) = 0)");
            st.bind(1, in.session_id);
            while (st.step())
                in.unpaid_reasons[st.column<std::string>(0)] = *reason;
        }
        GS_TRY(ka, c.unlock(a, "工作人员 A staff"));
        GS_TRY(kb, c.unlock(b, "工作人员 B staff"));
        GS_TRY(r, c.record<domain::Reconciliation>([&](const Stamp& s) {
            return domain::close_session(db, s, in, {a, &*ka}, {b, &*kb});
        }));
        const auto& rec = r->value;
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
    if (auto st = c.node.require_role(DeviceRole::community_laptop, "记录冲正"); !st)
        return c.out.failure(st.failure());
    const std::string payer = c.args.need("payer"), verifier = c.args.need("verifier");
    GS_TRY(kp, c.unlock(payer, "经办人 payer"));
    GS_TRY(kv, c.unlock(verifier, "复核人 verifier"));
    GS_TRY(r, c.record<std::string>([&](const Stamp& s) {
        return domain::reverse_payment(c.node.db(), s, c.args.need("payment"),
                                       c.args.need("reason"), {payer, &*kp}, {verifier, &*kv});
    }));
    c.out.data()["reversal_id"] = r->value;
    c.out.line("已冲正,双方已签名 / reversed, signed by both");
    return c.out.finish(Exit::ok);
}

int cmd_resident(Context& c, const std::string& sub) {
    if (sub != "edit")
        throw UsageError{"resident edit --resident ID [--name NAME] [--phone PHONE]"};
    const domain::ResidentEdit edit{c.args.get("name"), c.args.get("phone")};
    const std::string resident = c.args.need("resident");
    GS_TRY(r, c.record<int>([&](const Stamp& s) -> Result<int> {
        if (auto st = domain::edit_resident(c.node.db(), s, resident, edit); !st)
            return st.failure();
        return 0;
    }));
    c.out.data()["resident_id"] = resident;
    c.out.line("已更正,同步后送中心 / corrected; goes to central at the next sync");
    return c.out.finish(Exit::ok);
}

int cmd_recovery(Context& c) {
    boost::json::array list;
    auto st = c.node.db().prepare(R"(
        SELECT t.payment_id, t.amount_fen, t.state, v.reason, r.name
        FROM recovery_task t JOIN payment_void v ON v.payment_id = t.payment_id
             JOIN payment p ON p.id = t.payment_id JOIN entitlement e ON e.id = p.entitlement_id
             JOIN resident r ON r.id = e.beneficiary_id ORDER BY t.created_at_ms)");
    while (st.step()) {
        list.push_back({{"payment_id", st.column<std::string>(0)},
                        {"amount_fen", st.column<std::int64_t>(1)},
                        {"state", st.column<std::string>(2)},
                        {"reason", st.column<std::string>(3)},
                        {"resident", st.column<std::string>(4)}});
        c.out.line(st.column<std::string>(4) + "  " +
                   domain::format_yuan(st.column<std::int64_t>(1)) + "  " +
                   st.column<std::string>(2) + "  作废 void " + st.column<std::string>(0) + ": " +
                   st.column<std::string>(3));
    }
    c.out.data()["recoveries"] = std::move(list);
    return c.out.finish(Exit::ok);
}

int cmd_session(Context& c) {
    const std::string session = c.args.need("session");
    boost::json::array list;
    for (const auto& p : domain::session_payments(c.node.db(), session)) {
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
    auto g = c.args.get("grace-minutes");
    return g ? std::stoll(*g) * 60000 : domain::kDefaultGraceMs;
}

int cmd_shift(Context& c, const std::string& sub) {
    auto& db = c.node.db();
    const std::string community = c.node.config().community_id;
    if (sub == "check") {
        if (auto st = c.node.require_role(DeviceRole::community_laptop, "记录考勤"); !st)
            return c.out.failure(st.failure());
        const std::string staff = c.args.need("staff");
        GS_TRY(key, c.unlock(staff, "工作人员 staff"));
        domain::CheckInput in{community, c.args.need("kind"), std::nullopt};
        // The device clock minus central's, as measured at the last sync
        // (node_state central_offset_ms); --skew-minutes states it by hand.
        if (auto m = c.args.get("skew-minutes")) {
            in.clock_skew_ms = std::stoll(*m) * 60000;
        } else if (auto off = db.query_value<std::int64_t>(
                       "SELECT value FROM node_state WHERE key = 'central_offset_ms'")) {
            in.clock_skew_ms = *off;
        }
        if (auto b = c.args.get("skew-bound-minutes"))
            in.skew_bound_ms = std::stoll(*b) * 60000;
        GS_TRY(r, c.record<domain::CheckResult>([&](const Stamp& s) {
            return domain::check_in_out(db, s, {staff, &*key}, in);
        }));
        c.out.data()["check_id"] = r->value.check_id;
        c.out.data()["flags"] = boost::json::value_from(r->value.flags);
        std::string flags;
        for (const auto& f : r->value.flags)
            flags += " [" + f + "]";
        c.out.line((in.kind == "in" ? "签到 checked in " : "签退 checked out ") +
                   domain::format_local(c.clock.now_ms()) + flags);
        return c.out.finish(Exit::ok);
    }
    if (sub == "report") {
        const std::string date = c.args.need("date");
        boost::json::array shifts, gaps, doubles;
        for (const auto& a : domain::attendance(db, community, date, grace(c))) {
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
        for (const auto& g : domain::coverage_gaps(db, community, date, c.clock.now_ms())) {
            gaps.push_back(
                {{"from", domain::format_local(g.from_ms)}, {"to", domain::format_local(g.to_ms)}});
            c.out.line("空岗 uncovered: " + domain::format_local(g.from_ms) + " - " +
                       domain::format_local(g.to_ms).substr(11));
        }
        for (const auto& d : domain::double_presence(db, date, c.clock.now_ms())) {
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
        for (const auto& m : domain::monthly_summary(db, community, c.args.need("month"),
                                                     c.clock.now_ms(), grace(c))) {
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

}  // namespace

int run(int argc, char** argv) {
    return run_program(
        argc, argv, kHelp,
        [](Args& args, Output& out, SecretReader& secrets, const std::string& cmd) {
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
                auto t = parse_local(*at);
                if (!t)
                    throw UsageError{
                        "--at 格式应为 \"YYYY-MM-DD HH:MM\" / --at must be \"YYYY-MM-DD HH:MM\""};
                clock.fix(*t);
            }
            Context c{args, out, secrets, **node, clock};
            if (cmd == "status")
                return cmd_status(c);
            if (cmd == "enroll")
                return cmd_enroll(c, passphrase);
            if (cmd == "sync")
                return cmd_sync(c);
            if (cmd == "serve")
                return cmd_serve(c);
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
            if (cmd == "recovery")
                return cmd_recovery(c);
            throw UsageError{"未知命令 / unknown command: " + cmd +
                             "(--help 查看用法 / see --help)"};
        });
}

}  // namespace gridsync::edge::cli
