#pragma once
// The verifiable log as a folder an auditor takes away (docs/AUDIT.md,
// "Export"): nothing in it is trusted by gridsync-audit but what verifies
// against the keys the auditor pinned.
//
//   DIR/log.vkey              the log's verifier key, one line (for reference:
//                             the auditor pins its own copy)
//   DIR/checkpoint            the latest checkpoint, with the cosignatures held
//   DIR/checkpoints/<size>    every checkpoint central signed, by tree size
//   DIR/leaves                every leaf in order: u64 little-endian length,
//                             then the leaf's bytes (sync/log_leaf.hpp)
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "gridsync/central/merkle_log.hpp"
#include "gridsync/error.hpp"

namespace gridsync::central {

struct LogExport {
    std::uint64_t leaves = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t bytes = 0;
};

// Refuses a folder that exists (central::Errc::bad_request). A leaf whose row
// is gone is a storage fault (thrown): the log is append-only.
// One leaf of DIR/leaves: its length (u64 little endian), then its bytes.
void write_export_leaf(std::ostream& out, ByteView leaf);

// DIR/leaves read one leaf at a time (an export of millions of leaves is
// never in memory whole). A leaf longer than `max_leaf` or cut short ends
// the reading with `problem()` saying where.
class ExportLeafReader {
  public:
    explicit ExportLeafReader(const std::filesystem::path& leaves, std::uint64_t max_leaf);
    bool opened() const { return static_cast<bool>(in_); }
    // The next leaf; nullopt at the end or at a problem.
    std::optional<Bytes> next();
    const std::string& problem() const { return problem_; }

  private:
    std::ifstream in_;
    std::uint64_t max_leaf_;
    std::uint64_t read_ = 0;
    std::string problem_;
};

Result<LogExport> export_log(MerkleLog& log, const tlog::NoteVerifier& log_key,
                             const std::filesystem::path& dir);

}  // namespace gridsync::central
