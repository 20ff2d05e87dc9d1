#pragma once
// What the browser tests need from the machine: node, Debian's Chromium and
// the npm packages of tests/browser. BROWSER_OR_SKIP() fails the test when
// GRIDSYNC_BROWSER_REQUIRED is set (scripts/test.sh sets it) and skips it
// otherwise, so a developer without a browser still runs everything else.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace gridsync::test {

inline std::string find_program(const char* name) {
    for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
        const std::string p = std::string(dir) + "/" + name;
        if (::access(p.c_str(), X_OK) == 0)
            return p;
    }
    return "";
}

// node's path when node, Chromium and playwright-core are all here; "" if not.
inline std::string browser_node(const std::filesystem::path& browser_dir) {
    const std::string node = find_program("node");
    const char* chromium = std::getenv("GRIDSYNC_CHROMIUM");
    const bool ready = !node.empty() &&
                       ::access(chromium ? chromium : "/usr/bin/chromium", X_OK) == 0 &&
                       std::filesystem::exists(browser_dir / "node_modules" / "playwright-core");
    return ready ? node : "";
}

}  // namespace gridsync::test

// In a test body: `const std::string node = BROWSER_OR_SKIP();` gives node's
// path, or ends the test (failed where a browser is required, else skipped).
#define BROWSER_OR_SKIP()                                                          \
    gridsync::test::browser_node(GRIDSYNC_BROWSER_DIR);                            \
    if (gridsync::test::browser_node(GRIDSYNC_BROWSER_DIR).empty()) {              \
        if (std::getenv("GRIDSYNC_BROWSER_REQUIRED"))                              \
            FAIL() << "node, chromium or tests/browser/node_modules missing: run " \
                      "scripts/setup.sh";                                          \
        GTEST_SKIP() << "no browser here (run scripts/setup.sh)";                  \
    }
