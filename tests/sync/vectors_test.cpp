// Golden vectors for a client written from docs/PROTOCOL.md alone: the scope
// digest over known rows (tests/golden/scope_rows_v3.sql), the session
// changeset of an UPDATE of one of them, an encrypted body and a resident ID
// digest, byte for byte. tests/client_py checks the same files from Python.
#include <gtest/gtest.h>

#include <algorithm>
#include "golden.hpp"

#include "gridsync/crypto/aead.hpp"
#include "gridsync/crypto/kx.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/session.hpp"
#include "gridsync/sync/channel.hpp"
#include "gridsync/sync/outbox.hpp"
#include "gridsync/sync/scope.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

namespace {

void load_rows(store::Database& db) {
    sync::open_node_schema(db);
    const auto sql = read_file(test::golden_path("scope_rows_v3.sql"), 1 << 20);
    ASSERT_TRUE(sql.ok());
    db.exec(std::string(as_chars(*sql)));
}

}  // namespace

TEST(Vectors, ScopeDigestOverKnownRows) {
    test::TempDir dir;
    auto db = store::Database::open(dir / "node.db");
    load_rows(db);
    const auto digest =
        sync::scope_digest(db, [](const std::string&, const std::string&) { return true; });
    test::check_golden("scope_digest_v3.hex", digest);
    // A row out of scope changes it.
    const auto without_r2 = sync::scope_digest(db, [](const std::string& t, const std::string& id) {
        return !(t == "resident" && id == "r-2");
    });
    EXPECT_NE(to_hex(without_r2), to_hex(digest));
}

TEST(Vectors, AnUpdateChangesetByteForByte) {
    test::TempDir dir;
    auto db = store::Database::open(dir / "node.db");
    load_rows(db);
    store::Session session(db);
    session.attach_checked("resident");
    db.exec(
        "UPDATE resident SET phone = '13900000001', origin_device = 'device-1', hlc = "
        "117707744870400007 WHERE id = 'r-1'");
    const auto cs = session.changeset();
    test::check_golden("changeset_update_v3.hex", cs.bytes());
}

// An encrypted body (PROTOCOL.md, "HTTP"): the device's X25519 key from seed
// 01 x 32, central's from 02 x 32, crypto_kx session keys, the nonce 03 x 24,
// a push request of device "device-1" whose plaintext is "gridsync".
TEST(Vectors, AnEncryptedBody) {
    const auto device = crypto::KxKeyPair::from_seed(Bytes(32, 0x01));
    const auto central = crypto::KxKeyPair::from_seed(Bytes(32, 0x02));
    const auto keys = crypto::client_session_keys(device, central.public_key()).value();
    crypto::AeadNonce nonce;
    nonce.fill(0x03);
    const Bytes ad = to_bytes("gridsync/http/v1 request /v1/push device-1");
    Bytes body(nonce.begin(), nonce.end());
    const Bytes ct = crypto::aead_encrypt(keys.tx, nonce, ad, to_bytes("gridsync"));
    body.insert(body.end(), ct.begin(), ct.end());
    test::check_golden("encrypted_body_v3.hex", body);
    // Central opens it with its side of the keys, through the channel's own code.
    const auto server = crypto::server_session_keys(central, device.public_key()).value();
    const auto plain =
        sync::open_body(server.rx, sync::Direction::request, "/v1/push", "device-1", body);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(std::string(as_chars(*plain)), "gridsync");
}

// A resident ID digest (PROTOCOL.md, "Resident ID numbers"): the key 07 x 32,
// the number 11010519491231002X.
TEST(Vectors, AResidentIdDigest) {
    const auto number = domain::ResidentIdNumber::parse("11010519491231002X");
    ASSERT_TRUE(number.ok());
    crypto::SecureBuffer key(32);
    std::fill(key.data(), key.data() + 32, 0x07);
    test::check_golden("id_digest_v1.hex", number->digest(key));
}

// An enrolment request (type 5): token "5f3c", device name "民生路笔记本 1",
// the device's Ed25519 key from the seed of 32 bytes 0x04, its X25519 key
// from 32 bytes 0x01.
TEST(Vectors, AnEnrolmentRequest) {
    sync::EnrollRequest r{"5f3c", "民生路笔记本 1",
                          crypto::SigningKey::from_seed(Bytes(32, 0x04)).public_key(),
                          crypto::KxKeyPair::from_seed(Bytes(32, 0x01)).public_key()};
    test::check_golden("enroll_request_v3.hex", sync::encode(r));
}

// A pull batch as central sends it: pull_batch_v3.hex in a Signed wrapper,
// signer "central", signed with gridsync/pull-batch/v1 by the Ed25519 key
// from the seed of 32 bytes 0x05.
TEST(Vectors, ACentralSignedPullBatch) {
    const Bytes batch = test::read_golden("pull_batch_v3.hex");
    ASSERT_FALSE(batch.empty());
    const auto key = crypto::SigningKey::from_seed(Bytes(32, 0x05));
    const auto sig = key.sign(sync::kPullBatchContext, batch);
    const sync::Signed s{"central", Bytes(sig.view().begin(), sig.view().end()), batch};
    test::check_golden("pull_batch_signed_v3.hex", sync::encode(s));
    ASSERT_TRUE(sync::decode_pull_batch(batch).ok());
}
