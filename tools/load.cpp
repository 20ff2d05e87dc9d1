// gridsync-load: N simulated edge devices against one gridsync-central on
// 127.0.0.1 (tools/include/gridsync/tools/load.hpp).
//
//   gridsync-load [--devices 100] [--window-seconds 10] [--days 1] [--threads 32] [--central PATH]
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "gridsync/tools/load.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    gridsync::tools::LoadOptions o;
    o.central_bin = (fs::canonical("/proc/self/exe").parent_path().parent_path() / "central" /
                     "gridsync-central")
                        .string();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--devices")
            o.devices = std::stoi(argv[i + 1]);
        else if (a == "--window-seconds")
            o.window_s = std::stoi(argv[i + 1]);
        else if (a == "--days")
            o.days = std::stoi(argv[i + 1]);
        else if (a == "--threads")
            o.threads = std::stoi(argv[i + 1]);
        else if (a == "--central")
            o.central_bin = argv[i + 1];
        else {
            std::cerr << "usage: gridsync-load [--devices N] [--window-seconds S] [--days D] "
                         "[--threads T] [--central PATH]\n";
            return 1;
        }
    }
    char pattern[] = "/tmp/gridsync-load-XXXXXX";
    o.dir = ::mkdtemp(pattern);
    try {
        const auto r = gridsync::tools::run_load(o);
        std::printf(
            "laptops %d, %d day(s) of work each within %d s: %ld entries (%ld payments, %ld "
            "deliveries, %ld check-ins, %ld corrections); set-up %.1f s\n",
            o.devices, o.days, o.window_s, r.offered, r.payments, r.deliveries, r.checks,
            r.corrections, r.setup_s);
        std::printf("offered %.1f entries/s, accepted %.1f entries/s\n", r.offered_per_s,
                    r.entries_per_s);
        std::printf("push p50 %.1f ms, p99 %.1f ms; pull p50 %.1f ms, p99 %.1f ms\n", r.push_p50_ms,
                    r.push_p99_ms, r.pull_p50_ms, r.pull_p99_ms);
        std::printf("errors %d%s%s, central RSS %.1f MiB (peak %.1f)\n", r.errors,
                    r.errors ? ", first: " : "", r.first_error.c_str(),
                    static_cast<double>(r.central_rss_kib) / 1024,
                    static_cast<double>(r.central_peak_rss_kib) / 1024);
        fs::remove_all(o.dir);
        return r.errors == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "gridsync-load: " << e.what() << "\n";
        return 1;
    }
}
