#pragma once
// Admins: the people at the subdistrict who act on central (tokens,
// imports, disbursement lists and their approval, revocations, conflict
// resolutions). Each has an Ed25519 key of their own, sealed with their
// password (Argon2id); each action they take is signed with it over
// canonical bytes, checked against the key central registered for them, and
// kept, signature and all, in the append-only admin_action log beside the
// audit entry. So "who decided this" is proven by a key, not asserted by a
// process.
#include <cstdint>
#include <optional>
#include <string>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/sign.hpp"

namespace gridsync::central {

// Signed admin actions, as bytes: cereal portable binary, little endian:
//   u8 endianness marker (1), u16 kAdminActionVersion, then login, action,
//   subject, detail (each u64 length + UTF-8 bytes), i64 at_ms.
// Version history:
//   1: first version.
inline constexpr std::uint16_t kAdminActionVersion = 1;
inline constexpr crypto::SigningContext kAdminActionContext{"gridsync/admin-action/v1"};

struct AdminAction {
    std::string login;
    std::string action;   // token.create, device.revoke, approval.stage, conflict.resolve, ...
    std::string subject;  // what it acts on
    std::string detail;   // the parameters and the reason, in words
    std::int64_t at_ms = 0;
};
Bytes encode(const AdminAction& a);
// The action in `body` (an auditor reading the log); nullopt when it is not
// one of version 1, or has bytes left over.
std::optional<AdminAction> decode_admin_action(ByteView body);

// An admin who has given their password: their login, the staff member they
// are, and their key, unsealed into sodium_malloc memory.
struct AdminSigner {
    std::string login;
    std::string staff_id;
    crypto::SigningKey key;
};

}  // namespace gridsync::central
