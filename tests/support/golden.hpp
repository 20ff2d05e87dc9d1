#pragma once
// Golden files (tests/golden) pin wire formats and schemas: a change to one
// must be deliberate (a new version, a new file, the old one still read).
// GRIDSYNC_UPDATE_GOLDEN=1 rewrites them from what the code produces now.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gridsync/bytes.hpp"
#include "gridsync/file.hpp"

namespace gridsync::test {

inline std::string golden_path(const std::string& name) {
    return std::string(GRIDSYNC_TEST_GOLDEN) + "/" + name;
}

// A golden text file, byte for byte.
inline void check_golden_text(const std::string& name, const std::string& actual) {
    const std::string path = golden_path(name);
    if (std::getenv("GRIDSYNC_UPDATE_GOLDEN"))
        std::ofstream(path) << actual;
    auto text = read_file(path, 1 << 20);
    ASSERT_TRUE(text.ok()) << path;
    EXPECT_EQ(std::string(as_chars(*text)), actual) << "golden file changed: " << name;
}

// Bytes kept as lower-case hex on one line.
inline Bytes read_golden(const std::string& name) {
    auto text = read_file(golden_path(name), 1 << 20);
    if (!text)
        return {};
    std::string hex(as_chars(*text));
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' '))
        hex.pop_back();
    return from_hex(hex).value_or(Bytes{});
}

inline void check_golden(const std::string& name, ByteView actual) {
    if (std::getenv("GRIDSYNC_UPDATE_GOLDEN"))
        std::ofstream(golden_path(name)) << to_hex(actual) << "\n";
    const Bytes pinned = read_golden(name);
    ASSERT_FALSE(pinned.empty()) << golden_path(name);
    EXPECT_EQ(to_hex(actual), to_hex(pinned)) << "wire format changed: " << name;
}

}  // namespace gridsync::test
