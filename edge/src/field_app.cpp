#include "gridsync/edge/field_app.hpp"

#include <boost/json.hpp>

#include "app_assets.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/edge/errors.hpp"
#include "gridsync/edge/http_transport.hpp"
#include "gridsync/sync/errors.hpp"
#include "gridsync/sync/outbox.hpp"
#include "staff_json.hpp"

namespace gridsync::edge {

namespace json = boost::json;
using web::HttpAnswer;
using web::HttpCall;
using web::int_field;
using web::json_answer;
using web::text_field;

// A signed-in person: their key, and a keyed digest of their PIN to confirm
// each signature without running Argon2id again.
struct FieldApp::Person {
    std::string staff_id, name, staff_number, role;
    crypto::SigningKey key;
    crypto::SecureBuffer pin_check;
    domain::EpochMs last_used_ms = 0;
};

struct FieldApp::Session {
    crypto::SecureBuffer secret = crypto::SecureBuffer::random(32);
    std::map<std::string, Person> people;
    crypto::SecureBuffer check_of(std::string_view pin) const {
        return crypto::SecureBuffer::copy_of(crypto::blake2b_keyed(secret.view(), as_bytes(pin)));
    }
};

namespace {

// Who is signed in, as the page names them (name and 工号).
template <class People>
json::array people_json(const People& people) {
    json::array list;
    for (const auto& [id, p] : people) {
        list.push_back({{"staff_id", id},
                        {"name", p.name},
                        {"staff_number", p.staff_number},
                        {"role", p.role}});
    }
    return list;
}

constexpr const char* kCookie = "gridsync_field";

std::string code_of(const std::error_code& ec) {
    return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

// The HTTP status a refusal travels with: a rule said no (422), a PIN or a
// sign-in is missing (401), the request is malformed (400).
int status_for(const std::error_code& ec) {
    if (ec.category() == category()) {
        switch (static_cast<Errc>(ec.value())) {
            case Errc::not_signed_in:
                return 401;
            case Errc::csrf_failed:
                return 403;
            case Errc::not_found:
                return 404;
            default:
                return 400;
        }
    }
    if (ec.category() == crypto::category())
        return 401;
    if (ec == sync::Errc::transport_failed)
        return 503;
    return 422;
}

HttpAnswer refused(const Failure& f) {
    return web::error_answer(status_for(f.code), f.code, f.message);
}
HttpAnswer refused(Errc code, const std::string& message) {
    return refused(Failure{make_error_code(code), message});
}

std::string yuan(domain::Fen f) {
    return domain::format_yuan(f);
}

json::value opt_ms(const std::optional<domain::EpochMs>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

// An image a page sends: a data: URL or bare base64.
std::optional<Bytes> image_of(const json::object& body, std::string_view name) {
    std::string text = text_field(body, name);
    if (const auto comma = text.find(','); text.starts_with("data:") && comma != std::string::npos)
        text = text.substr(comma + 1);
    if (text.empty())
        return std::nullopt;
    return crypto::from_base64(text);
}

json::object certificate_json(const domain::CertificateEntry& e) {
    return {{"id", e.id},
            {"code", e.print_code},
            {"state", e.state},
            {"type", e.type_name},
            {"resident", e.resident_name},
            {"address", e.address},
            {"grid", e.grid_name},
            {"grid_leader_id", e.grid_leader_id.value_or("")},
            {"holder_id", e.holder_id.value_or("")},
            {"holder", e.holder_name},
            {"due_at_ms", e.due_at_ms},
            {"due", domain::format_local(e.due_at_ms)},
            {"days_left", e.days_left},
            {"failed_attempts", e.failed_attempts},
            {"last_failure", e.last_failure},
            {"retry_on_ms", opt_ms(e.retry_on_ms)}};
}

json::object totals_json(const domain::SessionTotals& t) {
    return {{"session_id", t.session_id},
            {"state", t.state},
            {"cash_issued", yuan(t.cash_issued_fen)},
            {"expected_count", t.expected_count},
            {"expected", yuan(t.expected_fen)},
            {"paid_count", t.paid_count},
            {"paid", yuan(t.paid_fen)},
            {"reversed_count", t.reversed_count},
            {"reversed", yuan(t.reversed_fen)},
            {"unpaid_count", t.unpaid_count},
            {"unpaid", yuan(t.unpaid_fen)}};
}

std::optional<domain::Location> location_of(const json::object& body) {
    const auto lat = body.find("lat"), lon = body.find("lon");
    if (lat == body.end() || lon == body.end() || !lat->value().is_number() ||
        !lon->value().is_number())
        return std::nullopt;
    return domain::Location{lat->value().to_number<double>(), lon->value().to_number<double>()};
}

}  // namespace

FieldApp::FieldApp(EdgeNode& node, domain::Clock& clock, FieldAppOptions options,
                   std::function<void()> sync_now)
    : node_(node),
      clock_(clock),
      options_(options),
      sync_now_(std::move(sync_now)),
      field_(node, clock),
      sync_(node, clock),
      sessions_(kCookie, "/", options.session) {}

FieldApp::~FieldApp() = default;

HttpAnswer FieldApp::handle(const HttpCall& call) noexcept {
    HttpAnswer answer;
    try {
        const std::string route = web::route_of(call.path);
        if (call.method == "GET" && !route.starts_with("/api/")) {
            if (auto asset = app_asset(route)) {
                answer = {200,
                          std::string(asset->content_type),
                          Bytes(asset->body.begin(), asset->body.end()),
                          {}};
            } else {
                answer = refused(Errc::not_found, "没有这个页面 / no such page: " + route);
            }
        } else {
            answer = api(call, route);
        }
    } catch (const std::exception& e) {
        answer = web::error_answer(500, std::make_error_code(std::errc::io_error),
                                   std::string("internal error: ") + e.what());
    }
    // Camera and location are this app's own; nothing else may be framed or loaded.
    web::harden(answer, "default-src 'self'; img-src 'self' data: blob:");
    return answer;
}

HttpAnswer FieldApp::status() {
    const SyncStatus s = sync_.status();
    const auto& cfg = node_.config();
    json::array notices;
    for (const auto& n : s.notices) {
        notices.push_back({{"at", domain::format_local(n.at_ms)},
                           {"seq", n.seq},
                           {"status", n.status},
                           {"code", n.code},
                           {"message", n.message}});
    }
    json::array recoveries;
    for (const auto& r : s.recoveries) {
        recoveries.push_back({{"resident", r.resident_name},
                              {"amount", yuan(r.amount_fen)},
                              {"state", r.state},
                              {"reason", r.reason}});
    }
    const auto community = node_.db().query_value<std::string>(
        "SELECT name FROM community WHERE id = ?1", cfg.community_id);
    const auto grid =
        node_.db().query_value<std::string>("SELECT name FROM grid WHERE id = ?1", cfg.grid_id);
    return json_answer(json::object{
        {"device",
         {{"id", cfg.device_id},
          {"name", cfg.device_name},
          {"role", to_string(cfg.role)},
          {"community", community.value_or("")},
          {"grid", grid.value_or("")}}},
        {"sync",
         {{"enrolled", s.enrolled},
          {"online", s.online},
          {"pending", s.pending},
          {"entries", s.entries},
          {"last_sync", s.last_sync_ms ? domain::format_local(*s.last_sync_ms) : ""},
          {"last_attempt", s.last_attempt_ms ? domain::format_local(*s.last_attempt_ms) : ""},
          {"last_error", s.last_error},
          {"clock_offset_ms", opt_ms(s.clock_offset_ms)},
          {"outbox_broken", s.outbox_broken ? s.outbox_broken->reason : ""}}},
        {"notices", std::move(notices)},
        {"recoveries", std::move(recoveries)},
        {"today", domain::local_date(clock_.now_ms())},
        {"now", domain::format_local(clock_.now_ms())}});
}

HttpAnswer FieldApp::api(const HttpCall& call, const std::string& route) {
    const bool post = call.method == "POST";
    if (call.method != "GET" && !post)
        return refused(Errc::not_found, "GET or POST only");
    std::optional<json::object> body;
    if (post) {
        body = web::json_body(call);
        if (!body)
            return refused(Errc::bad_request, "请求应为 JSON / a JSON body is required");
    }
    if (route == "/api/sync" && post) {
        // The round runs on its own connection (the background syncer's);
        // this one is not held while it talks to central.
        if (sync_now_) {
            sync_now_();
        } else {
            std::lock_guard lock(mutex_);
            HttpTransport http(node_.central_address(), std::chrono::seconds(30));
            (void)sync_.round(http);
        }
    }
    std::lock_guard lock(mutex_);
    const auto now = clock_.now_ms();
    if (route == "/api/status" || route == "/api/sync")
        return status();
    if (route == "/api/staff" && !post) {
        json::array list;
        for (const auto& s : field_.staff()) {
            list.push_back(staff_json(s));
        }
        return json_answer(json::object{{"staff", std::move(list)}});
    }
    if (route == "/api/signin" && post)
        return sign_in(call);
    if (route == "/api/keys" && post) {
        // The person makes their own key, with the code an admin gave them.
        const std::string staff = text_field(*body, "staff_id");
        const std::string pin = text_field(*body, "pin");
        if (pin != text_field(*body, "pin_again"))
            return refused(Failure{crypto::Errc::wrong_pin_or_damaged,
                                   "两次输入的 PIN 不一致 / the PINs differ"});
        auto fp = field_.enroll_key(staff, text_field(*body, "code"),
                                    crypto::SecureBuffer::copy_of(as_bytes(pin)), options_.kdf);
        if (!fp)
            return refused(fp.failure());
        return json_answer(json::object{{"fingerprint", *fp}});
    }
    Sessions::Session* session = sessions_.find(call, now);
    if (session) {
        // People idle too long are signed out, their keys wiped.
        std::erase_if(session->state->people, [&](const auto& kv) {
            return now - kv.second.last_used_ms > options_.person_idle_ms;
        });
    }
    if (!session || session->state->people.empty())
        return refused(Errc::not_signed_in, "请先登录 / please sign in");
    if (post && !Sessions::csrf_ok(call, *session))
        return refused(Errc::csrf_failed, "请刷新页面后重试 / reload the page and try again");
    return signed_in_api(call, route, *session);
}

HttpAnswer FieldApp::sign_in(const HttpCall& call) {
    const auto now = clock_.now_ms();
    const auto body = web::json_body(call);
    const std::string staff = text_field(*body, "staff_id");
    const std::string pin = text_field(*body, "pin");
    const auto who =
        domain::staff_of(node_.db(), node_.config().community_id, node_.config().device_id);
    const auto it = std::find_if(who.begin(), who.end(),
                                 [&](const domain::StaffEntry& s) { return s.id == staff; });
    if (it == who.end())
        return refused(Errc::bad_request, "本设备没有这位工作人员 / no such person on this device");
    auto key = field_.unlock(staff, crypto::SecureBuffer::copy_of(as_bytes(pin)));
    if (!key)
        return refused(key.failure());
    Sessions::Session* session = sessions_.find(call, now);
    std::string token;
    if (!session) {
        auto created = sessions_.create(std::make_unique<Session>(), now);
        session = created.session;
        token = created.token;
    }
    auto& state = *session->state;
    state.people.erase(staff);
    state.people.emplace(staff, Person{staff, it->name, it->staff_number, it->role, std::move(*key),
                                       state.check_of(pin), now});
    HttpAnswer a =
        json_answer(json::object{{"csrf", session->csrf}, {"people", people_json(state.people)}});
    if (!token.empty())
        a.headers.emplace_back("Set-Cookie", sessions_.set_cookie(token));
    return a;
}

Result<domain::Signer> FieldApp::confirm(Session& session, const std::string& staff_id,
                                         const std::string& pin) {
    auto it = session.people.find(staff_id);
    if (it == session.people.end()) {
        return fail(Errc::not_signed_in,
                    "这位工作人员尚未在本设备登录 / that person has not signed in here");
    }
    if (auto st = field_.pin_allowed(staff_id); !st)
        return st.failure();
    if (!crypto::constant_time_equal(session.check_of(pin).view(), it->second.pin_check.view()))
        return field_.pin_failed(staff_id);
    field_.pin_ok(staff_id);
    it->second.last_used_ms = clock_.now_ms();
    return domain::Signer{staff_id, &it->second.key};
}

HttpAnswer FieldApp::signed_in_api(const HttpCall& call, const std::string& route,
                                   Sessions::Session& session) {
    const bool post = call.method == "POST";
    const auto q = web::query_of(call.path);
    const auto segments = web::segments_of(route, "/api/");
    const auto body = post ? web::json_body(call) : std::nullopt;
    auto& people = session.state->people;
    auto param = [&](const char* name) {
        auto it = q.find(name);
        return it == q.end() ? std::string() : it->second;
    };
    // The signer named by `who` in the body, confirmed by the PIN in `pin`.
    auto signer = [&](const char* who, const char* pin) {
        return confirm(*session.state, text_field(*body, who), text_field(*body, pin));
    };
#define GS_SIGNER(var, who, pin) \
    auto var = signer(who, pin); \
    if (!var)                    \
    return refused(var.failure())

    if (route == "/api/me" && !post) {
        return json_answer(json::object{{"csrf", session.csrf}, {"people", people_json(people)}});
    }
    if (route == "/api/signout" && post) {
        const std::string staff = text_field(*body, "staff_id");
        if (staff.empty())
            people.clear();
        else
            people.erase(staff);
        HttpAnswer a = json_answer(json::object{{"signed_out", staff.empty() ? "all" : staff}});
        if (people.empty()) {
            sessions_.drop(&session);
            a.headers.emplace_back("Set-Cookie", sessions_.clear_cookie());
        }
        return a;
    }
    if (route == "/api/certificates" && !post) {
        domain::CertificateFilter f;
        if (const auto h = param("holder"); !h.empty())
            f.holder_id = h;
        if (const auto s = param("state"); !s.empty())
            f.state = s;
        json::array list;
        for (const auto& e : field_.certificates(f))
            list.push_back(certificate_json(e));
        return json_answer(json::object{{"certificates", std::move(list)}});
    }
    if (route == "/api/overdue" && !post) {
        json::array list;
        for (const auto& o : field_.overdue()) {
            list.push_back({{"code", o.print_code},
                            {"resident", o.resident_name},
                            {"state", o.state},
                            {"days_overdue", o.days_overdue}});
        }
        return json_answer(json::object{{"overdue", std::move(list)}});
    }
    if (route == "/api/handover" && post) {
        GS_SIGNER(from, "from", "from_pin");
        GS_SIGNER(to, "to", "to_pin");
        int done = 0;
        json::array problems;
        const auto codes = body->find("codes");
        if (codes == body->end() || !codes->value().is_array())
            return refused(Errc::bad_request, "codes: 证件编号列表 / a list of print codes");
        for (const auto& c : codes->value().as_array()) {
            const std::string code = c.is_string() ? std::string(c.as_string()) : "";
            auto r = field_.hand_over(code, *from, *to);
            if (r) {
                ++done;
            } else {
                problems.push_back({{"code", code},
                                    {"error", code_of(r.code())},
                                    {"message", r.failure().message}});
            }
        }
        return json_answer(json::object{{"handed_over", done}, {"problems", std::move(problems)}});
    }
    if (route == "/api/deliveries" && post) {
        GS_SIGNER(leader, "leader", "pin");
        DeliveryInput d;
        d.print_code = text_field(*body, "code");
        d.to_proxy = text_field(*body, "recipient") == "proxy";
        d.proxy_name = text_field(*body, "proxy_name");
        d.proxy_relation = text_field(*body, "relation");
        d.recipient_id_number = text_field(*body, "id_number");
        const auto signature = image_of(*body, "signature_png");
        if (!signature || signature->empty())
            return refused(Failure{domain::Errc::recipient_missing,
                                   "请领取人在屏幕上签名 / the recipient signs on the screen"});
        d.signature_image = *signature;
        if (const auto photo = image_of(*body, "photo"))
            d.photo = *photo;
        d.location = location_of(*body);
        auto r = field_.deliver(*leader, d);
        if (!r)
            return refused(r.failure());
        return json_answer(json::object{{"attempt_id", *r}});
    }
    if (route == "/api/failed-attempts" && post) {
        GS_SIGNER(leader, "leader", "pin");
        const auto reason = domain::parse_failure_reason(text_field(*body, "reason"));
        if (!reason)
            return refused(Errc::bad_request, "请选择未送达原因 / choose a reason");
        const FailedAttemptInput in{text_field(*body, "code"), *reason,
                                    static_cast<int>(int_field(*body, "retry_days").value_or(1)),
                                    location_of(*body)};
        auto r = field_.fail_attempt(*leader, in);
        if (!r)
            return refused(r.failure());
        return json_answer(json::object{{"attempt_id", *r}});
    }
    if (route == "/api/days" && !post) {
        json::array list;
        for (const auto& d : field_.days()) {
            json::array sessions;
            for (const auto& s : d.sessions) {
                sessions.push_back({{"id", s.id},
                                    {"state", s.state},
                                    {"here", s.device_id == node_.config().device_id},
                                    {"staff_a", s.staff_a_id},
                                    {"staff_b", s.staff_b_id}});
            }
            list.push_back({{"day_id", d.day_id},
                            {"date", d.local_date},
                            {"approved", d.approved},
                            {"entitlements", d.entitlements},
                            {"total", yuan(d.total_fen)},
                            {"sessions", std::move(sessions)}});
        }
        return json_answer(json::object{{"days", std::move(list)}});
    }
    if (route == "/api/sessions" && post) {
        GS_SIGNER(a, "staff_a", "pin_a");
        GS_SIGNER(b, "staff_b", "pin_b");
        const auto cash = domain::parse_yuan(text_field(*body, "cash_yuan"));
        if (!cash)
            return refused(Errc::bad_request, "金额格式应为 元.角分,如 5000.00 / like 5000.00");
        const domain::OpenSession in{text_field(*body, "day"), a->staff_id, b->staff_id, *cash,
                                     text_field(*body, "notes")};
        auto r = field_.open_session(in, *a, *b);
        if (!r)
            return refused(r.failure());
        return json_answer(json::object{{"session_id", *r}});
    }
    if (segments.size() >= 2 && segments[0] == "sessions") {
        const std::string session_id = segments[1];
        if (segments.size() == 2 && !post) {
            auto t = field_.session_totals(session_id);
            if (!t)
                return refused(t.failure());
            json::array payments;
            for (const auto& p : field_.session_payments(session_id)) {
                payments.push_back(
                    {{"payment_id", p.payment_id},
                     {"kind", p.kind},
                     {"beneficiary", p.beneficiary_name},
                     {"program", p.program},
                     {"amount", yuan(p.amount_fen)},
                     {"paid_at", domain::format_local(p.paid_at_ms)},
                     {"reversed", p.reversed},
                     {"pending", sync::row_pending(node_.db(), "payment", p.payment_id)}});
            }
            return json_answer(
                json::object{{"totals", totals_json(*t)}, {"payments", std::move(payments)}});
        }
        if (segments.size() == 3 && segments[2] == "find" && !post) {
            json::array list;
            for (const auto& m : field_.find_beneficiaries(session_id, param("q"))) {
                list.push_back({{"entitlement_id", m.entitlement_id},
                                {"resident", m.resident_name},
                                {"id_last4", m.id_last4},
                                {"program", m.program},
                                {"amount", yuan(m.amount_fen)},
                                {"paid", m.paid},
                                {"assigned_here", m.session_id == session_id}});
            }
            return json_answer(json::object{{"matches", std::move(list)}});
        }
        if (segments.size() == 3 && segments[2] == "close" && post) {
            GS_SIGNER(a, "staff_a", "pin_a");
            GS_SIGNER(b, "staff_b", "pin_b");
            const auto returned = domain::parse_yuan(text_field(*body, "returned_yuan"));
            if (!returned)
                return refused(Errc::bad_request, "退回金额格式应为 元.角分 / like 120.00");
            CloseInput in;
            in.session_id = session_id;
            in.cash_returned_fen = *returned;
            in.cash_returned_notes = text_field(*body, "notes");
            in.unpaid_reason = text_field(*body, "unpaid_reason");
            in.explanation = text_field(*body, "explanation");
            auto r = field_.close_session(in, *a, *b);
            if (!r)
                return refused(r.failure());
            return json_answer(json::object{{"reconciliation",
                                             {{"closing_id", r->closing_id},
                                              {"expected_count", r->expected_count},
                                              {"expected", yuan(r->expected_fen)},
                                              {"paid_count", r->paid_count},
                                              {"paid", yuan(r->paid_fen)},
                                              {"reversed_count", r->reversed_count},
                                              {"reversed", yuan(r->reversed_fen)},
                                              {"unpaid_count", r->unpaid_count},
                                              {"unpaid", yuan(r->unpaid_fen)},
                                              {"cash_issued", yuan(r->cash_issued_fen)},
                                              {"cash_returned", yuan(r->cash_returned_fen)},
                                              {"variance", yuan(r->variance_fen)}}}});
        }
    }
    if (route == "/api/payments" && post) {
        GS_SIGNER(payer, "payer", "payer_pin");
        GS_SIGNER(verifier, "verifier", "verifier_pin");
        domain::PaymentInput in;
        in.session_id = text_field(*body, "session");
        in.entitlement_id = text_field(*body, "entitlement");
        // The amount is the one on the list: the counter does not type it.
        const auto ent = node_.db().query_value<domain::Fen>(
            "SELECT amount_fen FROM entitlement WHERE id = ?1", in.entitlement_id);
        if (!ent)
            return refused(
                Failure{domain::Errc::not_found, "没有这条应发记录 / no such entitlement"});
        in.amount_fen = *ent;
        in.recipient_id_number = text_field(*body, "id_number");
        in.ack_name = text_field(*body, "ack_name");
        in.ack_image = image_of(*body, "ack_png").value_or(Bytes{});
        if (const auto proxy = text_field(*body, "proxy"); !proxy.empty())
            in.proxy_registration_id = proxy;
        in.override_reason = text_field(*body, "override");
        auto r = field_.pay(in, *payer, *verifier);
        if (!r)
            return refused(r.failure());
        return json_answer(json::object{{"payment_id", *r}, {"amount", yuan(in.amount_fen)}});
    }
    if (route == "/api/reversals" && post) {
        GS_SIGNER(payer, "payer", "payer_pin");
        GS_SIGNER(verifier, "verifier", "verifier_pin");
        auto r = field_.reverse(text_field(*body, "payment"), text_field(*body, "reason"), *payer,
                                *verifier);
        if (!r)
            return refused(r.failure());
        return json_answer(json::object{{"reversal_id", *r}});
    }
    if (route == "/api/checks" && post) {
        GS_SIGNER(staff, "staff", "pin");
        const std::string kind = text_field(*body, "kind");
        auto r = field_.check(*staff, kind);
        if (!r)
            return refused(r.failure());
        return json_answer(json::object{{"check_id", r->check_id},
                                        {"flags", json::value_from(r->flags)},
                                        {"at", domain::format_local(clock_.now_ms())}});
    }
    if (route == "/api/roster" && !post) {
        const std::string staff = param("staff");
        json::array list;
        for (const auto& s :
             field_.roster(staff.empty() ? std::nullopt : std::optional<std::string>(staff),
                           param("from"), param("to"))) {
            list.push_back({{"date", s.local_date},
                            {"staff", s.staff_name},
                            {"kind", s.kind},
                            {"starts", domain::format_local(s.starts_at_ms).substr(11)},
                            {"ends", domain::format_local(s.ends_at_ms).substr(11)}});
        }
        return json_answer(json::object{{"shifts", std::move(list)}});
    }
    if (route == "/api/coverage" && !post) {
        const std::string date = param("date");
        const Coverage c =
            field_.coverage(date.empty() ? domain::local_date(clock_.now_ms()) : date);
        // Names repeat on a roster too: each person with their 工号.
        std::map<std::string, std::string> numbers;
        for (const auto& s : field_.staff())
            numbers[s.id] = s.staff_number;
        json::array shifts, gaps;
        for (const auto& a : c.shifts) {
            shifts.push_back({{"staff", a.staff_name},
                              {"staff_number", numbers[a.staff_id]},
                              {"kind", a.kind},
                              {"starts", domain::format_local(a.starts_at_ms).substr(11)},
                              {"ends", domain::format_local(a.ends_at_ms).substr(11)},
                              {"present", a.first_in_ms.has_value()},
                              {"absent", a.absent},
                              {"late_minutes", a.late_ms / 60000}});
        }
        for (const auto& g : c.gaps) {
            gaps.push_back({{"from", domain::format_local(g.from_ms).substr(11)},
                            {"to", domain::format_local(g.to_ms).substr(11)}});
        }
        return json_answer(json::object{{"shifts", std::move(shifts)}, {"gaps", std::move(gaps)}});
    }
    if (route == "/api/ratings" && post) {
        domain::RatingInput in;
        in.delivery_attempt_id = text_field(*body, "delivery_attempt_id");
        in.payment_id = text_field(*body, "payment_id");
        const auto level = domain::parse_rating_level(text_field(*body, "level"));
        if (!level)
            return refused(Errc::bad_request, "请选择评价 / choose a rating");
        in.level = *level;
        in.comment = text_field(*body, "comment");
        auto r = field_.rate(in);
        if (!r)
            return refused(r.failure());
        return json_answer(json::object{{"rating_id", *r}});
    }
#undef GS_SIGNER
    return refused(Errc::not_found,
                   "没有这个接口 / no such endpoint: " + call.method + " " + route);
}

}  // namespace gridsync::edge
