// Golden vectors for a client written from docs/PROTOCOL.md alone: the scope
// digest over known rows (tests/golden/scope_rows_v3.sql) and the session
// changeset of an UPDATE of one of them, byte for byte.
#include <gtest/gtest.h>

#include "golden.hpp"
#include "gridsync/file.hpp"
#include "gridsync/store/session.hpp"
#include "gridsync/sync/outbox.hpp"
#include "gridsync/sync/scope.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

namespace {

void load_rows(store::Database& db) {
    sync::open_node_schema(db);
    const auto sql = read_file(test::golden_path("scope_rows_v3.sql"), 1 << 20);
    ASSERT_TRUE(sql.ok());
    db.exec(std::string(as_chars(*sql)));
}

}  // namespace

TEST(Vectors, ScopeDigestOverKnownRows) {
    test::TempDir dir;
    auto db = store::Database::open(dir / "node.db");
    load_rows(db);
    const auto digest =
        sync::scope_digest(db, [](const std::string&, const std::string&) { return true; });
    test::check_golden("scope_digest_v3.hex", digest);
    // A row out of scope changes it.
    const auto without_r2 = sync::scope_digest(db, [](const std::string& t, const std::string& id) {
        return !(t == "resident" && id == "r-2");
    });
    EXPECT_NE(to_hex(without_r2), to_hex(digest));
}

TEST(Vectors, AnUpdateChangesetByteForByte) {
    test::TempDir dir;
    auto db = store::Database::open(dir / "node.db");
    load_rows(db);
    store::Session session(db);
    session.attach_checked("resident");
    db.exec(
        "UPDATE resident SET phone = '13900000001', origin_device = 'device-1', hlc = "
        "117707744870400007 WHERE id = 'r-1'");
    const auto cs = session.changeset();
    test::check_golden("changeset_update_v3.hex", cs.bytes());
}
