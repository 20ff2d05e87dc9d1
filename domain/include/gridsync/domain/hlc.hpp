#pragma once
// Hybrid logical clock (Kulkarni et al., 2014). Every replicated row carries
// the HLC time of its last change: it orders changes across devices even when
// their wall clocks disagree, stays close to real time, and never goes
// backwards on one device (restarts included: the last value is persisted).
//
// Packed into one int64 for storage and comparison:
//   bits 63..16  wall time, UTC ms (48 bits: good until year 10889)
//   bits 15..0   logical counter
#include <cstdint>
#include <optional>
#include <string>

#include "gridsync/domain/clock.hpp"

namespace gridsync::domain {

struct Hlc {
    std::int64_t packed = 0;

    static Hlc from_parts(EpochMs wall_ms, std::uint16_t logical) {
        return Hlc{(wall_ms << 16) | logical};
    }
    EpochMs wall_ms() const { return packed >> 16; }
    std::uint16_t logical() const { return static_cast<std::uint16_t>(packed & 0xffff); }
    friend auto operator<=>(const Hlc&, const Hlc&) = default;
    std::string to_string() const;  // "1764505200000.3"
};

// The next HLC after `last` for an event at wall time `wall`: strictly
// greater than `last`, and at least `wall`.
Hlc next_hlc(Hlc last, EpochMs wall);

class HlcClock {
  public:
    // `last` is the highest HLC this device has issued or seen (persisted).
    explicit HlcClock(Clock& clock, Hlc last = {}) : clock_(clock), last_(last) {}

    // A local event (a write): strictly greater than anything issued or seen.
    Hlc now();
    // A remote time seen (a pulled change): later local events order after it.
    // Returns the drift, in ms, by which `remote` is ahead of our wall clock.
    EpochMs observe(Hlc remote);

    Hlc last() const { return last_; }

  private:
    Clock& clock_;
    Hlc last_;
};

}  // namespace gridsync::domain
