#include "gridsync/central/readers.hpp"

#include "gridsync/store/database.hpp"

namespace gridsync::central {

ReaderPool::ReaderPool(CentralBackend& writer, std::size_t max)
    : writer_(writer), max_(std::max<std::size_t>(max, 1)) {}

ReaderPool::~ReaderPool() = default;

bool ReaderPool::read(const std::function<void(CentralBackend&)>& work) {
    std::unique_ptr<CentralBackend> reader;
    {
        std::unique_lock lock(mutex_);
        if (unsupported_)
            return false;
        freed_.wait(lock, [&] { return !idle_.empty() || opened_ < max_; });
        if (!idle_.empty()) {
            reader = std::move(idle_.back());
            idle_.pop_back();
        } else {
            ++opened_;  // counted now: another caller must not open past max_
        }
    }
    if (!reader) {
        try {
            reader = writer_.open_reader();
        } catch (...) {
            std::lock_guard lock(mutex_);
            --opened_;
            freed_.notify_one();
            throw;
        }
        if (!reader) {
            std::lock_guard lock(mutex_);
            unsupported_ = true;
            --opened_;
            freed_.notify_all();
            return false;
        }
    }
    // Handed back however `work` ends; a reader whose transaction could
    // not even be rolled back is closed rather than reused.
    struct GiveBack {
        ReaderPool& pool;
        std::unique_ptr<CentralBackend>& reader;
        ~GiveBack() {
            std::lock_guard lock(pool.mutex_);
            if (reader)
                pool.idle_.push_back(std::move(reader));
            else
                --pool.opened_;
            pool.freed_.notify_one();
        }
    } give_back{*this, reader};
    try {
        store::Transaction tx(reader->read_view(), store::Transaction::Kind::deferred);
        work(*reader);
        tx.commit();
    } catch (...) {
        if (reader->read_view().in_transaction())
            reader.reset();
        throw;
    }
    return true;
}

}  // namespace gridsync::central
