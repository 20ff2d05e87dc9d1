#pragma once
// Bounded reading and writing of cereal portable binary archives (little
// endian), shared by every sync message. A reader never allocates more than
// what is left of its input, and reports a cut or an overlong length as a
// DecodeError instead of reading past the end.
#include <array>
#include <cereal/archives/portable_binary.hpp>
#include <memory>
#include <sstream>
#include <streambuf>
#include <string>

#include "gridsync/bytes.hpp"

namespace gridsync::sync::wire {

struct DecodeError {
    std::string message;
};

class Writer {
  public:
    Writer() : os_(std::make_unique<std::ostringstream>(std::ios::binary)) {
        ar_ = std::make_unique<cereal::PortableBinaryOutputArchive>(
            *os_, cereal::PortableBinaryOutputArchive::Options::LittleEndian());
    }
    void u8(std::uint8_t v) { (*ar_)(v); }
    void u16(std::uint16_t v) { (*ar_)(v); }
    void u32(std::uint32_t v) { (*ar_)(v); }
    void u64(std::uint64_t v) { (*ar_)(v); }
    void i64(std::int64_t v) { (*ar_)(v); }
    void count(std::size_t n) { u64(static_cast<std::uint64_t>(n)); }
    void bytes(ByteView b) {
        count(b.size());
        (*ar_)(cereal::binary_data(b.data(), b.size()));
    }
    void raw(ByteView b) { (*ar_)(cereal::binary_data(b.data(), b.size())); }
    Bytes finish() {
        ar_.reset();  // flushes
        const std::string s = os_->str();
        return Bytes(s.begin(), s.end());
    }

  private:
    std::unique_ptr<std::ostringstream> os_;
    std::unique_ptr<cereal::PortableBinaryOutputArchive> ar_;
};

class Reader {
  public:
    explicit Reader(ByteView input) : buf_(input), is_(&buf_) {
        if (input.empty() || input[0] != 1)
            throw DecodeError{"not little-endian portable binary"};
        ar_ = std::make_unique<cereal::PortableBinaryInputArchive>(
            is_, cereal::PortableBinaryInputArchive::Options::LittleEndian());
    }
    std::uint8_t u8() { return get<std::uint8_t>(); }
    std::uint16_t u16() { return get<std::uint16_t>(); }
    std::uint32_t u32() { return get<std::uint32_t>(); }
    std::uint64_t u64() { return get<std::uint64_t>(); }
    std::int64_t i64() { return get<std::int64_t>(); }
    // A sequence length: refused above `max` or above what could still follow.
    std::uint64_t count(std::size_t max) {
        const auto n = u64();
        if (n > max || n > buf_.remaining())
            throw DecodeError{"count " + std::to_string(n) + " exceeds its bound"};
        return n;
    }
    Bytes bytes(std::size_t max) {
        const auto n = u64();
        if (n > max || n > buf_.remaining()) {
            throw DecodeError{"length " + std::to_string(n) + " exceeds its bound or the input"};
        }
        Bytes out(static_cast<std::size_t>(n));
        read_raw(out.data(), out.size());
        return out;
    }
    std::string string(std::size_t max) {
        const Bytes b = bytes(max);
        return std::string(as_chars(b));
    }
    template <std::size_t N>
    std::array<std::uint8_t, N> fixed() {
        std::array<std::uint8_t, N> out{};
        read_raw(out.data(), N);
        return out;
    }
    void finish() const {
        if (buf_.remaining() != 0)
            throw DecodeError{std::to_string(buf_.remaining()) + " trailing bytes"};
    }

  private:
    class ViewBuf final : public std::streambuf {
      public:
        explicit ViewBuf(ByteView b) {
            char* p = const_cast<char*>(reinterpret_cast<const char*>(b.data()));
            setg(p, p, p + b.size());
        }
        std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
    };
    template <class T>
    T get() {
        if (buf_.remaining() < sizeof(T))
            throw DecodeError{"input cut short"};
        T v{};
        (*ar_)(v);
        return v;
    }
    void read_raw(std::uint8_t* p, std::size_t n) {
        if (buf_.remaining() < n)
            throw DecodeError{"input cut short"};
        (*ar_)(cereal::binary_data(p, n));
    }
    ViewBuf buf_;
    std::istream is_;
    std::unique_ptr<cereal::PortableBinaryInputArchive> ar_;
};

}  // namespace gridsync::sync::wire
