#include <chrono>

#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/hlc.hpp"

namespace gridsync::domain {

EpochMs SystemClock::now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Hlc::to_string() const {
    return std::to_string(wall_ms()) + "." + std::to_string(logical());
}

Hlc next_hlc(Hlc last, EpochMs wall) {
    if (wall > last.wall_ms())
        return Hlc::from_parts(wall, 0);
    // Wall clock behind or equal: keep the larger time, count up. At 65535
    // events in one millisecond, borrow the next millisecond.
    return last.logical() == 0xffff ? Hlc::from_parts(last.wall_ms() + 1, 0) : Hlc{last.packed + 1};
}

Hlc HlcClock::now() {
    last_ = next_hlc(last_, clock_.now_ms());
    return last_;
}

EpochMs HlcClock::observe(Hlc remote) {
    const EpochMs wall = clock_.now_ms();
    if (remote > last_)
        last_ = remote;
    return remote.wall_ms() - wall;
}

}  // namespace gridsync::domain
