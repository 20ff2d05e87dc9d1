#include <gtest/gtest.h>

#include "gridsync/crypto/hash.hpp"

using namespace gridsync;
using namespace gridsync::crypto;

namespace {
Bytes sequence(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::uint8_t>(i);
    return b;
}
}  // namespace

// RFC 7693 appendix A.
TEST(Blake2b, Rfc7693Abc) {
    EXPECT_EQ(to_hex(blake2b(as_bytes("abc"), 64)),
              "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
              "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

TEST(Blake2b, Empty256) {
    EXPECT_EQ(to_hex(blake2b_256({})),
              "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

// The BLAKE2 reference KAT (blake2b-kat.txt): key 00..3f, input 00..(n-1).
TEST(Blake2b, KeyedReferenceVectors) {
    const Bytes key = sequence(64);
    EXPECT_EQ(to_hex(blake2b_keyed(key, {}, 64)),
              "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
              "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568");
    EXPECT_EQ(to_hex(blake2b_keyed(key, sequence(255), 64)),
              "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e9248"
              "4be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461");
}

TEST(Blake2b, IncrementalEqualsOneShot) {
    const Bytes data = sequence(1000);
    const Bytes key = sequence(32);
    Blake2b h(32, key);
    h.update(ByteView(data).first(1));
    h.update(ByteView(data).subspan(1, 500));
    h.update(ByteView(data).subspan(501));
    EXPECT_EQ(h.finish(), blake2b_keyed(key, data, 32));
}

TEST(Blake2b, KeyChangesDigestAndLengthsAreChecked) {
    const Bytes id = to_bytes("500103199001011234");
    EXPECT_NE(blake2b_keyed(sequence(32), id), blake2b_keyed(Bytes(32, 7), id));
    EXPECT_NE(blake2b_keyed(sequence(32), id), blake2b(id));
    EXPECT_THROW((void)blake2b(id, 8), Error);
    EXPECT_THROW((void)blake2b(id, 65), Error);
    EXPECT_THROW((void)blake2b_keyed(Bytes(8), id), Error);
}

TEST(Base64, WhatBrowsersWriteInDataUrls) {
    EXPECT_EQ(crypto::from_base64("aGVsbG8="), to_bytes("hello"));
    EXPECT_EQ(crypto::from_base64(""), Bytes{});
    EXPECT_FALSE(crypto::from_base64("aGVsbG8").has_value()) << "padding is required";
    EXPECT_FALSE(crypto::from_base64("aGV$bG8=").has_value());
    EXPECT_FALSE(crypto::from_base64("aGVsbG8=trailing").has_value());
}
