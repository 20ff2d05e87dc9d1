#pragma once
// An edge node: one data folder on a community laptop or a grid leader's
// device.
//
//   DIR/node.db            replicated data, outbox, node state (SQLite, WAL)
//   DIR/device.key         the device's Ed25519 seed, sealed with the device passphrase
//   DIR/id.key             the subdistrict's ID-digest key, sealed with the device passphrase
//   DIR/staff/<id>.key     each staff member's signing seed, sealed with their own PIN
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/crypto/sealed.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/clock.hpp"
#include "gridsync/error.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/sync/client.hpp"
#include "gridsync/sync/outbox.hpp"

namespace gridsync::edge {

// What the device is for; decides which workflows it may record.
enum class DeviceRole { community_laptop, grid_device };
std::string to_string(DeviceRole r);
std::optional<DeviceRole> parse_role(const std::string& s);

struct NodeConfig {
    std::string device_id;
    std::string device_name;
    DeviceRole role = DeviceRole::community_laptop;
    std::string community_id;
    std::string grid_id;      // grid devices only
    bool simulation = false;  // allows --at (scripted clocks); never on a field device
};

struct InitOptions {
    std::string device_name;
    DeviceRole role = DeviceRole::community_laptop;
    std::string community_code;  // e.g. C01
    std::string grid;            // grid devices only: "1", "第1网格" or the grid's name
    bool demo_seed = false;      // load the fictional subdistrict as reference data
    std::string demo_pin;        // the PIN demo staff keys are sealed with
    bool simulation = false;
    crypto::KdfParams kdf = crypto::KdfParams::interactive();
};

class EdgeNode {
  public:
    // Creates the folder, keys and database. Refuses a folder that already
    // holds a node.
    static Status init(const std::filesystem::path& dir, const InitOptions& options,
                       const crypto::SecureBuffer& passphrase);

    // Unlocks the device with its passphrase.
    static Result<std::unique_ptr<EdgeNode>> open(const std::filesystem::path& dir,
                                                  const crypto::SecureBuffer& passphrase,
                                                  domain::Clock& clock);

    store::Database& db() { return db_; }
    sync::Outbox& outbox() { return *outbox_; }
    const NodeConfig& config() const { return config_; }
    const crypto::SecureBuffer& id_key() const { return id_key_; }
    const crypto::SigningKey& device_key() const { return *device_key_; }
    const std::filesystem::path& dir() const { return dir_; }

    // Unlocks a staff member's key with their PIN. Failure: crypto
    // wrong_pin_or_damaged, or domain not_found when no key is on this device.
    Result<crypto::SigningKey> unlock_staff(const std::string& staff_id,
                                            const crypto::SecureBuffer& pin);

    // Creates a staff member's key on this device, sealed with their PIN, and
    // registers it (a recorded write, vouched for by the one-time enrolment
    // code an admin issued to that person: docs/SECURITY.md). Never
    // overwrites a key file; refused (key_exists) while the person's key here
    // is not revoked. Returns the new key's fingerprint.
    Result<std::string> enroll_staff_key(const std::string& staff_id,
                                         const std::string& enrolment_code,
                                         const crypto::SecureBuffer& pin,
                                         crypto::KdfParams kdf = crypto::KdfParams::interactive());

    // Refuses (domain role_not_allowed) a workflow this device may not record.
    Status require_role(DeviceRole role, const char* what) const;

    // The node's own small state (device-local, never replicated): "" when unset.
    std::string state(const std::string& key);
    void set_state(const std::string& key, const std::string& value);

    // Enrollment with central, before anything is recorded here: `code` is
    // what the admin hands over ("<token>.<central X25519 key, hex>").
    // Central assigns the device id, role and scope; the device pins
    // central's keys and receives the subdistrict's ID key, sealed here with
    // the device passphrase.
    Status enroll(sync::Transport& transport, const std::string& central_address,
                  const std::string& code, const crypto::SecureBuffer& passphrase,
                  crypto::KdfParams kdf = crypto::KdfParams::interactive());
    bool enrolled() const { return kx_ != nullptr; }
    std::string central_address();
    std::optional<sync::CentralPin> central_pin();

    // One sync round (push, then pull) with the enrolled central. A device
    // central reports revoked purges the replicated data it holds.
    Result<sync::RoundReport> sync_round(sync::Transport& transport, domain::Clock& clock,
                                         const sync::Progress& progress = {},
                                         const sync::SyncOptions& options = {});
    void purge_replicated();

  private:
    EdgeNode(std::filesystem::path dir, store::Database db)
        : dir_(std::move(dir)), db_(std::move(db)) {}
    // A simulation scripts the times it records (--at); its entries are
    // still ordered by the real clock, which central checks them against.
    domain::Clock* ordering_clock() { return config_.simulation ? &real_clock_ : nullptr; }
    domain::SystemClock real_clock_;
    std::filesystem::path dir_;
    store::Database db_;
    NodeConfig config_;
    crypto::SecureBuffer id_key_;
    std::unique_ptr<crypto::SigningKey> device_key_;
    std::unique_ptr<sync::Outbox> outbox_;
    std::unique_ptr<crypto::KxKeyPair> kx_;
    domain::Clock* clock_ = nullptr;
};

// The demo files init --demo-seed writes (fictional people only): who is who,
// and the residents' ID numbers a scripted run presents at the door.
struct DemoData {
    struct Resident {
        std::string id, name, id_number, household_id, grid_id, community_id;
    };
    struct Staff {
        std::string id, name, role, community_id, grid_id;
    };
    std::vector<Resident> residents;
    std::vector<Staff> staff;
    std::string id_number_of(const std::string& resident_id) const;
    // The nth staff member with `role` (and in `community_id`, when given).
    std::string staff_id(const std::string& role, int nth = 0,
                         const std::string& community_id = "") const;
};
Result<DemoData> load_demo_data(const std::filesystem::path& dir);

}  // namespace gridsync::edge
