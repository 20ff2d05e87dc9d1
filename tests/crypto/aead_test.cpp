#include <gtest/gtest.h>

#include <cstring>

#include "gridsync/crypto/aead.hpp"
#include "gridsync/crypto/errors.hpp"

using namespace gridsync;
using namespace gridsync::crypto;

namespace {

Bytes range(int from, int to) {
    Bytes b;
    for (int i = from; i < to; ++i)
        b.push_back(static_cast<std::uint8_t>(i));
    return b;
}

AeadNonce nonce_from(ByteView b) {
    AeadNonce n;
    std::memcpy(n.data(), b.data(), n.size());
    return n;
}

const std::string_view kSunscreen =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
    "future, sunscreen would be it.";

}  // namespace

// draft-irtf-cfrg-xchacha, appendix A.3.1.
TEST(XChaCha20Poly1305, DraftKnownAnswer) {
    const auto key = SecureBuffer::copy_of(range(0x80, 0xa0));
    const AeadNonce nonce = nonce_from(range(0x40, 0x58));
    const Bytes ad = from_hex("50515253c0c1c2c3c4c5c6c7").value();
    const Bytes ct = aead_encrypt(key, nonce, ad, as_bytes(kSunscreen));
    EXPECT_EQ(to_hex(ct),
              "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
              "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
              "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
              "21f9664c97637da9768812f615c68b13b52e"
              "c0875924c1c7987947deafd8780acf49");
    auto pt = aead_decrypt(key, nonce, ad, ct);
    ASSERT_TRUE(pt.ok());
    EXPECT_EQ(as_chars(*pt), kSunscreen);
}

class AeadFailure : public ::testing::Test {
  protected:
    SecureBuffer key = SecureBuffer::random(kAeadKeyBytes);
    AeadNonce nonce = random_nonce();
    Bytes ad = to_bytes("device 7 seq 12");
    Bytes ct = aead_encrypt(key, nonce, ad, as_bytes("resident 张三 500103********1234"));
};

TEST_F(AeadFailure, FlippedCiphertextByteFails) {
    for (std::size_t i = 0; i < ct.size(); ++i) {
        Bytes bad = ct;
        bad[i] ^= 0x01;
        auto r = aead_decrypt(key, nonce, ad, bad);
        ASSERT_FALSE(r.ok()) << "byte " << i;
        EXPECT_EQ(r.code(), Errc::decrypt_failed);
    }
}

TEST_F(AeadFailure, TruncatedCiphertextFails) {
    for (std::size_t n :
         {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, ct.size() - 1}) {
        auto r = aead_decrypt(key, nonce, ad, ByteView(ct).first(n));
        EXPECT_FALSE(r.ok()) << "length " << n;
    }
}

TEST_F(AeadFailure, WrongKeyNonceOrAssociatedDataFails) {
    EXPECT_FALSE(aead_decrypt(SecureBuffer::random(kAeadKeyBytes), nonce, ad, ct).ok());
    EXPECT_FALSE(aead_decrypt(key, random_nonce(), ad, ct).ok());
    EXPECT_FALSE(aead_decrypt(key, nonce, as_bytes("device 7 seq 13"), ct).ok());
    EXPECT_TRUE(aead_decrypt(key, nonce, ad, ct).ok());
}

TEST_F(AeadFailure, FailedDecryptLeavesNoPlaintext) {
    Bytes bad = ct;
    bad.back() ^= 1;
    Bytes out(ct.size() - kAeadTagBytes, 0xEE);
    EXPECT_FALSE(aead_decrypt_into(key, nonce, ad, bad, out).ok());
    for (auto b : out)
        ASSERT_EQ(b, 0x00);
}
