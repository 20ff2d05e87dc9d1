#include "gridsync/tools/central_process.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "gridsync/file.hpp"
#include "gridsync/tools/edge_driver.hpp"

namespace gridsync::tools {

namespace fs = std::filesystem;

namespace {

long proc_status_kib(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(field + ":"))
            return std::stol(line.substr(field.size() + 1));
    }
    return 0;
}

}  // namespace

long own_peak_rss_kib() {
    return proc_status_kib(::getpid(), "VmHWM");
}

CentralProcess::CentralProcess(std::string binary, fs::path dir, int households_per_grid,
                               bool fast_kdf)
    : binary_(std::move(binary)), dir_(std::move(dir)) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "central.pass") << "bench central passphrase\n";
    std::ofstream(dir_ / "admin1.pass") << "bench admin one\n";
    std::ofstream(dir_ / "admin2.pass") << "bench admin two\n";
    std::vector<std::string> init = {"--data",
                                     (dir_ / "central").string(),
                                     "--passphrase-file",
                                     (dir_ / "central.pass").string(),
                                     "--json",
                                     "init",
                                     "--admin-login",
                                     "admin1",
                                     "--admin-password-file",
                                     (dir_ / "admin1.pass").string()};
    if (fast_kdf)
        init.push_back("--fast-kdf");
    if (households_per_grid > 0) {
        init.insert(init.end(), {"--demo-seed", "--demo-households-per-grid",
                                 std::to_string(households_per_grid)});
    } else {
        init.insert(init.end(), {"--admin-number", "ADM01", "--admin-name", "管理员一"});
    }
    auto r = run(binary_, init);
    if (r.exit_code != 0)
        throw std::runtime_error("central init: " + r.out);
    if (households_per_grid > 0) {
        // The demo's other admin (init made the first of the two an account).
        auto db = store::Database::open(dir_ / "central" / "central.db");
        add_admin("admin2", *db.query_value<std::string>(
                                "SELECT staff_number FROM staff WHERE role = 'admin' AND id NOT "
                                "IN (SELECT staff_id FROM admin_account) LIMIT 1"));
    }
}

void CentralProcess::add_admin(const std::string& login, const std::string& staff,
                               bool production_kdf) {
    if (!fs::exists(dir_ / (login + ".pass")))
        std::ofstream(dir_ / (login + ".pass")) << "password of " << login << "\n";
    std::vector<std::string> args = {"admin",
                                     "add",
                                     "--login",
                                     login,
                                     "--staff",
                                     staff,
                                     "--new-password-file",
                                     (dir_ / (login + ".pass")).string()};
    if (!production_kdf)
        args.push_back("--fast-kdf");
    admin(std::move(args));
}

ProcessResult CentralProcess::try_admin(std::vector<std::string> args, const std::string& login) {
    return run_cli(std::move(args), login);
}

CentralProcess::~CentralProcess() {
    stop();
}

ProcessResult CentralProcess::run_cli(std::vector<std::string> args, const std::string& login) {
    args.insert(args.begin(),
                {"--data", (dir_ / "central").string(), "--passphrase-file",
                 (dir_ / "central.pass").string(), "--admin", login, "--admin-password-file",
                 (dir_ / (login + ".pass")).string(), "--json"});
    return run(binary_, args);
}

boost::json::object CentralProcess::admin(std::vector<std::string> args, const std::string& login) {
    auto r = run_cli(std::move(args), login);
    if (r.exit_code != 0)
        throw std::runtime_error("gridsync-central: " + r.out);
    return EdgeDriver::json(r);
}

std::string CentralProcess::prepare_day(const std::string& community, int entitlements,
                                        int certificates) {
    const auto prepared =
        admin({"demo-day", "--community", community, "--entitlements", std::to_string(entitlements),
               "--certificates", std::to_string(certificates)});
    admin({"approve", "--approval", std::string(prepared.at("approval_id").as_string())}, "admin2");
    return std::string(prepared.at("day_id").as_string());
}

std::vector<std::string> CentralProcess::codes(const std::string& staff_id, const std::string& role,
                                               const std::string& community, int count) {
    const auto j = admin({"token", "--staff", staff_id, "--role", role, "--community", community,
                          "--count", std::to_string(count), "--ttl-hours", "4"});
    std::vector<std::string> out;
    if (count == 1) {
        out.emplace_back(j.at("code").as_string());
    } else {
        for (const auto& c : j.at("codes").as_array())
            out.emplace_back(c.as_string());
    }
    return out;
}

std::string CentralProcess::staff_code(const std::string& staff_id) {
    return std::string(admin({"staff", "code", "--staff", staff_id}).at("code").as_string());
}

std::vector<std::string> CentralProcess::staff_codes(const std::string& staff_id, int count) {
    const auto j = admin({"staff", "code", "--staff", staff_id, "--count", std::to_string(count)});
    if (count == 1)
        return {std::string(j.at("code").as_string())};
    std::vector<std::string> out;
    for (const auto& c : j.at("codes").as_array())
        out.emplace_back(c.as_string());
    return out;
}

void CentralProcess::serve(const std::vector<std::string>& extra, rlim_t fd_limit) {
    const auto port_file = dir_ / "port";
    fs::remove(port_file);
    // Served again (after a restore, say), it takes the port it had: the
    // devices know central by its address.
    const std::string listen = address_.empty() ? "127.0.0.1:0" : address_;
    std::vector<std::string> args{"--data",
                                  (dir_ / "central").string(),
                                  "--passphrase-file",
                                  (dir_ / "central.pass").string(),
                                  "serve",
                                  "--listen",
                                  listen,
                                  "--port-file",
                                  port_file.string(),
                                  "--threads",
                                  "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<Process>(binary_, args, "", fd_limit);
    for (int i = 0; i < 400 && !fs::exists(port_file); ++i)
        ::usleep(25000);
    auto text = read_file(port_file, 16);
    if (!text)
        throw std::runtime_error("central did not start");
    const std::string port(as_chars(*text));
    address_ = "127.0.0.1:" + port.substr(0, port.find('\n'));
}

std::optional<ProcessResult> CentralProcess::stop() {
    if (!server_)
        return std::nullopt;
    server_->terminate();
    auto r = server_->wait();
    server_.reset();
    return r;
}

pid_t CentralProcess::server_pid() const {
    return server_ ? server_->pid() : -1;
}

long CentralProcess::rss_kib() const {
    return server_ ? proc_status_kib(server_->pid(), "VmRSS") : 0;
}

long CentralProcess::peak_rss_kib() const {
    return server_ ? proc_status_kib(server_->pid(), "VmHWM") : 0;
}

}  // namespace gridsync::tools
