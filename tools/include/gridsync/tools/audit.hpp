#pragma once
// The auditor of central's verifiable log (docs/AUDIT.md): an export and the
// keys the auditor pinned, nothing else. gridsync-audit is its command line.
//
// It trusts no file of the export. Every leaf is hashed into the tree again;
// every checkpoint is verified with the pinned log key and against that
// tree; every entry's signature with the key its device was registered with
// earlier in the log; every entry's anchor (the checkpoint its device had
// verified) against the tree; every admin action with its admin's logged key. The
// state is then rebuilt from the log alone (the baseline, then each applied
// entry in order, in an empty database of the replicated schema) and every
// signed row is checked on it as central's second look checks it: payments'
// two distinct staff signatures by keys their signers held on that device at
// that time, rostered and independent, and so on for hand-overs, deliveries,
// check-ins, closings and openings. An entitlement paid more than once must
// have a logged admin decision. Checkpoints collected from devices (field)
// must be checkpoints of the same tree, or of the history a restore that is
// itself in the log lost (an epoch leaf: reported, not failed).
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/tlog/note.hpp"

namespace gridsync::tools {

struct AuditInput {
    std::filesystem::path export_dir;
    tlog::NoteVerifier log_key;
    crypto::PublicKey central_key;
    std::vector<std::filesystem::path> field_dirs;
};

struct AuditReport {
    std::size_t leaves = 0, entries = 0, quarantine_decisions = 0, admin_actions = 0;
    std::size_t device_keys = 0, admin_keys = 0, baseline_leaves = 0, checkpoints = 0;
    std::size_t field_checkpoints = 0, chains = 0;
    std::size_t signed_rows = 0;  // rows whose signatures and rules were checked
    std::size_t payments = 0;     // of them, payments and reversals
    std::size_t double_payments_resolved = 0;
    std::size_t anchors = 0;         // entries whose anchor is a checkpoint of this tree
    std::size_t anchors_broken = 0;  // entries whose anchor is of another history
    // Entries made before a logged restore and offered again after it, and
    // checkpoints from before it, of the history it lost (noted, not failed).
    std::size_t anchors_lost_in_restore = 0, lost_in_restore = 0;
    std::optional<tlog::Checkpoint> latest;
    std::vector<std::string> failures;  // each names its evidence (leaf, entry, row)
    std::vector<std::string> notes;
    bool passed() const { return failures.empty(); }
    // The report as gridsync-audit prints it.
    std::string text() const;
};

AuditReport audit_export(const AuditInput& in);

// A synthetic export for measuring the auditor (gridsync-bench): a baseline
// of a community's reference data and `payments` payments of one day, each
// its own device entry with two staff signatures, all real and all valid,
// and a checkpoint signed with a log key made for it. Written under `dir`.
struct ScaleExport {
    std::filesystem::path export_dir;
    std::string log_vkey, central_key_hex;
    std::uint64_t leaves = 0, payments = 0;
    double made_s = 0;  // the time it took to make
};
ScaleExport make_scale_export(const std::filesystem::path& dir, std::uint64_t payments);

}  // namespace gridsync::tools
