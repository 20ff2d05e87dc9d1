#pragma once
// Central's readers: a few read-only connections beside its one writer.
//
// SQLite in WAL mode lets readers and one writer work at once: a read
// transaction sees the database as of its first read and never blocks the
// writer, nor the writer it. Pulls (their batches, snapshots, digests and
// proofs) and /metrics read here, so a device catching up never waits
// for another's push, and a push never waits for a digest.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "gridsync/central/backend.hpp"

namespace gridsync::central {

class ReaderPool {
  public:
    // Up to `max` readers of `writer`'s storage, opened when first needed
    // and kept (CentralBackend::open_reader).
    ReaderPool(CentralBackend& writer, std::size_t max);
    ~ReaderPool();
    ReaderPool(const ReaderPool&) = delete;
    ReaderPool& operator=(const ReaderPool&) = delete;

    // Runs `work` on a free reader inside one read transaction, waiting
    // for one while all `max` are busy. False, having run nothing, when the
    // backend has no readers (the caller reads on the writer instead).
    bool read(const std::function<void(CentralBackend&)>& work);

  private:
    CentralBackend& writer_;
    const std::size_t max_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<CentralBackend>> idle_;
    std::size_t opened_ = 0;
    bool unsupported_ = false;
};

}  // namespace gridsync::central
