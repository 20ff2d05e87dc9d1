#include "gridsync/tools/field_work.hpp"

#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/disbursement.hpp"
#include "gridsync/domain/residents.hpp"
#include "gridsync/domain/shifts.hpp"

namespace gridsync::tools {

namespace {

crypto::SecureBuffer pin() {
    return crypto::SecureBuffer::copy_of(as_bytes(std::string("2468")));
}

}  // namespace

DayToPay day_to_pay(store::Database& central_db, const edge::DemoData& demo,
                    const std::string& day_id) {
    DayToPay day;
    std::vector<std::string> pair;
    auto st = central_db.prepare(
        R"(SELECT r.staff_id FROM disbursement_roster r JOIN staff s ON s.id = r.staff_id
           WHERE r.disbursement_day_id = ?1 AND s.role = 'service_point_staff' ORDER BY s.id LIMIT 2)");
    st.bind(1, day_id);
    while (st.step())
        pair.push_back(st.column<std::string>(0));
    if (pair.size() != 2)
        throw std::runtime_error("day " + day_id + ": fewer than two service-point staff rostered");
    day.payer = pair[0];
    day.verifier = pair[1];
    auto e = central_db.prepare(
        "SELECT id, amount_fen, beneficiary_id FROM entitlement WHERE disbursement_day_id = ?1 "
        "ORDER BY id");
    e.bind(1, day_id);
    while (e.step()) {
        day.entitlements.push_back({e.column<std::string>(0), e.column<std::int64_t>(1),
                                    demo.id_number_of(e.column<std::string>(2))});
    }
    return day;
}

std::vector<CertificateToDeliver> certificates_to_deliver(store::Database& central_db,
                                                          const edge::DemoData& demo,
                                                          const std::string& community_id) {
    std::vector<CertificateToDeliver> out;
    auto c = central_db.prepare(R"(SELECT c.id, c.resident_id, g.leader_staff_id FROM certificate c
        JOIN resident r ON r.id = c.resident_id JOIN household h ON h.id = r.household_id
        JOIN grid g ON g.id = h.grid_id WHERE g.community_id = ?1 ORDER BY g.id, c.id)");
    c.bind(1, community_id);
    while (c.step()) {
        out.push_back({c.column<std::string>(0), demo.id_number_of(c.column<std::string>(1)),
                       c.column<std::string>(2)});
    }
    return out;
}

void FieldWork::enroll_key(const std::string& staff, const std::string& code) {
    if (auto r = node_.enroll_staff_key(staff, code, pin(), crypto::KdfParams::minimum()); !r)
        throw std::runtime_error("staff key for " + staff + ": " + r.failure().message);
    auto key = node_.unlock_staff(staff, pin());
    if (!key)
        throw std::runtime_error("unlock " + staff + ": " + key.failure().message);
    keys_.insert_or_assign(staff, std::move(*key));
}

void FieldWork::check(const std::string& staff, const std::string& community_id, const char* kind) {
    (void)must<domain::CheckResult>([&](const domain::Stamp& st) {
        return domain::check_in_out(node_.db(), st, signer(staff),
                                    {community_id, kind, std::nullopt});
    });
}

std::string FieldWork::open_session(const std::string& day_id, const std::string& payer,
                                    const std::string& verifier) {
    return must<std::string>([&](const domain::Stamp& st) {
        return domain::open_session(node_.db(), st,
                                    {day_id, payer, verifier, 100000000, "10000x10000"},
                                    signer(payer), signer(verifier));
    });
}

void FieldWork::pay(const std::string& session_id, const EntitlementToPay& e,
                    const std::string& payer, const std::string& verifier) {
    domain::PaymentInput in;
    in.entitlement_id = e.id;
    in.session_id = session_id;
    in.amount_fen = e.amount_fen;
    in.recipient_id_number = e.id_number;
    in.ack_name = "领取人";
    in.ack_image = Bytes(2048, 0x5a);  // a thumbprint image's size
    (void)must<std::string>([&](const domain::Stamp& st) {
        return domain::record_payment(node_.db(), st, in, signer(payer), signer(verifier),
                                      node_.id_key());
    });
}

void FieldWork::hand_over(const CertificateToDeliver& c, const std::string& clerk) {
    (void)must<std::string>([&](const domain::Stamp& st) {
        return domain::hand_over(node_.db(), st, c.id, signer(clerk), signer(c.leader));
    });
}

void FieldWork::deliver(const CertificateToDeliver& c) {
    domain::Delivery d;
    d.certificate_id = c.id;
    d.recipient_id_number = c.id_number;
    d.signature_image = Bytes(4096, 0x33);
    d.location = domain::Location{29.557, 106.577};
    (void)must<std::string>([&](const domain::Stamp& st) {
        return domain::deliver(node_.db(), st, signer(c.leader), d, node_.id_key());
    });
}

void FieldWork::correct_phone(const std::string& resident_id, const std::string& phone) {
    (void)must<int>([&](const domain::Stamp& st) -> Result<int> {
        if (auto s = domain::edit_resident(node_.db(), st, resident_id, {std::nullopt, phone}); !s)
            return s.failure();
        return 0;
    });
}

}  // namespace gridsync::tools
