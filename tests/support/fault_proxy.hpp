#pragma once
// A fault-injecting TCP proxy for HTTP/1.1 on 127.0.0.1, between edges and
// central. Each request it carries meets one fault, chosen by a seeded
// generator in the order requests arrive, so a run replays from its seed:
//
//   pass              forwarded both ways
//   refuse            the connection is closed before anything is read
//   reset             part of the request is read, then the connection is reset (RST)
//   truncate_request  part of the request reaches central, then both sides are closed
//   lose_answer       central gets it all and answers (it has committed); the
//                     device gets part of the answer, then a reset
//   delay             forwarded after a pause (up to delay_ms)
//   duplicate         central gets the request twice (a second connection);
//                     the device hears the second answer
//
// One thread accepts; each connection is served on its own thread, one
// request at a time (keep-alive is honoured). Every socket has a timeout,
// so nothing here can hang a test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace gridsync::test {

class FaultProxy {
  public:
    enum class Fault { pass, refuse, reset, truncate_request, lose_answer, delay, duplicate };
    static constexpr const char* name(Fault f) {
        switch (f) {
            case Fault::pass:
                return "pass";
            case Fault::refuse:
                return "refuse";
            case Fault::reset:
                return "reset";
            case Fault::truncate_request:
                return "truncate_request";
            case Fault::lose_answer:
                return "lose_answer";
            case Fault::delay:
                return "delay";
            case Fault::duplicate:
                return "duplicate";
        }
        return "?";
    }

    // Forwards 127.0.0.1:<free port> to `upstream_port` on 127.0.0.1.
    // `fault_percent`: how many requests in a hundred meet a fault.
    FaultProxy(int upstream_port, std::uint64_t seed, int fault_percent)
        : upstream_port_(upstream_port), rng_(seed), fault_percent_(fault_percent) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a = loopback(0);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(listener_, 64) != 0)
            throw std::runtime_error("fault proxy: cannot listen");
        socklen_t len = sizeof a;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~FaultProxy() {
        stopping_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        acceptor_.join();
        std::vector<std::thread> workers;
        {
            std::lock_guard lock(mutex_);
            workers.swap(workers_);
        }
        for (auto& w : workers)
            w.join();
    }
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    // From now on, this many requests in a hundred meet a fault (0: a
    // healed network, to let a run converge).
    void set_fault_percent(int percent) { fault_percent_ = percent; }
    void set_upstream_port(int port) { upstream_port_ = port; }
    std::map<std::string, int> tally() const {
        std::lock_guard lock(mutex_);
        return tally_;
    }

  private:
    static sockaddr_in loopback(int port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return a;
    }
    static void with_timeout(int fd) {
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    static void reset_and_close(int fd) {
        linger l{1, 0};  // close() sends RST instead of FIN
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        ::close(fd);
    }
    static bool send_all(int fd, const char* p, std::size_t n) {
        while (n > 0) {
            const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
            if (w <= 0)
                return false;
            p += w;
            n -= static_cast<std::size_t>(w);
        }
        return true;
    }
    // One HTTP message (head and Content-Length body) from `fd`, with
    // whatever of the next one came along kept in `spill`. Nothing on a
    // closed or timed-out socket.
    static std::optional<std::string> read_message(int fd, std::string& spill) {
        std::string buf = std::move(spill);
        spill.clear();
        char chunk[16384];
        std::size_t head_end = std::string::npos;
        while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
            if (buf.size() > (64u << 10))
                return std::nullopt;
            const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
            if (r <= 0)
                return std::nullopt;
            buf.append(chunk, static_cast<std::size_t>(r));
        }
        std::size_t length = 0;
        std::string head = buf.substr(0, head_end);
        for (auto& ch : head)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos)
            length = std::stoul(head.substr(at + 17));
        const std::size_t total = head_end + 4 + length;
        while (buf.size() < total) {
            const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
            if (r <= 0)
                return std::nullopt;
            buf.append(chunk, static_cast<std::size_t>(r));
        }
        spill = buf.substr(total);
        buf.resize(total);
        return buf;
    }
    // One request to central on a connection of its own; its answer.
    std::optional<std::string> ask_upstream(const std::string& request) {
        const int up = ::socket(AF_INET, SOCK_STREAM, 0);
        with_timeout(up);
        sockaddr_in a = loopback(upstream_port_);
        std::optional<std::string> answer;
        if (::connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            send_all(up, request.data(), request.size())) {
            std::string spill;
            answer = read_message(up, spill);
        }
        ::close(up);
        return answer;
    }

    Fault next_fault(std::uint64_t& roll) {
        std::lock_guard lock(mutex_);
        roll = rng_();
        Fault f = Fault::pass;
        if (static_cast<int>(rng_() % 100) < fault_percent_)
            f = static_cast<Fault>(1 + rng_() % 6);
        ++tally_[name(f)];
        return f;
    }

    void accept_loop() {
        while (!stopping_) {
            const int client = ::accept(listener_, nullptr, nullptr);
            if (client < 0) {
                if (stopping_)
                    return;
                continue;
            }
            std::lock_guard lock(mutex_);
            workers_.emplace_back([this, client] { serve(client); });
        }
    }

    void serve(int client) {
        with_timeout(client);
        std::string spill;
        for (int requests = 0; requests < 1000 && !stopping_; ++requests) {
            std::uint64_t roll = 0;
            const Fault f = next_fault(roll);
            if (f == Fault::refuse) {
                reset_and_close(client);
                return;
            }
            auto request = read_message(client, spill);
            if (!request)
                break;
            if (f == Fault::reset) {
                reset_and_close(client);
                return;
            }
            if (f == Fault::truncate_request) {
                const int up = ::socket(AF_INET, SOCK_STREAM, 0);
                with_timeout(up);
                sockaddr_in a = loopback(upstream_port_);
                if (::connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
                    send_all(up, request->data(), 1 + roll % (request->size() - 1));
                ::close(up);
                ::close(client);
                return;
            }
            if (f == Fault::delay)
                ::usleep(static_cast<useconds_t>(roll % 1500) * 1000);
            auto answer = ask_upstream(*request);
            if (f == Fault::duplicate)
                answer = ask_upstream(*request);
            if (!answer)
                break;
            if (f == Fault::lose_answer) {
                send_all(client, answer->data(), roll % answer->size());
                reset_and_close(client);
                return;
            }
            if (!send_all(client, answer->data(), answer->size()))
                break;
        }
        ::close(client);
    }

    std::atomic<int> upstream_port_;
    int listener_ = -1;
    int port_ = 0;
    std::mt19937_64 rng_;
    std::atomic<int> fault_percent_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::map<std::string, int> tally_;
    std::thread acceptor_;
    std::vector<std::thread> workers_;
};

}  // namespace gridsync::test
