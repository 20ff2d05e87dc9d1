#include "gridsync/edge/field_service.hpp"

#include "gridsync/crypto/errors.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/local_time.hpp"

namespace gridsync::edge {

namespace {

// "failures:locked_until_ms" in node_state, per person.
struct PinState {
    int failures = 0;
    domain::EpochMs locked_until_ms = 0;
};

std::string pin_key(const std::string& staff_id) {
    return "pin_failures/" + staff_id;
}

PinState read_pin_state(EdgeNode& node, const std::string& staff_id) {
    const std::string v = node.state(pin_key(staff_id));
    PinState p;
    const auto colon = v.find(':');
    if (colon == std::string::npos)
        return p;
    try {
        p.failures = std::stoi(v.substr(0, colon));
        p.locked_until_ms = std::stoll(v.substr(colon + 1));
    } catch (const std::exception&) {
        return {};
    }
    return p;
}

}  // namespace

template <class T, class F>
Result<T> FieldService::record(F&& write) {
    auto r = node_.outbox().record_as<T>(std::forward<F>(write));
    if (!r)
        return r.failure();
    return std::move(r->value);
}

Status FieldService::require_laptop(const char* what) {
    return node_.require_role(DeviceRole::community_laptop, what);
}

std::vector<domain::StaffEntry> FieldService::staff(const std::optional<std::string>& role) {
    return domain::staff_of(node_.db(), node_.config().community_id, node_.config().device_id,
                            role);
}

Status FieldService::pin_allowed(const std::string& staff_id) {
    const PinState p = read_pin_state(node_, staff_id);
    if (p.locked_until_ms > now()) {
        return fail(domain::Errc::role_not_allowed,
                    "PIN 连续输错 " + std::to_string(kMaxPinFailures) + " 次,已锁定至 " +
                        domain::format_local(p.locked_until_ms) + " / locked after " +
                        std::to_string(kMaxPinFailures) + " wrong PINs until " +
                        domain::format_local(p.locked_until_ms));
    }
    return {};
}

Failure FieldService::pin_failed(const std::string& staff_id) {
    const domain::EpochMs t = now();
    PinState p = read_pin_state(node_, staff_id);
    ++p.failures;
    const bool locked = p.failures >= kMaxPinFailures;
    if (locked) {
        p.locked_until_ms = t + kPinLockoutMs;
        p.failures = 0;
    }
    node_.set_state(pin_key(staff_id),
                    std::to_string(p.failures) + ":" + std::to_string(p.locked_until_ms));
    if (locked) {
        return {crypto::Errc::wrong_pin_or_damaged,
                "PIN 不正确,已连续 " + std::to_string(kMaxPinFailures) +
                    " 次,锁定 15 分钟 / wrong PIN: " + std::to_string(kMaxPinFailures) +
                    " in a row, locked for 15 minutes"};
    }
    return {crypto::Errc::wrong_pin_or_damaged,
            "PIN 不正确(还可再试 " + std::to_string(kMaxPinFailures - p.failures) +
                " 次)/ wrong PIN (" + std::to_string(kMaxPinFailures - p.failures) +
                " tries left)"};
}

void FieldService::pin_ok(const std::string& staff_id) {
    if (read_pin_state(node_, staff_id).failures != 0)
        node_.set_state(pin_key(staff_id), "0:0");
}

Result<crypto::SigningKey> FieldService::unlock(const std::string& staff_id,
                                                const crypto::SecureBuffer& pin) {
    if (auto st = pin_allowed(staff_id); !st)
        return st.failure();
    auto key = node_.unlock_staff(staff_id, pin);
    if (key) {
        pin_ok(staff_id);
        return key;
    }
    if (key.code() == crypto::Errc::wrong_pin_or_damaged)
        return pin_failed(staff_id);
    return key.failure();
}

Result<std::string> FieldService::enroll_key(const std::string& staff_id, const std::string& code,
                                             const crypto::SecureBuffer& pin,
                                             crypto::KdfParams kdf) {
    return node_.enroll_staff_key(staff_id, code, pin, kdf);
}

std::vector<domain::CertificateEntry> FieldService::certificates(
    const domain::CertificateFilter& filter) {
    return domain::certificates(node_.db(), filter, now());
}

std::vector<domain::OverdueCertificate> FieldService::overdue() {
    return domain::overdue_certificates(node_.db(), now());
}

Result<std::string> FieldService::certificate_id(const std::string& print_code) {
    return domain::certificate_by_print_code(node_.db(), print_code);
}

Result<std::string> FieldService::hand_over(const std::string& print_code,
                                            const domain::Signer& center_staff,
                                            const domain::Signer& grid_leader) {
    auto cert = certificate_id(print_code);
    if (!cert)
        return cert.failure();
    return record<std::string>([&](const domain::Stamp& s) {
        return domain::hand_over(node_.db(), s, *cert, center_staff, grid_leader);
    });
}

Result<std::string> FieldService::return_to_center(const std::string& print_code,
                                                   const domain::Signer& grid_leader,
                                                   const domain::Signer& center_staff) {
    auto cert = certificate_id(print_code);
    if (!cert)
        return cert.failure();
    return record<std::string>([&](const domain::Stamp& s) {
        return domain::return_to_center(node_.db(), s, *cert, grid_leader, center_staff);
    });
}

Result<std::string> FieldService::deliver(const domain::Signer& grid_leader,
                                          const DeliveryInput& in) {
    auto cert = certificate_id(in.print_code);
    if (!cert)
        return cert.failure();
    domain::Delivery d;
    d.certificate_id = *cert;
    d.to_proxy = in.to_proxy;
    d.proxy_name = in.proxy_name;
    d.proxy_relation = in.proxy_relation;
    d.recipient_id_number = in.recipient_id_number;
    d.signature_image = in.signature_image;
    d.photo = in.photo;
    d.location = in.location;
    return record<std::string>([&](const domain::Stamp& s) {
        return domain::deliver(node_.db(), s, grid_leader, d, node_.id_key());
    });
}

Result<std::string> FieldService::fail_attempt(const domain::Signer& grid_leader,
                                               const FailedAttemptInput& in) {
    auto cert = certificate_id(in.print_code);
    if (!cert)
        return cert.failure();
    if (in.retry_in_days < 1 || in.retry_in_days > 30)
        return fail(domain::Errc::bad_input, "重送间隔 1 到 30 天 / retry in 1 to 30 days");
    const domain::FailedAttempt fa{*cert, in.reason, now() + in.retry_in_days * domain::kDayMs,
                                   in.location};
    return record<std::string>([&](const domain::Stamp& s) {
        return domain::record_failed_attempt(node_.db(), s, grid_leader, fa);
    });
}

std::vector<domain::DayEntry> FieldService::days() {
    return domain::days_of(node_.db(), node_.config().community_id);
}

Result<std::string> FieldService::open_session(const domain::OpenSession& in,
                                               const domain::Signer& a, const domain::Signer& b) {
    if (auto st = require_laptop("管理发放场次"); !st)
        return st.failure();
    return record<std::string>(
        [&](const domain::Stamp& s) { return domain::open_session(node_.db(), s, in, a, b); });
}

std::vector<domain::BeneficiaryMatch> FieldService::find_beneficiaries(
    const std::string& session_id, const std::string& query) {
    return domain::find_beneficiaries(node_.db(), session_id, query);
}

Result<std::string> FieldService::pay(const domain::PaymentInput& in, const domain::Signer& payer,
                                      const domain::Signer& verifier) {
    if (auto st = require_laptop("记录发放"); !st)
        return st.failure();
    return record<std::string>([&](const domain::Stamp& s) {
        return domain::record_payment(node_.db(), s, in, payer, verifier, node_.id_key());
    });
}

Result<std::string> FieldService::reverse(const std::string& payment_id, const std::string& reason,
                                          const domain::Signer& payer,
                                          const domain::Signer& verifier) {
    if (auto st = require_laptop("记录冲正"); !st)
        return st.failure();
    return record<std::string>([&](const domain::Stamp& s) {
        return domain::reverse_payment(node_.db(), s, payment_id, reason, payer, verifier);
    });
}

Result<domain::Reconciliation> FieldService::close_session(const CloseInput& in,
                                                           const domain::Signer& a,
                                                           const domain::Signer& b) {
    if (auto st = require_laptop("管理发放场次"); !st)
        return st.failure();
    const domain::CloseSession c{in.session_id,     in.cash_returned_fen, in.cash_returned_notes,
                                 in.unpaid_reasons, in.unpaid_reason,     in.explanation};
    return record<domain::Reconciliation>(
        [&](const domain::Stamp& s) { return domain::close_session(node_.db(), s, c, a, b); });
}

Result<domain::SessionTotals> FieldService::session_totals(const std::string& session_id) {
    return domain::session_totals(node_.db(), session_id);
}

std::vector<domain::PaymentView> FieldService::session_payments(const std::string& session_id) {
    return domain::session_payments(node_.db(), session_id);
}

std::vector<domain::RecoveryEntry> FieldService::recoveries() {
    return domain::recoveries(node_.db());
}

Result<domain::CheckResult> FieldService::check(const domain::Signer& staff,
                                                const std::string& kind,
                                                std::optional<domain::EpochMs> skew_override_ms,
                                                std::optional<domain::EpochMs> skew_bound_ms) {
    if (auto st = require_laptop("记录考勤"); !st)
        return st.failure();
    domain::CheckInput in{node_.config().community_id, kind, skew_override_ms};
    // The device clock minus central's, as measured at the last pull.
    if (!in.clock_skew_ms) {
        const std::string off = node_.state("central_offset_ms");
        if (!off.empty())
            in.clock_skew_ms = std::stoll(off);
    }
    if (skew_bound_ms)
        in.skew_bound_ms = *skew_bound_ms;
    return record<domain::CheckResult>(
        [&](const domain::Stamp& s) { return domain::check_in_out(node_.db(), s, staff, in); });
}

std::vector<domain::RosterShiftView> FieldService::roster(
    const std::optional<std::string>& staff_id, const std::string& from_date,
    const std::string& to_date) {
    return domain::roster_of(node_.db(), node_.config().community_id, staff_id, from_date, to_date);
}

Coverage FieldService::coverage(const std::string& local_date, domain::EpochMs grace_ms) {
    const std::string community = node_.config().community_id;
    return {domain::attendance(node_.db(), community, local_date, grace_ms),
            domain::coverage_gaps(node_.db(), community, local_date, now()),
            domain::double_presence(node_.db(), local_date, now())};
}

std::vector<domain::MonthlyAttendance> FieldService::month(const std::string& m,
                                                           domain::EpochMs grace_ms) {
    return domain::monthly_summary(node_.db(), node_.config().community_id, m, now(), grace_ms);
}

Status FieldService::edit_resident(const std::string& resident_id,
                                   const domain::ResidentEdit& edit) {
    auto r = record<int>([&](const domain::Stamp& s) -> Result<int> {
        if (auto st = domain::edit_resident(node_.db(), s, resident_id, edit); !st)
            return st.failure();
        return 0;
    });
    if (!r)
        return r.failure();
    return {};
}

Result<std::string> FieldService::rate(const domain::RatingInput& in) {
    return record<std::string>(
        [&](const domain::Stamp& s) { return domain::rate_service(node_.db(), s, in); });
}

}  // namespace gridsync::edge
