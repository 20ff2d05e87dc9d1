#pragma once
// The sync Transport over HTTP/1.1 (Boost.Beast), one connection per call:
// a field device's network comes and goes, so nothing is kept open.
#include <chrono>
#include <string>

#include "gridsync/sync/channel.hpp"

namespace gridsync::edge {

class HttpTransport final : public sync::Transport {
  public:
    // How long each step may take; a step past its deadline ends the call
    // with transport_failed, so a central that stalls never hangs a sync.
    struct Deadlines {
        std::chrono::milliseconds connect{std::chrono::seconds(30)};
        std::chrono::milliseconds write{std::chrono::seconds(30)};
        std::chrono::milliseconds read{std::chrono::seconds(30)};
    };
    // `central` is "host:port".
    explicit HttpTransport(std::string central,
                           std::chrono::seconds timeout = std::chrono::seconds(30),
                           std::size_t response_limit = 80u << 20);
    HttpTransport(std::string central, Deadlines deadlines, std::size_t response_limit = 80u << 20);
    Result<Bytes> post(const std::string& path, const std::map<std::string, std::string>& headers,
                       ByteView body) override;

  private:
    std::string host_;
    std::string port_;
    Deadlines deadlines_;
    std::size_t response_limit_;
};

}  // namespace gridsync::edge
