// The protocol over real HTTP on 127.0.0.1: central's Beast server on a
// thread pool, the edge's Beast client, one SQLite file each.
#include <thread>

#include "central_fixture.hpp"
#include "gridsync/central/router.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/sync/client.hpp"
#include "gridsync/web/server.hpp"

using namespace gridsync;
using namespace gridsync::domain;
using test::dump;

namespace {

class HttpTest : public test::EdgeAndCentral {
  protected:
    central::CentralKeys keys{crypto::SigningKey::generate(), crypto::KxKeyPair::generate(),
                              crypto::SecureBuffer::random(32)};
    std::unique_ptr<central::Router> router;
    std::unique_ptr<web::HttpServer> server;
    std::thread serving;

    void start(web::ServerOptions options = {}) {
        router = std::make_unique<central::Router>(*central, central->parts(), keys, central_clock);
        server = std::make_unique<web::HttpServer>(
            [this](const web::HttpCall& c) { return router->handle(c); }, options);
        serving = std::thread([this] { server->run(); });
    }
    void TearDown() override {
        if (server)
            server->stop();
        if (serving.joinable())
            serving.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(server->port()); }
    std::string token() {
        return central->create_token(*admin, {payer, "community_laptop", community, "", 3600000},
                                     central_clock.now_ms());
    }
};

}  // namespace

TEST_F(HttpTest, EnrollPushAndPullOverHttp) {
    start();
    edge::HttpTransport http(address());
    const auto kx = crypto::KxKeyPair::generate();
    auto enrolled =
        sync::enroll_device(http, keys.kx.public_key(),
                            {token(), "laptop", edge.device_key.public_key(), kx.public_key()}, kx);
    ASSERT_TRUE(enrolled.ok()) << enrolled.failure().message;
    edge.register_keys_for(enrolled->device_id, {&edge.db, &central->db()});
    sync::Outbox outbox(edge.db, enrolled->device_id, edge.device_key, edge.clock);
    pay_first(edge.db, outbox);
    sync::SyncClient client(edge.db, outbox, edge.device_key, kx,
                            {keys.signing.public_key(), keys.kx.public_key()}, http, edge.clock);
    auto round = client.round();
    ASSERT_TRUE(round.ok()) << round.failure().message;
    EXPECT_EQ(round->accepted, outbox.status().entries);
    EXPECT_EQ(outbox.status().pending, 0u);
    EXPECT_EQ(dump(edge.db, "payment"), dump(central->db(), "payment"));
}

TEST_F(HttpTest, OversizedBodiesAreRefusedWith413AndTheServerGoesOn) {
    web::ServerOptions o;
    o.body_limit = 1024;
    start(o);
    edge::HttpTransport http(address());
    auto big = http.post("/v1/push", {{sync::kDeviceHeader, "dev-x"}}, Bytes(4096, 7));
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.failure().message.find("HTTP 413"), std::string::npos) << big.failure().message;
    auto small = http.post("/v1/push", {{sync::kDeviceHeader, "dev-x"}}, Bytes(10, 7));
    ASSERT_FALSE(small.ok());
    EXPECT_NE(small.failure().message.find("HTTP 401"), std::string::npos)
        << small.failure().message;
}

TEST_F(HttpTest, NoServerIsATransportFailureNotACrash) {
    start();
    const auto port = server->port();
    server->stop();
    serving.join();
    server.reset();
    edge::HttpTransport http("127.0.0.1:" + std::to_string(port), std::chrono::seconds(2));
    auto r = http.post("/v1/health", {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), sync::Errc::transport_failed);
}
