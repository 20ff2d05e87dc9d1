#pragma once
// Inside the domain module a refused rule is an exception (Refusal), thrown
// where the rule is checked; at the module's public functions it becomes a
// Result failure (guarded). See docs/ARCHITECTURE.md, "Errors".
#include <optional>
#include <string>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain::detail {

struct Refusal {
    Errc code;
    std::string message;
};

[[noreturn]] inline void refuse(Errc code, std::string message) {
    throw Refusal{code, std::move(message)};
}

template <class F>
auto guarded(F&& f) -> Result<decltype(f())> {
    try {
        if constexpr (std::is_void_v<decltype(f())>) {
            f();
            return {};
        } else {
            return f();
        }
    } catch (const Refusal& r) {
        return fail(r.code, r.message);
    }
}

struct StaffRow {
    std::string id;
    std::string name;
    std::string role;
    std::optional<std::string> community_id;
    std::optional<std::string> household_id;
    bool active = true;
};

StaffRow load_staff(store::Database& db, const std::string& staff_id);

// Signs `message` as the signer, after checking that their key is the one
// registered for them on this device (stamp.device_id) and not revoked: a
// key unlocked here that is not theirs, or not theirs here, is refused.
crypto::Signature sign_as(store::Database& db, const Stamp& stamp, const Signer& signer,
                          crypto::SigningContext context, ByteView message);

// Where and when a record was signed: the device that recorded it and the
// HLC of the entry that carried it (the row's origin_device and hlc).
struct SignedAt {
    std::string device_id;
    std::int64_t hlc = 0;
};

// Verifies a stored signature against the keys `staff_id` holds or held on
// that device, not revoked before `at.hlc`'s time. Re-keying never
// invalidates what the old key signed while it held.
bool verify_as(store::Database& db, const std::string& staff_id, const SignedAt& at,
               crypto::SigningContext context, ByteView message, ByteView signature);

}  // namespace gridsync::domain::detail
