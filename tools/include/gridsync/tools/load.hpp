#pragma once
// The load generator: N simulated edge devices (each its own SQLite file,
// keys and encrypted channel, the edge library in this process) enrolled at
// one real gridsync-central on 127.0.0.1, community laptops spread over the
// ten communities. Each records its days of work offline (tools::FieldWork,
// the bench's own writes), then, at a moment spread evenly over the
// window, pushes them and pulls. A day's work of a laptop: a certificate
// handed over to its grid leader and delivered (three signatures), its
// clerk checked in and out (signed), resident corrections for the rest;
// the first laptop of each community also pays its community's
// disbursement day (a session opened at set-up; each payment signed by
// two staff). Staff keys are registered once per device at set-up.
#include <cstdint>
#include <filesystem>
#include <string>

namespace gridsync::tools {

struct LoadOptions {
    std::string central_bin;
    std::filesystem::path dir;
    int devices = 100;
    int window_s = 10;           // the day's work of every device is offered within this
    int threads = 32;            // devices in flight at once, at most
    int entries_per_device = 8;  // a day's work, besides payments
    // Days of work each device offers within the window (10: ten times a
    // day's work, offered in one window).
    int days = 1;
    // Payments a day, on each community's paying laptop.
    int payments_per_day = 40;
    // How often a device asks central to verify its whole scope
    // (sync::SyncOptions::verify_scope_every_ms; 0: at every pull).
    std::int64_t verify_scope_every_ms = 0;
};

struct LoadReport {
    int entries_per_device = 0;
    long offered = 0;  // entries recorded to be pushed in the window
    long payments = 0, deliveries = 0, checks = 0, corrections = 0;  // of them
    double offered_per_s = 0;                                        // offered / the window
    double setup_s = 0;  // enrolling and bootstrapping every device
    double push_p50_ms = 0, push_p99_ms = 0, pull_p50_ms = 0, pull_p99_ms = 0;
    double entries_per_s = 0;  // accepted / the time from the first push to the last pull
    int errors = 0;
    std::string first_error;  // what went wrong first, when errors > 0
    long central_rss_kib = 0, central_peak_rss_kib = 0;
};

// Throws only when central cannot be started.
LoadReport run_load(const LoadOptions& options);

}  // namespace gridsync::tools
