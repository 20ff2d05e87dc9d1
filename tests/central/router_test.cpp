// The whole protocol through central's router: enrollment sealed to
// central's key, encrypted push and pull, and the router's refusals. Only the
// socket is missing (tests/net runs the same over HTTP on 127.0.0.1).
#include "gridsync/central/router.hpp"
#include "central_fixture.hpp"
#include "gridsync/sync/client.hpp"
#include "gridsync/text.hpp"

using namespace gridsync;
using namespace gridsync::domain;
using test::dump;

namespace {

class RouterTest : public test::EdgeAndCentral {
  protected:
    central::CentralKeys keys{crypto::SigningKey::generate(), crypto::KxKeyPair::generate(),
                              crypto::SecureBuffer::random(32)};
    std::unique_ptr<central::Router> router;
    std::unique_ptr<test::DirectTransport> transport;
    void SetUp() override {
        test::EdgeAndCentral::SetUp();
        router = std::make_unique<central::Router>(*central, central->parts(), keys, central_clock);
        transport = std::make_unique<test::DirectTransport>(*router);
    }
    Result<sync::EnrollResponse> enroll_over_router(const std::string& token,
                                                    const crypto::SigningKey& key,
                                                    const crypto::KxKeyPair& kx) {
        return sync::enroll_device(*transport, keys.kx.public_key(),
                                   {token, "laptop", key.public_key(), kx.public_key()}, kx);
    }
    std::string token(const std::string& role = "community_laptop") {
        return central->create_token(*admin, {payer, role, community, "", 3600000},
                                     central_clock.now_ms());
    }
};

}  // namespace

TEST_F(RouterTest, EnrollPushAndPullThroughTheEncryptedChannel) {
    const auto kx = crypto::KxKeyPair::generate();
    auto enrolled = enroll_over_router(token(), edge.device_key, kx);
    ASSERT_TRUE(enrolled.ok()) << enrolled.failure().message;
    EXPECT_EQ(enrolled->central_signing_key, keys.signing.public_key());
    EXPECT_EQ(enrolled->community_id, community);
    EXPECT_TRUE(crypto::constant_time_equal(enrolled->id_key, keys.id_key.view()))
        << "the device needs the subdistrict's ID key to check residents' ID numbers";
    edge.register_keys_for(enrolled->device_id, {&edge.db, &central->db()});
    sync::Outbox outbox(edge.db, enrolled->device_id, edge.device_key, edge.clock);
    pay_first(edge.db, outbox);
    sync::SyncClient client(edge.db, outbox, edge.device_key, kx,
                            {keys.signing.public_key(), keys.kx.public_key()}, *transport,
                            edge.clock);
    auto round = client.round();
    ASSERT_TRUE(round.ok()) << round.failure().message;
    EXPECT_EQ(round->accepted, outbox.status().entries);
    EXPECT_EQ(round->rejected, 0u);
    EXPECT_EQ(dump(edge.db, "payment"), dump(central->db(), "payment"));

    // A second laptop enrolls and receives the day.
    auto db2 = store::Database::open(cdir / "laptop2.db");
    const auto key2 = crypto::SigningKey::generate();
    const auto kx2 = crypto::KxKeyPair::generate();
    auto enrolled2 = enroll_over_router(token(), key2, kx2);
    ASSERT_TRUE(enrolled2.ok());
    sync::Outbox outbox2(db2, enrolled2->device_id, key2, edge.clock);
    sync::SyncClient client2(db2, outbox2, key2, kx2,
                             {keys.signing.public_key(), keys.kx.public_key()}, *transport,
                             edge.clock);
    auto round2 = client2.round();
    ASSERT_TRUE(round2.ok()) << round2.failure().message;
    EXPECT_GT(round2->snapshot_rows, 0u);
    EXPECT_EQ(dump(db2, "payment"), dump(central->db(), "payment"));
}

TEST_F(RouterTest, ATokenWorksOnceAndOnlyForCentralsKey) {
    const std::string t = token();
    const auto kx = crypto::KxKeyPair::generate();
    // Sealed to a key that is not central's: central cannot open it.
    auto wrong =
        sync::enroll_device(*transport, crypto::KxKeyPair::generate().public_key(),
                            {t, "laptop", edge.device_key.public_key(), kx.public_key()}, kx);
    EXPECT_FALSE(wrong.ok());
    EXPECT_EQ(transport->last.status, 401);
    ASSERT_TRUE(enroll_over_router(t, edge.device_key, kx).ok());
    auto again =
        enroll_over_router(t, crypto::SigningKey::generate(), crypto::KxKeyPair::generate());
    EXPECT_FALSE(again.ok());
    EXPECT_EQ(transport->last.status, 403);
    EXPECT_NE(again.failure().message.find("gridsync.central:15"), std::string::npos);
}

TEST_F(RouterTest, BodiesThatDoNotDecryptForTheirDeviceAndPathAreRefused) {
    const auto kx = crypto::KxKeyPair::generate();
    auto enrolled = enroll_over_router(token(), edge.device_key, kx);
    ASSERT_TRUE(enrolled.ok());
    auto keys_c = crypto::client_session_keys(kx, keys.kx.public_key()).value();
    edge.register_keys_for(enrolled->device_id, {&edge.db, &central->db()});
    sync::Outbox outbox(edge.db, enrolled->device_id, edge.device_key, edge.clock);
    ASSERT_TRUE(outbox.record_as<CheckResult>([&](const Stamp& st) {
        return check_in_out(edge.db, st, edge.signer(payer), {community, "in", std::nullopt});
    }));
    const Bytes push = sync::encode(outbox.pending_batch(10));
    // Encrypted for /v1/pull, sent to /v1/push: refused.
    const Bytes for_pull =
        sync::seal_body(keys_c.tx, sync::Direction::request, "/v1/pull", enrolled->device_id, push);
    auto a = router->handle({"POST", "/v1/push", enrolled->device_id, for_pull});
    EXPECT_EQ(a.status, 401);
    // Sent in another device's name.
    const Bytes ok_body =
        sync::seal_body(keys_c.tx, sync::Direction::request, "/v1/push", enrolled->device_id, push);
    EXPECT_EQ(router->handle({"POST", "/v1/push", device.id, ok_body}).status, 401);
    EXPECT_EQ(router->handle({"POST", "/v1/push", "dev-nobody", ok_body}).status, 401);
    // Nothing was applied; the honest call then goes through.
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 0);
    EXPECT_EQ(router->handle({"POST", "/v1/push", enrolled->device_id, ok_body}).status, 200);
    EXPECT_EQ(count("SELECT count(*) FROM shift_check"), 1);
}

TEST_F(RouterTest, HealthUnknownPathsAndMethods) {
    EXPECT_EQ(router->handle({"GET", "/v1/health", "", {}}).status, 200);
    EXPECT_EQ(router->handle({"POST", "/v1/nothing", "", {}}).status, 404);
    EXPECT_EQ(router->handle({"GET", "/v1/push", "", {}}).status, 405);
    const auto junk = router->handle({"POST", "/v1/enroll", "", to_bytes("junk")});
    EXPECT_EQ(junk.status, 401);
    EXPECT_EQ(junk.content_type, "application/json");
}

TEST_F(RouterTest, TheWholeScopeIsVerifiedAfterASnapshotAndThenOnlyAsOftenAsAsked) {
    // Central's log is not empty (with an empty log a device stays at cursor 0).
    const auto e = *central->db().query_value<std::string>("SELECT id FROM entitlement LIMIT 1");
    ASSERT_TRUE(central->correct_amount(e, 12300, "标准调整", *admin, keys.signing,
                                        central_clock.now_ms()));
    const auto kx = crypto::KxKeyPair::generate();
    auto enrolled = enroll_over_router(token(), edge.device_key, kx);
    ASSERT_TRUE(enrolled.ok());
    // A new device: its snapshot always ends with the digest.
    auto db2 = store::Database::open(cdir / "laptop2.db");
    sync::Outbox outbox(db2, enrolled->device_id, edge.device_key, edge.clock);
    sync::SyncClient client(db2, outbox, edge.device_key, kx,
                            {keys.signing.public_key(), keys.kx.public_key()}, *transport,
                            edge.clock);
    sync::SyncOptions hourly;
    hourly.verify_scope_every_ms = 3600000;
    ASSERT_TRUE(client.round(hourly).ok());
    const auto first = sync::scope_verified_at(db2);
    EXPECT_EQ(first, edge.clock.now_ms());
    // Ten minutes later: not again. Two hours later: again.
    edge.clock.advance(10 * 60 * 1000);
    ASSERT_TRUE(client.round(hourly).ok());
    EXPECT_EQ(sync::scope_verified_at(db2), first);
    edge.clock.advance(2 * 3600 * 1000);
    ASSERT_TRUE(client.round(hourly).ok());
    EXPECT_EQ(sync::scope_verified_at(db2), edge.clock.now_ms());
    // By default, at every pull.
    edge.clock.advance(60 * 1000);
    ASSERT_TRUE(client.round().ok());
    EXPECT_EQ(sync::scope_verified_at(db2), edge.clock.now_ms());
}

TEST_F(RouterTest, MetricsAnswerThisMachineOrTheTokenOnly) {
    central::HttpCall call{"GET", "/metrics", "", {}};
    call.from_loopback = false;
    EXPECT_EQ(router->handle(call).status, 403);
    router->set_metrics_token("a scraper's long token");
    call.authorization = "Bearer a scraper's long token";
    const auto ok = router->handle(call);
    EXPECT_EQ(ok.status, 200);
    EXPECT_NE(as_chars(ok.body).find("gridsync_log_head"), std::string::npos);
    call.authorization = "Bearer a scraper's long tokeN";
    EXPECT_EQ(router->handle(call).status, 403);
    call.authorization.clear();
    call.from_loopback = true;
    EXPECT_EQ(router->handle(call).status, 200);
    call.method = "POST";
    EXPECT_EQ(router->handle(call).status, 405);
}

// Found by tests/fuzz/router_fuzz (its regression input): a request target
// that is not UTF-8 was echoed into the 404's JSON, which then did not parse.
TEST_F(RouterTest, AnErrorEchoingBytesThatAreNotUtf8IsStillJson) {
    const char target[] = "/\xe1\xe1\xe1\xe1\x00\x01{\"reason\":\xde\x94oe";
    central::HttpCall call{"POST", std::string(target, sizeof target - 1), "", {}};
    const auto a = router->handle(call);
    EXPECT_EQ(a.status, 404);
    boost::system::error_code ec;
    const auto j = boost::json::parse(std::string(as_chars(a.body)), ec);
    ASSERT_FALSE(ec) << std::string(as_chars(a.body));
    EXPECT_TRUE(valid_utf8(std::string(j.at("message").as_string())));
}
