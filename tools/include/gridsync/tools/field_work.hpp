#pragma once
// A day of field work on one community laptop, recorded offline through the
// edge library as the field app records it (each write its own signed,
// chained entry): check-ins, a disbursement session and its two-person
// payments, certificates handed over to a grid leader and delivered, a
// resident's correction. The bench and the load generator both drive it,
// so what they measure is the same work. The keys of the people who sign
// are unlocked once (PIN entry is not what is measured).
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/edge/node.hpp"

namespace gridsync::tools {

// An entitlement as the day's list gives it, with the ID number its
// beneficiary presents.
struct EntitlementToPay {
    std::string id;
    domain::Fen amount_fen = 0;
    std::string id_number;
};

// A certificate at the center, for a resident of a grid and its leader.
struct CertificateToDeliver {
    std::string id, id_number, leader;
};

// A disbursement day as central's database holds it once approved: the
// two service-point staff rostered for it (payer, verifier) and its list.
struct DayToPay {
    std::string payer, verifier;
    std::vector<EntitlementToPay> entitlements;
};
// Read from central's own file (the bench and the load set central up
// themselves); `demo` gives the ID numbers beneficiaries present. Throws
// when fewer than two service-point staff are rostered.
DayToPay day_to_pay(store::Database& central_db, const edge::DemoData& demo,
                    const std::string& day_id);
// The certificates at the center for residents of a community, grid by
// grid, each with its grid's leader.
std::vector<CertificateToDeliver> certificates_to_deliver(store::Database& central_db,
                                                          const edge::DemoData& demo,
                                                          const std::string& community_id);

class FieldWork {
  public:
    explicit FieldWork(edge::EdgeNode& node) : node_(node) {}

    // Registers a key for `staff` on this device with the code an admin
    // issued (an entry of its own), and keeps it unlocked.
    void enroll_key(const std::string& staff, const std::string& code);
    bool has_key(const std::string& staff) const { return keys_.count(staff) > 0; }
    domain::Signer signer(const std::string& staff) const { return {staff, &keys_.at(staff)}; }

    void check(const std::string& staff, const std::string& community_id, const char* kind);
    // Opens the day's session on this laptop (payer and verifier sign).
    std::string open_session(const std::string& day_id, const std::string& payer,
                             const std::string& verifier);
    void pay(const std::string& session_id, const EntitlementToPay& e, const std::string& payer,
             const std::string& verifier);
    void hand_over(const CertificateToDeliver& c, const std::string& clerk);
    void deliver(const CertificateToDeliver& c);
    void correct_phone(const std::string& resident_id, const std::string& phone);

    // One write through the outbox: its value, or the refusal as an exception.
    template <class T, class F>
    T must(F&& write) {
        auto r = node_.outbox().template record_as<T>(std::forward<F>(write));
        if (!r)
            throw std::runtime_error(r.failure().message);
        return r->value;
    }

  private:
    edge::EdgeNode& node_;
    std::map<std::string, crypto::SigningKey> keys_;
};

}  // namespace gridsync::tools
