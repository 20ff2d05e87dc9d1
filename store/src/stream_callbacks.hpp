#pragma once
// The C callbacks SQLite's _strm functions call. Exceptions never cross into
// SQLite: they are parked in the context and rethrown once SQLite returns.
#include <sqlite3.h>

#include <exception>

#include "gridsync/store/streams.hpp"

namespace gridsync::store::detail {

struct SourceContext {
    ByteSource* source;
    std::exception_ptr error;
};

inline int read_source(void* ctx, void* data, int* n) {
    auto* c = static_cast<SourceContext*>(ctx);
    try {
        *n = static_cast<int>(
            c->source->read({static_cast<std::uint8_t*>(data), static_cast<std::size_t>(*n)}));
        return SQLITE_OK;
    } catch (...) {
        c->error = std::current_exception();
        return SQLITE_IOERR;
    }
}

struct SinkContext {
    ByteSink* sink;
    std::exception_ptr error;
};

inline int write_sink(void* ctx, const void* data, int n) {
    auto* c = static_cast<SinkContext*>(ctx);
    try {
        c->sink->write({static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(n)});
        return SQLITE_OK;
    } catch (...) {
        c->error = std::current_exception();
        return SQLITE_IOERR;
    }
}

}  // namespace gridsync::store::detail
