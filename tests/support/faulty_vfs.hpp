#pragma once
// A SQLite VFS that fails the k-th write, sync or truncate of the files whose
// name contains a given text, as a full disk or a failing drive would
// (SQLITE_IOERR_WRITE, SQLITE_FULL, SQLITE_IOERR_FSYNC). Registered as the
// default VFS for its lifetime; every other call goes to the VFS it wraps.
// For the step-by-step fault tests of central's apply path.
#include <sqlite3.h>

#include <cstring>
#include <string>

namespace gridsync::test {

class FaultyVfs {
  public:
    explicit FaultyVfs(std::string file_part) : part_(std::move(file_part)) {
        base_ = sqlite3_vfs_find(nullptr);
        vfs_ = *base_;
        vfs_.zName = "gridsync-faulty";
        vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
        vfs_.pAppData = this;
        vfs_.xOpen = &FaultyVfs::open;
        sqlite3_vfs_register(&vfs_, 1);
    }
    ~FaultyVfs() {
        sqlite3_vfs_unregister(&vfs_);
        sqlite3_vfs_register(base_, 1);
    }
    FaultyVfs(const FaultyVfs&) = delete;
    FaultyVfs& operator=(const FaultyVfs&) = delete;

    // Fail the k-th (0-based) write, sync or truncate from now; -1: none.
    void fail_at(int k) {
        countdown_ = k;
        seen_ = 0;
        fired_ = false;
    }
    int seen() const { return seen_; }  // writes, syncs and truncates since fail_at
    bool fired() const { return fired_; }

  private:
    // Our file: the io methods, then the wrapped VFS's own file.
    struct File {
        sqlite3_file base;
        FaultyVfs* owner;
        bool watched;
        sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
    };

    int step(int error) {
        ++seen_;
        if (countdown_ < 0 || fired_)
            return SQLITE_OK;
        if (countdown_-- == 0) {
            fired_ = true;
            return error;
        }
        return SQLITE_OK;
    }

    static File* self(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

    static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                    int* out_flags) {
        auto* owner = static_cast<FaultyVfs*>(vfs->pAppData);
        auto* f = self(file);
        f->owner = owner;
        f->watched = name && std::strstr(name, owner->part_.c_str()) != nullptr;
        const int rc = owner->base_->xOpen(owner->base_, name, f->real(), flags, out_flags);
        if (rc != SQLITE_OK || !f->real()->pMethods) {
            f->base.pMethods = nullptr;
            return rc;
        }
        // One method table per open file: the wrapped VFS's version decides
        // which entries exist, so copy its table and override what we fail.
        owner->methods_ = *f->real()->pMethods;
        owner->methods_.xClose = &FaultyVfs::close;
        owner->methods_.xRead = [](sqlite3_file* p, void* b, int n, sqlite3_int64 o) {
            return self(p)->real()->pMethods->xRead(self(p)->real(), b, n, o);
        };
        owner->methods_.xWrite = [](sqlite3_file* p, const void* b, int n, sqlite3_int64 o) {
            auto* x = self(p);
            if (x->watched) {
                if (const int e =
                        x->owner->step(x->owner->seen_ % 2 ? SQLITE_FULL : SQLITE_IOERR_WRITE))
                    return e;
            }
            return x->real()->pMethods->xWrite(x->real(), b, n, o);
        };
        owner->methods_.xTruncate = [](sqlite3_file* p, sqlite3_int64 size) {
            auto* x = self(p);
            if (x->watched) {
                if (const int e = x->owner->step(SQLITE_IOERR_TRUNCATE))
                    return e;
            }
            return x->real()->pMethods->xTruncate(x->real(), size);
        };
        owner->methods_.xSync = [](sqlite3_file* p, int sync_flags) {
            auto* x = self(p);
            if (x->watched) {
                if (const int e = x->owner->step(SQLITE_IOERR_FSYNC))
                    return e;
            }
            return x->real()->pMethods->xSync(x->real(), sync_flags);
        };
        forward(owner->methods_);
        f->base.pMethods = &owner->methods_;
        return rc;
    }
    static int close(sqlite3_file* p) { return self(p)->real()->pMethods->xClose(self(p)->real()); }
    // Everything we do not fail goes straight to the wrapped file.
    static void forward(sqlite3_io_methods& m) {
        m.xFileSize = [](sqlite3_file* p, sqlite3_int64* s) {
            return self(p)->real()->pMethods->xFileSize(self(p)->real(), s);
        };
        m.xLock = [](sqlite3_file* p, int l) {
            return self(p)->real()->pMethods->xLock(self(p)->real(), l);
        };
        m.xUnlock = [](sqlite3_file* p, int l) {
            return self(p)->real()->pMethods->xUnlock(self(p)->real(), l);
        };
        m.xCheckReservedLock = [](sqlite3_file* p, int* r) {
            return self(p)->real()->pMethods->xCheckReservedLock(self(p)->real(), r);
        };
        m.xFileControl = [](sqlite3_file* p, int op, void* a) {
            return self(p)->real()->pMethods->xFileControl(self(p)->real(), op, a);
        };
        m.xSectorSize = [](sqlite3_file* p) {
            return self(p)->real()->pMethods->xSectorSize(self(p)->real());
        };
        m.xDeviceCharacteristics = [](sqlite3_file* p) {
            return self(p)->real()->pMethods->xDeviceCharacteristics(self(p)->real());
        };
        if (m.iVersion >= 2) {
            m.xShmMap = [](sqlite3_file* p, int pg, int sz, int ext, void volatile** out) {
                return self(p)->real()->pMethods->xShmMap(self(p)->real(), pg, sz, ext, out);
            };
            m.xShmLock = [](sqlite3_file* p, int off, int n, int flags) {
                return self(p)->real()->pMethods->xShmLock(self(p)->real(), off, n, flags);
            };
            m.xShmBarrier = [](sqlite3_file* p) {
                self(p)->real()->pMethods->xShmBarrier(self(p)->real());
            };
            m.xShmUnmap = [](sqlite3_file* p, int del) {
                return self(p)->real()->pMethods->xShmUnmap(self(p)->real(), del);
            };
        }
        if (m.iVersion >= 3) {
            m.xFetch = [](sqlite3_file* p, sqlite3_int64 off, int n, void** out) {
                return self(p)->real()->pMethods->xFetch(self(p)->real(), off, n, out);
            };
            m.xUnfetch = [](sqlite3_file* p, sqlite3_int64 off, void* ptr) {
                return self(p)->real()->pMethods->xUnfetch(self(p)->real(), off, ptr);
            };
        }
    }

    std::string part_;
    sqlite3_vfs* base_ = nullptr;
    sqlite3_vfs vfs_{};
    sqlite3_io_methods methods_{};
    int countdown_ = -1;
    int seen_ = 0;
    bool fired_ = false;
};

}  // namespace gridsync::test
