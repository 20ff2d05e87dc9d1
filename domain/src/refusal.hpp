#pragma once
// Inside the domain module a refused rule is an exception (Refusal), thrown
// where the rule is checked; at the module's public functions it becomes a
// Result failure (guarded). See docs/ARCHITECTURE.md, "Errors".
#include <optional>
#include <string>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/errors.hpp"
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
    std::optional<Bytes> public_key;
    bool active = true;
};

StaffRow load_staff(store::Database& db, const std::string& staff_id);

// Signs `message` with the signer's key and checks the key is the one
// registered for that staff member: a key unlocked on this device that is
// not theirs (or no registered key at all) is refused.
crypto::Signature sign_as(store::Database& db, const std::string& staff_id,
                          const crypto::SigningKey& key, crypto::SigningContext context,
                          ByteView message);

// Verifies a stored signature against the staff member's registered key.
bool verify_as(store::Database& db, const std::string& staff_id, crypto::SigningContext context,
               ByteView message, ByteView signature);

}  // namespace gridsync::domain::detail
