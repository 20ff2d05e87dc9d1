// The HTTP server against broken and hostile clients, in this process, on
// 127.0.0.1: header limits, connection caps per address and in total, the
// memory budget checked before a body is buffered, handlers off the I/O
// threads, and an accept loop that outlives running out of descriptors.
#include "gridsync/web/server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "raw_http.hpp"

using namespace gridsync;
using namespace std::chrono_literals;
using test::RawSocket;

namespace {

class Served {
  public:
    Served(web::Handler handler, web::ServerOptions options, web::Admit admit = {})
        : server(std::move(handler), options, std::move(admit)) {
        serving = std::thread([this] { stopped_on_request = server.run(); });
    }
    ~Served() {
        server.stop();
        if (serving.joinable())
            serving.join();
    }
    unsigned short port() const { return server.port(); }
    web::HttpServer server;
    std::thread serving;
    bool stopped_on_request = false;
};

web::HttpAnswer ok_answer(const web::HttpCall&) {
    return {200, "text/plain", Bytes{'o', 'k'}, {}};
}

// Cheap /v1/health, like central's.
web::Admission health_is_cheap(const web::HttpCall& head) {
    web::Admission a;
    a.cheap = head.path == "/v1/health";
    return a;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = 5000ms) {
    const auto end = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < end) {
        if (pred())
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return pred();
}

}  // namespace

TEST(HttpServerLimits, AHeaderOverTheLimitIs431AndTheServerGoesOn) {
    web::ServerOptions o;
    o.header_limit = 8 << 10;
    Served s(ok_answer, o);
    auto c = RawSocket::connect(s.port());
    ASSERT_TRUE(c.open());
    c.send("GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(64 << 10, 'a') + "\r\n\r\n");
    EXPECT_EQ(test::status_of(c.receive(5000ms)), 431);
    EXPECT_EQ(test::health(s.port()), 200);
}

TEST(HttpServerLimits, ABodyOverTheRoutesLimitIsRefusedFromItsHead) {
    std::atomic<int> handled{0};
    Served s(
        [&](const web::HttpCall& c) {
            ++handled;
            return ok_answer(c);
        },
        {},
        [](const web::HttpCall&) {
            return web::Admission{{}, 4096, false};
        });
    auto c = RawSocket::connect(s.port());
    ASSERT_TRUE(c.open());
    // 8 MiB declared, none of it sent: the answer comes from the head alone.
    c.send(test::request_head("POST", "/admin/api/login", 8u << 20));
    EXPECT_EQ(test::status_of(c.receive(5000ms)), 413);
    EXPECT_EQ(handled.load(), 0);
}

TEST(HttpServerLimits, ConnectionsArecappedPerAddressAndOthersAreStillServed) {
    web::ServerOptions o;
    o.max_connections_per_address = 4;
    Served s(ok_answer, o);
    std::vector<RawSocket> flood;
    for (int i = 0; i < 10; ++i)
        flood.push_back(RawSocket::connect(s.port(), "127.0.0.2"));
    ASSERT_TRUE(eventually([&] { return s.server.counters().connections_refused >= 6; }))
        << s.server.counters().connections_refused;
    EXPECT_LE(s.server.counters().connections, 4u);
    // The sixth from 127.0.0.2 was closed at once...
    EXPECT_EQ(test::health(s.port(), "127.0.0.2", 2000ms), 0);
    // ...and another address is served all the same.
    EXPECT_EQ(test::health(s.port(), "127.0.0.1"), 200);
    flood.clear();
    EXPECT_TRUE(eventually([&] { return test::health(s.port(), "127.0.0.2", 2000ms) == 200; }));
}

TEST(HttpServerLimits, BodiesBeyondTheMemoryBudgetAreRefusedBeforeTheyAreBuffered) {
    web::ServerOptions o;
    o.body_limit = 1u << 20;
    o.memory_budget = 2u << 20;
    std::atomic<std::size_t> peak{0};
    Served* served = nullptr;
    Served s(
        [&](const web::HttpCall& c) {
            peak = std::max<std::size_t>(peak, served->server.counters().body_bytes);
            std::this_thread::sleep_for(500ms);
            return ok_answer(c);
        },
        o);
    served = &s;
    const std::string body(1u << 20, 'x');
    std::vector<RawSocket> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(RawSocket::connect(s.port()));
        clients.back().send(test::request_head("POST", "/push", body.size()));
    }
    // Two heads fit the budget; the other two are answered 503 at once.
    int busy = 0;
    std::vector<RawSocket*> admitted;
    for (auto& c : clients) {
        if (c.readable(300ms)) {
            const std::string answer = c.receive(2000ms);
            EXPECT_EQ(test::status_of(answer), 503) << answer;
            EXPECT_NE(answer.find("Retry-After: 2"), std::string::npos) << answer;
            ++busy;
        } else {
            admitted.push_back(&c);
        }
    }
    EXPECT_EQ(busy, 2);
    for (auto* c : admitted) {
        c->send(body);
        EXPECT_EQ(test::status_of(c->receive(5000ms)), 200);
    }
    EXPECT_LE(peak.load(), o.memory_budget);
    EXPECT_TRUE(eventually([&] { return s.server.counters().body_bytes == 0; }));
    EXPECT_EQ(s.server.counters().over_budget, 2u);
}

TEST(HttpServerLimits, SlowHandlersDoNotStallTheHealthCheck) {
    web::ServerOptions o;
    o.workers = 2;
    Served s(
        [](const web::HttpCall& c) {
            if (c.path == "/slow")
                std::this_thread::sleep_for(2s);
            return ok_answer(c);
        },
        o, health_is_cheap);
    std::vector<RawSocket> slow;
    for (int i = 0; i < 4; ++i) {
        slow.push_back(RawSocket::connect(s.port()));
        slow.back().send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
    }
    std::this_thread::sleep_for(100ms);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(test::health(s.port()), 200);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

// Out of descriptors, accept() fails with EMFILE; the loop waits and goes on.
TEST(HttpServerLimits, AnAcceptErrorIsRetriedAndNeverEndsTheLoop) {
    web::ServerOptions o;
    o.accept_retry = 50ms;
    Served s(ok_answer, o);
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    std::vector<int> filler;
    RawSocket pending;
    {
        rlimit low = saved;
        low.rlim_cur = 256;
        ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
        // Every descriptor taken, one freed for the client's socket: the
        // server's accept finds none.
        for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
            filler.push_back(fd);
        ASSERT_FALSE(filler.empty());
        ::close(filler.back());
        filler.pop_back();
        pending = RawSocket::connect(s.port());
        ASSERT_TRUE(pending.open());
        EXPECT_TRUE(eventually([&] { return s.server.counters().accept_errors >= 3; }))
            << s.server.counters().accept_errors;
        for (int fd : filler)
            ::close(fd);
        filler.clear();
        ::setrlimit(RLIMIT_NOFILE, &saved);
    }
    // The connection that waited is taken now, and new ones too.
    pending.send("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(test::status_of(pending.receive(5000ms)), 200);
    EXPECT_EQ(test::health(s.port()), 200);
}

TEST(HttpServerLimits, RunSaysWhetherStopEndedIt) {
    auto s = std::make_unique<Served>(ok_answer, web::ServerOptions{});
    EXPECT_EQ(test::health(s->port()), 200);
    Served* raw = s.get();
    raw->server.stop();
    raw->serving.join();
    EXPECT_TRUE(raw->stopped_on_request);
}

TEST(HttpServerLimits, TotalConnectionsStayUnderTheDescriptorLimit) {
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    rlimit low = saved;
    low.rlim_cur = 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    web::ServerOptions o;
    o.max_connections = 100000;
    auto s = std::make_unique<Served>(ok_answer, o);
    ::setrlimit(RLIMIT_NOFILE, &saved);
    EXPECT_EQ(s->server.max_connections(), 1024 - web::kReservedDescriptors);
}

// Connections that only sit there (an idle or slowloris flood) cannot fill
// the server: at the total cap, the one waiting longest makes room.
TEST(HttpServerLimits, AtTheTotalCapTheLongestWaitingConnectionMakesRoom) {
    web::ServerOptions o;
    o.max_connections = 8;
    Served s(ok_answer, o);
    std::vector<RawSocket> flood;
    for (int i = 0; i < 8; ++i) {
        flood.push_back(RawSocket::connect(s.port(), "127.0.0.2"));
        flood.back().send("GET / HTTP/1.1\r\nHost: a\r\n");  // a head that never ends
    }
    ASSERT_TRUE(eventually([&] { return s.server.counters().connections == 8; }));
    EXPECT_EQ(test::health(s.port(), "127.0.0.1"), 200);
    EXPECT_GE(s.server.counters().evicted, 1u);
    // The first of the flood was the one closed.
    EXPECT_TRUE(flood.front().readable(2000ms));
    EXPECT_EQ(flood.front().receive(500ms), "");
}

// An end nobody asked for is not a stop: run() rethrows what ended it, so
// the program exits non-zero (gridsync-central serve: 7) and is restarted.
TEST(HttpServerLimits, AnErrorInsideTheServerEndsRunWithItNotAsAStop) {
    web::HttpServer server(ok_answer, {}, [](const web::HttpCall&) -> web::Admission {
        throw std::runtime_error("a broken admission");
    });
    std::atomic<int> outcome{0};  // 1 stopped, 2 threw
    std::thread serving([&] {
        try {
            outcome = server.run() ? 1 : 3;
        } catch (const std::runtime_error&) {
            outcome = 2;
        }
    });
    auto c = RawSocket::connect(server.port());
    c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_TRUE(eventually([&] { return outcome != 0; }));
    if (outcome == 0)
        server.stop();
    serving.join();
    EXPECT_EQ(outcome.load(), 2);
}

// Slowloris: heads trickling in a byte at a time on many connections; the
// others are served at once all the same.
TEST(HttpServerLimits, SlowClientsDoNotKeepOthersWaiting) {
    Served s(ok_answer, {}, health_is_cheap);
    std::vector<RawSocket> slow;
    for (int i = 0; i < 100; ++i) {
        slow.push_back(RawSocket::connect(s.port(), "127.0.0." + std::to_string(2 + i % 10)));
        slow.back().send("GET /slow HTTP/1.1\r\n");
    }
    for (int round = 0; round < 5; ++round) {
        for (auto& c : slow)
            c.send("X");
        const auto started = std::chrono::steady_clock::now();
        EXPECT_EQ(test::health(s.port()), 200);
        EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    }
    EXPECT_GE(s.server.counters().connections, 100u) << "the slow ones are only slow";
}

// A body refused as busy (too many requests in progress) on a kept-alive
// connection gives its share of the memory budget back at once.
TEST(HttpServerLimits, ABodyRefusedAsBusyGivesItsBudgetBack) {
    web::ServerOptions o;
    o.max_in_flight = 0;  // every request is one too many
    Served s(ok_answer, o);
    auto c = RawSocket::connect(s.port());
    const std::string body(4096, 'x');
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(c.send(test::request_head("POST", "/push", body.size()) + body));
        EXPECT_EQ(test::status_of(c.receive(5000ms)), 503);
    }
    EXPECT_TRUE(eventually([&] { return s.server.counters().body_bytes == 0; }))
        << s.server.counters().body_bytes;
}
