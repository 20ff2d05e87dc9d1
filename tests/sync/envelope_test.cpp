#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "golden.hpp"
#include "gridsync/file.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/sync/log_leaf.hpp"
#include "gridsync/sync/protocol.hpp"

using namespace gridsync;
using namespace gridsync::sync;
using test::check_golden;
using test::read_golden;

namespace {

ChangesetEnvelope fixed_envelope() {
    ChangesetEnvelope e;
    e.version = 1;
    e.device_id = "device-民生路-01";
    e.seq = 42;
    for (std::size_t i = 0; i < e.prev_hash.size(); ++i)
        e.prev_hash[i] = static_cast<std::uint8_t>(i);
    e.hlc = (1764550800000LL << 16) | 3;
    e.created_ms = 1764550800123;
    e.schema_version = 1;
    // A real changeset: one INSERT into a 2-column table "t" (see changeset_format.hpp).
    e.changeset = {'T', 2, 1, 0, 't', 0, 18, 0, 3, 2, 'h', '1', 1, 0, 0, 0, 0, 0, 0, 0, 7};
    return e;
}

}  // namespace

TEST(Envelope, GoldenBytesV1) {
    const Bytes bytes = encode(fixed_envelope());
    check_golden("envelope_v1.hex", bytes);
    // Little endian throughout: the marker, then version 1 as 01 00.
    EXPECT_EQ(bytes[0], 1);
    EXPECT_EQ(bytes[1], 1);
    EXPECT_EQ(bytes[2], 0);
    const auto key = crypto::SigningKey::from_seed(Bytes(32, 0x42));
    const auto sig = key.sign(kEnvelopeContext, bytes);
    check_golden("envelope_v1_signature.hex", sig.view());
    check_golden("envelope_v1_entry_hash.hex", entry_hash(bytes, sig));
}

TEST(Envelope, GoldenBytesV2CarryTheAnchor) {
    ChangesetEnvelope e = fixed_envelope();
    e.version = 2;
    e.anchor_size = 300;
    e.anchor_root.fill(0xab);
    const Bytes bytes = encode(e);
    check_golden("envelope_v2.hex", bytes);
    EXPECT_EQ(bytes[1], 2);
    // The v1 bytes, then u64 300 and the 32-byte root.
    const Bytes v1 = encode(fixed_envelope());
    ASSERT_EQ(bytes.size(), v1.size() + 8 + 8 + 32);
    EXPECT_TRUE(std::equal(v1.begin() + 3, v1.end(), bytes.begin() + 3));
    EXPECT_EQ(bytes[v1.size()], 300 & 0xff);
    EXPECT_EQ(bytes[v1.size() + 1], 300 >> 8);
    auto d = decode_envelope(bytes);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->anchor_size, 300u);
    EXPECT_EQ(d->anchor_root, e.anchor_root);
    auto old = decode_envelope(v1);
    ASSERT_TRUE(old.ok()) << "version 1 is still read";
    EXPECT_EQ(old->version, 1);
    EXPECT_EQ(old->anchor_size, 0u);
}

TEST(Envelope, RoundTrip) {
    const ChangesetEnvelope e = fixed_envelope();
    auto d = decode_envelope(encode(e));
    ASSERT_TRUE(d.ok()) << d.failure().message;
    EXPECT_EQ(d->device_id, e.device_id);
    EXPECT_EQ(d->seq, e.seq);
    EXPECT_EQ(d->prev_hash, e.prev_hash);
    EXPECT_EQ(d->hlc, e.hlc);
    EXPECT_EQ(d->created_ms, e.created_ms);
    EXPECT_EQ(d->schema_version, e.schema_version);
    EXPECT_EQ(d->changeset, e.changeset);
}

TEST(Envelope, EveryTruncationAndTrailingByteIsRefused) {
    const Bytes bytes = encode(fixed_envelope());
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        auto d = decode_envelope(ByteView(bytes).first(n));
        ASSERT_FALSE(d.ok()) << n;
        EXPECT_EQ(d.code(), Errc::malformed_envelope);
    }
    Bytes longer = bytes;
    longer.push_back(0);
    EXPECT_EQ(decode_envelope(longer).code(), Errc::malformed_envelope);
}

TEST(Envelope, HostileLengthsAreRefusedBeforeAllocation) {
    Bytes bytes = encode(fixed_envelope());
    // The device id length is the u64 after marker and version (offset 3).
    for (int i = 0; i < 8; ++i)
        bytes[3 + static_cast<std::size_t>(i)] = 0xff;
    auto d = decode_envelope(bytes);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.failure().message.find("exceeds its bound"), std::string::npos);
}

TEST(Envelope, NewerVersionOrBigEndianIsNamed) {
    Bytes bytes = encode(fixed_envelope());
    bytes[1] = 3;
    auto d = decode_envelope(bytes);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.code(), Errc::unsupported_version);
    EXPECT_NE(d.failure().message.find("version 3"), std::string::npos);
    bytes[0] = 0;
    EXPECT_EQ(decode_envelope(bytes).code(), Errc::malformed_envelope);
}

TEST(Protocol, GoldenMessagesV2) {
    const Bytes envelope = encode(fixed_envelope());
    const auto key = crypto::SigningKey::from_seed(Bytes(32, 0x42));
    const auto sig = key.sign(kEnvelopeContext, envelope);
    PushBatch push;
    push.version = 2;
    push.entries.push_back(
        {"device-民生路-01", Bytes(sig.bytes.begin(), sig.bytes.end()), envelope});
    check_golden("push_batch_v2.hex", encode(push));
    PushAcks acks;
    acks.version = 2;
    acks.acks.push_back({42, AckStatus::accepted, "", ""});
    acks.acks.push_back(
        {43, AckStatus::rejected, "gridsync.central:4", "缺少第 42 条 / entry 42 is missing"});
    acks.central_time_ms = 1796086800000;
    check_golden("push_acks_v2.hex", encode(acks));
    PullRequest req{"device-民生路-01", 7, 1000, 1796086800000};
    req.want_digest = true;
    req.version = 2;
    const Bytes req_bytes = encode(req);
    const auto req_sig = key.sign(kPullRequestContext, req_bytes);
    check_golden("pull_request_signed_v2.hex",
                 encode(Signed{"device-民生路-01",
                               Bytes(req_sig.bytes.begin(), req_sig.bytes.end()), req_bytes}));
    PullBatch batch;
    batch.version = 2;
    batch.from_cursor = 7;
    batch.to_cursor = 9;
    batch.central_time_ms = 1796086800000;
    batch.entries.push_back(
        {9, "device-自力巷-02", (1796086800000LL << 16) | 1, fixed_envelope().changeset});
    check_golden("pull_batch_v2.hex", encode(batch));
    // A snapshot page, and a last batch with the scope digest.
    PullBatch page;
    page.version = 2;
    page.more = true;
    page.snapshot = SnapshotCursor{9, {3, "0190f1a2-0000-7000-8000-000000000001"}};
    page.central_time_ms = 1796086800000;
    page.entries.push_back({0, "", 0, fixed_envelope().changeset});
    check_golden("pull_batch_snapshot_v2.hex", encode(page));
    PullBatch last;
    last.version = 2;
    last.from_cursor = last.to_cursor = 9;
    last.central_time_ms = 1796086800000;
    last.scope_digest.emplace();
    for (std::size_t i = 0; i < last.scope_digest->size(); ++i)
        (*last.scope_digest)[i] = static_cast<std::uint8_t>(i);
    check_golden("pull_batch_digest_v2.hex", encode(last));
    EXPECT_EQ(decode_pull_batch(encode(page))->snapshot, page.snapshot);
    EXPECT_EQ(decode_pull_batch(encode(last))->scope_digest, last.scope_digest);

    // And they read back, as version 2.
    EXPECT_EQ(decode_push_acks(encode(acks))->version, 2);
    EXPECT_FALSE(decode_push_acks(encode(acks))->epoch);
    EXPECT_EQ(decode_push_batch(encode(push))->entries.at(0).envelope, envelope);
    EXPECT_EQ(decode_push_acks(encode(acks))->acks.at(1).code, "gridsync.central:4");
    EXPECT_EQ(decode_pull_request(req_bytes)->cursor, 7u);
    EXPECT_EQ(decode_pull_batch(encode(batch))->entries.at(0).origin_device, "device-自力巷-02");
}

// Version 3: the transient bit on each acknowledgement, the quarantined
// status, central's epoch on acknowledgements and pull batches, and the pull
// request's number. A version-2 answer never shows a quarantine.
TEST(Protocol, GoldenMessagesV3) {
    const auto key = crypto::SigningKey::from_seed(Bytes(32, 0x42));
    PushAcks acks;
    acks.acks.push_back({42, AckStatus::accepted, "", "", false});
    acks.acks.push_back({43, AckStatus::rejected, "gridsync.central:4",
                         "缺少第 42 条 / entry 42 is missing", true});
    acks.acks.push_back(
        {44, AckStatus::quarantined, "gridsync.central:10", "超出范围 / out of scope", false});
    acks.central_time_ms = 1796086800000;
    acks.epoch = CentralEpoch{"9f3c2a1b0d4e5f60", 120, 44};
    acks.version = 3;
    check_golden("push_acks_v3.hex", encode(acks));
    PullRequest req{"device-民生路-01", 7, 1000, 1796086800000};
    req.request_seq = 31;
    req.version = 3;
    const Bytes req_bytes = encode(req);
    const auto req_sig = key.sign(kPullRequestContext, req_bytes);
    check_golden("pull_request_signed_v3.hex",
                 encode(Signed{"device-民生路-01",
                               Bytes(req_sig.bytes.begin(), req_sig.bytes.end()), req_bytes}));
    PullBatch batch;
    batch.from_cursor = 7;
    batch.to_cursor = 9;
    batch.central_time_ms = 1796086800000;
    batch.entries.push_back(
        {9, "device-自力巷-02", (1796086800000LL << 16) | 1, fixed_envelope().changeset});
    batch.epoch = CentralEpoch{"9f3c2a1b0d4e5f60", 120, 44};
    batch.version = 3;
    check_golden("pull_batch_v3.hex", encode(batch));

    auto read = decode_push_acks(encode(acks));
    ASSERT_TRUE(read.ok()) << read.failure().message;
    EXPECT_EQ(read->version, 3);
    EXPECT_TRUE(read->acks.at(1).transient);
    EXPECT_EQ(read->acks.at(2).status, AckStatus::quarantined);
    EXPECT_EQ(read->epoch, acks.epoch);
    EXPECT_EQ(decode_pull_request(req_bytes)->request_seq, 31u);
    EXPECT_EQ(decode_pull_batch(encode(batch))->epoch, batch.epoch);

    // The same acknowledgements for a version-2 device: no transient bit, no
    // epoch, and the quarantined entry is a refusal to it.
    acks.version = 2;
    auto old = decode_push_acks(encode(acks));
    ASSERT_TRUE(old.ok());
    EXPECT_EQ(old->acks.at(2).status, AckStatus::rejected);
    EXPECT_FALSE(old->epoch);
}

// Version 4: the verifiable log's leaf in each acknowledgement, the device's
// checkpoint, proof requests and cosignature in a pull request, and the
// checkpoint with its proofs in a pull batch (docs/PROTOCOL.md).
TEST(Protocol, GoldenMessagesV4) {
    PushAcks acks;
    acks.acks.push_back({42, AckStatus::accepted, "", "", false, 17});
    acks.acks.push_back({43, AckStatus::rejected, "gridsync.central:4",
                         "缺少第 42 条 / entry 42 is missing", true});
    acks.central_time_ms = 1796086800000;
    acks.epoch = CentralEpoch{"9f3c2a1b0d4e5f60", 120, 44};
    acks.version = 4;
    check_golden("push_acks_v4.hex", encode(acks));
    PullRequest req{"device-民生路-01", 7, 1000, 1796086800000};
    req.request_seq = 31;
    req.verified_size = 16;
    req.prove_seqs = {42};
    req.cosignature = "\xe2\x80\x94 gridsync.witness/device-1 AAAAAA==\n";
    req.version = 4;
    check_golden("pull_request_v4.hex", encode(req));
    PullBatch batch;
    batch.version = 4;
    batch.from_cursor = 7;
    batch.to_cursor = 9;
    batch.central_time_ms = 1796086800000;
    batch.epoch = CentralEpoch{"9f3c2a1b0d4e5f60", 120, 44};
    tlog::Hash a{}, b{};
    a.fill(0xaa);
    b.fill(0xbb);
    batch.log = LogProofs{"gridsync.central/log+00000000+AQ==",
                          "gridsync.central/log\n18\nroot\n",
                          {a},
                          {{42, 17, {a, b}}}};
    check_golden("pull_batch_v4.hex", encode(batch));

    auto read = decode_push_acks(encode(acks));
    ASSERT_TRUE(read.ok()) << read.failure().message;
    EXPECT_EQ(read->acks.at(0).log_index, 17u);
    EXPECT_FALSE(read->acks.at(1).log_index);
    auto rq = decode_pull_request(encode(req));
    ASSERT_TRUE(rq.ok());
    EXPECT_EQ(rq->verified_size, 16u);
    EXPECT_EQ(rq->prove_seqs, req.prove_seqs);
    EXPECT_EQ(rq->cosignature, req.cosignature);
    auto rb = decode_pull_batch(encode(batch));
    ASSERT_TRUE(rb.ok() && rb->log);
    EXPECT_EQ(rb->log->checkpoint, batch.log->checkpoint);
    EXPECT_EQ(rb->log->inclusion.at(0).path.at(1), b);
    // A version-3 device hears none of it, and its messages still decode.
    acks.version = 3;
    EXPECT_FALSE(decode_push_acks(encode(acks))->acks.at(0).log_index);
    batch.version = 3;
    EXPECT_FALSE(decode_pull_batch(encode(batch))->log);
    // A proof longer than any tree of 2^64 leaves is refused.
    batch.version = 4;
    batch.log->consistency.assign(65, a);
    EXPECT_FALSE(decode_pull_batch(encode(batch)));
}

// Version 5: a pull request reports the device's log alarms, open and
// cleared, with their evidence; the other messages are version 4's layout.
TEST(Protocol, GoldenMessagesV5) {
    PullRequest req{"device-民生路-01", 7, 1000, 1796086800000};
    req.request_seq = 32;
    req.verified_size = 16;
    req.alarms.push_back({3, 1796086700000, "rolled_back", "中心的日志变小了 / smaller tree",
                          "gridsync.central/log\n16\nroot\n", "gridsync.central/log\n9\nroot\n", 0,
                          ""});
    req.alarms.push_back({2, 1796086600000, "withheld", "条目 42 / entry 42", "", "", 1796086650000,
                          "已核实 / checked with the office"});
    check_golden("pull_request_v5.hex", encode(req));
    auto rq = decode_pull_request(encode(req));
    ASSERT_TRUE(rq.ok()) << rq.failure().message;
    EXPECT_EQ(rq->version, 5);
    EXPECT_EQ(rq->alarms, req.alarms);
    // The same request to a version-4 central carries no alarms, and its
    // v4 fields are unchanged.
    req.version = 4;
    auto old = decode_pull_request(encode(req));
    ASSERT_TRUE(old.ok());
    EXPECT_TRUE(old->alarms.empty());
    EXPECT_EQ(old->verified_size, 16u);
    // More alarms than a request may carry are refused, not truncated.
    req.version = 5;
    req.alarms.assign(kMaxAlarmReports + 1, req.alarms.front());
    EXPECT_FALSE(decode_pull_request(encode(req)));
}

// Version 1's messages, as a device of that version sent them, are refused
// with both versions named.
TEST(Protocol, VersionOneMessagesAreRefusedNamingBothVersions) {
    for (const char* name : {"push_batch_v1.hex", "pull_batch_v1.hex"}) {
        const Bytes old = read_golden(name);
        auto r = std::string(name).starts_with("push") ? decode_push_batch(old).failure()
                                                       : decode_pull_batch(old).failure();
        EXPECT_EQ(r.code, Errc::unsupported_version) << name;
        EXPECT_NE(r.message.find("protocol version 1 received, this build speaks 2-5"),
                  std::string::npos)
            << r.message;
    }
}

// Every kind of log leaf, pinned: the bytes of a kind never change once
// logged (an old leaf is re-read from its row and must hash as it did).
TEST(LogLeaf, GoldenLeavesOfEveryKind) {
    const Bytes key(32, 0x11), sig(64, 0x22);
    const std::vector<std::pair<std::string, LogLeaf>> leaves = {
        {"log_leaf_entry_v1.hex", EntryLeaf{sig, to_bytes("envelope")}},
        {"log_leaf_quarantined_v1.hex", QuarantinedLeaf{to_bytes("decision"), sig}},
        {"log_leaf_admin_action_v1.hex", AdminActionLeaf{"admin1", to_bytes("body"), sig}},
        {"log_leaf_device_key_v1.hex",
         DeviceKeyLeaf{"device-1", "community_laptop", "S01", "C01", "", key, key, 1796086800000}},
        {"log_leaf_admin_key_v1.hex", AdminKeyLeaf{"admin2", "S02", key, "admin1", 1796086800000}},
        {"log_leaf_epoch_v3.hex", EpochLeaf{"9f3c2a1b0d4e5f60", 120, 300, 1796086800000}},
        {"log_leaf_baseline_v2.hex", BaselineLeaf{"staff", 1796086800000, to_bytes("changeset")}},
    };
    for (const auto& [file, leaf] : leaves) {
        const Bytes bytes = encode(leaf);
        check_golden(file, bytes);
        auto back = decode_log_leaf(bytes);
        ASSERT_TRUE(back.ok()) << file;
        EXPECT_EQ(encode(*back), bytes) << file;
    }
    // A baseline claiming the first version is refused: version 1 had no kind 6.
    Bytes forged = encode(leaves.back().second);
    forged[1] = 1;
    forged[2] = 0;
    EXPECT_FALSE(decode_log_leaf(forged).ok());
    // A restore claiming version 2: that version had no kind 7.
    Bytes epoch = encode(leaves.at(5).second);
    epoch[1] = 2;
    EXPECT_FALSE(decode_log_leaf(epoch).ok());
}
