#pragma once
// Whole-file reads and crash-safe writes, for small files (keys, config).
#include <sys/types.h>
#include <filesystem>

#include "gridsync/bytes.hpp"
#include "gridsync/error.hpp"

namespace gridsync {

// Writes to a temporary file beside `path`, fsyncs it, renames it over `path`
// and fsyncs the folder: after a crash the file holds the old bytes or the new
// ones, never a mix. Failure codes are std::errc values.
Status write_file_atomic(const std::filesystem::path& path, ByteView bytes, mode_t mode = 0600);

// Refuses (std::errc::file_too_large) a file over `max_bytes`.
Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace gridsync
