// Real processes on 127.0.0.1: gridsync-central serving, gridsync-edge
// devices, and what the running server refuses, each with its reason and
// nothing changed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <set>

#include <fstream>
#include <thread>

#include "gridsync/crypto/sealed.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/file.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/changeset_writer.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/channel.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/sync/outbox.hpp"
#include "gridsync/tools/central_process.hpp"
#include "gridsync/tools/edge_driver.hpp"
#include "gridsync/tools/web_client.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

namespace {

// A device's own keys, read from its folder, to send crafted entries to
// central over the device's encrypted channel.
struct DeviceChannel {
    std::string id;
    crypto::SigningKey key;
    crypto::SessionKeys keys;
    std::string address;

    static DeviceChannel of(tools::EdgeDriver& device, const std::string& address) {
        const auto pass = crypto::SecureBuffer::copy_of(as_bytes("edge passphrase"));
        auto state = [&](const char* k) {
            return *device.db().query_value<std::string>(
                "SELECT value FROM node_state WHERE key = ?1", k);
        };
        const auto kx = crypto::KxKeyPair::from_seed(
            crypto::unseal_secret_from_file(device.data() / "kx.key", pass)->view());
        return {state("device_id"),
                crypto::SigningKey::from_seed(
                    crypto::unseal_secret_from_file(device.data() / "device.key", pass)->view()),
                crypto::client_session_keys(
                    kx, *crypto::KxPublicKey::from(*from_hex(state("central_kx_key"))))
                    .value(),
                address};
    }
    sync::PushBatch sign(const sync::ChangesetEnvelope& e) const {
        const Bytes bytes = sync::encode(e);
        const auto sig = key.sign(sync::kEnvelopeContext, bytes);
        return sync::PushBatch{{{id, Bytes(sig.bytes.begin(), sig.bytes.end()), bytes}}};
    }
    // A call with any plaintext, sealed for this device and path.
    Result<Bytes> call(const std::string& path, ByteView plaintext) const {
        edge::HttpTransport http(address, std::chrono::seconds(10));
        return http.post(path, {{"X-Gridsync-Device", id}},
                         sync::seal_body(keys.tx, sync::Direction::request, path, id, plaintext));
    }
    sync::EntryAck push(const sync::PushBatch& batch) const {
        edge::HttpTransport http(address, std::chrono::seconds(10));
        auto answer = http.post("/v1/push", {{"X-Gridsync-Device", id}},
                                sync::seal_body(keys.tx, sync::Direction::request, "/v1/push", id,
                                                sync::encode(batch)));
        EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.failure().message);
        auto plain = sync::open_body(keys.rx, sync::Direction::response, "/v1/push", id, *answer);
        return sync::decode_push_acks(*plain).value().acks.at(0);
    }
};

// One INSERT of `row` into `table` (first column the key), as a changeset.
Bytes insert_changeset(const std::string& table, const store::Row& row) {
    std::vector<std::uint8_t> pk(row.size(), 0);
    pk[0] = 1;
    store::ChangesetWriter w;
    w.begin_table(table, pk);
    w.change(store::Op::insert, false, {}, row);
    const auto cs = w.finish();
    return Bytes(cs.bytes().begin(), cs.bytes().end());
}

class RunningCentral : public ::testing::Test {
  protected:
    test::TempDir dir;
    std::unique_ptr<Process> server;
    std::string address;
    tools::EdgeDriver laptop{GRIDSYNC_EDGE_BIN, dir / "laptop", dir / "edge.pass"};

    // Every call names the admin; only admin commands use it.
    ProcessResult central(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data", (dir / "central").string(), "--passphrase-file",
                                   (dir / "central.pass").string(), "--admin", "admin1",
                                   "--admin-password-file", (dir / "admin.pass").string()});
        return run(GRIDSYNC_CENTRAL_BIN, args);
    }
    // On port 0 the first time; again on the same address after a restart,
    // since enrolled devices remember where central is.
    // On port 0 the first time; on the same address after a restart, since
    // enrolled devices remember where central is.
    void start(std::vector<std::string> extra = {}) {
        const auto port_file = dir / "port";
        std::filesystem::remove(port_file);
        std::vector<std::string> args = {"--data",
                                         (dir / "central").string(),
                                         "--passphrase-file",
                                         (dir / "central.pass").string(),
                                         "serve",
                                         "--listen",
                                         address.empty() ? "127.0.0.1:0" : address,
                                         "--port-file",
                                         port_file.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        server = std::make_unique<Process>(GRIDSYNC_CENTRAL_BIN, args, "");
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i)
            ::usleep(25000);
        std::string port(as_chars(read_file(port_file, 16).value()));
        address = "127.0.0.1:" + port.substr(0, port.find('\n'));
    }
    void SetUp() override {
        std::ofstream(dir / "central.pass") << "central passphrase\n";
        std::ofstream(dir / "edge.pass") << "edge passphrase\n";
        std::ofstream(dir / "admin.pass") << "admin one's password\n";
        ASSERT_EQ(central({"init", "--demo-seed", "--fast-kdf"}).exit_code, 0);
        start();
        auto cdb = store::Database::open(dir / "central" / "central.db");
        const auto worker = *cdb.query_value<std::string>(
            "SELECT s.id FROM staff s JOIN community c ON c.id = s.community_id WHERE c.code = "
            "'C01' AND s.role = 'community_worker' LIMIT 1");
        const auto token = central({"--json", "token", "--staff", worker, "--role",
                                    "community_laptop", "--community", "C01"});
        ASSERT_EQ(token.exit_code, 0) << token.out;
        const std::string code(tools::EdgeDriver::json(token).at("code").as_string());
        ASSERT_EQ(
            laptop.run({"init", "--device-name", "laptop", "--simulation", "--fast-kdf"}).exit_code,
            0);
        auto enrolled =
            laptop.run({"--json", "enroll", "--central", address, "--code", code, "--fast-kdf"});
        ASSERT_EQ(enrolled.exit_code, 0) << enrolled.out;
        ASSERT_EQ(laptop.run({"sync"}).exit_code, 0);
    }
    void TearDown() override {
        if (server) {
            server->terminate();
            server->wait();
        }
    }
    std::string device_id() {
        return *laptop.db().query_value<std::string>(
            "SELECT value FROM node_state WHERE key = 'device_id'");
    }
    // A one-time code an admin issues to `staff`, for their key on a device.
    std::string staff_code(const std::string& staff) {
        auto r = central({"--json", "staff", "code", "--staff", staff});
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return std::string(tools::EdgeDriver::json(r).at("code").as_string());
    }
    int central_count(const std::string& sql) {
        return *store::Database::open(dir / "central" / "central.db").query_value<int>(sql);
    }
};

}  // namespace

TEST_F(RunningCentral, ARevokedDevicesNextSyncIsRefusedAndAudited) {
    const std::string staff = *laptop.db().query_value<std::string>(
        "SELECT id FROM staff WHERE role = 'community_worker' ORDER BY id LIMIT 1");
    ASSERT_EQ(
        laptop.run({"staff", "enroll-key", "--staff", staff}, staff_code(staff) + "\n2468\n2468\n")
            .exit_code,
        0);
    ASSERT_GT(laptop.db().query_value<int>("SELECT count(*) FROM resident"), 0);
    ASSERT_EQ(central({"revoke", "--device", device_id(), "--reason", "laptop reported stolen"})
                  .exit_code,
              0);
    auto r = laptop.run({"--json", "sync"});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    const auto j = tools::EdgeDriver::json(r);
    // Pushed entries are refused one by one, then the pull as a whole: the answer names why.
    EXPECT_NE(std::string(j.at("error").at("message").as_string()).find("gridsync.central:2"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 0);
    EXPECT_GE(central_count("SELECT count(*) FROM audit WHERE outcome = 'refused'"), 1);
    // What the revoked device held of the subdistrict is gone; its own signed entry stays.
    EXPECT_EQ(laptop.db().query_value<int>("SELECT count(*) FROM resident"), 0);
    EXPECT_EQ(laptop.db().query_value<int>("SELECT count(*) FROM outbox"), 1);
    EXPECT_EQ(tools::EdgeDriver::json(laptop.run({"--json", "status"})).at("pending").as_int64(), 1)
        << "kept, not dropped";
}

TEST_F(RunningCentral, TheRunningServerRefusesWhatItMustWithItsReason) {
    edge::HttpTransport http(address, std::chrono::seconds(5));
    // An encrypted body that does not decrypt for the device it names.
    auto forged = http.post("/v1/push", {{"X-Gridsync-Device", device_id()}}, Bytes(100, 0x42));
    ASSERT_FALSE(forged.ok());
    EXPECT_NE(forged.failure().message.find("HTTP 401"), std::string::npos)
        << forged.failure().message;
    // A device central never enrolled.
    auto unknown = http.post("/v1/pull", {{"X-Gridsync-Device", "dev-nobody"}}, Bytes(100, 0x42));
    EXPECT_NE(unknown.failure().message.find("gridsync.central:1"), std::string::npos)
        << unknown.failure().message;
    // A used enrollment code, sealed or not, is refused.
    auto junk_enroll = http.post("/v1/enroll", {}, to_bytes("not sealed"));
    EXPECT_NE(junk_enroll.failure().message.find("HTTP 401"), std::string::npos);
    auto health = http.post("/v1/nothing", {}, {});
    EXPECT_NE(health.failure().message.find("HTTP 404"), std::string::npos);
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 0);
}

TEST_F(RunningCentral, AnOversizedBodyGets413AndTheServerStaysUp) {
    server->terminate();
    server->wait();
    start({"--body-limit-mb", "1"});
    edge::HttpTransport http(address, std::chrono::seconds(5));
    auto big = http.post("/v1/push", {{"X-Gridsync-Device", device_id()}}, Bytes(2u << 20, 1));
    ASSERT_FALSE(big.ok());
    EXPECT_TRUE(big.failure().message.find("HTTP 413") != std::string::npos ||
                big.code() == sync::Errc::transport_failed)  // the server may close before the
                                                             // client finishes writing
        << big.failure().message;
    EXPECT_EQ(laptop.run({"sync"}).exit_code, 0) << "the next honest call still works";
}

TEST_F(RunningCentral, SigtermStopsCentralCleanlyAndADownCentralIsExit6) {
    server->terminate();
    const auto r = server->wait();
    server.reset();
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(central_count("SELECT count(*) FROM audit WHERE action = 'central.stop'"), 1);
    auto offline = laptop.run({"--json", "sync"});
    EXPECT_EQ(offline.exit_code, 6) << offline.out;
    // Local work goes on without central.
    const std::string staff = *laptop.db().query_value<std::string>(
        "SELECT id FROM staff WHERE role = 'community_worker' ORDER BY id LIMIT 1");
    EXPECT_EQ(
        laptop.run({"staff", "enroll-key", "--staff", staff}, staff_code(staff) + "\n2468\n2468\n")
            .exit_code,
        0);
}

// Crafted entries, each sent to the running server over the encrypted
// channel, each refused with its reason; then the honest entry goes through.
TEST_F(RunningCentral, CraftedEntriesAreRefusedByTheRunningServerWithTheirReasons) {
    const auto channel = DeviceChannel::of(laptop, address);
    // A real entry, recorded by the device (a staff key registration).
    const std::string staff = *laptop.db().query_value<std::string>(
        "SELECT id FROM staff WHERE role = 'community_worker' ORDER BY id LIMIT 1");
    ASSERT_EQ(
        laptop.run({"staff", "enroll-key", "--staff", staff}, staff_code(staff) + "\n2468\n2468\n")
            .exit_code,
        0);
    auto outbox_db = laptop.db();
    domain::SystemClock clock;
    sync::Outbox outbox(outbox_db, channel.id, channel.key, clock);
    const sync::PushBatch honest = outbox.pending_batch(1);
    ASSERT_EQ(honest.entries.size(), 1u);

    auto tampered = honest;
    tampered.entries[0].envelope[tampered.entries[0].envelope.size() - 2] ^= 1;
    EXPECT_EQ(channel.push(tampered).code, "gridsync.central:3") << "a changed byte";
    auto other_key = honest;
    const auto stranger =
        crypto::SigningKey::generate().sign(sync::kEnvelopeContext, honest.entries[0].envelope);
    other_key.entries[0].signature.assign(stranger.bytes.begin(), stranger.bytes.end());
    EXPECT_EQ(channel.push(other_key).code, "gridsync.central:3") << "another key";

    const auto original = sync::decode_envelope(honest.entries[0].envelope).value();
    auto gap = original;
    gap.seq = 5;
    EXPECT_EQ(channel.push(channel.sign(gap)).code, "gridsync.central:4") << "a gap";
    auto newer = original;
    newer.schema_version = 99;
    EXPECT_EQ(channel.push(channel.sign(newer)).code, "gridsync.central:8")
        << "a schema version central does not have";
    // A row the laptop may not write: a household (reference data is central's).
    auto forged = original;
    forged.changeset = insert_changeset(
        "household",
        {store::Value(std::string("h-forged")),
         store::Value(*laptop.db().query_value<std::string>("SELECT id FROM grid LIMIT 1")),
         store::Value(std::string("伪造地址")), store::Value(channel.id),
         store::Value(std::int64_t{1})});
    // Signed and linked but refused for good: quarantined, kept whole, and
    // the chain goes on past it (seq 1 is taken).
    const auto quarantined = channel.push(channel.sign(forged));
    EXPECT_EQ(quarantined.code, "gridsync.central:9") << "a table the role may not write";
    EXPECT_EQ(quarantined.status, sync::AckStatus::quarantined);
    EXPECT_FALSE(quarantined.transient);
    EXPECT_EQ(central_count("SELECT count(*) FROM household WHERE id = 'h-forged'"), 0);
    EXPECT_EQ(central_count("SELECT count(*) FROM quarantined_entry"), 1);
    // Sent again, it is still quarantined; another entry at its seq is a fork.
    EXPECT_EQ(channel.push(channel.sign(forged)).status, sync::AckStatus::quarantined);
    EXPECT_EQ(channel.push(honest).code, "gridsync.central:5") << "a fork";
    EXPECT_EQ(central_count("SELECT count(*) FROM audit WHERE action = 'security.forked_chain'"),
              1);
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 0);
}

// A grid leader's device writing a payment, and a laptop writing outside its
// community: refused by the running server for role and for scope.
TEST_F(RunningCentral, RoleAndScopeAreEnforcedByTheRunningServer) {
    auto cdb = store::Database::open(dir / "central" / "central.db");
    const auto leader = *cdb.query_value<std::string>(
        "SELECT g.leader_staff_id FROM grid g JOIN community c ON c.id = g.community_id WHERE "
        "c.code = 'C01' AND g.name LIKE '%第1网格'");
    const auto token = central({"--json", "token", "--staff", leader, "--role", "grid_device",
                                "--community", "C01", "--grid", "1"});
    ASSERT_EQ(token.exit_code, 0) << token.out;
    tools::EdgeDriver grid_device(GRIDSYNC_EDGE_BIN, dir / "grid", dir / "edge.pass");
    ASSERT_EQ(grid_device.run({"init", "--device-name", "grid", "--fast-kdf"}).exit_code, 0);
    ASSERT_EQ(
        grid_device
            .run({"enroll", "--central", address, "--code",
                  std::string(tools::EdgeDriver::json(token).at("code").as_string()), "--fast-kdf"})
            .exit_code,
        0);
    const std::int64_t hlc = domain::Hlc::from_parts(domain::SystemClock{}.now_ms(), 0).packed;
    auto first_entry = [&](const DeviceChannel& ch, Bytes changeset) {
        sync::ChangesetEnvelope e;
        e.device_id = ch.id;
        e.seq = 1;
        e.hlc = hlc;
        e.schema_version = 1;
        e.changeset = std::move(changeset);
        return ch.sign(e);
    };
    // A payment from the grid leader's device: its role may not write payments at all.
    store::Row payment(static_cast<std::size_t>(*cdb.query_value<int>(
                           "SELECT count(*) FROM pragma_table_info('payment')")),
                       store::Value(std::string("x")));
    payment[0] = store::Value(std::string("p-forged"));
    const auto grid_channel = DeviceChannel::of(grid_device, address);
    const auto a =
        grid_channel.push(first_entry(grid_channel, insert_changeset("payment", payment)));
    EXPECT_EQ(a.code, "gridsync.central:9") << a.message;
    // A check-in at another community, from C01's laptop.
    const auto c02 = *cdb.query_value<std::string>("SELECT id FROM community WHERE code = 'C02'");
    store::Row check(static_cast<std::size_t>(*cdb.query_value<int>(
                         "SELECT count(*) FROM pragma_table_info('shift_check')")),
                     store::Value(store::Null{}));
    check[0] = store::Value(std::string("c-forged"));
    check[1] = store::Value(
        *cdb.query_value<std::string>("SELECT id FROM staff WHERE community_id = ?1 LIMIT 1", c02));
    check[2] = store::Value(c02);
    const auto laptop_channel = DeviceChannel::of(laptop, address);
    check[3] = store::Value(laptop_channel.id);  // device_id: its stamps are honest
    check[check.size() - 2] = store::Value(laptop_channel.id);
    check[check.size() - 1] = store::Value(hlc);
    const auto b =
        laptop_channel.push(first_entry(laptop_channel, insert_changeset("shift_check", check)));
    EXPECT_EQ(b.code, "gridsync.central:10") << b.message;
    EXPECT_EQ(central_count("SELECT count(*) FROM payment") +
                  central_count("SELECT count(*) FROM shift_check"),
              0);
}

// A device still speaking protocol 1 reaches a central speaking 2: refused,
// and the answer names both versions so someone can tell which to update.
TEST_F(RunningCentral, AnOlderProtocolVersionIsRefusedNamingBothVersions) {
    const auto channel = DeviceChannel::of(laptop, address);
    Bytes push = sync::encode(sync::PushBatch{});
    ASSERT_EQ(push[1], sync::kProtocolVersion);  // u16 little endian after the marker
    push[1] = 1;
    auto answer = channel.call("/v1/push", push);
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.code(), sync::Errc::remote_refused);
    EXPECT_NE(answer.failure().message.find("protocol version 1 received, this build speaks 2"),
              std::string::npos)
        << answer.failure().message;
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 0);
}

namespace {

int connect_to(const std::string& address) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port =
        htons(static_cast<std::uint16_t>(std::stoi(address.substr(address.find(':') + 1))));
    ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

void send_all(int fd, std::string_view s) {
    while (!s.empty()) {
        const auto n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
        ASSERT_GT(n, 0);
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

}  // namespace

// SIGTERM while a request is half received: central stops accepting, reads
// the rest, answers it, and only then exits.
TEST_F(RunningCentral, SigtermFinishesTheRequestInFlightBeforeExiting) {
    const int fd = connect_to(address);
    ASSERT_GE(fd, 0);
    send_all(fd, "POST /v1/enroll HTTP/1.1\r\nHost: central\r\nContent-Length: 10\r\n\r\n01234");
    ::usleep(200000);
    server->terminate();
    ::usleep(300000);
    EXPECT_EQ(connect_to(address), -1) << "a stopping central accepts no new connection";
    send_all(fd, "56789");
    const std::string answer = read_all(fd);
    ::close(fd);
    EXPECT_EQ(answer.rfind("HTTP/1.1 401", 0), 0u) << answer;  // the junk enrollment, refused
    EXPECT_NE(answer.find("gridsync.crypto"), std::string::npos) << answer;
    const auto r = server->wait();
    server.reset();
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(central_count("SELECT count(*) FROM audit WHERE action = 'central.stop'"), 1);
}

// The command line settles conflicts as the signed-in admin; an unknown or
// settled conflict is refused by name, and a wrong password stops it first.
TEST_F(RunningCentral, ResolvingFromTheCommandLineIsSignedAndRefusedWhenNotOpen) {
    auto r = central({"--json", "resolve", "--conflict", "no-such-conflict", "--decision",
                      "keep_central", "--reason", "测试"});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("gridsync.central:17"), std::string::npos) << r.out;
    std::ofstream(dir / "wrong.pass") << "not the password\n";
    auto wrong = run(
        GRIDSYNC_CENTRAL_BIN,
        {"--data", (dir / "central").string(), "--passphrase-file", (dir / "central.pass").string(),
         "--admin", "admin1", "--admin-password-file", (dir / "wrong.pass").string(), "--json",
         "resolve", "--conflict", "x", "--decision", "keep_central", "--reason", "x"});
    EXPECT_EQ(wrong.exit_code, 2) << wrong.out;
    EXPECT_NE(wrong.out.find("gridsync.central:16"), std::string::npos) << wrong.out;
    EXPECT_EQ(central_count("SELECT count(*) FROM audit WHERE action = 'admin.login' AND outcome = "
                            "'refused'"),
              1);
    EXPECT_EQ(central({"conflicts", "--id", "no-such-conflict"}).exit_code, 2);
}

// A byte of a stored entry flipped on the laptop's disk: status says the
// chain is broken (exit 5), sync pushes what comes before it and stops there
// with the same exit and a message a person can act on.
TEST_F(RunningCentral, ADamagedOutboxEntryBlocksThePushWithAClearMessage) {
    const std::string resident =
        *laptop.db().query_value<std::string>("SELECT id FROM resident ORDER BY id LIMIT 1");
    for (const char* phone : {"13800000001", "13800000002"}) {
        ASSERT_EQ(
            laptop.run({"resident", "edit", "--resident", resident, "--phone", phone}).exit_code,
            0);
    }
    {
        auto db = laptop.db();
        Bytes bytes = *db.query_value<Bytes>("SELECT envelope FROM outbox WHERE seq = 2");
        bytes[bytes.size() - 3] ^= 0x01;
        db.execute("UPDATE outbox SET envelope = ?1 WHERE seq = 2", bytes);
    }
    const auto status = laptop.run({"--json", "status"});
    EXPECT_EQ(status.exit_code, 5) << status.out;
    EXPECT_EQ(tools::EdgeDriver::json(status).at("first_broken_seq").as_int64(), 2);
    const auto sync = laptop.run({"--json", "sync"});
    EXPECT_EQ(sync.exit_code, 5) << sync.out;
    const auto j = tools::EdgeDriver::json(sync);
    EXPECT_EQ(j.at("accepted").as_int64(), 1) << "the entry before the damage went through";
    EXPECT_EQ(j.at("outbox_broken_seq").as_int64(), 2);
    const auto text = laptop.run({"sync"});
    EXPECT_NE(text.out.find("第 2 条"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("联系管理员"), std::string::npos) << text.out;
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id <> 'central'"), 1);
    EXPECT_EQ(
        laptop.db().query_value<std::string>("SELECT phone FROM resident WHERE id = ?1", resident),
        "13800000002")
        << "the damaged entry's row is left as it was";
}

// The person makes their key with the code an admin issued to them; the
// shipped edge never overwrites a key file, and a mistyped code is caught
// before anything is written.
TEST_F(RunningCentral, AStaffKeyIsMadeWithItsCodeAndNeverOverwritten) {
    const std::string staff = *laptop.db().query_value<std::string>(
        "SELECT id FROM staff WHERE role = 'community_worker' ORDER BY id LIMIT 1");
    const std::string code = staff_code(staff);
    std::string typo = code;
    typo[0] = typo[0] == 'Z' ? 'Y' : 'Z';
    const auto mistyped =
        laptop.run({"--json", "staff", "enroll-key", "--staff", staff}, typo + "\n2468\n2468\n");
    EXPECT_EQ(mistyped.exit_code, 2) << mistyped.out;
    EXPECT_NE(mistyped.out.find("登记码"), std::string::npos) << mistyped.out;
    const auto key_file = laptop.data() / "staff" / (staff + ".key");
    EXPECT_FALSE(std::filesystem::exists(key_file));
    ASSERT_EQ(
        laptop.run({"staff", "enroll-key", "--staff", staff}, code + "\n2468\n2468\n").exit_code,
        0);
    const auto sealed = read_file(key_file, 4096).value();
    const auto again = laptop.run({"--json", "staff", "enroll-key", "--staff", staff},
                                  staff_code(staff) + "\n1357\n1357\n");
    EXPECT_EQ(again.exit_code, 2) << again.out;
    EXPECT_NE(again.out.find("domain:24"), std::string::npos) << again.out;
    EXPECT_EQ(read_file(key_file, 4096).value(), sealed) << "the key file is unchanged";
    ASSERT_EQ(laptop.run({"sync"}).exit_code, 0);
    const auto keys = central({"--json", "staff", "keys", "--staff", staff});
    ASSERT_EQ(keys.exit_code, 0) << keys.out;
    EXPECT_EQ(tools::EdgeDriver::json(keys).at("keys").as_array().size(), 1u);
}

// A long-lived `gridsync-edge serve` (syncing every second) beside two
// command lines writing to the same node at the same time: each write
// takes the HLC and the chain's head inside its own IMMEDIATE transaction,
// so the chain neither forks nor goes back, and central accepts it whole.
TEST_F(RunningCentral, TwoWriterProcessesBesideServeLeaveOneChainCentralAcceptsWhole) {
    std::vector<std::string> residents;
    {
        auto st = laptop.db().prepare("SELECT id FROM resident ORDER BY id LIMIT 2");
        while (st.step())
            residents.push_back(st.column<std::string>(0));
    }
    ASSERT_EQ(residents.size(), 2u);
    const auto port_file = dir / "laptop.port";
    Process serve(GRIDSYNC_EDGE_BIN,
                  {"--data", laptop.data().string(), "--passphrase-file",
                   (dir / "edge.pass").string(), "serve", "--listen", "127.0.0.1:0", "--port-file",
                   port_file.string(), "--interval-seconds", "1"},
                  "");
    constexpr int kEach = 12;
    std::vector<int> failures(2, 0);
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
        writers.emplace_back([&, w] {
            for (int i = 0; i < kEach; ++i) {
                const std::string phone = "1390000" + std::to_string(w) + std::to_string(1000 + i);
                if (laptop
                        .run({"resident", "edit", "--resident",
                              residents[static_cast<std::size_t>(w)], "--phone", phone})
                        .exit_code != 0)
                    ++failures[static_cast<std::size_t>(w)];
            }
        });
    }
    for (auto& t : writers)
        t.join();
    serve.terminate();
    EXPECT_EQ(serve.wait().exit_code, 0);
    EXPECT_EQ(failures, (std::vector<int>{0, 0}));
    const auto verified = laptop.run({"--json", "verify"});
    ASSERT_EQ(verified.exit_code, 0) << verified.out;
    EXPECT_EQ(tools::EdgeDriver::json(verified).at("entries").as_int64(), 2 * kEach);
    // Whatever serve had not pushed yet goes now; central holds every entry.
    const auto sync = laptop.run({"--json", "sync"});
    ASSERT_EQ(sync.exit_code, 0) << sync.out;
    EXPECT_EQ(central_count("SELECT count(*) FROM accepted_entry WHERE device_id = '" +
                            device_id() + "'"),
              2 * kEach);
    EXPECT_EQ(central_count("SELECT count(*) FROM audit WHERE outcome = 'refused'"), 0);
    EXPECT_EQ(central_count("SELECT last_seq FROM device WHERE id = '" + device_id() + "'"),
              2 * kEach);
}

// Codes for one person on several devices, in one command: distinct, each
// kept (as its digest) and audited, and an out-of-range count refused.
TEST_F(RunningCentral, StaffCodesForSeveralDevicesComeInOneCommand) {
    const std::string staff = *laptop.db().query_value<std::string>(
        "SELECT id FROM staff WHERE role = 'community_worker' ORDER BY id LIMIT 1");
    const int before = central_count("SELECT count(*) FROM staff_enrolment_code");
    auto r = central({"--json", "staff", "code", "--staff", staff, "--count", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto j = tools::EdgeDriver::json(r);
    std::set<std::string> codes;
    for (const auto& c : j.at("codes").as_array())
        codes.insert(std::string(c.as_string()));
    EXPECT_EQ(codes.size(), 3u);
    EXPECT_TRUE(codes.count(std::string(j.at("code").as_string())));
    EXPECT_EQ(central_count("SELECT count(*) FROM staff_enrolment_code"), before + 3);
    // One of them registers the person's key on the laptop.
    ASSERT_EQ(
        laptop.run({"staff", "enroll-key", "--staff", staff}, *codes.begin() + "\n2468\n2468\n")
            .exit_code,
        0);
    EXPECT_NE(central({"staff", "code", "--staff", staff, "--count", "0"}).exit_code, 0);
    EXPECT_NE(central({"staff", "code", "--staff", staff, "--count", "1001"}).exit_code, 0);
    EXPECT_EQ(central_count("SELECT count(*) FROM staff_enrolment_code"), before + 3);
}

// The bench's duty admin (gridsync-bench's login during a push): an admin
// added from an office's staff list with production password hashing, who
// logs in to the running central's console; a wrong password does not.
TEST(RunningCentralProcess, AnAdminAddedWithProductionHashingLogsInToTheConsole) {
    test::TempDir dir;
    tools::CentralProcess central(GRIDSYNC_CENTRAL_BIN, dir / "c", 0);
    std::ofstream(dir / "duty.csv") << "工号,姓名,岗位\nADM03,值班管理员,管理员\n";
    (void)central.admin({"import", "staff", "--file", (dir / "duty.csv").string()});
    central.add_admin("duty", "ADM03", true);
    {
        auto db = store::Database::open(dir / "c" / "central" / "central.db");
        const auto hash = db.query_value<std::string>(
            "SELECT password_hash FROM admin_account WHERE login = 'duty'");
        ASSERT_TRUE(hash.has_value());
        EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
        // Argon2id at libsodium's interactive limits: 64 MiB, not the minimum.
        EXPECT_NE(hash->find("m=65536"), std::string::npos) << *hash;
    }
    central.serve();
    std::string password;
    std::getline(std::ifstream(dir / "c" / "duty.pass"), password);
    tools::WebClient console(central.address());
    EXPECT_FALSE(console.login("duty", password + "x"));
    EXPECT_TRUE(console.login("duty", password));
}
