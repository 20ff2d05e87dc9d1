#pragma once

namespace gridsync::edge::cli {
// Runs one gridsync-edge command; returns the process exit code.
int run(int argc, char** argv);
}  // namespace gridsync::edge::cli
