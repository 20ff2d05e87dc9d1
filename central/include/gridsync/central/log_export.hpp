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
Result<LogExport> export_log(MerkleLog& log, const tlog::NoteVerifier& log_key,
                             const std::filesystem::path& dir);

}  // namespace gridsync::central
