#include "gridsync/central/log_export.hpp"

#include <fstream>
#include <stdexcept>

#include "gridsync/central/errors.hpp"

namespace gridsync::central {

namespace fs = std::filesystem;

Result<LogExport> export_log(MerkleLog& log, const tlog::NoteVerifier& log_key,
                             const fs::path& dir) {
    if (fs::exists(dir))
        return fail(Errc::bad_request, "目标文件夹已存在 / " + dir.string() + " exists");
    fs::create_directories(dir / "checkpoints");
    LogExport report;
    std::ofstream(dir / "log.vkey") << log_key.vkey() << "\n";
    std::ofstream leaves(dir / "leaves", std::ios::binary);
    for (std::uint64_t from = 0;;) {
        const auto page = log.leaves(from, 5000);
        if (page.empty())
            break;
        for (const auto& l : page) {
            const auto bytes = log.leaf_bytes(l.source, l.ref);
            if (!bytes)
                throw std::runtime_error("log leaf " + std::to_string(l.index) +
                                         ": its row is gone");
            std::uint8_t len[8];
            for (int i = 0; i < 8; ++i)
                len[i] =
                    static_cast<std::uint8_t>(static_cast<std::uint64_t>(bytes->size()) >> (8 * i));
            leaves.write(reinterpret_cast<const char*>(len), 8);
            leaves.write(reinterpret_cast<const char*>(bytes->data()),
                         static_cast<std::streamsize>(bytes->size()));
            report.bytes += 8 + bytes->size();
            ++report.leaves;
        }
        from = page.back().index + 1;
    }
    leaves.close();
    for (const auto& c : log.checkpoints()) {
        std::ofstream(dir / "checkpoints" / std::to_string(c.size)) << log.published_note(c);
        ++report.checkpoints;
    }
    if (const auto latest = log.latest())
        std::ofstream(dir / "checkpoint") << log.published_note(*latest);
    if (!leaves)
        return fail(Errc::bad_request, "写入失败 / could not write " + dir.string());
    return report;
}

}  // namespace gridsync::central
