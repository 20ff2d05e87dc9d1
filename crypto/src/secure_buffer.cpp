#include "gridsync/crypto/secure_buffer.hpp"

#include <sodium.h>

#include <cstring>
#include <mutex>
#include <utility>

#include "gridsync/crypto/errors.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

void ensure_initialized() {
    static std::once_flag once;
    static int rc = 0;
    std::call_once(once, [] { rc = sodium_init(); });
    if (rc < 0)
        throw Error(Errc::init_failed, "sodium_init failed");
}

SecureBuffer::SecureBuffer(std::size_t size) {
    ensure_initialized();
    if (size == 0)
        return;
    data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
    if (data_ == nullptr)
        throw Error(Errc::out_of_memory, "sodium_malloc failed");
    std::memset(data_, 0, size);
    size_ = size;
}

SecureBuffer SecureBuffer::copy_of(ByteView bytes) {
    SecureBuffer b(bytes.size());
    if (!bytes.empty())
        std::memcpy(b.data_, bytes.data(), bytes.size());
    return b;
}

SecureBuffer SecureBuffer::random(std::size_t size) {
    SecureBuffer b(size);
    random_fill(b.span());
    return b;
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
    if (this != &other) {
        if (data_ != nullptr)
            sodium_free(data_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

SecureBuffer::~SecureBuffer() {
    if (data_ != nullptr)
        sodium_free(data_);  // sodium_free wipes before releasing
}

void random_fill(std::span<std::uint8_t> out) {
    ensure_initialized();
    randombytes_buf(out.data(), out.size());
}

Bytes random_bytes(std::size_t n) {
    Bytes b(n);
    random_fill(b);
    return b;
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size())
        return false;
    if (a.empty())
        return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gridsync::crypto
