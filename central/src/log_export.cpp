#include "gridsync/central/log_export.hpp"

#include <fstream>
#include <stdexcept>

#include "gridsync/central/errors.hpp"

namespace gridsync::central {

namespace fs = std::filesystem;

void write_export_leaf(std::ostream& out, ByteView leaf) {
    std::uint8_t len[8];
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(leaf.size()) >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(reinterpret_cast<const char*>(leaf.data()),
              static_cast<std::streamsize>(leaf.size()));
}

ExportLeafReader::ExportLeafReader(const fs::path& leaves, std::uint64_t max_leaf)
    : in_(leaves, std::ios::binary), max_leaf_(max_leaf) {}

std::optional<Bytes> ExportLeafReader::next() {
    if (!problem_.empty() || !in_)
        return std::nullopt;
    std::uint8_t len[8];
    in_.read(reinterpret_cast<char*>(len), 8);
    if (in_.gcount() == 0)
        return std::nullopt;
    if (in_.gcount() != 8) {
        problem_ = "leaves: cut inside the length of leaf " + std::to_string(read_);
        return std::nullopt;
    }
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | len[i];
    if (n > max_leaf_) {
        problem_ =
            "leaves: leaf " + std::to_string(read_) + " claims " + std::to_string(n) + " bytes";
        return std::nullopt;
    }
    Bytes b(n);
    in_.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(n));
    if (static_cast<std::uint64_t>(in_.gcount()) != n) {
        problem_ = "leaves: leaf " + std::to_string(read_) + " is cut short";
        return std::nullopt;
    }
    ++read_;
    return b;
}

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
            write_export_leaf(leaves, *bytes);
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
