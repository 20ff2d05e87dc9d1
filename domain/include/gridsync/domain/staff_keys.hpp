#pragma once
// A person's signing keys, one per device they work on (docs/SECURITY.md).
//
// A key is made on the device by the person themselves, with a one-time
// enrolment code an admin issued to them: the registration (a staff_key row,
// a StaffKeyRecord signed with the key the code derives) goes to central like
// any record, and central accepts it only if the code is one it issued to
// that person, unused and unexpired. A record is verified against the key
// its signer held on the recording device when it was signed; a revoked key
// signs nothing after its revocation, and what it signed before stays valid.
#include <optional>
#include <string>
#include <vector>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

struct StaffKey {
    std::string id;
    std::string staff_id;
    std::string device_id;
    crypto::PublicKey public_key;
    EpochMs enrolled_at_ms = 0;
    std::optional<EpochMs> revoked_at_ms;
    std::string revoked_reason;
    bool enrolled_with_code = false;  // false: registered by central itself (demo data)
};

// Registers `public_key` as `staff_id`'s key on this device (stamp.device_id),
// vouched for by the enrolment code's key. Refused: an unknown or inactive
// person (not_found, role_not_allowed), a person who already has an
// unrevoked key on this device (key_exists). Returns the key id.
Result<std::string> register_staff_key(store::Database& db, const Stamp& stamp,
                                       const std::string& staff_id,
                                       const crypto::PublicKey& public_key,
                                       const crypto::SigningKey& enrolment_key);

// Central's second look at a registration a device sent: an enrolment
// signature that verifies under the code's key in the row, for the device
// that recorded it (the row's origin_device), never revoked on arrival, and
// no other unrevoked key of that person on that device. Failure bad_signature
// or key_exists. (That central issued the code is central's own check.)
Status verify_staff_key(store::Database& db, const std::string& key_id);

// The unrevoked key of `staff_id` on `device_id`, if any.
std::optional<StaffKey> active_staff_key(store::Database& db, const std::string& staff_id,
                                         const std::string& device_id);

// Every key a person has had, oldest first (`staff_id` empty: everyone's).
std::vector<StaffKey> staff_keys(store::Database& db, const std::string& staff_id = "");

// The people a device works with: its community's staff and those who
// serve every community (service points, admins), with whether each holds
// an unrevoked key on `device_id`.
struct StaffEntry {
    std::string id;
    std::string name;
    std::string role;
    std::string community_id;  // "" for service-point staff and admins
    bool has_key = false;
    // The office's 工号, "" if none was given. Names repeat (the seed's C01
    // has two 许宇), so a person is picked on screen by name and number.
    std::string staff_number;
};
std::vector<StaffEntry> staff_of(store::Database& db, const std::string& community_id,
                                 const std::string& device_id,
                                 const std::optional<std::string>& role = std::nullopt);

// Registers a key central vouches for itself (no code): demo seeds and
// tests that load reference data without an admin. Never reached by a
// device's write: devices may not insert such a row.
void register_key_by_central(store::Database& db, const Stamp& stamp, const std::string& staff_id,
                             const std::string& device_id, const crypto::PublicKey& public_key);

}  // namespace gridsync::domain
