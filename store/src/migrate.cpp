#include "gridsync/store/migrate.hpp"

#include <string>

namespace gridsync::store {

MigrationReport migrate(Database& db, std::span<const Migration> migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != static_cast<int>(i) + 1) {
            throw StoreError(Errc::bad_migrations, "migration at position " + std::to_string(i) +
                                                       " has version " +
                                                       std::to_string(migrations[i].version) +
                                                       ", expected " + std::to_string(i + 1));
        }
    }
    const int latest = static_cast<int>(migrations.size());
    const int from = db.user_version();
    if (from > latest) {
        throw StoreError(Errc::newer_schema,
                         "database " + db.path().string() + " has schema version " +
                             std::to_string(from) + "; this build knows up to " +
                             std::to_string(latest) + ". Upgrade gridsync before opening it.");
    }
    for (int v = from + 1; v <= latest; ++v) {
        Transaction tx(db);
        db.exec(migrations[static_cast<std::size_t>(v - 1)].sql);
        db.set_user_version(v);
        tx.commit();
    }
    return {from, latest};
}

}  // namespace gridsync::store
