// gridsync-central: the subdistrict's node on the command line.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "gridsync/central/day_planner.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/central/imports.hpp"
#include "gridsync/central/log_export.hpp"
#include "gridsync/central/quarantine.hpp"
#include "gridsync/central/router.hpp"
#include "gridsync/central/store.hpp"
#include "gridsync/central/views.hpp"
#include "gridsync/cli/report_command.hpp"
#include "gridsync/cli/support.hpp"
#include "gridsync/crypto/sealed.hpp"
#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/names.hpp"
#include "gridsync/domain/organisation.hpp"
#include "gridsync/domain/reference.hpp"
#include "gridsync/domain/seed.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/domain/staff_keys.hpp"
#include "gridsync/file.hpp"
#include "gridsync/office/table.hpp"
#include "gridsync/store/backup.hpp"
#include "gridsync/web/server.hpp"

namespace gridsync::central {

namespace fs = std::filesystem;
using namespace gridsync::cli;

namespace {

const char* kHelp = R"(gridsync-central — 街道中心节点 / the subdistrict's central node

用法 / Usage:  gridsync-central --data DIR [--json] COMMAND ...

  init [--admin-login admin1] [--admin-name NAME] [--admin-number 工号] [--demo-seed [--demo-households-per-grid 8]] [--fast-kdf]
                                      建立中心:数据库、中心密钥、第一位管理员;可载入虚构的演示数据
                                      create the database, central's keys and the first admin; optionally the fictional demo data
  admin add --login L --staff 工号|ID      添加管理员(由已有管理员签名)/ add an admin (signed by an existing admin)
  token --role community_laptop --community C01 --staff 工号|ID [--ttl-hours 24] [--count 1]
  token --role grid_device --community C01 --grid 1|第1网格|NAME [--staff LEADER]
                                      一次性登记码(令牌 + 中心公钥);网格设备只绑定该网格的负责人
                                      a one-time enrollment code; a grid device is bound to that grid's leader
  grids [--community C01]             网格及其编号、负责人 / grids with their numbers and leaders
  staff code --staff 工号|ID [--ttl-hours 72] [--count 1]
                                      一次性登记码,交给本人在设备上生成自己的密钥(docs/SECURITY.md)
                                      a one-time code for that person to make their own key on a device
  staff keys [--staff 工号|ID]             每人在各设备上的密钥及停用情况 / each person's keys per device
  staff revoke-key --key ID --reason TEXT
                                      停用一把密钥(设备丢失、离职),经同步下发 / revoke a key, sent to devices
  staff household --staff 工号|ID --household ID | --none
                                      登记工作人员所住的户:不能给自家发放 / where the person lives: no one pays their own household
  import KIND --file F.csv|F.xlsx [--encoding auto|utf-8|gb18030] [--program CODE]
                                      导入各科室的表格(全部成功或全部不导入,逐行逐列指出问题;同一文件重复导入不改变任何数据)
                                      import an office's list (all or nothing, problems named by line and column; the same file twice changes nothing)
                                      KIND: organisation 组织架构 | staff 工作人员 | residents 居民 | proxies 代领人 | programmes 救助项目
                                            | catalogue 服务事项目录 | calendar 工作日历 | certificates 办结证件 | roster 排班
                                            | days 发放日 | entitlements 发放名单(待另一名管理员审核 staged for a second admin)
  template KIND|all --out F.xlsx|F.csv
                                      导出空白模板(含填写说明和示例行)/ a blank template with notes and an example row
  approvals [--state waiting|approved|rejected|all]
                                      待审核的发放名单及其合计 / staged lists with their totals
  approve --approval ID               另一名管理员审核名单(编制人不能审核);之前未领的按项目规则结转到该发放日
                                      a second admin approves (never the maker); unpaid amounts carry over by their programme's rule
  reject --approval ID --reason TEXT  退回名单 / turn a list down
  carry-over --community C01 --date YYYY-MM-DD
                                      把之前未领的结转到该发放日 / carry earlier unpaid entitlements over to that day
  demo-day --community C01 [--date YYYY-MM-DD] [--entitlements 200] [--certificates 100]
                                      演示:用虚构数据编制一个发放日(待审核)、排班、待送证件
                                      demo only: a day of fictional data (held for approval), its roster, certificates
  serve --listen 127.0.0.1:8080 [--threads 2] [--workers 2] [--port-file F] [--body-limit-mb 64]
        [--metrics-token-file F] [--max-connections 4096] [--max-connections-per-address 128]
        [--memory-budget-mb 256]
                                      提供同步服务,收到 SIGTERM 后处理完进行中的请求再退出
                                      serve sync; on SIGTERM finish requests in progress, then exit;
                                      GET /metrics (Prometheus) 对本机开放,或凭令牌 / to this machine, or with the token;
                                      意外停止时退出码 7 / exit 7 when serving ends unasked
  devices                             已登记设备 / enrolled devices
  quarantine [--all]                  被永久拒绝、完整保存的记录 / entries refused for good, kept whole
  quarantine release --device D --seq N --reason TEXT
                                      原因修正后重新检查并应用 / check again once the cause is fixed, and apply
  revoke --device ID --reason TEXT    停用设备 / revoke a device
  conflicts [--id ID] [--groups] [--kind K] [--community C01] [--state open|resolved|all]
                                      冲突列表;--id 显示双方;--groups 按同一原因(同一条记录)分组
                                      conflicts; --id shows both sides; --groups by cause (one device entry)
  resolve --conflict ID | --group GROUP --decision keep_central|take_incoming|void_payment [--payment ID] --reason TEXT
                                      管理员处理冲突(签名、审计,经同步下发);void_payment 作废重复发放的一笔并登记追回
                                      settle a conflict (signed, audited, sent down through pull); void_payment voids one
                                      payment of a double payment and records its recovery
  correct-amount --entitlement C01/2026-12-05/dibao:0019 --amount 元 --reason TEXT
                                      更正应发金额(离线按旧金额发放的记录会被标记)/ correct an entitlement's amount
  report reconciliation|delivery|attendance|assessment [--month YYYY-MM]
         [--service-point MSL | --community C01 [--grid 1]] [--out F.xlsx|F.csv|F.json] [--format csv|xlsx|json]
                                      报表:发放对账、限时办结、考勤、月度考核(docs/REPORTS.md);CSV 带 BOM,Excel 可直接打开
                                      reports: reconciliation, delivery, attendance, monthly assessment; CSV with a BOM for Excel
  backup --to FILE                    运行中也可在线备份数据库(一致的快照)/ a consistent copy of the database, even while serving
  restore --from FILE                 停止服务后从备份恢复;原数据库保留在旁边 / restore a backup (central stopped); the old database is kept
  log                                 可验证日志:条目数、最新检查点、见证社区、日志公钥(docs/AUDIT.md)
                                      the verifiable log: leaves, latest checkpoint, witnesses, its key
  export-log --to DIR                 导出日志供审计(gridsync-audit 校验)/ export the log for gridsync-audit
  status                              中心概况 / overview

  --passphrase-file F   中心口令文件(否则从终端或标准输入读取)/ central's passphrase file (else terminal or stdin)
  --admin LOGIN         管理员操作(token、staff、import、approve、reject、carry-over、demo-day、revoke、admin、resolve、correct-amount)均以该管理员的密钥签名
                        admin actions (token, staff, import, approve, reject, carry-over, demo-day, revoke, admin, resolve, correct-amount) are signed with this admin's key
  --admin-password-file F   该管理员的密码文件(否则为标准输入的下一行)/ that admin's password (else the next line of stdin)

退出码 / Exit codes: 0 成功 ok, 1 用法 usage, 2 拒绝 refused, 3 口令错误 wrong passphrase, 4 存储 storage
)";

Result<CentralKeys> load_keys(const fs::path& dir, const crypto::SecureBuffer& pass) {
    auto signing = crypto::unseal_secret_from_file(dir / "central.key", pass);
    if (!signing)
        return signing.failure();
    auto kx = crypto::unseal_secret_from_file(dir / "central-kx.key", pass);
    if (!kx)
        return kx.failure();
    auto id = crypto::unseal_secret_from_file(dir / "id.key", pass);
    if (!id)
        return id.failure();
    // The verifiable log's key (docs/AUDIT.md): made on first use by a
    // central initialised before the log existed, sealed like the others.
    if (!fs::exists(dir / "log.key")) {
        const auto fresh = crypto::SigningKey::generate();
        if (auto st = crypto::seal_secret_to_file(dir / "log.key", fresh.seed().view(), pass,
                                                  crypto::KdfParams::moderate());
            !st)
            return st.failure();
    }
    auto log = crypto::unseal_secret_from_file(dir / "log.key", pass);
    if (!log)
        return log.failure();
    return CentralKeys{crypto::SigningKey::from_seed(signing->view()),
                       crypto::KxKeyPair::from_seed(kx->view()), std::move(*id),
                       crypto::SigningKey::from_seed(log->view())};
}

std::string admin_staff(store::Database& db, int nth) {
    return db
        .query_value<std::string>(
            "SELECT id FROM staff WHERE role = 'admin' ORDER BY id LIMIT 1 OFFSET ?1", nth)
        .value_or("");
}

crypto::SecureBuffer admin_password(Args& args, SecretReader& secrets, const char* option,
                                    const char* env, const std::string& who) {
    return read_secret(args, secrets, option, env, "管理员密码 / admin password (" + who + ")");
}

int cmd_init(Args& args, Output& out, SecretReader& secrets) {
    const fs::path dir = args.need("data");
    if (fs::exists(dir / "central.db"))
        throw UsageError{"该目录已有中心 / " + dir.string() + " already holds central"};
    // Checked before anything is written: a refused init leaves no folder behind.
    const int households_per_grid = static_cast<int>(args.integer(
        "demo-households-per-grid", domain::SeedOptions{}.households_per_grid, 1, 1000));
    fs::create_directories(dir);
    const auto pass = read_passphrase(args, secrets, "中心口令 / central passphrase");
    const auto kdf =
        args.has("fast-kdf") ? crypto::KdfParams::minimum() : crypto::KdfParams::moderate();
    CentralKeys keys{crypto::SigningKey::generate(), crypto::KxKeyPair::generate(),
                     crypto::SecureBuffer::random(32)};
    if (auto st =
            crypto::seal_secret_to_file(dir / "central.key", keys.signing.seed().view(), pass, kdf);
        !st)
        return out.failure(st.failure());
    if (auto st =
            crypto::seal_secret_to_file(dir / "central-kx.key", keys.kx.seed().view(), pass, kdf);
        !st)
        return out.failure(st.failure());
    if (auto st = crypto::seal_secret_to_file(dir / "id.key", keys.id_key.view(), pass, kdf); !st)
        return out.failure(st.failure());
    if (auto st = crypto::seal_secret_to_file(dir / "log.key", keys.log.seed().view(), pass, kdf);
        !st)
        return out.failure(st.failure());
    auto store = CentralStore::open(dir / "central.db");
    domain::SystemClock clock;
    const std::string login = args.get("admin-login").value_or("admin1");
    const auto password =
        admin_password(args, secrets, "admin-password-file", "GRIDSYNC_ADMIN_PASSWORD_FILE", login);
    if (args.has("demo-seed")) {
        domain::SeedOptions seed_options;
        seed_options.households_per_grid = households_per_grid;
        domain::SeedReport seed;
        store.record_central(
            keys.signing, clock.now_ms(), [&](store::Database& db, const domain::Stamp& stamp) {
                seed = domain::seed_subdistrict(db, stamp, seed_options, keys.id_key, {});
            });
        fs::create_directories(dir / "demo");
        std::ofstream residents(dir / "demo" / "residents.csv");
        residents << "resident_id,name,id_number,household_id,grid_id,community_id\n";
        for (const auto& r : seed.residents) {
            residents << r.id << "," << r.name << "," << r.id_number << "," << r.household_id << ","
                      << r.grid_id << "," << r.community_id << "\n";
        }
        std::ofstream staff(dir / "demo" / "staff.csv");
        staff << "staff_id,name,role,community_id,grid_id\n";
        for (const auto& s : seed.staff) {
            staff << s.id << "," << s.name << "," << s.role << "," << s.community_id << ","
                  << s.grid_id << "\n";
        }
    }
    std::string staff = admin_staff(store.db(), 0);
    if (staff.empty()) {
        // A real subdistrict: the first admin as its first staff member, and
        // the center's catalogue to start from (an admin imports the real one).
        store.record_central(
            keys.signing, clock.now_ms(), [&](store::Database& db, const domain::Stamp& stamp) {
                staff = domain::put_staff(db, stamp,
                                          {args.get("admin-number").value_or(login),
                                           args.get("admin-name").value_or(login), "admin",
                                           std::nullopt, std::nullopt, std::nullopt, true})
                            .id;
                for (const auto& t : domain::default_catalogue())
                    domain::put_service_type(db, stamp, t);
            });
    }
    if (auto st = store.add_admin(
            nullptr, login, staff, password.view(), clock.now_ms(),
            args.has("fast-kdf") ? crypto::KdfParams::minimum() : crypto::KdfParams::interactive());
        !st) {
        return out.failure(st.failure());
    }
    store.audit(clock.now_ms(), "central", "central.init", "", "ok",
                args.has("demo-seed") ? "with demo data" : "");
    out.data()["admin_login"] = login;
    out.data()["signing_fingerprint"] = crypto::fingerprint(keys.signing.public_key());
    out.line("中心已建立 central created: " + dir.string());
    out.line("中心指纹 central fingerprint: " + crypto::fingerprint(keys.signing.public_key()));
    return out.finish(Exit::ok);
}

struct Opened {
    CentralStore store;
    CentralKeys keys;
};

// The admin named by --admin, unlocked with their password.
Result<AdminSigner> unlock(Opened& c, Args& args, SecretReader& secrets) {
    const std::string login = args.need("admin");
    const auto password =
        admin_password(args, secrets, "admin-password-file", "GRIDSYNC_ADMIN_PASSWORD_FILE", login);
    domain::SystemClock clock;
    return c.store.unlock_admin(login, password.view(), clock.now_ms());
}

Result<Opened> open(Args& args, SecretReader& secrets) {
    const fs::path dir = args.need("data");
    if (!fs::exists(dir / "central.db")) {
        return fail(Errc::unknown_device, "这里没有中心,请先运行 init / no central in " +
                                              dir.string() + ": run init first");
    }
    const auto pass = read_passphrase(args, secrets, "中心口令 / central passphrase");
    auto keys = load_keys(dir, pass);
    if (!keys)
        return keys.failure();
    return Opened{CentralStore::open(dir / "central.db"), std::move(*keys)};
}

// A person named by staff number (工号) or id.
std::string staff_option(store::Database& db, const Args& args, const char* option = "staff") {
    auto id = domain::find_staff(db, args.need(option));
    if (!id)
        throw UsageError{"--" + std::string(option) + ": " + id.failure().message};
    return *id;
}

std::string community_id(store::Database& db, const std::string& code) {
    auto id = db.query_value<std::string>("SELECT id FROM community WHERE code = ?1", code);
    if (!id)
        throw UsageError{"社区编号不存在 / no community with code " + code};
    return *id;
}

int cmd_token(Opened& c, const AdminSigner& admin, Args& args, Output& out) {
    domain::SystemClock clock;
    const std::string role = args.need("role");
    // A grid device's person is the grid's leader: --staff may be left out.
    auto grant = token_grant(
        c.store.db(), role == "grid_device" ? args.get("staff").value_or("") : args.need("staff"),
        role, args.need("community"), role == "grid_device" ? args.need("grid") : "",
        static_cast<int>(args.integer("ttl-hours", 24, 1, 24 * 30)));
    if (!grant)
        throw UsageError{grant.failure().message};
    const TokenGrant& g = *grant;
    // A batch of devices (a load test, a new round of laptops): one code each.
    const int count = static_cast<int>(args.integer("count", 1, 1, 10000));
    if (count < 1 || count > 10000)
        throw UsageError{"--count 1 到 10000 / --count: 1 to 10000"};
    if (count > 1) {
        boost::json::array codes;
        for (int i = 0; i < count; ++i) {
            codes.push_back(boost::json::string(enrollment_code(
                c.store.create_token(admin, g, clock.now_ms()), c.keys.kx.public_key())));
        }
        out.line("登记码 enrollment codes: " + std::to_string(count));
        out.data()["codes"] = std::move(codes);
        return out.finish(Exit::ok);
    }
    const std::string token = c.store.create_token(admin, g, clock.now_ms());
    const std::string code = enrollment_code(token, c.keys.kx.public_key());
    out.data()["code"] = code;
    out.data()["central_fingerprint"] = crypto::fingerprint(c.keys.signing.public_key());
    out.data()["expires"] = domain::format_local(clock.now_ms() + g.ttl_ms);
    out.line("登记码 enrollment code (一次有效 one use): " + code);
    out.line("中心指纹 central fingerprint: " + crypto::fingerprint(c.keys.signing.public_key()));
    out.line("有效期至 valid until: " + domain::format_local(clock.now_ms() + g.ttl_ms));
    return out.finish(Exit::ok);
}

int cmd_demo_day(Opened& c, const AdminSigner& maker, Args& args, Output& out) {
    domain::SystemClock clock;
    const auto now = clock.now_ms();
    auto& db = c.store.db();
    const std::string community = community_id(db, args.need("community"));
    const std::string date = args.get("date").value_or(domain::local_date(now));
    const int entitlements = static_cast<int>(args.integer("entitlements", 200, 0, 100000));
    const int certificates = static_cast<int>(args.integer("certificates", 100, 0, 100000));
    std::vector<std::string> workers, sp;
    {
        auto st = db.prepare(
            "SELECT id, role FROM staff WHERE (community_id = ?1 AND role = 'community_worker') OR "
            "role = 'service_point_staff' ORDER BY role, id");
        st.bind(1, community);
        while (st.step())
            (st.column<std::string>(1) == "community_worker" ? workers : sp)
                .push_back(st.column<std::string>(0));
    }
    const std::size_t pick =
        static_cast<std::size_t>(args.integer("service-point-offset", 0, 0, 17));
    // The day's list waits for a second admin; devices receive it only once approved.
    std::string day;
    // `day` is named by the write, before the staging records it as the subject.
    const std::string approval = c.store.stage_for_approval(
        maker, day, now, [&](store::Database& w, const domain::Stamp& stamp) {
            day = domain::seed_disbursement_day(w, stamp,
                                                {community,
                                                 date,
                                                 maker.staff_id,
                                                 "",
                                                 {sp.at(pick), sp.at(pick + 1), workers.at(0)},
                                                 entitlements});
        });
    // The 8+4 roster and the certificates ready at the center go out at once.
    int issued = 0;
    c.store.record_central(
        c.keys.signing, now, [&](store::Database& w, const domain::Stamp& stamp) {
            std::vector<domain::RosterEntry> roster;
            for (std::size_t i = 0; i < workers.size(); ++i)
                roster.push_back({workers[i], "normal", workers[(i + 1) % workers.size()]});
            roster.push_back({workers[1 % workers.size()], "early", std::nullopt});
            roster.push_back({workers[2 % workers.size()], "late", std::nullopt});
            roster.push_back({sp.at(pick), "normal", std::nullopt});
            roster.push_back({sp.at(pick + 1), "normal", std::nullopt});
            (void)domain::add_roster(w, stamp, community, date, roster).value();
            // Every grid gets its share: the first resident of each grid, then the second...
            auto res = w.prepare(R"(
                SELECT r.id FROM resident r JOIN household h ON h.id = r.household_id
                    JOIN grid g ON g.id = h.grid_id WHERE g.community_id = ?1
                ORDER BY row_number() OVER (PARTITION BY g.id ORDER BY r.id), g.id)");
            res.bind(1, community);
            while (res.step() && issued < certificates) {
                ++issued;
                const std::string code =
                    "GS-" + args.need("community") + "-" + date + "-" + std::to_string(issued);
                (void)domain::issue_certificate(w, stamp,
                                                {issued % 2 ? "elderly_card" : "residence_permit",
                                                 res.column<std::string>(0), code})
                    .value();
            }
        });
    out.data()["day_id"] = day;
    out.data()["approval_id"] = approval;
    out.data()["certificates"] = issued;
    out.line(
        "发放名单已编制,待另一名管理员审核 list prepared, waiting for a second admin: approve-day "
        "--approval " +
        approval);
    out.line("待送证件 certificates at the center: " + std::to_string(issued));
    return out.finish(Exit::ok);
}

office::Encoding encoding_option(const Args& args) {
    const auto e = office::parse_encoding(args.get("encoding").value_or("auto"));
    if (!e)
        throw UsageError{"--encoding auto | utf-8 | gb18030"};
    return *e;
}

ImportKind kind_argument(const Args& args, const char* usage) {
    const std::string name = args.positional.size() > 1 ? args.positional[1] : "";
    const auto kind = import_kind_from(name);
    if (!kind) {
        std::string kinds;
        for (const auto k : import_kinds())
            kinds += std::string(kinds.empty() ? "" : " | ") + to_string(k);
        throw UsageError{std::string(usage) + " " + kinds};
    }
    return *kind;
}

int cmd_import(Opened& c, const AdminSigner& admin, Args& args, Output& out) {
    const ImportKind kind = kind_argument(args, "import KIND --file F:");
    const std::string file = args.need("file");
    auto bytes = read_file(file, 64u << 20);
    if (!bytes)
        return out.failure(bytes.failure());
    domain::SystemClock clock;
    ImportService imports(c.store, c.store, c.store, c.keys.signing, c.keys.id_key);
    ImportRequest req{kind, *bytes, encoding_option(args), fs::path(file).filename().string(),
                      args.get("program").value_or("")};
    const auto r = imports.run(admin, req, clock.now_ms());
    std::fill(bytes->begin(), bytes->end(), 0);  // the file may hold clear ID numbers
    for (const auto& p : r.problems)
        out.line(describe(p));
    out.data() = import_outcome_json(r);
    if (!r.ok()) {
        out.line("导入未进行,请改正以上 " + std::to_string(r.problems.size()) +
                 " 处问题后重试 / nothing imported: fix the problems above and try again");
        return out.finish(Exit::refused);
    }
    out.line(std::string(title_of(kind)) + "(" + r.format + "):" + std::to_string(r.rows) +
             " 行 rows,新增 created " + std::to_string(r.created) + ",更新 updated " +
             std::to_string(r.updated) + ",未变 unchanged " + std::to_string(r.unchanged));
    if (!r.approval_id.empty()) {
        out.line(
            "名单待另一名管理员审核 / waiting for a second admin: gridsync-central approve "
            "--approval " +
            r.approval_id);
    }
    return out.finish(Exit::ok);
}

// Templates need no central: they are the columns of each kind.
int cmd_template(Args& args, Output& out) {
    std::vector<ImportKind> kinds;
    if (args.positional.size() > 1 && args.positional[1] == "all")
        kinds = import_kinds();
    else
        kinds.push_back(kind_argument(args, "template KIND|all --out F.xlsx|F.csv:"));
    const fs::path to = args.need("out");
    const bool csv = to.extension() == ".csv";
    if (csv && kinds.size() > 1)
        throw UsageError{"一个 CSV 文件只放一种模板;全部模板请用 .xlsx / one kind per CSV file"};
    std::vector<office::Table> tables;
    for (const auto k : kinds)
        tables.push_back(ImportService::template_for(k));
    if (csv) {
        const std::string text = office::to_csv(tables.front());
        if (auto st = write_file_atomic(to, as_bytes(text), 0644); !st)
            return out.failure(st.failure());
    } else if (auto st = office::write_xlsx(to, tables); !st) {
        return out.failure(st.failure());
    }
    out.data()["file"] = to.string();
    out.line("模板已写出 template written: " + to.string());
    return out.finish(Exit::ok);
}

int cmd_approvals(Opened& c, Args& args, Output& out) {
    DayPlanner planner(c.store, c.store, c.store, c.keys.signing);
    boost::json::array list;
    for (const auto& a : planner.approvals(args.get("state").value_or("waiting"))) {
        out.line(a.id + "  " + a.state + "  " + a.prepared_by_name + " " +
                 domain::format_local(a.prepared_at_ms) + "  " + std::to_string(a.entitlements) +
                 " 笔 entitlements  " + domain::format_yuan(a.total_fen) + " 元");
        for (const auto& l : a.lines) {
            out.line("    " + l.community_code + " " + l.local_date + " " + l.program_code + "  " +
                     std::to_string(l.entitlements) + " 笔  " + domain::format_yuan(l.total_fen) +
                     " 元");
        }
        list.push_back(approval_json(a));
    }
    out.data()["approvals"] = std::move(list);
    return out.finish(Exit::ok);
}

int cmd_approve(Opened& c, const AdminSigner& checker, Args& args, Output& out) {
    domain::SystemClock clock;
    DayPlanner planner(c.store, c.store, c.store, c.keys.signing);
    auto r = planner.approve(args.need("approval"), checker, clock.now_ms());
    if (!r)
        return out.failure(r.failure());
    domain::Fen carried = 0;
    for (const auto& m : r->carried)
        carried += m.amount_fen;
    out.data()["days"] = r->day_ids.size();
    out.data()["carried_over"] = r->carried.size();
    out.data()["carried_over_yuan"] = domain::format_yuan(carried);
    out.line(
        "已审核,设备下次同步时收到名单 / approved: devices receive the list at their next sync");
    if (!r->carried.empty()) {
        out.line("上次未领结转到本发放日 / carried over from earlier days: " +
                 std::to_string(r->carried.size()) + " 笔, " + domain::format_yuan(carried) +
                 " 元");
    }
    return out.finish(Exit::ok);
}

int cmd_reject(Opened& c, const AdminSigner& admin, Args& args, Output& out) {
    domain::SystemClock clock;
    DayPlanner planner(c.store, c.store, c.store, c.keys.signing);
    if (auto st = planner.reject(args.need("approval"), admin, args.need("reason"), clock.now_ms());
        !st)
        return out.failure(st.failure());
    out.line("已退回 / turned down");
    return out.finish(Exit::ok);
}

int cmd_carry_over(Opened& c, const AdminSigner& admin, Args& args, Output& out) {
    domain::SystemClock clock;
    DayPlanner planner(c.store, c.store, c.store, c.keys.signing);
    const auto date = domain::parse_local_date(args.need("date"));
    if (!date)
        throw UsageError{"--date YYYY-MM-DD"};
    auto r = planner.carry_over(args.need("community"), *date, admin, clock.now_ms());
    if (!r)
        return out.failure(r.failure());
    domain::Fen fen = 0;
    for (const auto& m : *r)
        fen += m.amount_fen;
    out.data()["carried_over"] = r->size();
    out.data()["carried_over_yuan"] = domain::format_yuan(fen);
    out.line("结转 carried over: " + std::to_string(r->size()) + " 笔, " +
             domain::format_yuan(fen) + " 元");
    return out.finish(Exit::ok);
}

// Held while serving: one server per folder, and no restore under a
// running server. Released by the kernel when the process ends.
class ServeLock {
  public:
    explicit ServeLock(const fs::path& dir)
        : fd_(::open((dir / "serve.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {}
    ~ServeLock() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    ServeLock(const ServeLock&) = delete;
    ServeLock& operator=(const ServeLock&) = delete;
    bool acquired() { return fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0; }

  private:
    int fd_;
};

int cmd_backup(Opened& c, Args& args, Output& out) {
    const fs::path to = args.need("to");
    if (fs::exists(to))
        throw UsageError{"目标文件已存在 / " + to.string() + " exists: choose a new name"};
    domain::SystemClock clock;
    const auto started = clock.now_ms();
    const auto head = c.store.head();
    const auto report = store::backup_to(c.store.db(), to);
    c.store.audit(clock.now_ms(), "central", "central.backup", to.string(), "ok",
                  std::to_string(report.bytes) + " bytes, log head " + std::to_string(head));
    out.data()["file"] = to.string();
    out.data()["bytes"] = report.bytes;
    out.data()["log_head_at_start"] = head;
    out.data()["started"] = domain::format_local(started);
    out.line("已备份 backed up: " + to.string() + "(" + std::to_string(report.bytes / 1024) +
             " KiB,日志位置 log position " + std::to_string(head) + ")");
    out.line(
        "另请保管好本目录的密钥文件 central.key、central-kx.key、id.key、log.key(已用口令加密)/ "
        "keep the "
        "sealed key files of this folder too: they do not change after init");
    return out.finish(Exit::ok);
}

int cmd_restore(Args& args, Output& out, SecretReader& secrets) {
    const fs::path dir = args.need("data");
    const fs::path from = args.need("from");
    ServeLock lock(dir);
    if (!lock.acquired())
        throw UsageError{"中心正在运行,请先停止 serve / central is serving: stop it first"};
    // The passphrase proves the operator, and the key files still open.
    const auto pass = read_passphrase(args, secrets, "中心口令 / central passphrase");
    if (auto keys = load_keys(dir, pass); !keys)
        return out.failure(keys.failure());
    {
        auto candidate = store::Database::open(from);
        const std::string check = store::integrity_check(candidate);
        if (check != "ok") {
            return out.failure(
                fail(Errc::bad_request, "备份文件已损坏 / the backup is damaged: " + check));
        }
        if (!candidate.query_value<int>(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'accepted_entry'")) {
            return out.failure(
                fail(Errc::bad_request, "这不是中心的数据库 / not a central database"));
        }
    }
    domain::SystemClock clock;
    const std::string stamp = domain::format_local(clock.now_ms());
    std::string suffix;
    for (const char ch : stamp)
        suffix += (ch >= '0' && ch <= '9') ? std::string(1, ch) : "";
    const fs::path current = dir / "central.db";
    const fs::path kept = dir / ("central.db.before-restore-" + suffix);
    if (fs::exists(current)) {
        // Nothing is deleted: the database being replaced is kept beside it.
        store::Database::open(current).exec("PRAGMA wal_checkpoint(TRUNCATE)");
        fs::rename(current, kept);
        for (const char* side : {"-wal", "-shm"})
            fs::remove(dir / (std::string("central.db") + side));
    }
    fs::copy_file(from, current);
    auto restored = CentralStore::open(current);
    restored.audit(clock.now_ms(), "central", "central.restore", from.string(), "ok",
                   "previous database kept as " + kept.filename().string());
    // A new epoch: every device sees it on its next contact, pulls again from
    // the restored head and offers again what this copy lacks of its chain.
    out.data()["epoch"] = restored.begin_epoch(clock.now_ms());
    out.data()["restored_from"] = from.string();
    out.data()["previous"] = fs::exists(kept) ? kept.string() : "";
    out.data()["log_head"] = restored.head();
    out.line("已恢复 restored from " + from.string() +
             ";原数据库保存为 the previous database is kept as " + kept.string());
    return out.finish(Exit::ok);
}

int cmd_serve(Opened& c, Args& args, Output& out) {
    ServeLock lock(args.need("data"));
    if (!lock.acquired())
        throw UsageError{"这个目录的中心已在运行 / central is already serving from this folder"};
    const std::string listen = args.need("listen");
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos)
        throw UsageError{"--listen HOST:PORT"};
    web::ServerOptions o;
    o.name = "gridsync-central";
    o.host = listen.substr(0, colon);
    Args listen_port;
    listen_port.options["port"] = listen.substr(colon + 1);
    o.port = static_cast<unsigned short>(listen_port.integer("port", 0, 0, 65535));
    o.threads = static_cast<int>(args.integer("threads", 2, 1, 64));
    o.workers = static_cast<int>(args.integer("workers", 2, 1, 64));
    if (args.get("body-limit-mb"))
        o.body_limit = static_cast<std::size_t>(args.integer("body-limit-mb", 64, 1, 4096)) << 20;
    o.max_connections = static_cast<std::size_t>(args.integer("max-connections", 4096, 1, 1000000));
    o.max_connections_per_address =
        static_cast<std::size_t>(args.integer("max-connections-per-address", 128, 1, 1000000));
    o.memory_budget = static_cast<std::size_t>(args.integer("memory-budget-mb", 256, 1, 65536))
                      << 20;
    domain::SystemClock clock;
    Router router(c.store, c.store.parts(), c.keys, clock);
    if (const auto token_file = args.get("metrics-token-file")) {
        auto token = read_file(*token_file, 4096);
        if (!token)
            return out.failure(token.failure());
        std::string t(as_chars(*token));
        while (!t.empty() && (t.back() == '\n' || t.back() == '\r'))
            t.pop_back();
        if (t.size() < 16)
            throw UsageError{
                "--metrics-token-file: 令牌至少 16 个字符 / the token needs 16 characters or more"};
        router.set_metrics_token(t);
    }
    // SIGTERM/SIGINT: stop accepting, finish what is in progress. Blocked
    // before the server starts its worker threads, which inherit the mask,
    // so only the waiter below ever takes the signal.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    web::HttpServer server([&router](const web::HttpCall& call) { return router.handle(call); }, o,
                           [&router](const web::HttpCall& head) { return router.admit(head); });
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&set, &sig);
        server.stop();
    });
    if (auto f = args.get("port-file")) {
        // For scripts that start central on port 0 and need to know where it is.
        const std::string port = std::to_string(server.port()) + "\n";
        if (auto st = write_file_atomic(*f, as_bytes(port), 0644); !st)
            return out.failure(st.failure());
    }
    std::cerr << "gridsync-central: serving on " << o.host << ":" << server.port() << " ("
              << crypto::fingerprint(c.keys.signing.public_key()) << "), up to "
              << server.max_connections() << " connections" << std::endl;
    bool asked = false;
    std::string why;
    try {
        asked = server.run();
        if (!asked)
            why = "the server loop ended";
    } catch (const std::exception& e) {
        why = e.what();
    }
    pthread_kill(waiter.native_handle(), SIGTERM);  // harmless if it already returned
    waiter.join();
    if (!asked) {
        // Not a stop anyone asked for: say so, and exit non-zero, so a
        // supervisor restarts central instead of taking this for a shutdown.
        c.store.audit(clock.now_ms(), "central", "central.stop", "", "failed", why);
        std::cerr << "gridsync-central: 服务意外停止 / serving ended unexpectedly: " << why
                  << std::endl;
        return Exit::serving_ended;
    }
    c.store.audit(clock.now_ms(), "central", "central.stop", "", "ok", "");
    out.line("已停止 stopped");
    return out.finish(Exit::ok);
}

int cmd_devices(Opened& c, Output& out) {
    auto list = device_list(c.store.db());
    for (const auto& v : list) {
        const auto& d = v.as_object();
        out.line(std::string(d.at("id").as_string()) + "  " +
                 std::string(d.at("name").as_string()) + "  " +
                 std::string(d.at("role").as_string()) + "  " +
                 std::string(d.at("community").as_string()) + "  entries " +
                 std::to_string(d.at("entries").as_int64()) +
                 (d.at("revoked").as_bool() ? "  已停用 revoked" : "") +
                 (d.at("clock_skewed").as_bool()
                      ? "  时钟偏差 clock off by " +
                            std::to_string(d.at("clock_skew_ms").as_int64() / 60000) + " min"
                      : ""));
    }
    out.data()["devices"] = std::move(list);
    return out.finish(Exit::ok);
}

int cmd_grids(Opened& c, Args& args, Output& out) {
    auto& db = c.store.db();
    boost::json::array list;
    auto st = db.prepare(
        "SELECT id, code, name FROM community WHERE ?1 IS NULL OR code = ?1 ORDER BY code");
    st.bind(1, args.get("community"));
    bool any = false;
    while (st.step()) {
        any = true;
        const std::string code = st.column<std::string>(1);
        for (const auto& g : domain::grids_of(db, st.column<std::string>(0))) {
            const auto leader =
                g.leader_staff_id ? db.query_value<std::string>(
                                        "SELECT name FROM staff WHERE id = ?1", *g.leader_staff_id)
                                  : std::nullopt;
            list.push_back({{"community", code},
                            {"number", g.number ? boost::json::value(*g.number) : nullptr},
                            {"name", g.name},
                            {"id", g.id},
                            {"leader_staff_id", g.leader_staff_id.value_or("")},
                            {"leader", leader.value_or("")}});
            out.line(code + "  " + (g.number ? std::to_string(*g.number) : "-") + "  " + g.name +
                     "  " + leader.value_or("(无负责人 no leader)") + "  " +
                     g.leader_staff_id.value_or(""));
        }
    }
    if (!any && args.get("community"))
        throw UsageError{"社区编号不存在 / no community with code " + *args.get("community")};
    out.data()["grids"] = std::move(list);
    return out.finish(Exit::ok);
}

int cmd_conflicts(Opened& c, Args& args, Output& out) {
    auto text = [](const boost::json::value& v) {
        return v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
    };
    domain::SystemClock clock;
    if (auto id = args.get("id")) {
        auto detail = conflict_detail(c.store.db(), *id);
        if (!detail)
            return out.failure({Errc::conflict_not_open, "没有这个冲突 / no conflict " + *id});
        for (const auto& [k, v] : *detail) {
            if (k == "sides")
                continue;
            out.line(std::string(k) + ": " + text(v));
        }
        for (const auto& s : detail->at("sides").as_array()) {
            out.line("— " + text(s.at("label")));
            for (const auto& [col, v] : s.at("fields").as_object())
                out.line("    " + std::string(col) + ": " + text(v));
        }
        out.data() = std::move(*detail);
        return out.finish(Exit::ok);
    }
    ConflictFilter f;
    f.state = args.get("state").value_or("open");
    f.kind = args.get("kind").value_or("");
    f.community = args.get("community").value_or("");
    if (args.has("groups")) {
        auto groups = conflict_groups(c.store.db(), f, clock.now_ms());
        for (const auto& v : groups) {
            const auto& g = v.as_object();
            out.line(text(g.at("group")) + "  " + text(g.at("kind")) + " " + text(g.at("table")) +
                     " × " + text(g.at("count")) + "  " + text(g.at("community")) + " " +
                     text(g.at("device_name")) + "  " +
                     domain::format_local(g.at("detected_at_ms").as_int64()));
        }
        out.data()["groups"] = std::move(groups);
        return out.finish(Exit::ok);
    }
    auto list = conflict_list(c.store.db(), f, clock.now_ms());
    for (const auto& v : list.at("conflicts").as_array()) {
        const auto& x = v.as_object();
        out.line(text(x.at("id")) + "  " + text(x.at("kind")) + "  " + text(x.at("table")) + " " +
                 text(x.at("row")) + "  " + text(x.at("community")) + " " +
                 text(x.at("device_name")) + " #" + text(x.at("seq")) + "  " +
                 domain::format_local(x.at("detected_at_ms").as_int64()));
    }
    out.data() = std::move(list);
    return out.finish(Exit::ok);
}

// The verifiable log (docs/AUDIT.md): its size, the latest checkpoint, the
// witnesses who cosigned it, and the key an auditor pins.
int cmd_log(Opened& c, Output& out) {
    MerkleLog log = c.store.merkle_log();
    const LogSigner signer{kLogOrigin, c.keys.log};
    domain::SystemClock clock;
    const auto cp = log.checkpoint(signer, clock.now_ms(), true);
    out.data()["log_key"] = signer.verifier().vkey();
    out.data()["leaves"] = log.size();
    out.line("日志公钥 log key (审计时固定 pin it for an audit): " + signer.verifier().vkey());
    out.line("日志条目 leaves: " + std::to_string(log.size()));
    if (cp) {
        const auto witnesses = log.cosignatures(cp->size);
        std::set<std::string> communities;
        for (const auto& w : witnesses)
            communities.insert(w.community_id);
        out.data()["checkpoint_size"] = cp->size;
        out.data()["checkpoint"] = log.published_note(*cp);
        out.data()["witness_communities"] = communities.size();
        out.line("最新检查点 latest checkpoint: " + std::to_string(cp->size) + " @ " +
                 domain::format_local(cp->signed_at_ms) + ",见证社区 witnessed by " +
                 std::to_string(communities.size()) + " communities");
    }
    // Who witnessed how much (views.hpp log_view, as the console shows it).
    const auto view = log_view(c.store.db());
    const auto witnessed = view.at("witnessed_size").to_number<std::uint64_t>();
    out.data()["witnessed_size"] = witnessed;
    out.data()["witnesses_needed"] = view.at("witnesses_needed");
    out.data()["witnesses"] = view.at("witnesses");
    out.line("已见证 witnessed (" + std::to_string(view.at("witnesses_needed").to_number<int>()) +
             " 个社区 communities): " +
             (witnessed ? "前 " + std::to_string(witnessed) + " 条 / the first " +
                              std::to_string(witnessed) + " leaves"
                        : std::string("尚无 / nothing yet")));
    for (const auto& x : view.at("witnesses").as_array()) {
        const auto& o = x.as_object();
        out.line("  " + std::string(o.at("community").as_string()) + " " +
                 std::string(o.at("device").as_string()) + ": " +
                 std::to_string(o.at("size").to_number<std::uint64_t>()) + " @ " +
                 domain::format_local(o.at("at_ms").as_int64()));
    }
    // What devices found wrong with this log (protocol 5).
    out.data()["open_alarms"] = view.at("open_alarms");
    out.data()["alarms"] = view.at("alarms");
    const auto open = view.at("open_alarms").to_number<std::uint64_t>();
    out.line(open ? "设备告警 device alarms open: " + std::to_string(open)
                  : std::string("没有未处理的设备告警 / no device alarm open"));
    for (const auto& x : view.at("alarms").as_array()) {
        const auto& o = x.as_object();
        if (!o.at("open").as_bool())
            continue;
        out.line("  " + std::string(o.at("device").as_string()) + " #" +
                 std::to_string(o.at("alarm_id").to_number<std::uint64_t>()) + " " +
                 std::string(o.at("kind").as_string()) + " @ " +
                 domain::format_local(o.at("at_ms").as_int64()) + " (" +
                 std::string(o.at("evidence").as_string()) +
                 "): " + std::string(o.at("detail").as_string()));
    }
    return out.finish(Exit::ok);
}

int cmd_export_log(Opened& c, Args& args, Output& out) {
    MerkleLog log = c.store.merkle_log();
    const LogSigner signer{kLogOrigin, c.keys.log};
    domain::SystemClock clock;
    (void)log.checkpoint(signer, clock.now_ms(), true);  // the export ends on a checkpoint
    auto r = export_log(log, signer.verifier(), args.need("to"));
    if (!r)
        return out.failure(r.failure());
    c.store.audit(clock.now_ms(), "central", "log.export", args.need("to"), "ok",
                  std::to_string(r->leaves) + " leaves");
    out.data()["leaves"] = r->leaves;
    out.data()["checkpoints"] = r->checkpoints;
    out.data()["log_key"] = signer.verifier().vkey();
    out.data()["central_key"] = c.keys.signing.public_key().hex();
    out.line("已导出 exported " + std::to_string(r->leaves) + " leaves, " +
             std::to_string(r->checkpoints) + " checkpoints: " + args.need("to"));
    out.line("审计 audit: gridsync-audit --export " + args.need("to") + " --log-key '" +
             signer.verifier().vkey() + "' --central-key " + c.keys.signing.public_key().hex());
    return out.finish(Exit::ok);
}

int cmd_status(Opened& c, Output& out) {
    auto& db = c.store.db();
    const auto n = [&](const char* sql) { return db.query_value<std::int64_t>(sql).value_or(0); };
    auto& d = out.data();
    d["fingerprint"] = crypto::fingerprint(c.keys.signing.public_key());
    d["devices"] = n("SELECT count(*) FROM device");
    d["accepted_entries"] = n("SELECT count(*) FROM accepted_entry");
    d["open_conflicts"] = n("SELECT count(*) FROM conflict WHERE state = 'open'");
    d["payments"] = n("SELECT count(*) FROM payment");
    d["deliveries"] = n("SELECT count(*) FROM delivery_attempt WHERE outcome = 'delivered'");
    d["check_ins"] = n("SELECT count(*) FROM shift_check");
    for (const auto& [k, v] : d)
        out.line(std::string(k) + ": " + boost::json::serialize(v));
    return out.finish(Exit::ok);
}

int cmd_admin(Opened& c, const AdminSigner& admin, Args& args, Output& out, SecretReader& secrets) {
    if (args.positional.size() < 2 || args.positional[1] != "add")
        throw UsageError{"admin add --login L --staff 工号|ID"};
    const std::string login = args.need("login");
    const auto password =
        admin_password(args, secrets, "new-password-file", nullptr, "新管理员 new admin " + login);
    domain::SystemClock clock;
    if (auto st = c.store.add_admin(
            &admin, login, staff_option(c.store.db(), args), password.view(), clock.now_ms(),
            args.has("fast-kdf") ? crypto::KdfParams::minimum() : crypto::KdfParams::interactive());
        !st) {
        return out.failure(st.failure());
    }
    out.line("已添加管理员 admin added: " + login);
    return out.finish(Exit::ok);
}

// A person's keys, one line each (read-only: no admin needed).
int cmd_staff_keys(Opened& c, Args& args, Output& out) {
    auto list = staff_key_list(c.store.db(), args.get("staff").value_or(""));
    auto text = [](const boost::json::value& v) { return std::string(v.as_string()); };
    for (const auto& v : list) {
        const auto& k = v.as_object();
        const auto& revoked = k.at("revoked_at_ms");
        out.line(text(k.at("key_id")) + "  " + text(k.at("staff")) + "  " + text(k.at("device")) +
                 "  " + text(k.at("fingerprint")) + "  " +
                 domain::format_local(k.at("enrolled_at_ms").as_int64()) +
                 (revoked.is_null()
                      ? ""
                      : "  已停用 revoked " + domain::format_local(revoked.as_int64()) + ": " +
                            text(k.at("revoked_reason"))));
    }
    out.data()["keys"] = std::move(list);
    return out.finish(Exit::ok);
}

// Staff keys and where staff live: every change signed by the admin.
int cmd_staff(Opened& c, const AdminSigner& admin, Args& args, Output& out) {
    const std::string sub = args.positional.size() > 1 ? args.positional[1] : "";
    domain::SystemClock clock;
    const auto now = clock.now_ms();
    if (sub == "code") {
        const int hours = static_cast<int>(args.integer("ttl-hours", 72, 1, 24 * 30));
        const std::string staff = staff_option(c.store.db(), args);
        // Several at once: one for each device the person will sign on
        // (each code registers one key on one device).
        const int count = static_cast<int>(args.integer("count", 1, 1, 1000));
        std::vector<StaffCode> codes;
        for (int i = 0; i < count; ++i) {
            auto code = c.store.create_staff_code(admin, staff, hours * 3600000LL, now);
            if (!code)
                return out.failure(code.failure());
            codes.push_back(std::move(*code));
        }
        const StaffCode* code = &codes.front();
        if (count > 1) {
            boost::json::array all;
            for (const auto& each : codes)
                all.emplace_back(each.code);
            out.data()["codes"] = std::move(all);
        }
        out.data()["code"] = code->code;
        out.data()["staff_id"] = staff;
        out.data()["expires"] = domain::format_local(code->expires_at_ms);
        for (const auto& each : codes) {
            out.line("登记码 enrolment code(仅交给本人,一次有效 for that person only, one use): " +
                     each.code);
        }
        out.line("有效期至 valid until: " + domain::format_local(code->expires_at_ms));
        out.line(
            "本人在设备上运行 the person runs on the device: gridsync-edge staff enroll-key "
            "--staff " +
            args.need("staff"));
        return out.finish(Exit::ok);
    }
    if (sub == "revoke-key") {
        if (auto st = c.store.revoke_staff_key(args.need("key"), admin, args.need("reason"),
                                               c.keys.signing, now);
            !st)
            return out.failure(st.failure());
        out.line(
            "密钥已停用,设备下次同步时收到 / key revoked: devices receive it at their next "
            "sync");
        return out.finish(Exit::ok);
    }
    if (sub == "household") {
        std::optional<std::string> household;
        if (!args.has("none"))
            household = args.need("household");
        if (auto st = c.store.set_staff_household(staff_option(c.store.db(), args), household,
                                                  admin, c.keys.signing, now);
            !st)
            return out.failure(st.failure());
        out.line(household ? "已登记该工作人员的住户 / the staff member's household is recorded"
                           : "已清除 / cleared");
        return out.finish(Exit::ok);
    }
    throw UsageError{
        "staff code --staff 工号|ID | staff revoke-key --key ID --reason TEXT | staff "
        "household --staff 工号|ID (--household ID | --none) | staff keys [--staff 工号|ID]"};
}

int cmd_quarantine_list(Opened& c, Args& args, Output& out) {
    domain::SystemClock clock;
    Ingest ingest(c.store, clock, c.keys.signing);
    QuarantineDesk desk(c.store, c.store, ingest, c.keys.signing.public_key());
    auto list = quarantine_json(c.store.db(), desk, args.has("all"));
    for (const auto& v : list) {
        const auto& q = v.as_object();
        out.line(
            std::string(q.at("device").as_string()) + ":" + std::to_string(q.at("seq").as_int64()) +
            "  " + std::string(q.at("device_name").as_string()) + "  " +
            std::string(q.at("at").as_string()) + "  " + std::string(q.at("code").as_string()) +
            "  " + std::string(q.at("reason").as_string()) +
            (q.at("released").as_bool() ? "  已放行 released" : "") +
            (q.at("decision_verifies").as_bool() ? "" : "  中心签名无效 SIGNATURE BAD"));
    }
    if (list.empty())
        out.line("没有隔离记录 / nothing quarantined");
    out.data()["entries"] = std::move(list);
    return out.finish(Exit::ok);
}

int cmd_quarantine_release(Opened& c, const AdminSigner& admin, Args& args, Output& out) {
    domain::SystemClock clock;
    Ingest ingest(c.store, clock, c.keys.signing);
    QuarantineDesk desk(c.store, c.store, ingest, c.keys.signing.public_key());
    const std::string device = args.need("device");
    const auto seq = static_cast<std::uint64_t>(args.integer("seq", 0, 1, INT64_MAX));
    auto released = desk.release(device, seq, admin, args.need("reason"), clock.now_ms());
    if (!released)
        return out.failure(released.failure());
    out.data()["released"] = device + ":" + std::to_string(seq);
    out.line("已放行并应用,设备下次同步时收到 / released and applied: " + *released);
    return out.finish(Exit::ok);
}

int admin_command(Opened& c, const AdminSigner& admin, Args& args, Output& out,
                  SecretReader& secrets, const std::string& cmd) {
    if (cmd == "staff")
        return cmd_staff(c, admin, args, out);
    if (cmd == "token")
        return cmd_token(c, admin, args, out);
    if (cmd == "demo-day")
        return cmd_demo_day(c, admin, args, out);
    if (cmd == "import")
        return cmd_import(c, admin, args, out);
    if (cmd == "approve" || cmd == "approve-day")
        return cmd_approve(c, admin, args, out);
    if (cmd == "reject")
        return cmd_reject(c, admin, args, out);
    if (cmd == "carry-over")
        return cmd_carry_over(c, admin, args, out);
    if (cmd == "admin")
        return cmd_admin(c, admin, args, out, secrets);
    if (cmd == "resolve") {
        const auto resolution = resolution_from(args.need("decision"));
        if (!resolution)
            throw UsageError{"--decision keep_central | take_incoming | void_payment"};
        Decision d{*resolution, args.need("reason"), ""};
        if (const auto group = args.get("group")) {
            domain::SystemClock clock;
            auto settled =
                c.store.resolve_conflict_group(*group, d, admin, c.keys.signing, clock.now_ms());
            if (!settled)
                return out.failure(settled.failure());
            out.data()["settled"] = *settled;
            out.line("一次处理 " + std::to_string(*settled) +
                     " 个冲突,设备下次同步时收到 / settled " + std::to_string(*settled) +
                     " conflicts with one decision");
            return out.finish(Exit::ok);
        }
        if (d.resolution == Resolution::void_payment)
            d.payment_id = args.need("payment");
        domain::SystemClock clock;
        if (auto st = c.store.resolve_conflict(args.need("conflict"), d, admin, c.keys.signing,
                                               clock.now_ms());
            !st) {
            return out.failure(st.failure());
        }
        out.line("冲突已处理,设备下次同步时收到 / resolved: devices receive it at their next sync");
        return out.finish(Exit::ok);
    }
    if (cmd == "quarantine")
        return cmd_quarantine_release(c, admin, args, out);
    if (cmd == "correct-amount") {
        domain::SystemClock clock;
        const auto fen = domain::parse_yuan(args.need("amount"));
        if (!fen)
            throw UsageError{"--amount 元, e.g. 680.00"};
        auto entitlement =
            domain::find_entitlement_anywhere(c.store.db(), args.need("entitlement"));
        if (!entitlement)
            throw UsageError{"--entitlement: " + entitlement.failure().message};
        if (auto st = c.store.correct_amount(*entitlement, *fen, args.need("reason"), admin,
                                             c.keys.signing, clock.now_ms());
            !st) {
            return out.failure(st.failure());
        }
        out.line("应发金额已更正 / amount corrected: " + domain::format_yuan(*fen));
        return out.finish(Exit::ok);
    }
    domain::SystemClock clock;  // revoke
    if (auto st = c.store.revoke(args.need("device"), admin, args.need("reason"), clock.now_ms());
        !st) {
        return out.failure(st.failure());
    }
    out.line("设备已停用 device revoked");
    return out.finish(Exit::ok);
}

// The options each command takes (beside the global ones): anything else is
// refused before the command runs.
const std::map<std::string, std::set<std::string>>& command_options() {
    static const std::map<std::string, std::set<std::string>> options = {
        {"init",
         {"admin-login", "admin-name", "admin-number", "demo-seed", "demo-households-per-grid",
          "fast-kdf"}},
        {"admin", {"login", "staff", "new-password-file", "fast-kdf"}},
        {"token", {"role", "community", "staff", "grid", "ttl-hours", "count"}},
        {"grids", {"community"}},
        {"staff", {"staff", "ttl-hours", "count", "key", "reason", "household", "none"}},
        {"demo-day", {"community", "date", "entitlements", "certificates", "service-point-offset"}},
        {"import", {"file", "encoding", "program"}},
        {"template", {"out"}},
        {"approvals", {"state"}},
        {"approve", {"approval"}},
        {"approve-day", {"approval"}},
        {"reject", {"approval", "reason"}},
        {"carry-over", {"community", "date"}},
        {"serve",
         {"listen", "threads", "workers", "port-file", "body-limit-mb", "metrics-token-file",
          "max-connections", "max-connections-per-address", "memory-budget-mb"}},
        {"devices", {}},
        {"revoke", {"device", "reason"}},
        {"quarantine", {"all", "device", "seq", "reason"}},
        {"conflicts", {"id", "kind", "community", "state", "groups"}},
        {"resolve", {"conflict", "group", "decision", "payment", "reason"}},
        {"correct-amount", {"entitlement", "amount", "reason"}},
        {"status", {}},
        {"backup", {"to"}},
        {"log", {}},
        {"export-log", {"to"}},
        {"restore", {"from"}},
        {"report", {"month", "service-point", "community", "grid", "format", "out", "as-of"}},
    };
    return options;
}

void check_options(const Args& args, const std::string& cmd) {
    const auto& all = command_options();
    auto it = all.find(cmd);
    if (it == all.end())
        throw UsageError{"未知命令 / unknown command: " + cmd};
    std::set<std::string> allowed = {
        "data", "json", "help", "admin", "passphrase-file", "admin-password-file"};
    allowed.insert(it->second.begin(), it->second.end());
    args.only(allowed);
}

}  // namespace

int run(int argc, char** argv) {
    return run_program(
        argc, argv, kHelp,
        [](Args& args, Output& out, SecretReader& secrets, const std::string& cmd) {
            check_options(args, cmd);
            if (cmd == "init")
                return cmd_init(args, out, secrets);
            if (cmd == "template")
                return cmd_template(args, out);
            if (cmd == "restore")
                return cmd_restore(args, out, secrets);
            auto c = open(args, secrets);
            if (!c)
                return out.failure(c.failure());
            if (cmd == "staff" && args.positional.size() > 1 && args.positional[1] == "keys")
                return cmd_staff_keys(*c, args, out);
            if (cmd == "quarantine" &&
                !(args.positional.size() > 1 && args.positional[1] == "release"))
                return cmd_quarantine_list(*c, args, out);
            static const std::set<std::string> signed_by_admin = {
                "token",  "demo-day",       "import",    "approve", "approve-day",
                "reject", "carry-over",     "revoke",    "admin",   "resolve",
                "staff",  "correct-amount", "quarantine"};
            if (signed_by_admin.count(cmd)) {
                auto admin = unlock(*c, args, secrets);
                if (!admin)
                    return out.failure(admin.failure());
                return admin_command(*c, *admin, args, out, secrets, cmd);
            }
            if (cmd == "serve")
                return cmd_serve(*c, args, out);
            if (cmd == "devices")
                return cmd_devices(*c, out);
            if (cmd == "conflicts")
                return cmd_conflicts(*c, args, out);
            if (cmd == "grids")
                return cmd_grids(*c, args, out);
            if (cmd == "status")
                return cmd_status(*c, out);
            if (cmd == "approvals")
                return cmd_approvals(*c, args, out);
            if (cmd == "backup")
                return cmd_backup(*c, args, out);
            if (cmd == "log")
                return cmd_log(*c, out);
            if (cmd == "export-log")
                return cmd_export_log(*c, args, out);
            if (cmd == "report")
                return report_command(c->store.db(), args, out, {});
            throw UsageError{"未知命令 / unknown command: " + cmd};
        });
}

}  // namespace gridsync::central

int main(int argc, char** argv) {
    return gridsync::central::run(argc, argv);
}
