#include <gtest/gtest.h>

#include "fixtures.hpp"

using namespace gridsync;
using namespace gridsync::store;
using test::TwoNodes;

namespace {

// sqlite3_status64 counts every byte SQLite itself holds, so the peak during a
// streamed apply tells whether the changeset was ever held whole.
std::int64_t sqlite_memory_peak_reset() {
    sqlite3_int64 cur = 0, peak = 0;
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur, &peak, 1);
    return cur;
}
std::int64_t sqlite_memory_peak() {
    sqlite3_int64 cur = 0, peak = 0;
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur, &peak, 0);
    return peak;
}

}  // namespace

TEST(Stream, ApplyOfAChangesetFarLargerThanTheBufferStaysBounded) {
    TwoNodes n;
    const auto file = n.dir / "big.changeset";
    constexpr int kRows = 20000;
    const Bytes photo(512, 0xab);
    {
        store::Session s(n.device);
        s.attach("household");
        s.attach("resident");
        Transaction tx(n.device);
        auto hh = n.device.prepare("INSERT INTO household(id, address) VALUES (?1, ?2)");
        auto rs = n.device.prepare("INSERT INTO resident VALUES (?1, ?2, ?3, ?4, ?5)");
        for (int i = 0; i < kRows; ++i) {
            const std::string h = "h" + std::to_string(i);
            hh.bind_all(h, "楼栋" + std::to_string(i)).run();
            hh.reset();
            rs.bind_all("r" + std::to_string(i), h, "居民", i % 100, photo).run();
            rs.reset();
        }
        tx.commit();
        FileSink sink(file);
        s.changeset(sink);
        sink.close();
    }
    const auto size = std::filesystem::file_size(file);
    ASSERT_GT(size, 10u * 1024 * 1024) << "the changeset should be far larger than any buffer";

    // A fresh connection so the device's page cache does not count.
    n.central.exec("PRAGMA cache_size=-1024");
    const auto before = sqlite_memory_peak_reset();
    FileSource source(file);
    const auto report = apply_changeset(n.central, source, test::fail_on_conflict());
    const auto peak_growth = sqlite_memory_peak() - before;

    EXPECT_FALSE(report.aborted);
    EXPECT_EQ(source.bytes_read(), size);
    EXPECT_LE(source.largest_request(), 64u * 1024)
        << "SQLite asked for more than its stream chunk";
    EXPECT_LT(peak_growth, static_cast<std::int64_t>(size / 4))
        << "peak SQLite memory grew by " << peak_growth << " bytes for a " << size
        << "-byte changeset";
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM resident"), kRows);
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM household"), kRows);
}

TEST(Stream, StreamedIteratorAndGroupMatchInMemory) {
    TwoNodes n;
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        for (int i = 0; i < 300; ++i) {
            n.device.execute("INSERT INTO household(id, address) VALUES (?1, 'x')",
                             "h" + std::to_string(i));
        }
    });
    MemorySource src(cs.bytes());
    ChangesetIterator it(src);
    int rows = 0;
    while (it.next())
        ++rows;
    EXPECT_EQ(rows, 300);

    ChangeGroup g;
    MemorySource src2(cs.bytes());
    g.add(src2);
    MemorySink out;
    g.output(out);
    EXPECT_EQ(out.bytes().size(), cs.size());
}

TEST(Stream, FailingSourceSurfacesItsErrorAndAppliesNothing) {
    TwoNodes n;
    const Changeset cs = TwoNodes::capture(n.device, [&] {
        for (int i = 0; i < 500; ++i) {
            n.device.execute("INSERT INTO household(id, address) VALUES (?1, 'x')",
                             "h" + std::to_string(i));
        }
    });
    struct Flaky final : ByteSource {
        MemorySource inner;
        std::size_t budget;
        Flaky(ByteView b, std::size_t limit) : inner(b), budget(limit) {}
        std::size_t read(std::span<std::uint8_t> out) override {
            if (budget < out.size())
                throw StoreError(Errc::stream_failed, "network dropped");
            budget -= out.size();
            return inner.read(out);
        }
    } flaky(cs.bytes(), cs.size() / 2);
    try {
        (void)apply_changeset(n.central, flaky, test::fail_on_conflict());
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_EQ(e.code(), Errc::stream_failed);
    }
    EXPECT_EQ(n.central.query_value<int>("SELECT count(*) FROM household"), 0);
}
