#include "gridsync/store/streams.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "gridsync/store/errors.hpp"

namespace gridsync::store {

std::size_t MemorySource::read(std::span<std::uint8_t> out) {
    const std::size_t n = std::min(out.size(), rest_.size());
    if (n > 0)
        std::memcpy(out.data(), rest_.data(), n);
    rest_ = rest_.subspan(n);
    return n;
}

FileSource::FileSource(const std::filesystem::path& path) : file_(std::fopen(path.c_str(), "rb")) {
    if (!file_)
        throw StoreError(Errc::stream_failed, "cannot open " + path.string() + " for reading");
}

std::size_t FileSource::read(std::span<std::uint8_t> out) {
    largest_ = std::max(largest_, out.size());
    const std::size_t n = std::fread(out.data(), 1, out.size(), file_.get());
    if (n < out.size() && std::ferror(file_.get()))
        throw StoreError(Errc::stream_failed, "read error");
    total_ += n;
    return n;
}

FileSink::FileSink(const std::filesystem::path& path) : file_(std::fopen(path.c_str(), "wb")) {
    if (!file_)
        throw StoreError(Errc::stream_failed, "cannot open " + path.string() + " for writing");
}

void FileSink::write(ByteView bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
        throw StoreError(Errc::stream_failed, "write error");
    }
    total_ += bytes.size();
}

void FileSink::close() {
    if (!file_)
        return;
    const bool ok = std::fflush(file_.get()) == 0 && ::fsync(::fileno(file_.get())) == 0;
    file_.reset();
    if (!ok)
        throw StoreError(Errc::stream_failed, "flush error");
}

FileSink::~FileSink() {
    try {
        close();
    } catch (...) {  // destructors do not throw; close() reports to callers that ask
    }
}

}  // namespace gridsync::store
