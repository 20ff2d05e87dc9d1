// libFuzzer: every decoder of bytes that cross the wire (docs/PROTOCOL.md),
// fed the same input. A decoder may refuse anything; it must never crash,
// read out of bounds, loop or allocate without bound. What decodes is encoded
// again and must decode to the same bytes (the formats are canonical).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "gridsync/sync/channel.hpp"
#include "gridsync/sync/envelope.hpp"
#include "gridsync/sync/protocol.hpp"
#include "seeds.hpp"

using namespace gridsync;

namespace {

template <class Decoded, class Decode>
void round_trip(ByteView in, Decode decode) {
    Result<Decoded> d = decode(in);
    if (!d.ok())
        return;
    const Bytes again = sync::encode(*d);
    Result<Decoded> d2 = decode(again);
    if (!d2.ok() || sync::encode(*d2) != again)
        std::abort();  // what we write, we must read back the same
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::write_seeds_if_asked(*argc, *argv, fuzz::wire_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in(data, size);
    round_trip<sync::ChangesetEnvelope>(in, sync::decode_envelope);
    round_trip<sync::PushBatch>(in, sync::decode_push_batch);
    round_trip<sync::PushAcks>(in, sync::decode_push_acks);
    round_trip<sync::PullRequest>(in, sync::decode_pull_request);
    round_trip<sync::PullBatch>(in, sync::decode_pull_batch);
    round_trip<sync::Signed>(in, sync::decode_signed);
    round_trip<sync::EnrollRequest>(in, sync::decode_enroll_request);
    round_trip<sync::EnrollResponse>(in, sync::decode_enroll_response);
    return 0;
}
