#pragma once
// Demo data for the subdistrict of the source article (../shared/seed/):
// one public service center, two service points (民生路 with 8 staff, 自力巷
// with 11), ten communities. Every person is fictional: generated names,
// 楼栋/单元/门牌 addresses, and ID numbers of valid form (area 500103, correct
// check character) that belong to no one.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

struct SeedOptions {
    int grids_per_community = 10;  // the subdistrict has about 100 grids
    int households_per_grid = 8;   // 260 in the real subdistrict; small for demos and tests
    int residents_per_household = 3;
    int community_workers = 12;  // 10-15 per community center
    std::uint64_t rng_seed = 20261130;
    // With a key from `public_key_for`, a staff member's key is registered
    // for this device (by central, without an enrolment code): demo nodes
    // and tests that load reference data directly.
    std::string staff_key_device;
};

struct SeededStaff {
    std::string id;
    std::string name;
    std::string role;
    std::string community_id;  // empty for service-point staff and admins
    std::string grid_id;       // grid leaders only
    std::string staff_number;  // 工号: MSL01, ZLX03, ADM01, C01-W02, C01-G03
};

struct SeededResident {
    std::string id;
    std::string name;
    std::string id_number;  // clear: demo data only, for scripted runs to present at the door
    std::string household_id;
    std::string grid_id;
    std::string community_id;
};

struct SeedReport {
    std::vector<std::string> service_point_ids;
    std::vector<std::pair<std::string, std::string>> communities;  // id, name
    std::vector<SeededStaff> staff;
    std::vector<SeededResident> residents;
};

// Writes the reference data in the caller's transaction (it is loaded
// beforehand, not recorded through the outbox). `public_key_for` may give a
// staff member's key, registered for options.staff_key_device.
SeedReport seed_subdistrict(
    store::Database& db, const Stamp& stamp, const SeedOptions& options,
    const crypto::SecureBuffer& id_key,
    const std::function<std::optional<crypto::PublicKey>(const SeededStaff&)>& public_key_for);

// A valid-form fictional ID number for a birth date and sequence.
std::string fictional_id_number(int year, int month, int day, int sequence);

struct DisbursementDaySeed {
    std::string community_id;
    std::string local_date;
    std::string prepared_by_staff_id;
    std::string approved_by_staff_id;  // empty: prepared, not yet approved
    std::vector<std::string> rostered_staff_ids;
    int entitlements = 200;
};
// Prepares a day's entitlement list (and approves it, when an approver is
// given). Returns the day id.
std::string seed_disbursement_day(store::Database& db, const Stamp& stamp,
                                  const DisbursementDaySeed& in, std::uint64_t rng_seed = 7);

}  // namespace gridsync::domain
