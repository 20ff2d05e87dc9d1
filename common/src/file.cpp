#include "gridsync/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace gridsync {
namespace {

Failure errno_failure(const std::string& what, const std::filesystem::path& path) {
    const int e = errno;
    return fail(std::error_code(e, std::generic_category()),
                what + " " + path.string() + ": " + std::strerror(e));
}

// Closes the descriptor on every path out.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

}  // namespace

Status write_file_atomic(const std::filesystem::path& path, ByteView bytes, mode_t mode) {
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (fd.get() < 0)
            return errno_failure("cannot create", tmp);
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return errno_failure("cannot write", tmp);
            }
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd.get()) != 0)
            return errno_failure("cannot fsync", tmp);
        if (::close(fd.release()) != 0)
            return errno_failure("cannot close", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        return errno_failure("cannot rename onto", path);
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() >= 0)
        ::fsync(dfd.get());
    return {};
}

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        return errno_failure("cannot open", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return errno_failure("cannot stat", path);
    if (static_cast<std::size_t>(st.st_size) > max_bytes) {
        return fail(std::make_error_code(std::errc::file_too_large),
                    path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    Bytes out(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno_failure("cannot read", path);
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
}

}  // namespace gridsync
