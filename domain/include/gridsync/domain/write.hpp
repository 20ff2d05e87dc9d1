#pragma once
// What every domain write needs: who and when (Stamp), and who vouches for
// it (Signer). Operations take a Database already inside a transaction that
// the caller owns: the sync layer wraps each operation in one transaction
// together with its outbox entry.
#include <string>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/domain/hlc.hpp"

namespace gridsync::domain {

struct Stamp {
    std::string device_id;
    Hlc hlc;
    EpochMs now_ms = 0;
};

// A staff member whose key was unlocked with their own PIN on this device.
struct Signer {
    std::string staff_id;
    const crypto::SigningKey* key = nullptr;
};

}  // namespace gridsync::domain
