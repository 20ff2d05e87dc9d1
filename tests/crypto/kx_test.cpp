#include <gtest/gtest.h>

#include "gridsync/crypto/aead.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/kx.hpp"

using namespace gridsync;
using namespace gridsync::crypto;

TEST(KeyExchange, BothSidesDeriveMatchingDirectionalKeys) {
    const auto device = KxKeyPair::generate();
    const auto central = KxKeyPair::generate();
    auto c = client_session_keys(device, central.public_key());
    auto s = server_session_keys(central, device.public_key());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(constant_time_equal(c->tx.view(), s->rx.view()));
    EXPECT_TRUE(constant_time_equal(c->rx.view(), s->tx.view()));
    EXPECT_FALSE(constant_time_equal(c->tx.view(), c->rx.view()));

    // What the device encrypts with tx, central opens with rx.
    const AeadNonce n = random_nonce();
    const Bytes ct = aead_encrypt(c->tx, n, {}, as_bytes("push batch"));
    auto pt = aead_decrypt(s->rx, n, {}, ct);
    ASSERT_TRUE(pt.ok());
    EXPECT_EQ(as_chars(*pt), "push batch");
}

TEST(KeyExchange, ThirdPartyDerivesOtherKeys) {
    const auto device = KxKeyPair::generate();
    const auto central = KxKeyPair::generate();
    const auto mallory = KxKeyPair::generate();
    auto real = client_session_keys(device, central.public_key());
    auto fake = server_session_keys(mallory, device.public_key());
    ASSERT_TRUE(real.ok() && fake.ok());
    EXPECT_FALSE(constant_time_equal(real->tx.view(), fake->rx.view()));
}

TEST(KeyExchange, DeterministicFromSeedAndRefusesBadSeed) {
    const Bytes seed(32, 9);
    EXPECT_EQ(KxKeyPair::from_seed(seed).public_key(), KxKeyPair::from_seed(seed).public_key());
    EXPECT_THROW((void)KxKeyPair::from_seed(Bytes(31)), Error);
}

TEST(KeyExchange, AllZeroPeerKeyIsRefused) {
    const auto device = KxKeyPair::generate();
    KxPublicKey zero{};
    auto r = client_session_keys(device, zero);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::bad_public_key);
}

TEST(SealedBox, OnlyTheRecipientOpensItAndChangesAreDetected) {
    const auto central = KxKeyPair::generate();
    const Bytes sealed = seal_to(central.public_key(), as_bytes("token 8f3a, device key ..."));
    auto opened = open_sealed(central, sealed);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(as_chars(*opened), "token 8f3a, device key ...");
    EXPECT_FALSE(open_sealed(KxKeyPair::generate(), sealed).ok());
    Bytes bad = sealed;
    bad.back() ^= 1;
    EXPECT_EQ(open_sealed(central, bad).code(), Errc::decrypt_failed);
    EXPECT_FALSE(open_sealed(central, Bytes(10)).ok());
    EXPECT_EQ(KxKeyPair::from_seed(central.seed().view()).public_key(), central.public_key());
}
