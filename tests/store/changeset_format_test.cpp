#include <gtest/gtest.h>

#include <random>

#include "fixtures.hpp"
#include "gridsync/store/changeset_format.hpp"
#include "gridsync/store/changeset_writer.hpp"

using namespace gridsync;
using namespace gridsync::store;
using test::TwoNodes;

namespace {

Changeset sample(TwoNodes& n) {
    n.device.execute("INSERT INTO household VALUES ('h0', 'old', NULL)");
    return TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h1', '1栋', '139')");
        n.device.execute("UPDATE household SET address='new' WHERE id='h0'");
        n.device.execute("INSERT INTO resident VALUES ('r1', 'h1', '李四', 3, x'0102')");
        n.device.execute("INSERT INTO resident VALUES ('r2', 'h1', '王', 4.5, NULL)");
        n.device.execute("DELETE FROM resident WHERE id='r2'");
        n.device.execute("INSERT INTO resident VALUES ('r3', 'h1', '', 7, zeroblob(0))");
    });
}

bool accepted(ByteView b) {
    try {
        validate_changeset(b);
        return true;
    } catch (const StoreError& e) {
        EXPECT_EQ(e.code(), Errc::malformed_changeset);
        return false;
    }
}

}  // namespace

TEST(ChangesetFormat, AcceptsWhatSQLiteWritesAndCountsChanges) {
    TwoNodes n;
    const Changeset cs = sample(n);
    ChangesetValidator v;
    v.feed(cs.bytes());
    v.finish();
    EXPECT_EQ(v.tables(), 2u);
    EXPECT_EQ(v.changes(), 4u);  // h1, h0 update, r1, r3 (r2 came and went)
    EXPECT_TRUE(accepted({}));
}

TEST(ChangesetFormat, ChunkBoundariesDoNotMatter) {
    TwoNodes n;
    const Changeset cs = sample(n);
    for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
        ChangesetValidator v;
        for (std::size_t i = 0; i < cs.size(); i += chunk) {
            v.feed(cs.bytes().subspan(i, std::min(chunk, cs.size() - i)));
        }
        EXPECT_NO_THROW(v.finish()) << "chunk " << chunk;
        EXPECT_EQ(v.changes(), 4u);
    }
}

// Every cut inside a header or a change is refused. (SQLite 3.40.1 loops
// forever on a cut inside the first table header; this is the guard.)
TEST(ChangesetFormat, EveryTruncationInsideAStructureIsRefused) {
    TwoNodes n;
    const Changeset cs = sample(n);
    int accepted_prefixes = 0;
    for (std::size_t len = 1; len < cs.size(); ++len) {
        if (accepted(cs.bytes().first(len))) {
            ++accepted_prefixes;
            // An accepted prefix ends exactly where SQLite also sees a whole change.
            ChangesetIterator it(cs.bytes().first(len));
            while (it.next()) {
            }
        }
    }
    // Ends of table headers and of changes only: 2 headers + 4 changes - 1 (the whole).
    EXPECT_EQ(accepted_prefixes, 5);
    for (std::size_t len = 1; len <= 6; ++len)
        EXPECT_FALSE(accepted(cs.bytes().first(len)));
}

TEST(ChangesetFormat, RefusesPatchsetsAndForeignBytes) {
    TwoNodes n;
    n.device.execute("INSERT INTO household VALUES ('h1', 'a', NULL)");
    store::Session s(n.device);
    s.attach("household");
    n.device.execute("UPDATE household SET address='b' WHERE id='h1'");
    EXPECT_FALSE(accepted(s.patchset().bytes()));
    EXPECT_TRUE(accepted(s.changeset().bytes()));
    EXPECT_FALSE(accepted(as_bytes("GET / HTTP/1.1\r\n")));
    const Bytes absent_in_insert = {'T', 1, 1, 't', 0, 18, 0, 0};
    EXPECT_FALSE(accepted(absent_in_insert));
    const Bytes huge_ncol = {'T', 0x81, 0x80, 0x80, 0x00};
    EXPECT_FALSE(accepted(huge_ncol));
    const Bytes bad_indirect = {'T', 1, 1, 't', 0, 18, 2, 5};
    EXPECT_FALSE(accepted(bad_indirect));
    const Bytes good_minimal = {'T', 1, 1, 't', 0, 18, 0, 5};
    EXPECT_TRUE(accepted(good_minimal));
}

TEST(ChangesetFormat, ValueLengthLimitIsEnforced) {
    const Bytes long_text = {'T', 1, 1, 't', 0, 18, 0, 3, 0x81, 0x00};  // 128-byte text, cut
    ChangesetLimits tight;
    tight.max_value_bytes = 100;
    EXPECT_THROW(validate_changeset(long_text, tight), StoreError);
}

// Random mutations are refused or read cleanly: never a crash or a hang
// (the sanitizers watch the first, the ctest timeout the second).
TEST(ChangesetFormat, RandomMutationsAreHandledCleanly) {
    TwoNodes n;
    const Changeset cs = sample(n);
    std::mt19937 rng(20261130);
    int refused = 0;
    for (int round = 0; round < 3000; ++round) {
        Bytes b(cs.bytes().begin(), cs.bytes().end());
        const int flips = 1 + static_cast<int>(rng() % 3);
        for (int f = 0; f < flips; ++f)
            b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
        if (rng() % 4 == 0)
            b.resize(rng() % b.size());
        try {
            ChangesetIterator it(b);
            while (it.next()) {
                (void)it.old_row();
                (void)it.new_row();
            }
        } catch (const StoreError&) {
            ++refused;
        }
    }
    EXPECT_GT(refused, 0);
}

// Writing every change back reproduces SQLite's bytes exactly; a filtered
// changeset applies and carries only what was kept.
TEST(ChangesetWriter, RewritesSQLitesBytesExactlyAndFilters) {
    TwoNodes n;
    const Changeset cs = sample(n);
    const Changeset all =
        filter_changeset(cs.bytes(), [](const ChangesetIterator&) { return true; });
    EXPECT_EQ(to_hex(all.bytes()), to_hex(cs.bytes()));
    // Big values: a long text and a negative integer and a real survive too.
    const Changeset big = TwoNodes::capture(n.device, [&] {
        n.device.execute("INSERT INTO household VALUES ('h-big', ?1, NULL)",
                         std::string(70000, 'x'));
        n.device.execute(
            "INSERT INTO resident VALUES ('r-big', 'h-big', '负', 123456789012, randomblob(300))");
        n.device.execute("INSERT INTO household VALUES ('h-neg', 'x', -42)");
        n.device.execute("UPDATE resident SET age = 3.25 WHERE id = 'r-big'");
    });
    EXPECT_EQ(
        to_hex(
            filter_changeset(big.bytes(), [](const ChangesetIterator&) { return true; }).bytes()),
        to_hex(big.bytes()));

    const Changeset residents = filter_changeset(
        cs.bytes(), [](const ChangesetIterator& it) { return it.table() == "resident"; });
    validate_changeset(residents.bytes());
    n.central.execute("INSERT INTO household VALUES ('h1', '1栋', '139')");
    (void)apply_changeset(n.central, residents.bytes(), test::fail_on_conflict());
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM resident"), 2);
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM household"), 1);
    EXPECT_TRUE(
        filter_changeset(cs.bytes(), [](const ChangesetIterator&) { return false; }).empty());
}
