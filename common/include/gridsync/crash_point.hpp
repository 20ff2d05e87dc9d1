#pragma once
// Named places where a process can be made to die as a power cut would:
// SIGKILL, no destructor, no flush, no answer. For the crash sweeps
// (tests/net/crash_sweep_test.cpp), which prove that dying at any of them
// loses no record and duplicates none.
//
// GRIDSYNC_CRASH_AT=name[:n] makes the n-th passage (default the first) of
// crash_point("name") in this process fatal. Unset, as in service, a crash
// point costs a comparison. The names are listed in docs/RELIABILITY.md.
#include <string_view>

namespace gridsync {

void crash_point(std::string_view name);

}  // namespace gridsync
