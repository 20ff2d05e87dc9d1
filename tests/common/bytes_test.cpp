#include <gtest/gtest.h>

#include "gridsync/bytes.hpp"

using namespace gridsync;

TEST(Hex, RoundTripsEveryByte) {
    Bytes all(256);
    for (int i = 0; i < 256; ++i)
        all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    const std::string hex = to_hex(all);
    ASSERT_EQ(hex.size(), 512u);
    EXPECT_EQ(hex.substr(0, 8), "00010203");
    EXPECT_EQ(from_hex(hex), all);
    EXPECT_EQ(from_hex("ABcd"), (Bytes{0xab, 0xcd}));
}

TEST(Hex, RefusesOddLengthAndNonHex) {
    EXPECT_FALSE(from_hex("abc"));
    EXPECT_FALSE(from_hex("zz"));
    EXPECT_FALSE(from_hex("0g"));
    EXPECT_TRUE(from_hex(""));
}
