// libFuzzer: central's push path on a real database. The input is a
// changeset; the harness wraps it as the enrolled laptop's next entry and
// signs it (so coverage gets past the signature to what central checks
// after it), then central ingests it as a push. Whatever the bytes, central
// must answer with an acknowledgement, never crash, and stay consistent:
// its database passes integrity_check and the device's chain head is the
// last accepted, parked or quarantined entry.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "seeds.hpp"

using namespace gridsync;

namespace {

fuzz::Subdistrict& subdistrict() {
    static auto* s = new fuzz::Subdistrict;  // lives for the whole run
    return *s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::write_seeds_if_asked(*argc, *argv, [] { return subdistrict().recorded_changesets(); });
    (void)subdistrict();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& s = subdistrict();
    central::Ingest ingest(*s.central, s.central_clock, s.central_key);
    sync::PushBatch batch;
    batch.entries.push_back(s.next_entry(ByteView(data, size)));
    const auto acks = ingest.push(batch);
    if (acks.acks.size() != 1)
        std::abort();
    s.central_clock.advance(10);
    static int runs = 0;
    if (++runs % 1000 == 0 &&
        s.central->db().query_value<std::string>("PRAGMA quick_check").value_or("") != "ok")
        std::abort();
    return 0;
}
