// The edge's HTTP client against a central that stalls: after accepting the
// connection, and after half an answer. Each stall lasts 30 s (or until the
// test ends); the client gives up at its deadline with transport_failed.
#include "gridsync/edge/http_transport.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "gridsync/sync/errors.hpp"
#include "raw_http.hpp"

using namespace gridsync;
using namespace std::chrono_literals;

namespace {

// Listens on 127.0.0.1, accepts one connection, optionally reads the request
// and writes `partial`, then holds the connection for 30 s.
class StalledCentral {
  public:
    enum class Stall { after_accept, after_half_an_answer };
    explicit StalledCentral(Stall how) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(listener_, 4);
        socklen_t len = sizeof a;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this, how] {
            test::RawSocket peer(::accept(listener_, nullptr, nullptr));
            if (how == Stall::after_half_an_answer) {
                peer.receive(2000ms, 4096);
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(50, 'x'));
            }
            std::unique_lock lock(mutex_);
            done_cv_.wait_for(lock, 30s, [this] { return done_; });
        });
    }
    ~StalledCentral() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        done_cv_.notify_all();
        thread_.join();
        ::close(listener_);
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    int listener_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
};

edge::HttpTransport::Deadlines two_seconds() {
    return {2000ms, 2000ms, 2000ms};
}

void expect_gives_up(StalledCentral::Stall how) {
    StalledCentral central(how);
    edge::HttpTransport http(central.address(), two_seconds());
    const auto started = std::chrono::steady_clock::now();
    auto r = http.post("/v1/pull", {{"X-Gridsync-Device", "d"}}, Bytes(100, 1));
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), sync::Errc::transport_failed);
    EXPECT_NE(r.failure().message.find("did not answer in time"), std::string::npos)
        << r.failure().message;
    EXPECT_GE(took, 1900ms);
    EXPECT_LT(took, 10s);  // the stall is 30 s
}

}  // namespace

TEST(HttpTransportDeadlines, ACentralThatStallsAfterAcceptIsGivenUpOn) {
    expect_gives_up(StalledCentral::Stall::after_accept);
}

TEST(HttpTransportDeadlines, ACentralThatStallsAfterHalfAnAnswerIsGivenUpOn) {
    expect_gives_up(StalledCentral::Stall::after_half_an_answer);
}

TEST(HttpTransportDeadlines, NobodyListeningIsATransportFailureAtOnce) {
    unsigned short port = 0;
    {
        StalledCentral gone(StalledCentral::Stall::after_accept);
        port = static_cast<unsigned short>(std::stoi(gone.address().substr(10)));
        // connect once so the stalled thread's accept returns
        test::RawSocket::connect(port);
    }
    edge::HttpTransport http("127.0.0.1:" + std::to_string(port), two_seconds());
    auto r = http.post("/v1/pull", {}, Bytes(1, 1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), sync::Errc::transport_failed);
    EXPECT_NE(r.failure().message.find("cannot reach central"), std::string::npos)
        << r.failure().message;
}
