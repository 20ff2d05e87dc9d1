#pragma once
// Two real database files with the same schema: a "device" and "central".
#include <gtest/gtest.h>

#include "gridsync/store/changeset.hpp"
#include "gridsync/store/session.hpp"
#include "temp_dir.hpp"

namespace gridsync::test {

inline constexpr const char* kSchema = R"(
CREATE TABLE household(
    id TEXT PRIMARY KEY NOT NULL,
    address TEXT NOT NULL,
    phone TEXT UNIQUE);
CREATE TABLE resident(
    id TEXT PRIMARY KEY NOT NULL,
    household_id TEXT NOT NULL REFERENCES household(id),
    name TEXT NOT NULL,
    age INTEGER CHECK (age >= 0),
    photo BLOB);
)";

struct TwoNodes {
    TempDir dir;
    store::Database device = store::Database::open(dir / "device.db");
    store::Database central = store::Database::open(dir / "central.db");
    TwoNodes() {
        device.exec(kSchema);
        central.exec(kSchema);
    }
    // Runs `write` on `db` inside a captured transaction and returns its changeset.
    template <class F>
    static store::Changeset capture(store::Database& db, F&& write) {
        store::Session s(db);
        s.attach("household");
        s.attach("resident");
        store::Transaction tx(db);
        write();
        tx.commit();
        return s.changeset();
    }
};

inline store::ConflictHandler fail_on_conflict() {
    return [](const store::Conflict& c) -> store::ConflictAction {
        ADD_FAILURE() << "unexpected conflict " << store::to_string(c.kind) << " on " << c.table;
        return store::ConflictAction::abort;
    };
}

}  // namespace gridsync::test
