#pragma once
// HTTP at the level of sockets, for tests that play a broken or hostile
// client (or a stalled server): connections from a chosen loopback address
// (127.0.0.2, ...), heads and bodies sent by hand, answers read with a
// deadline. Everything is bounded; nothing leaves 127.0.0.0/8.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace gridsync::test {

// A connected socket, closed with the object.
class RawSocket {
  public:
    RawSocket() = default;
    explicit RawSocket(int fd) : fd_(fd) {}
    RawSocket(RawSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    RawSocket& operator=(RawSocket&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~RawSocket() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int fd() const { return fd_; }
    bool open() const { return fd_ >= 0; }

    // To 127.0.0.1:port from `source` (any 127.x.y.z); an unopened socket
    // when the connection cannot be made.
    static RawSocket connect(unsigned short port, const std::string& source = "127.0.0.1") {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return RawSocket();
        RawSocket s(fd);
        sockaddr_in from{};
        from.sin_family = AF_INET;
        ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0)
            return RawSocket();
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
            return RawSocket();
        return s;
    }

    // All of `data`, or false (the peer closed, or reset).
    bool send(const std::string& data) const { return send(data.data(), data.size()); }
    bool send(const char* data, std::size_t n) const {
        std::size_t done = 0;
        while (done < n) {
            const ssize_t w = ::send(fd_, data + done, n - done, MSG_NOSIGNAL);
            if (w <= 0)
                return false;
            done += static_cast<std::size_t>(w);
        }
        return true;
    }
    // Whether bytes (or the end) can be read within `wait`.
    bool readable(std::chrono::milliseconds wait) const {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
    }
    // What arrives until the peer closes, `limit` bytes, or `deadline` passes.
    std::string receive(std::chrono::milliseconds deadline, std::size_t limit = 1 << 20) const {
        std::string out;
        const auto end = std::chrono::steady_clock::now() + deadline;
        char buf[16384];
        while (out.size() < limit) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                end - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !readable(left))
                break;
            const ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
            if (r <= 0)
                break;
            out.append(buf, static_cast<std::size_t>(r));
            // One answer is enough when it is complete (head and a short body).
            if (const auto head_end = out.find("\r\n\r\n"); head_end != std::string::npos) {
                const auto cl = out.find("Content-Length: ");
                if (cl != std::string::npos && cl < head_end) {
                    const auto len = std::stoul(out.substr(cl + 16));
                    if (out.size() >= head_end + 4 + len)
                        break;
                }
            }
        }
        return out;
    }

  private:
    int fd_ = -1;
};

// The status of an HTTP answer ("HTTP/1.1 503 ..."), or 0.
inline int status_of(const std::string& answer) {
    if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12)
        return 0;
    return std::stoi(answer.substr(9, 3));
}

// A request head with a declared body length.
inline std::string request_head(const std::string& method, const std::string& target,
                                std::size_t content_length, const std::string& extra = "") {
    return method + " " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(content_length) +
           "\r\n" + extra + "\r\n";
}

// GET /v1/health from `source`: the status, 0 without an answer in `deadline`.
inline int health(unsigned short port, const std::string& source = "127.0.0.1",
                  std::chrono::milliseconds deadline = std::chrono::milliseconds(5000)) {
    auto s = RawSocket::connect(port, source);
    if (!s.open() ||
        !s.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        return 0;
    return status_of(s.receive(deadline));
}

// Raises this process's soft descriptor limit to `wanted` (or the hard limit).
inline void raise_descriptor_limit(rlim_t wanted) {
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur < wanted) {
        lim.rlim_cur = std::min(wanted, lim.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
}

}  // namespace gridsync::test
