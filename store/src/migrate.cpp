#include "gridsync/store/migrate.hpp"

#include <string>

namespace gridsync::store {

namespace {

int current_version(Database& db, std::string_view component) {
    if (component.empty())
        return db.user_version();
    db.exec(
        "CREATE TABLE IF NOT EXISTS gridsync_schema(component TEXT PRIMARY KEY NOT NULL, version "
        "INTEGER NOT NULL)");
    return db
        .query_value<int>("SELECT version FROM gridsync_schema WHERE component = ?1", component)
        .value_or(0);
}

void set_version(Database& db, std::string_view component, int version) {
    if (component.empty()) {
        db.set_user_version(version);
    } else {
        db.execute(
            "INSERT INTO gridsync_schema(component, version) VALUES (?1, ?2) "
            "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
            component, version);
    }
}

}  // namespace

MigrationReport migrate(Database& db, std::span<const Migration> migrations,
                        std::string_view component) {
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != static_cast<int>(i) + 1) {
            throw StoreError(Errc::bad_migrations, "migration at position " + std::to_string(i) +
                                                       " has version " +
                                                       std::to_string(migrations[i].version) +
                                                       ", expected " + std::to_string(i + 1));
        }
    }
    const int latest = static_cast<int>(migrations.size());
    const int from = current_version(db, component);
    if (from > latest) {
        throw StoreError(Errc::newer_schema,
                         "database " + db.path().string() + " has " +
                             (component.empty() ? std::string("schema") : std::string(component)) +
                             " version " + std::to_string(from) + "; this build knows up to " +
                             std::to_string(latest) + ". Upgrade gridsync before opening it.");
    }
    for (int v = from + 1; v <= latest; ++v) {
        Transaction tx(db);
        db.exec(migrations[static_cast<std::size_t>(v - 1)].sql);
        set_version(db, component, v);
        tx.commit();
    }
    return {from, latest};
}

}  // namespace gridsync::store
