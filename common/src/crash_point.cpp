#include "gridsync/crash_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace gridsync {

namespace {

struct Armed {
    std::string name;  // empty: no crash point is armed
    std::atomic<long> passages_left{0};
};

Armed& armed() {
    static Armed* a = [] {
        auto* r = new Armed;  // never freed: a crash point may run during exit
        if (const char* env = std::getenv("GRIDSYNC_CRASH_AT"); env && *env) {
            std::string spec(env);
            long n = 1;
            if (const auto colon = spec.rfind(':'); colon != std::string::npos) {
                n = std::strtol(spec.c_str() + colon + 1, nullptr, 10);
                spec.resize(colon);
            }
            r->name = spec;
            r->passages_left = n < 1 ? 1 : n;
        }
        return r;
    }();
    return *a;
}

}  // namespace

void crash_point(std::string_view name) {
    Armed& a = armed();
    if (a.name.empty() || a.name != name)
        return;
    if (--a.passages_left == 0)
        ::kill(::getpid(), SIGKILL);
}

}  // namespace gridsync
