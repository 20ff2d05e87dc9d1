// Signed notes, checkpoints and cosignatures against the C2SP documents and
// the Go note package's published example (the PeterNeumann key and note).
#include "gridsync/tlog/note.hpp"

#include <gtest/gtest.h>

#include "gridsync/crypto/hash.hpp"

namespace gridsync::tlog {
namespace {

constexpr const char* kVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
// The example's private key: PRIVATE+KEY+PeterNeumann+c74f20a3+ then this
// base64 of 0x01 || the Ed25519 seed.
constexpr const char* kSkeyMaterial = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr const char* kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr const char* kSigned =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

crypto::SigningKey example_key() {
    const auto m = crypto::from_base64(kSkeyMaterial);
    return crypto::SigningKey::from_seed(ByteView(*m).subspan(1));
}

TEST(Note, TheGoExampleVerifierKeyParsesAndRoundTrips) {
    const auto v = NoteVerifier::parse(kVkey);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->name, "PeterNeumann");
    EXPECT_EQ(v->id(), 0xc74f20a3u);
    EXPECT_EQ(v->vkey(), kVkey);
    EXPECT_EQ(v->key, example_key().public_key());
    // A key id that does not match the key is refused.
    EXPECT_FALSE(
        NoteVerifier::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
    EXPECT_FALSE(NoteVerifier::parse("PeterNeumann+c74f20a3+AA=="));
}

TEST(Note, SigningTheExampleTextGivesThePublishedNote) {
    Note note{kText, {sign_note(kText, "PeterNeumann", example_key())}};
    EXPECT_EQ(note.serialize(), kSigned);
}

TEST(Note, ThePublishedNoteVerifiesAndAnAlteredOneDoesNot) {
    const auto v = *NoteVerifier::parse(kVkey);
    auto note = parse_note(kSigned);
    ASSERT_TRUE(note) << note.failure().message;
    EXPECT_EQ(note->text, kText);
    EXPECT_TRUE(verified_by(*note, v));
    std::string altered = kSigned;
    altered.replace(altered.find("cryptography"), 12, "cryptographY");
    auto bad = parse_note(altered);
    ASSERT_TRUE(bad);
    EXPECT_FALSE(verified_by(*bad, v));
    // Another name with the same key is not this verifier.
    NoteVerifier other = v;
    other.name = "PeterNeumann2";
    EXPECT_FALSE(verified_by(*note, other));
}

TEST(Note, MalformedNotesAreRefusedWithTheirCode) {
    for (const char* bad : {"", "text\n", "text\n\n", "text\n\nno dash sig\n",
                            "text\n\n\xe2\x80\x94 name !!!\n", "text\n\n\xe2\x80\x94 name AAAA"}) {
        auto r = parse_note(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.code(), make_error_code(Errc::malformed_note));
    }
}

TEST(Checkpoint, TextAndParseAgree) {
    Checkpoint c{"gridsync.example/central", 20852163, {}, {}};
    const auto root = crypto::from_base64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
    std::copy(root->begin(), root->end(), c.root.begin());
    EXPECT_EQ(c.text(),
              "gridsync.example/central\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    auto back = parse_checkpoint(c.text());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, c);
    c.extensions = {"epoch 7a1f"};
    EXPECT_EQ(*parse_checkpoint(c.text()), c);
    for (const char* bad : {"o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                            "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "o\n1\nAAAA\n",
                            "\n1\nx\n", "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="}) {
        auto r = parse_checkpoint(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.code(), make_error_code(Errc::malformed_checkpoint));
    }
}

TEST(Cosignature, VerifiesForItsCosignerAndTime) {
    const auto witness = crypto::SigningKey::generate();
    const NoteVerifier wv{"gridsync/witness/laptop-1", KeyType::cosigner, witness.public_key()};
    Checkpoint c{"gridsync.example/central", 5, leaf_hash(to_bytes("x")), {}};
    const auto log_key = crypto::SigningKey::generate();
    Note note{c.text(), {sign_note(c.text(), "gridsync.example/central", log_key)}};
    note.signatures.push_back(cosign(note.text, wv.name, witness, 1679315147));
    auto parsed = parse_note(note.serialize());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(cosigned_by(*parsed, wv), 1679315147u);
    EXPECT_TRUE(
        verified_by(*parsed, {"gridsync.example/central", KeyType::note, log_key.public_key()}));
    // The cosignature's key id is of type 0x04: a note verifier with the same
    // key does not accept it, and a cosignature of another checkpoint fails.
    EXPECT_FALSE(verified_by(*parsed, {wv.name, KeyType::note, witness.public_key()}));
    Note other{Checkpoint{c.origin, 6, c.root, {}}.text(), {}};
    other.signatures.push_back(note.signatures.back());
    EXPECT_FALSE(cosigned_by(other, wv));
    // The signed message is the C2SP one.
    const std::string message = "cosignature/v1\ntime 1679315147\n" + c.text();
    const auto sig = crypto::Signature::from(ByteView(note.signatures.back().signature).subspan(8));
    EXPECT_TRUE(crypto::verify_raw(witness.public_key(), as_bytes(message), *sig));
}

}  // namespace
}  // namespace gridsync::tlog
