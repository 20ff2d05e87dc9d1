#include "gridsync/edge/node.hpp"

#include <fstream>
#include <sstream>

#include "gridsync/crypto/enrolment_code.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/organisation.hpp"
#include "gridsync/domain/seed.hpp"
#include "gridsync/domain/shifts.hpp"
#include "gridsync/domain/staff_keys.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/migrate.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::edge {

namespace fs = std::filesystem;

namespace {

// What only this program keeps on the node (component "edge.local").
constexpr const char* kEdgeV1 = R"sql(
-- What central said about this device's entries (sync_service.hpp).
CREATE TABLE central_notice(
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,      -- refused | accepted
    code TEXT NOT NULL,
    message TEXT NOT NULL) STRICT;
)sql";
const store::Migration kEdgeMigrations[] = {{1, "what central said", kEdgeV1}};

void open_edge_schema(store::Database& db) {
    sync::open_node_schema(db);
    (void)store::migrate(db, kEdgeMigrations, "edge.local");
}

void write_state(store::Database& db, const std::string& key, const std::string& value) {
    db.execute(
        "INSERT INTO node_state(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value",
        key, value);
}

std::string read_state(store::Database& db, const std::string& key) {
    // node_state holds text and integers alike (the sync layer stores numbers).
    return db
        .query_value<std::string>("SELECT CAST(value AS TEXT) FROM node_state WHERE key = ?1", key)
        .value_or("");
}

// Demo files for scripted runs: the fictional residents' ID numbers and the
// staff of this node's community. Never produced outside --demo-seed.
void write_demo_files(const fs::path& dir, const domain::SeedReport& seed,
                      const std::string& community_id) {
    fs::create_directories(dir / "demo");
    std::ofstream residents(dir / "demo" / "residents.csv");
    residents << "resident_id,name,id_number,household_id,grid_id,community_id\n";
    for (const auto& r : seed.residents) {
        if (r.community_id != community_id)
            continue;
        residents << r.id << "," << r.name << "," << r.id_number << "," << r.household_id << ","
                  << r.grid_id << "," << r.community_id << "\n";
    }
    std::ofstream staff(dir / "demo" / "staff.csv");
    staff << "staff_id,name,role,community_id,grid_id\n";
    for (const auto& s : seed.staff) {
        staff << s.id << "," << s.name << "," << s.role << "," << s.community_id << "," << s.grid_id
              << "\n";
    }
}

// The demo's staff keys (sealed with the demo PIN), today's roster and
// disbursement day, and certificates waiting at the center: what central would
// have prepared before the day.
Status seed_demo_workload(const fs::path& dir, store::Database& db, const domain::SeedReport& seed,
                          const std::string& community_id, const std::string& device_id,
                          const InitOptions& o, domain::EpochMs now) {
    const auto demo_pin = crypto::SecureBuffer::copy_of(as_bytes(o.demo_pin));
    std::vector<std::string> workers, service_point, admins;
    for (const auto& s : seed.staff) {
        const bool here = s.community_id == community_id;
        if (!(here || s.role == "service_point_staff" || s.role == "admin"))
            continue;
        const auto key = crypto::SigningKey::generate();
        if (auto st = crypto::seal_secret_to_file(dir / "staff" / (s.id + ".key"),
                                                  key.seed().view(), demo_pin, o.kdf);
            !st)
            return st;
        domain::register_key_by_central(db, {"central-demo", domain::Hlc::from_parts(now, 0), now},
                                        s.id, device_id, key.public_key());
        if (here && s.role == "community_worker")
            workers.push_back(s.id);
        if (s.role == "service_point_staff")
            service_point.push_back(s.id);
        if (s.role == "admin")
            admins.push_back(s.id);
    }
    const domain::Stamp stamp{"central-demo", domain::Hlc::from_parts(now, 1), now};
    const std::string today = domain::local_date(now);
    // 8+4: everyone normal; one early, one late, rotating by day of month.
    std::vector<domain::RosterEntry> roster;
    const std::size_t rot = static_cast<std::size_t>(std::stoi(today.substr(8, 2)));
    for (std::size_t i = 0; i < workers.size(); ++i) {
        roster.push_back({workers[i], "normal", workers[(i + 1) % workers.size()]});
    }
    roster.push_back({workers[rot % workers.size()], "early", std::nullopt});
    roster.push_back({workers[(rot + 1) % workers.size()], "late", std::nullopt});
    auto added = domain::add_roster(db, stamp, community_id, today, roster);
    if (!added)
        return added.failure();
    // Service-point staff are rostered at the community on its disbursement day.
    auto sp_roster = domain::add_roster(
        db, stamp, community_id, today,
        {{service_point[0], "normal", std::nullopt}, {service_point[1], "normal", std::nullopt}});
    if (!sp_roster)
        return sp_roster.failure();
    domain::seed_disbursement_day(db, stamp,
                                  {community_id,
                                   today,
                                   admins[0],
                                   admins[1],
                                   {service_point[0], service_point[1], workers[0]},
                                   200});
    int issued = 0;
    for (const auto& r : seed.residents) {
        if (r.community_id != community_id || issued >= 100)
            continue;
        char code[32];
        std::snprintf(code, sizeof code, "GS-%s-%04d", today.c_str(), ++issued);
        auto cert = domain::issue_certificate(
            db, stamp, {issued % 2 ? "elderly_card" : "residence_permit", r.id, code});
        if (!cert)
            return cert.failure();
    }
    return {};
}

}  // namespace

std::string to_string(DeviceRole r) {
    return r == DeviceRole::community_laptop ? "community_laptop" : "grid_device";
}

std::optional<DeviceRole> parse_role(const std::string& s) {
    if (s == "community_laptop")
        return DeviceRole::community_laptop;
    if (s == "grid_device")
        return DeviceRole::grid_device;
    return std::nullopt;
}

Status EdgeNode::init(const fs::path& dir, const InitOptions& o,
                      const crypto::SecureBuffer& passphrase) {
    if (fs::exists(dir / "node.db")) {
        return fail(domain::Errc::wrong_state,
                    "该目录已有节点 / " + dir.string() + " already holds a node");
    }
    if (passphrase.size() < crypto::kMinPinBytes) {
        return fail(crypto::Errc::weak_pin,
                    "设备口令至少 4 位 / the device passphrase needs at least 4 characters");
    }
    std::error_code ec;
    fs::create_directories(dir / "staff", ec);
    if (ec)
        return fail(ec, "cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);

    domain::SystemClock clock;
    const auto device_key = crypto::SigningKey::generate();
    const auto id_key = crypto::SecureBuffer::random(32);
    const std::string device_id = "dev-" + domain::new_id(clock.now_ms());

    auto db = store::Database::open(dir / "node.db");
    open_edge_schema(db);
    store::Transaction tx(db);
    domain::SeedReport seed;
    if (o.demo_seed) {
        const domain::Stamp stamp{"central-demo", domain::Hlc::from_parts(clock.now_ms(), 0),
                                  clock.now_ms()};
        seed = domain::seed_subdistrict(db, stamp, domain::SeedOptions{}, id_key, {});
    }
    auto community =
        db.query_value<std::string>("SELECT id FROM community WHERE code = ?1", o.community_code);
    // Without a community the node waits for enrollment: central gives its
    // role and scope, and the first sync its reference data.
    if (o.community_code.empty() && !o.demo_seed)
        community = std::string();
    if (!community) {
        return fail(domain::Errc::not_found,
                    "社区编号不存在 / no community with code " + o.community_code +
                        (o.demo_seed ? "" : " (load reference data first, or use --demo-seed)"));
    }
    std::string grid;
    if (o.role == DeviceRole::grid_device && !community->empty()) {
        auto g = domain::find_grid(db, *community, o.grid);
        if (!g)
            return g.failure();
        grid = g->id;
    }
    if (o.demo_seed) {
        if (auto st = seed_demo_workload(dir, db, seed, *community, device_id, o, clock.now_ms());
            !st)
            return st;
    }
    write_state(db, "device_id", device_id);
    write_state(db, "device_name", o.device_name);
    write_state(db, "role", to_string(o.role));
    write_state(db, "community_id", *community);
    write_state(db, "grid_id", grid);
    write_state(db, "simulation", o.simulation ? "1" : "0");
    tx.commit();

    if (auto st = crypto::seal_secret_to_file(dir / "device.key", device_key.seed().view(),
                                              passphrase, o.kdf);
        !st)
        return st;
    if (auto st = crypto::seal_secret_to_file(dir / "id.key", id_key.view(), passphrase, o.kdf);
        !st)
        return st;
    if (o.demo_seed)
        write_demo_files(dir, seed, *community);
    return {};
}

Result<std::unique_ptr<EdgeNode>> EdgeNode::open(const fs::path& dir,
                                                 const crypto::SecureBuffer& passphrase,
                                                 domain::Clock& clock) {
    if (!fs::exists(dir / "node.db")) {
        return fail(domain::Errc::not_found,
                    "这里没有节点,请先运行 init / no node in " + dir.string() + ": run init first");
    }
    auto seed = crypto::unseal_secret_from_file(dir / "device.key", passphrase);
    if (!seed)
        return seed.failure();
    auto id_key = crypto::unseal_secret_from_file(dir / "id.key", passphrase);
    if (!id_key)
        return id_key.failure();

    std::unique_ptr<EdgeNode> node(new EdgeNode(dir, store::Database::open(dir / "node.db")));
    // Copying the write-ahead log back into the database (a checkpoint) is
    // done after sync rounds, not in the middle of a payment at the counter:
    // SQLite's own trigger moves from 1,000 pages (4 MiB) to 8,192 (32 MiB).
    node->db_.exec("PRAGMA wal_autocheckpoint = 8192");
    open_edge_schema(node->db_);
    auto& c = node->config_;
    c.device_id = read_state(node->db_, "device_id");
    c.device_name = read_state(node->db_, "device_name");
    c.role = parse_role(read_state(node->db_, "role")).value_or(DeviceRole::grid_device);
    c.community_id = read_state(node->db_, "community_id");
    c.grid_id = read_state(node->db_, "grid_id");
    c.simulation = read_state(node->db_, "simulation") == "1";
    node->id_key_ = std::move(*id_key);
    node->device_key_ =
        std::make_unique<crypto::SigningKey>(crypto::SigningKey::from_seed(seed->view()));
    node->outbox_ = std::make_unique<sync::Outbox>(node->db_, c.device_id, *node->device_key_,
                                                   clock, node->ordering_clock());
    node->clock_ = &clock;
    if (fs::exists(dir / "kx.key")) {
        auto kx = crypto::unseal_secret_from_file(dir / "kx.key", passphrase);
        if (!kx)
            return kx.failure();
        node->kx_ = std::make_unique<crypto::KxKeyPair>(crypto::KxKeyPair::from_seed(kx->view()));
    }
    return node;
}

Result<crypto::SigningKey> EdgeNode::unlock_staff(const std::string& staff_id,
                                                  const crypto::SecureBuffer& pin) {
    const fs::path path = dir_ / "staff" / (staff_id + ".key");
    if (staff_id.find('/') != std::string::npos || !fs::exists(path)) {
        return fail(domain::Errc::not_found, "本设备上没有该工作人员的密钥 / no key for staff " +
                                                 staff_id + " on this device");
    }
    auto seed = crypto::unseal_secret_from_file(path, pin);
    if (!seed)
        return seed.failure();
    return crypto::SigningKey::from_seed(seed->view());
}

Result<std::string> EdgeNode::enroll_staff_key(const std::string& staff_id,
                                               const std::string& enrolment_code,
                                               const crypto::SecureBuffer& pin,
                                               crypto::KdfParams kdf) {
    if (!domain::is_valid_id(staff_id))
        return fail(domain::Errc::bad_input, "工作人员编号无效 / invalid staff id");
    if (!db_.query_value<int>("SELECT 1 FROM staff WHERE id = ?1", staff_id)) {
        return fail(domain::Errc::not_found, "工作人员不存在 / no staff member " + staff_id);
    }
    auto code = crypto::EnrolmentCode::parse(enrolment_code);
    if (!code)
        return fail(domain::Errc::bad_input, code.failure().message);
    if (pin.size() < crypto::kMinPinBytes)
        return fail(crypto::Errc::weak_pin, "PIN 至少 4 位 / PIN needs at least 4 characters");
    const fs::path path = dir_ / "staff" / (staff_id + ".key");
    if (fs::exists(path)) {
        // A key file is never overwritten. One whose key an admin revoked is
        // kept aside (it signed records that stay valid); a live one stays.
        if (domain::active_staff_key(db_, staff_id, config_.device_id)) {
            return fail(domain::Errc::key_exists,
                        "该工作人员在本设备已有密钥;如需更换,请管理员先停用旧密钥 / this person "
                        "already has a key on this device: an admin revokes it first");
        }
        std::error_code ec;
        fs::create_directories(dir_ / "staff" / "revoked", ec);
        fs::rename(path,
                   dir_ / "staff" / "revoked" /
                       (staff_id + "." + std::to_string(clock_->now_ms()) + ".key"),
                   ec);
        if (ec)
            return fail(ec, "cannot move the revoked key aside: " + ec.message());
    }
    const auto key = crypto::SigningKey::generate();
    // The sealed key is written first: a public key is never registered
    // without its private half on the device.
    if (auto st = crypto::seal_secret_to_file(path, key.seed().view(), pin, kdf); !st)
        return st.failure();
    auto recorded = outbox_->record_as<std::string>([&](const domain::Stamp& st) {
        return domain::register_staff_key(db_, st, staff_id, key.public_key(), code->key());
    });
    if (!recorded) {
        std::error_code ec;
        fs::remove(path, ec);
        return recorded.failure();
    }
    return crypto::fingerprint(key.public_key());
}

std::string EdgeNode::central_address() {
    return read_state(db_, "central_address");
}

std::optional<sync::CentralPin> EdgeNode::central_pin() {
    auto sk = from_hex(read_state(db_, "central_signing_key"));
    auto kx = from_hex(read_state(db_, "central_kx_key"));
    auto spk = sk ? crypto::PublicKey::from(*sk) : std::nullopt;
    auto kpk = kx ? crypto::KxPublicKey::from(*kx) : std::nullopt;
    if (!spk || !kpk)
        return std::nullopt;
    return sync::CentralPin{*spk, *kpk};
}

Status EdgeNode::enroll(sync::Transport& transport, const std::string& central_address,
                        const std::string& code, const crypto::SecureBuffer& passphrase,
                        crypto::KdfParams kdf) {
    if (outbox_->status().entries > 0) {
        return fail(domain::Errc::wrong_state,
                    "本设备已有记录,须在记录前登记 / this device has already recorded "
                    "entries; enroll before recording");
    }
    if (enrolled())
        return fail(domain::Errc::wrong_state, "本设备已登记 / this device is already enrolled");
    const auto dot = code.find('.');
    auto central_kx_bytes =
        dot == std::string::npos ? std::nullopt : from_hex(code.substr(dot + 1));
    auto central_kx =
        central_kx_bytes ? crypto::KxPublicKey::from(*central_kx_bytes) : std::nullopt;
    if (!central_kx)
        return fail(domain::Errc::bad_input, "登记码格式不对 / the enrollment code is malformed");
    const auto kx = crypto::KxKeyPair::generate();
    auto resp = sync::enroll_device(
        transport, *central_kx,
        {code.substr(0, dot), config_.device_name, device_key_->public_key(), kx.public_key()}, kx);
    if (!resp)
        return resp.failure();
    if (auto st = crypto::seal_secret_to_file(dir_ / "kx.key", kx.seed().view(), passphrase, kdf);
        !st)
        return st;
    if (auto st = crypto::seal_secret_to_file(dir_ / "id.key", resp->id_key, passphrase, kdf); !st)
        return st;
    store::Transaction tx(db_);
    write_state(db_, "device_id", resp->device_id);
    write_state(db_, "role", resp->role);
    write_state(db_, "community_id", resp->community_id);
    write_state(db_, "grid_id", resp->grid_id);
    write_state(db_, "staff_id", resp->staff_id);
    write_state(db_, "central_address", central_address);
    write_state(db_, "central_signing_key", resp->central_signing_key.hex());
    write_state(db_, "central_kx_key", to_hex(resp->central_kx_key.bytes));
    tx.commit();
    config_.device_id = resp->device_id;
    config_.role = parse_role(resp->role).value_or(DeviceRole::grid_device);
    config_.community_id = resp->community_id;
    config_.grid_id = resp->grid_id;
    id_key_ = crypto::SecureBuffer::copy_of(resp->id_key);
    kx_ = std::make_unique<crypto::KxKeyPair>(crypto::KxKeyPair::from_seed(kx.seed().view()));
    outbox_ = std::make_unique<sync::Outbox>(db_, config_.device_id, *device_key_, *clock_,
                                             ordering_clock());
    return {};
}

Result<sync::RoundReport> EdgeNode::sync_round(sync::Transport& transport, domain::Clock& clock,
                                               const sync::Progress& progress,
                                               const sync::SyncOptions& options) {
    const auto pin = central_pin();
    if (!enrolled() || !pin) {
        return fail(domain::Errc::wrong_state,
                    "本设备尚未登记 / this device is not enrolled with central");
    }
    sync::SyncClient client(db_, *outbox_, *device_key_, *kx_, *pin, transport, clock);
    auto report = client.round(options, progress);
    if (report)
        write_state(db_, "last_sync_ms", std::to_string(clock.now_ms()));
    // Revoked: what this device holds of the subdistrict's data goes. Its
    // own signed entries stay in the outbox: they are the record of the work
    // done here, still owed to central once the device is cleared.
    if (!report && report.code() == sync::Errc::device_revoked)
        purge_replicated();
    // A quiet moment: fold the log back into the database without waiting
    // for readers (PASSIVE never blocks a write at the counter).
    db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
    return report;
}

void EdgeNode::purge_replicated() {
    sync::wipe_replicated(db_);
    write_state(db_, "purged_at_ms", std::to_string(clock_ ? clock_->now_ms() : 0));
}

std::string EdgeNode::state(const std::string& key) {
    return read_state(db_, key);
}

void EdgeNode::set_state(const std::string& key, const std::string& value) {
    gridsync::edge::write_state(db_, key, value);
}

Status EdgeNode::require_role(DeviceRole role, const char* what) const {
    if (config_.role != role) {
        return fail(domain::Errc::role_not_allowed,
                    std::string("本设备不能") + what + " / this device (" +
                        to_string(config_.role) + ") may not record this");
    }
    return {};
}

}  // namespace gridsync::edge

namespace gridsync::edge {

namespace {
std::vector<std::vector<std::string>> read_csv(const fs::path& path) {
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(path);
    std::string line;
    for (bool header = true; std::getline(in, line); header = false) {
        if (header)
            continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, ',');)
            f.push_back(x);
        rows.push_back(std::move(f));
    }
    return rows;
}
}  // namespace

Result<DemoData> load_demo_data(const fs::path& dir) {
    if (!fs::exists(dir / "demo" / "residents.csv")) {
        return fail(domain::Errc::not_found, "没有演示数据 / no demo data in " + dir.string());
    }
    DemoData d;
    for (auto& f : read_csv(dir / "demo" / "residents.csv")) {
        f.resize(6);
        d.residents.push_back({f[0], f[1], f[2], f[3], f[4], f[5]});
    }
    for (auto& f : read_csv(dir / "demo" / "staff.csv")) {
        f.resize(5);
        d.staff.push_back({f[0], f[1], f[2], f[3], f[4]});
    }
    return d;
}

std::string DemoData::id_number_of(const std::string& resident_id) const {
    for (const auto& r : residents) {
        if (r.id == resident_id)
            return r.id_number;
    }
    return "";
}

std::string DemoData::staff_id(const std::string& role, int nth,
                               const std::string& community_id) const {
    for (const auto& s : staff) {
        if (s.role == role && (community_id.empty() || s.community_id == community_id) &&
            nth-- == 0)
            return s.id;
    }
    return "";
}

}  // namespace gridsync::edge
