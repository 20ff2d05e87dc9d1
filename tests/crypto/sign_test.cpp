#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "gridsync/crypto/enrolment_code.hpp"
#include "gridsync/crypto/sign.hpp"

using namespace gridsync;
using namespace gridsync::crypto;

namespace {

Bytes hex(std::string_view h) {
    return from_hex(h).value();
}

struct Rfc8032Vector {
    const char* secret;
    const char* pub;
    const char* message;
    const char* signature;
};

// RFC 8032 section 7.1, TEST 1, TEST 2, TEST 3 and TEST SHA(abc).
const Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6594a7c15e9716ed28dc027beceea1ec40a"},
    {"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "bbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e"
     "0303dca179c138ac17ad9bef1177331a704"},
};

constexpr SigningContext kTestContext{"gridsync/test/v1"};
constexpr SigningContext kOtherContext{"gridsync/other/v1"};

}  // namespace

TEST(Ed25519, Rfc8032KnownAnswers) {
    for (const auto& v : kVectors) {
        SCOPED_TRACE(v.pub);
        const auto key = SigningKey::from_seed(hex(v.secret));
        EXPECT_EQ(key.public_key().hex(), v.pub);
        const Signature sig = key.sign_raw(hex(v.message));
        EXPECT_EQ(to_hex(sig.bytes), v.signature);
        EXPECT_TRUE(verify_raw(key.public_key(), hex(v.message), sig));
    }
}

TEST(Ed25519, SeedRoundTrip) {
    const auto key = SigningKey::generate();
    const auto again = SigningKey::from_seed(key.seed().view());
    EXPECT_EQ(key.public_key(), again.public_key());
}

TEST(Ed25519, ContextSignatureVerifiesOnlyInItsContext) {
    const auto key = SigningKey::generate();
    const Bytes msg = to_bytes("payment 0192 amount 56000");
    const Signature sig = key.sign(kTestContext, msg);
    EXPECT_TRUE(verify(key.public_key(), kTestContext, msg, sig));
    EXPECT_FALSE(verify(key.public_key(), kOtherContext, msg, sig));
    // Nor is it a raw signature over the message.
    EXPECT_FALSE(verify_raw(key.public_key(), msg, sig));
    EXPECT_EQ(framed_message(kTestContext, msg).size(),
              1 + kTestContext.name().size() + msg.size());
}

TEST(Ed25519, TamperedMessageFails) {
    const auto key = SigningKey::generate();
    Bytes msg = to_bytes("certificate 77 delivered");
    const Signature sig = key.sign(kTestContext, msg);
    for (std::size_t i = 0; i < msg.size(); ++i) {
        Bytes bad = msg;
        bad[i] ^= 0x01;
        EXPECT_FALSE(verify(key.public_key(), kTestContext, bad, sig)) << "byte " << i;
    }
    msg.push_back(0);
    EXPECT_FALSE(verify(key.public_key(), kTestContext, msg, sig));
}

TEST(Ed25519, WrongKeyAndFlippedSignatureFail) {
    const auto key = SigningKey::generate();
    const auto other = SigningKey::generate();
    const Bytes msg = to_bytes("check-in");
    Signature sig = key.sign(kTestContext, msg);
    EXPECT_FALSE(verify(other.public_key(), kTestContext, msg, sig));
    for (std::size_t i = 0; i < sig.bytes.size(); i += 7) {
        Signature bad = sig;
        bad.bytes[i] ^= 0x80;
        EXPECT_FALSE(verify(key.public_key(), kTestContext, msg, bad)) << "byte " << i;
    }
}

TEST(Ed25519, RefusesWrongLengths) {
    EXPECT_FALSE(PublicKey::from(Bytes(31)));
    EXPECT_FALSE(Signature::from(Bytes(65)));
    EXPECT_THROW((void)SigningKey::from_seed(Bytes(16)), Error);
    EXPECT_THROW((void)framed_message(SigningContext{""}, {}), Error);
}

TEST(Ed25519, SmallOrderPublicKeyNeverVerifies) {
    // The identity point: any signature "verifies" under naive checks.
    PublicKey identity{};
    identity.bytes[0] = 1;
    Signature sig{};
    sig.bytes[0] = 1;
    EXPECT_FALSE(verify_raw(identity, to_bytes("anything"), sig));
}

TEST(Fingerprint, ShortStableAndDistinct) {
    const auto key = SigningKey::from_seed(hex(kVectors[0].secret));
    const std::string fp = fingerprint(key.public_key());
    EXPECT_TRUE(
        std::regex_match(fp, std::regex("^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")))
        << fp;
    EXPECT_EQ(fp, fingerprint(key.public_key()));
    std::set<std::string> seen{fp};
    for (int i = 0; i < 200; ++i)
        seen.insert(fingerprint(SigningKey::generate().public_key()));
    EXPECT_EQ(seen.size(), 201u);
}

TEST(EnrolmentCode, TypedAsPeopleTypeItAndTyposCaught) {
    const auto code = crypto::EnrolmentCode::generate();
    const std::string text = code.text();
    ASSERT_EQ(text.size(), 19u);
    EXPECT_EQ(text[4], '-');
    std::string sloppy;
    for (const char c : text) {
        if (c != '-')
            sloppy += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (sloppy.size() == 8)
            sloppy += ' ';
    }
    const auto again = crypto::EnrolmentCode::parse(sloppy);
    ASSERT_TRUE(again.ok()) << sloppy;
    EXPECT_EQ(again->public_key(), code.public_key()) << "the same code, the same key";
    // Every symbol of a known code, and of a fresh one, changed to every
    // other symbol in turn: the check symbol catches each one.
    const std::string known = "7KQ2-M9XD-4RTB-W1ZS";
    ASSERT_TRUE(crypto::EnrolmentCode::parse(known).ok());
    for (const std::string& good : {known, text}) {
        for (std::size_t i = 0; i < good.size(); ++i) {
            if (good[i] == '-')
                continue;
            for (const char c : std::string("0123456789ABCDEFGHJKMNPQRSTVWXYZ")) {
                if (c == good[i])
                    continue;
                std::string typo = good;
                typo[i] = c;
                EXPECT_FALSE(crypto::EnrolmentCode::parse(typo).ok()) << typo;
            }
        }
    }
    EXPECT_FALSE(crypto::EnrolmentCode::parse(text.substr(0, 18)).ok()) << "one symbol short";
    EXPECT_FALSE(crypto::EnrolmentCode::parse(text + "7").ok()) << "one symbol too many";
    EXPECT_FALSE(crypto::EnrolmentCode::parse("7KQ2-M9XD-4RTB-W1ZU").ok()) << "U is not a symbol";
    EXPECT_NE(crypto::EnrolmentCode::generate().public_key(), code.public_key());
}

TEST(EnrolmentCode, CrockfordReadsILAndOAsDigits) {
    const auto code = crypto::EnrolmentCode::generate();
    std::string text = code.text();
    // Whichever 0s and 1s it has may be typed as O and I.
    for (char& c : text) {
        if (c == '0')
            c = 'O';
        if (c == '1')
            c = 'l';
    }
    const auto read = crypto::EnrolmentCode::parse(text);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->text(), code.text());
}

// Many at once, over threads: each verdict is verify's own, in order,
// whatever the number of threads (a bad one among good ones stays bad).
TEST(Ed25519, VerifyEachGivesVerifysVerdictForEveryJob) {
    const auto key = SigningKey::generate();
    const auto other = SigningKey::generate();
    std::vector<Bytes> messages;
    for (int i = 0; i < 40; ++i)
        messages.push_back(to_bytes("entry " + std::to_string(i)));
    std::vector<VerifyJob> jobs;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        Signature sig = key.sign(kTestContext, messages[i]);
        if (i % 7 == 3)
            sig.bytes[5] ^= 1;  // damaged
        const PublicKey& signer = i % 11 == 4 ? other.public_key() : key.public_key();
        jobs.push_back({signer, kTestContext, messages[i], sig});
    }
    for (const unsigned threads : {0u, 1u, 2u, 8u}) {
        const auto verdicts = verify_each(jobs, threads);
        ASSERT_EQ(verdicts.size(), jobs.size());
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            EXPECT_EQ(verdicts[i] != 0,
                      verify(jobs[i].key, jobs[i].context, jobs[i].message, jobs[i].signature))
                << "job " << i << " on " << threads << " threads";
            EXPECT_EQ(verdicts[i] != 0, i % 7 != 3 && i % 11 != 4) << "job " << i;
        }
    }
    EXPECT_TRUE(verify_each({}, 2).empty());
}
