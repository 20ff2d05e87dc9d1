#pragma once
// Central's figures for a monitoring system, in Prometheus' text format
// (version 0.0.4), at GET /metrics: counted in this process since it
// started (entries accepted, refused by reason; push and pull latency), and
// read from the database at each scrape (conflicts open by kind, devices by
// their last contact). Served to 127.0.0.1, or to a scraper with the bearer
// token given to `serve --metrics-token-file`.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "gridsync/domain/clock.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/protocol.hpp"

namespace gridsync::central {

class Metrics {
  public:
    void observe_push(double seconds, const sync::PushAcks& acks);
    void observe_pull(double seconds, bool served);
    void observe_refused_request(const std::string& path);
    std::string render(store::Database& db, domain::EpochMs now) const;

    static constexpr std::array<double, 11> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                        0.5,   1.0,  2.5,   5.0,  10.0};

  private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> counts{};
        std::uint64_t count = 0;
        double sum = 0;
        void observe(double v);
    };
    mutable std::mutex mutex_;
    std::uint64_t accepted_ = 0, duplicates_ = 0;
    std::map<std::string, std::uint64_t> refused_;           // by code, "gridsync.central:11"
    std::map<std::string, std::uint64_t> requests_refused_;  // whole requests, by path
    std::uint64_t pulls_ = 0, pulls_refused_ = 0;
    Histogram push_seconds_, pull_seconds_;
};

}  // namespace gridsync::central
