#pragma once
// The load generator: N simulated edge devices (each its own SQLite file,
// keys and encrypted channel, the edge library in this process) enrolled at
// one real gridsync-central on 127.0.0.1. Each records a day's work offline,
// then, at a moment spread evenly over the window, pushes it and pulls.
#include <cstdint>
#include <filesystem>
#include <string>

namespace gridsync::tools {

struct LoadOptions {
    std::string central_bin;
    std::filesystem::path dir;
    int devices = 100;
    int window_s = 10;  // the day's work of every device is offered within this
    int threads = 32;   // devices in flight at once, at most
    int entries_per_device = 8;
    // How often a device asks central to verify its whole scope
    // (sync::SyncOptions::verify_scope_every_ms; 0: at every pull).
    std::int64_t verify_scope_every_ms = 0;
};

struct LoadReport {
    int entries_per_device = 0;
    double setup_s = 0;  // enrolling and bootstrapping every device
    double push_p50_ms = 0, push_p99_ms = 0, pull_p50_ms = 0, pull_p99_ms = 0;
    double entries_per_s = 0;
    int errors = 0;
    long central_rss_kib = 0, central_peak_rss_kib = 0;
};

// Throws only when central cannot be started.
LoadReport run_load(const LoadOptions& options);

}  // namespace gridsync::tools
