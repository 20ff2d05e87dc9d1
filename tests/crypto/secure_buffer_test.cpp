#include <gtest/gtest.h>

#include "gridsync/crypto/secure_buffer.hpp"

using namespace gridsync;
using namespace gridsync::crypto;

TEST(SecureBuffer, ZeroFilledMovableAndCopiedExactly) {
    SecureBuffer a(48);
    ASSERT_EQ(a.size(), 48u);
    for (auto b : a.view())
        ASSERT_EQ(b, 0);
    a.data()[3] = 42;
    SecureBuffer b = std::move(a);
    EXPECT_EQ(b.size(), 48u);
    EXPECT_EQ(b.data()[3], 42);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    const auto c = SecureBuffer::copy_of(as_bytes("pin 2468"));
    EXPECT_EQ(as_chars(c.view()), "pin 2468");
}

TEST(SecureBuffer, RandomBuffersDiffer) {
    const auto a = SecureBuffer::random(32);
    const auto b = SecureBuffer::random(32);
    EXPECT_FALSE(constant_time_equal(a.view(), b.view()));
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equal(as_bytes("abc"), as_bytes("abc")));
    EXPECT_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("abd")));
    EXPECT_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("abcd")));
    EXPECT_TRUE(constant_time_equal({}, {}));
}
