#pragma once
// Byte streams for the session extension's _strm functions: a changeset far
// larger than memory moves through a fixed-size buffer.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>

#include "gridsync/bytes.hpp"

namespace gridsync::store {

class ByteSource {
  public:
    virtual ~ByteSource() = default;
    // Fills up to out.size() bytes; returns how many. 0 means the end.
    // Throws on a read error.
    virtual std::size_t read(std::span<std::uint8_t> out) = 0;
};

class ByteSink {
  public:
    virtual ~ByteSink() = default;
    virtual void write(ByteView bytes) = 0;
};

class MemorySource final : public ByteSource {
  public:
    explicit MemorySource(ByteView bytes) : rest_(bytes) {}
    std::size_t read(std::span<std::uint8_t> out) override;

  private:
    ByteView rest_;
};

class MemorySink final : public ByteSink {
  public:
    void write(ByteView bytes) override { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }
    const Bytes& bytes() const noexcept { return bytes_; }

  private:
    Bytes bytes_;
};

class FileSource final : public ByteSource {
  public:
    explicit FileSource(const std::filesystem::path& path);
    std::size_t read(std::span<std::uint8_t> out) override;
    std::uint64_t bytes_read() const noexcept { return total_; }
    // The largest single read SQLite asked for: what the stream's buffer is.
    std::size_t largest_request() const noexcept { return largest_; }

  private:
    struct Closer {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, Closer> file_;
    std::uint64_t total_ = 0;
    std::size_t largest_ = 0;
};

class FileSink final : public ByteSink {
  public:
    explicit FileSink(const std::filesystem::path& path);
    void write(ByteView bytes) override;
    // Flushes and fsyncs; throws on failure. Also done (without throwing) on destruction.
    void close();
    ~FileSink() override;
    std::uint64_t bytes_written() const noexcept { return total_; }

  private:
    struct Closer {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, Closer> file_;
    std::uint64_t total_ = 0;
};

}  // namespace gridsync::store
