#pragma once
// A real gridsync-central in a folder of its own, for the bench and the load
// generator: initialised with the fictional subdistrict (of a chosen size),
// two admins, and served on 127.0.0.1 on a free port.
#include <sys/types.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/process.hpp"

namespace gridsync::tools {

class CentralProcess {
  public:
    // Runs `init --demo-seed` and adds a second admin; with
    // households_per_grid 0, `init` alone: a real subdistrict whose data
    // comes from files, with admin1 (staff number ADM01) only. Throws on failure.
    // `fast_kdf` false: admin passwords hashed as in production (Argon2id
    // at the interactive limits), for what measures a login.
    CentralProcess(std::string binary, std::filesystem::path dir, int households_per_grid,
                   bool fast_kdf = true);
    ~CentralProcess();

    // An admin command (signed by admin1 or admin2), its --json answer. Throws on failure.
    boost::json::object admin(std::vector<std::string> args, const std::string& login = "admin1");
    // The same, for a command that may be refused: its exit code and output.
    ProcessResult try_admin(std::vector<std::string> args, const std::string& login = "admin1");
    // Another admin account for a staff member (by number), signed by admin1;
    // its password in `login`.pass. `production_kdf`: hashed at Argon2id's
    // interactive limits, as `admin add` does without --fast-kdf (what a
    // login costs in production), not at the minimum.
    void add_admin(const std::string& login, const std::string& staff, bool production_kdf = false);
    // demo-day for a community, approved by the second admin. Returns the day id.
    std::string prepare_day(const std::string& community_code, int entitlements, int certificates);
    // One-time enrollment codes.
    std::vector<std::string> codes(const std::string& staff_id, const std::string& role,
                                   const std::string& community_code, int count);

    // A one-time staff enrolment code for that person (staff code).
    std::string staff_code(const std::string& staff_id);
    // `count` of them for one person, in one command (one per device).
    std::vector<std::string> staff_codes(const std::string& staff_id, int count);

    // `extra`: more serve options; `fd_limit`: the server's descriptor limit
    // (0: inherited). Any free port the first time, the same one after.
    void serve(const std::vector<std::string>& extra = {}, rlim_t fd_limit = 0);
    pid_t server_pid() const;
    // SIGTERM, then the server's exit (nothing if it was not serving).
    std::optional<ProcessResult> stop();
    const std::string& address() const { return address_; }
    const std::filesystem::path& dir() const { return dir_; }
    // From /proc: now, and the peak since the process started.
    long rss_kib() const;
    long peak_rss_kib() const;

  private:
    ProcessResult run_cli(std::vector<std::string> args, const std::string& login);
    std::string binary_;
    std::filesystem::path dir_;
    std::unique_ptr<Process> server_;
    std::string address_;
};

// Peak resident set of this process, KiB.
long own_peak_rss_kib();

}  // namespace gridsync::tools
