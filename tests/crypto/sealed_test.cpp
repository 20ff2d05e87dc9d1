#include <gtest/gtest.h>

#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/sealed.hpp"
#include "gridsync/crypto/sign.hpp"

using namespace gridsync;
using namespace gridsync::crypto;

namespace {
// Tests use the least Argon2id work; one test proves the default parameters.
const KdfParams kFast = KdfParams::minimum();
}  // namespace

TEST(Sealed, RoundTripRestoresTheSameIdentity) {
    const auto key = SigningKey::generate();
    const Bytes sealed = seal_secret(key.seed().view(), as_bytes("2468"), kFast);
    EXPECT_EQ(sealed.size(), kSealedHeaderBytes + kSeedBytes + 16);
    auto seed = unseal_secret(sealed, as_bytes("2468"));
    ASSERT_TRUE(seed.ok()) << seed.failure().message;
    EXPECT_EQ(SigningKey::from_seed(seed->view()).public_key(), key.public_key());
}

TEST(Sealed, DefaultParametersAreInteractive) {
    const Bytes sealed =
        seal_secret(as_bytes("central signing seed 32 bytes!!!"), as_bytes("correct horse"));
    // opslimit and memlimit in the header are what was used.
    const KdfParams p = KdfParams::interactive();
    EXPECT_EQ(sealed[10] | (sealed[11] << 8), static_cast<int>(p.opslimit & 0xffff));
    EXPECT_TRUE(unseal_secret(sealed, as_bytes("correct horse")).ok());
}

TEST(Sealed, WrongPinIsACleanError) {
    const Bytes sealed = seal_secret(as_bytes("secret"), as_bytes("1357"), kFast);
    auto r = unseal_secret(sealed, as_bytes("1358"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::wrong_pin_or_damaged);
}

TEST(Sealed, EveryFlippedByteIsDetected) {
    const Bytes sealed = seal_secret(as_bytes("secret key bytes"), as_bytes("1357"), kFast);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        Bytes bad = sealed;
        bad[i] ^= 0x04;
        auto r = unseal_secret(bad, as_bytes("1357"));
        ASSERT_FALSE(r.ok()) << "flipped byte " << i << " was not detected";
        // Header damage may read as malformed or unsupported; the rest as damaged.
        EXPECT_TRUE(r.code() == Errc::wrong_pin_or_damaged || r.code() == Errc::sealed_malformed ||
                    r.code() == Errc::sealed_unsupported)
            << i << ": " << r.failure().message;
    }
}

TEST(Sealed, TruncatedOrForeignFilesAreMalformed) {
    const Bytes sealed = seal_secret(as_bytes("secret"), as_bytes("1357"), kFast);
    for (std::size_t n : {std::size_t{0}, std::size_t{5}, kSealedHeaderBytes, sealed.size() - 1}) {
        auto r = unseal_secret(ByteView(sealed).first(n), as_bytes("1357"));
        ASSERT_FALSE(r.ok()) << n;
    }
    auto foreign = unseal_secret(
        as_bytes("-----BEGIN OPENSSH PRIVATE KEY-----......................................."),
        as_bytes("1357"));
    ASSERT_FALSE(foreign.ok());
    EXPECT_EQ(foreign.code(), Errc::sealed_malformed);
}

TEST(Sealed, NewerVersionIsNamedNotGuessed) {
    Bytes sealed = seal_secret(as_bytes("secret"), as_bytes("1357"), kFast);
    sealed[6] = 2;
    auto r = unseal_secret(sealed, as_bytes("1357"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::sealed_unsupported);
    EXPECT_NE(r.failure().message.find("version 2"), std::string::npos);
}

TEST(Sealed, HostileParametersAreRefusedBeforeAnyWork) {
    Bytes sealed = seal_secret(as_bytes("secret"), as_bytes("1357"), kFast);
    // memlimit (KiB) = 0xffffffff: would ask for 4 TiB.
    for (int i = 14; i < 18; ++i)
        sealed[static_cast<std::size_t>(i)] = 0xff;
    auto r = unseal_secret(sealed, as_bytes("1357"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::sealed_malformed);
}

TEST(Sealed, ShortPinIsRefused) {
    try {
        (void)seal_secret(as_bytes("secret"), as_bytes("123"), kFast);
        FAIL() << "a 3-character PIN was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Errc::weak_pin);
    }
}

TEST(Sealed, SameSecretSealsDifferentlyEachTime) {
    const Bytes a = seal_secret(as_bytes("secret"), as_bytes("1357"), kFast);
    const Bytes b = seal_secret(as_bytes("secret"), as_bytes("1357"), kFast);
    EXPECT_NE(a, b);  // fresh salt and nonce
}
