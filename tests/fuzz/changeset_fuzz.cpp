// libFuzzer: the changeset validator (store/changeset_format.hpp), which
// stands between a device's bytes and SQLite's changeset code. Bytes it
// passes must then be safe to hand to sqlite3changeset_start and to iterate
// (the changeset iterator reads every change), and to apply to a database
// of the replicated schema.
#include <cstddef>
#include <cstdint>

#include "gridsync/store/changeset.hpp"
#include "gridsync/store/changeset_format.hpp"
#include "seeds.hpp"

using namespace gridsync;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::write_seeds_if_asked(*argc, *argv, [] {
        fuzz::Subdistrict s;
        return s.recorded_changesets();
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in(data, size);
    try {
        store::validate_changeset(in);
    } catch (const store::StoreError&) {
        return 0;  // refused: nothing else may see these bytes
    }
    static test::Node* node = new test::Node;  // the replicated schema, seeded
    try {
        for (store::ChangesetIterator it(in); it.next();) {
            (void)it.table();
            (void)it.primary_key();
        }
        store::Transaction tx(node->db);  // rolled back: every input meets the same rows
        (void)store::apply_changeset(
            node->db, in, [](const store::Conflict&) { return store::ConflictAction::omit; });
    } catch (const store::StoreError&) {
        // SQLite may still refuse what is well formed (a constraint): fine.
    }
    return 0;
}
