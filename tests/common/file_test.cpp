#include <gtest/gtest.h>
#include <sys/stat.h>

#include "gridsync/file.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

TEST(File, AtomicWriteReplacesAndIsPrivate) {
    test::TempDir dir;
    const auto path = dir / "key.sealed";
    ASSERT_TRUE(write_file_atomic(path, as_bytes("first")));
    ASSERT_TRUE(write_file_atomic(path, as_bytes("second")));
    auto read = read_file(path, 1024);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(as_chars(*read), "second");
    EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(File, ReadRefusesMissingAndOversized) {
    test::TempDir dir;
    auto missing = read_file(dir / "nope", 10);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.code(), std::errc::no_such_file_or_directory);

    ASSERT_TRUE(write_file_atomic(dir / "big", Bytes(100, 1)));
    auto big = read_file(dir / "big", 99);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.code(), std::errc::file_too_large);
}

TEST(File, WriteIntoMissingFolderFailsCleanly) {
    test::TempDir dir;
    auto st = write_file_atomic(dir / "no" / "such" / "file", as_bytes("x"));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), std::errc::no_such_file_or_directory);
}
