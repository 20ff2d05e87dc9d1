#pragma once
// Wall-clock time, injected. Only the programs at the top (edge, central,
// tools) construct a SystemClock; everything below takes a Clock&, so tests
// can set the time and sync never reads the wall clock by itself.
#include <cstdint>

namespace gridsync::domain {

// UTC milliseconds since the Unix epoch.
using EpochMs = std::int64_t;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual EpochMs now_ms() = 0;
};

class SystemClock final : public Clock {
  public:
    EpochMs now_ms() override;
};

// Another clock corrected by a known offset: base time minus `offset_ms`
// (an edge's estimate of central's time, from the offset its last pull
// measured).
class OffsetClock final : public Clock {
  public:
    explicit OffsetClock(Clock& base, EpochMs offset_ms = 0) : base_(base), offset_(offset_ms) {}
    EpochMs now_ms() override { return base_.now_ms() - offset_; }
    void set_offset(EpochMs offset_ms) { offset_ = offset_ms; }

  private:
    Clock& base_;
    EpochMs offset_;
};

// A clock that moves only when told to: for tests and simulations.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(EpochMs start) : now_(start) {}
    EpochMs now_ms() override { return now_; }
    void set(EpochMs t) { now_ = t; }
    void advance(EpochMs ms) { now_ += ms; }

  private:
    EpochMs now_;
};

}  // namespace gridsync::domain
