#pragma once
// Secret bytes live only here: memory from sodium_malloc (guard pages, locked
// out of swap where the OS allows), wiped by sodium_free when dropped.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gridsync/bytes.hpp"

namespace gridsync::crypto {

// Starts libsodium once per process; throws Error(init_failed) if it cannot.
void ensure_initialized();

class SecureBuffer {
  public:
    SecureBuffer() = default;
    // Zero-filled; throws Error(out_of_memory) if secure memory is exhausted.
    explicit SecureBuffer(std::size_t size);
    static SecureBuffer copy_of(ByteView bytes);
    static SecureBuffer random(std::size_t size);

    SecureBuffer(SecureBuffer&& other) noexcept;
    SecureBuffer& operator=(SecureBuffer&& other) noexcept;
    SecureBuffer(const SecureBuffer&) = delete;
    SecureBuffer& operator=(const SecureBuffer&) = delete;
    ~SecureBuffer();

    std::uint8_t* data() noexcept { return data_; }
    const std::uint8_t* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    ByteView view() const noexcept { return {data_, size_}; }
    std::span<std::uint8_t> span() noexcept { return {data_, size_}; }

  private:
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

// Fills `out` with bytes from the OS's CSPRNG.
void random_fill(std::span<std::uint8_t> out);
Bytes random_bytes(std::size_t n);

// Compares in time that depends only on the length, never on where the inputs
// differ. Different lengths compare unequal.
bool constant_time_equal(ByteView a, ByteView b) noexcept;

}  // namespace gridsync::crypto
