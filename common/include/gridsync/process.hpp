#pragma once
// Runs a real program as a child process: arguments, standard input, captured
// standard output, exit code: how tests and the demo drive the shipped
// binaries. Ignores SIGPIPE in the parent, so a child that exits early cannot
// kill it.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace gridsync {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;
    std::string out;
    long max_rss_kib = 0;  // the child's peak resident set
};

class Process {
  public:
    // `fd_limit` (when not 0): the child's soft RLIMIT_NOFILE, as a service
    // manager's LimitNOFILE= would set it.
    Process(const std::string& program, const std::vector<std::string>& args,
            const std::string& input, rlim_t fd_limit = 0) {
        int in[2], out[2];
        if (::pipe(in) != 0 || ::pipe(out) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ < 0)
            throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            if (fd_limit != 0) {
                struct rlimit lim {};
                ::getrlimit(RLIMIT_NOFILE, &lim);
                lim.rlim_cur = fd_limit;
                ::setrlimit(RLIMIT_NOFILE, &lim);
            }
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            ::close(in[1]);
            ::close(out[0]);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(program.c_str()));
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(program.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        out_fd_ = out[0];
        std::size_t done = 0;
        ::signal(SIGPIPE, SIG_IGN);
        while (done < input.size()) {
            const ssize_t n = ::write(in[1], input.data() + done, input.size() - done);
            if (n <= 0)
                break;
            done += static_cast<std::size_t>(n);
        }
        ::close(in[1]);
    }

    pid_t pid() const { return pid_; }
    void kill() { ::kill(pid_, SIGKILL); }
    // Asks the program to finish (SIGTERM), as a service manager would.
    void terminate() { ::kill(pid_, SIGTERM); }

    ProcessResult wait() {
        ProcessResult r;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(out_fd_, buf, sizeof buf)) > 0)
            r.out.append(buf, static_cast<std::size_t>(n));
        ::close(out_fd_);
        int status = 0;
        struct rusage usage {};
        ::wait4(pid_, &status, 0, &usage);
        r.max_rss_kib = usage.ru_maxrss;
        if (WIFEXITED(status))
            r.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status))
            r.signal = WTERMSIG(status);
        return r;
    }

  private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
};

inline ProcessResult run(const std::string& program, const std::vector<std::string>& args,
                         const std::string& input = "") {
    return Process(program, args, input).wait();
}

}  // namespace gridsync
