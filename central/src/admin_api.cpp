#include "gridsync/central/admin_api.hpp"

#include <boost/json.hpp>

#include "console_assets.hpp"
#include "gridsync/central/errors.hpp"
#include "gridsync/central/views.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/web/http.hpp"
#include "office_api.hpp"

namespace gridsync::central {

namespace json = boost::json;

namespace {

using web::json_answer;
using web::text_field;

constexpr const char* kCookie = "gridsync_admin";

HttpAnswer refusal(Errc code, const std::string& message) {
    return failure_answer(Failure{make_error_code(code), message});
}

}  // namespace

AdminApi::AdminApi(const CentralParts& parts, const CentralKeys& keys, domain::Clock& clock,
                   std::mutex& store_mutex, QuarantineDesk& quarantine, AdminApiOptions options)
    : parts_(parts),
      keys_(keys),
      clock_(clock),
      store_mutex_(store_mutex),
      quarantine_(quarantine),
      options_(options),
      sessions_(kCookie, "/admin", {options.idle_ms, options.absolute_ms}) {}

HttpAnswer AdminApi::handle(const HttpCall& call) {
    HttpAnswer answer;
    const std::string route = web::route_of(call.path);
    if (call.method == "GET" && !route.starts_with("/admin/api/")) {
        if (auto asset = console_asset(route)) {
            answer = {200,
                      std::string(asset->content_type),
                      Bytes(asset->body.begin(), asset->body.end()),
                      {}};
        } else {
            answer = refusal(Errc::bad_request, "没有这个页面 / no such page: " + route);
            answer.status = 404;
        }
    } else if (route == "/admin/api/login" && call.method == "POST") {
        answer = login(call);
    } else {
        const auto now = clock_.now_ms();
        std::lock_guard sessions(sessions_mutex_);
        Sessions::Session* session = sessions_.find(call, now);
        if (!session) {
            answer = refusal(Errc::admin_session, "请先登录 / please log in");
        } else if (call.method != "GET" && !Sessions::csrf_ok(call, *session)) {
            std::lock_guard lock(store_mutex_);
            parts_.log.audit(now, "admin:" + session->state->login, call.method + " " + route, "",
                             "refused", "csrf token missing or wrong");
            answer = refusal(Errc::csrf_failed,
                             "防伪令牌无效,请刷新页面 / CSRF token missing or "
                             "wrong: reload the page");
        } else {
            answer = api(call, route, *session);
        }
    }
    web::harden(answer);
    return answer;
}

// Sessions nobody came back to and failures older than the window are
// dropped at each login, so neither grows without bound (an admin's key
// leaves memory with its session).
void AdminApi::forget_stale(domain::EpochMs now) {
    sessions_.prune(now);
    for (auto it = failures_.begin(); it != failures_.end();) {
        std::erase_if(it->second,
                      [&](domain::EpochMs t) { return now - t > options_.failure_window_ms; });
        it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
}

HttpAnswer AdminApi::login(const HttpCall& call) {
    const auto now = clock_.now_ms();
    if (call.body.size() > kLoginBodyLimit)
        return refusal(Errc::bad_request, "登录请求过大 / a login request is at most 4 KiB");
    const auto body = web::json_body(call);
    if (!body)
        return refusal(Errc::bad_request, "登录请求应为 JSON / a login is a JSON request");
    const std::string login = text_field(*body, "login");
    const std::string password = text_field(*body, "password");
    if (login.size() > kMaxLoginName || password.size() > kMaxPassword) {
        std::lock_guard lock(store_mutex_);
        parts_.log.audit(now, "address:" + call.peer, "admin.login", login.substr(0, kMaxLoginName),
                         "refused", "login name of " + std::to_string(login.size()) + " bytes");
        return refusal(Errc::bad_request,
                       "登录名或密码过长 / a login name is at most 64 bytes, a password 1024");
    }
    const std::string by_name = login + '\x1f' + call.peer;
    const std::string by_address = std::string(1, '\x1f') + call.peer;
    {
        std::lock_guard sessions(sessions_mutex_);
        forget_stale(now);
        auto spent = [&](const std::string& key) {
            const auto failed = failures_.find(key);
            const auto checking = checking_.find(key);
            return (failed == failures_.end() ? 0 : static_cast<int>(failed->second.size())) +
                   (checking == checking_.end() ? 0 : checking->second);
        };
        if (spent(by_name) >= options_.max_failures ||
            spent(by_address) >= options_.max_failures_per_address) {
            std::lock_guard lock(store_mutex_);
            parts_.log.audit(now, "admin:" + login, "admin.login", login, "refused",
                             "too many failed attempts from " + call.peer);
            return refusal(Errc::too_many_attempts,
                           "登录失败次数过多,请 15 分钟后再试 / too many failed logins: try again "
                           "in 15 minutes");
        }
        // Counted before the check, so parallel guesses see each other.
        ++checking_[by_name];
        ++checking_[by_address];
    }
    // The two checks in progress end however the check ends.
    const auto settle = [&] {
        for (const auto& key : {by_name, by_address}) {
            if (--checking_[key] == 0)
                checking_.erase(key);
        }
    };
    Result<AdminSigner> signer = fail(Errc::admin_login_failed, "");
    try {
        // Read and audited under central's lock, checked without it: the
        // Argon2id check takes about a second, and no push waits for it.
        std::optional<AdminCredentials> account;
        {
            std::lock_guard lock(store_mutex_);
            account = parts_.admins.admin_credentials(login);
        }
        signer = open_admin_key(account, as_bytes(password));
        std::lock_guard lock(store_mutex_);
        // Disabled, or given another key, while the password was checked:
        // the account as it is now decides.
        if (signer) {
            const auto now_held = parts_.admins.admin_credentials(login);
            if (!now_held || now_held->signing_key != account->signing_key)
                signer =
                    fail(Errc::admin_login_failed, "登录名或密码不正确 / wrong login or password");
        }
        parts_.log.audit(now, "admin:" + login, "admin.login", login, signer ? "ok" : "refused",
                         "");
    } catch (...) {
        std::lock_guard sessions(sessions_mutex_);
        settle();
        throw;
    }
    std::lock_guard sessions(sessions_mutex_);
    settle();
    if (!signer) {
        failures_[by_name].push_back(now);
        failures_[by_address].push_back(now);
        return failure_answer(signer.failure());
    }
    failures_.erase(by_name);
    auto created = sessions_.create(std::make_unique<AdminSigner>(std::move(*signer)), now);
    const auto& s = *created.session;
    HttpAnswer a = json_answer(
        json::object{{"login", login}, {"staff_id", s.state->staff_id}, {"csrf", s.csrf}});
    a.headers.emplace_back("Set-Cookie", sessions_.set_cookie(created.token));
    return a;
}

HttpAnswer AdminApi::api(const HttpCall& call, const std::string& route,
                         Sessions::Session& session) {
    const auto now = clock_.now_ms();
    const AdminSigner& admin = *session.state;
    const auto q = web::query_of(call.path);
    std::string subject;
    // Every call is audited, under the store's lock.
    auto audit_call = [&](const HttpAnswer& a) {
        parts_.log.audit(now, "admin:" + admin.login, "api " + call.method + " " + route, subject,
                         a.status < 400 ? "ok" : "refused",
                         a.status < 400 ? "" : std::to_string(a.status));
    };
    const auto segments = web::segments_of(route, "/admin/api/");
    const bool get = call.method == "GET";
    const bool post = call.method == "POST";
    // A report reads a month of a scope (tens of milliseconds and more):
    // on a reader, so no push waits for it; only its audit line takes the lock.
    if (get && read_ && !segments.empty() && segments[0] == "reports") {
        std::optional<HttpAnswer> report;
        read_([&](CentralBackend& reader) {
            report = office_report(reader.read_view(), {call, segments, q, admin, now, subject});
        });
        if (report) {
            std::lock_guard lock(store_mutex_);
            audit_call(*report);
            return std::move(*report);
        }
    }
    std::lock_guard lock(store_mutex_);
    auto& db = parts_.log.read_view();
    auto audited = [&](HttpAnswer a) {
        audit_call(a);
        return a;
    };

    if (segments == std::vector<std::string>{"me"} && get) {
        return audited(json_answer(json::object{
            {"login", admin.login}, {"staff_id", admin.staff_id}, {"csrf", session.csrf}}));
    }
    if (segments == std::vector<std::string>{"logout"} && post) {
        const std::string who = admin.login;  // the session, and its signer, go now
        sessions_.drop(&session);
        HttpAnswer a = json_answer(json::object{{"ok", true}});
        a.headers.emplace_back("Set-Cookie", sessions_.clear_cookie());
        parts_.log.audit(now, "admin:" + who, "admin.logout", who, "ok", "");
        return a;
    }
    // ?state=&kind=&community=&min_age_hours=, for conflicts and their groups.
    auto conflict_filter = [&]() -> std::optional<ConflictFilter> {
        ConflictFilter f;
        if (auto it = q.find("state"); it != q.end())
            f.state = it->second;
        if (auto it = q.find("kind"); it != q.end())
            f.kind = it->second;
        if (auto it = q.find("community"); it != q.end())
            f.community = it->second;
        if (auto it = q.find("min_age_hours"); it != q.end() && !it->second.empty()) {
            try {
                f.min_age_ms = std::stoll(it->second) * 3600000;
            } catch (const std::exception&) {
                return std::nullopt;
            }
        }
        return f;
    };
    if (!segments.empty() && segments[0] == "quarantine") {
        if (segments.size() == 1 && get) {
            const bool all = q.count("all") && q.at("all") == "1";
            return audited(
                json_answer(json::object{{"entries", quarantine_json(db, quarantine_, all)}}));
        }
        if (segments.size() == 2 && segments[1] == "release" && post) {
            const auto body = web::json_body(call);
            const auto seq = body ? web::int_field(*body, "seq") : std::nullopt;
            if (!body || !seq || *seq <= 0)
                return audited(refusal(Errc::bad_request,
                                       "需要 device、seq、reason / device, seq "
                                       "and reason are required"));
            const std::string device = text_field(*body, "device");
            subject = device + ":" + std::to_string(*seq);
            auto released = quarantine_.release(device, static_cast<std::uint64_t>(*seq), admin,
                                                text_field(*body, "reason"), now);
            if (!released)
                return audited(failure_answer(released.failure()));
            return audited(
                json_answer(json::object{{"released", subject}, {"applied", *released}}));
        }
    }
    if (!segments.empty() && segments[0] == "conflict-groups") {
        if (segments.size() == 1 && get) {
            const auto f = conflict_filter();
            if (!f)
                return audited(refusal(Errc::bad_request, "min_age_hours 应为整数 / an integer"));
            return audited(json_answer(json::object{{"groups", conflict_groups(db, *f, now)}}));
        }
        if (segments.size() == 3 && segments[2] == "resolve" && post) {
            subject = segments[1];
            const auto body = web::json_body(call);
            if (!body)
                return audited(
                    refusal(Errc::bad_request, "请求应为 JSON / a JSON body is required"));
            const auto resolution = resolution_from(text_field(*body, "decision"));
            if (!resolution)
                return audited(
                    refusal(Errc::bad_request, "decision: keep_central | take_incoming"));
            const Decision d{*resolution, text_field(*body, "reason"), ""};
            auto settled =
                parts_.conflicts.resolve_conflict_group(segments[1], d, admin, keys_.signing, now);
            if (!settled)
                return audited(failure_answer(settled.failure()));
            return audited(
                json_answer(json::object{{"group", segments[1]}, {"settled", *settled}}));
        }
    }
    if (!segments.empty() && segments[0] == "conflicts") {
        if (segments.size() == 1 && get) {
            const auto f = conflict_filter();
            if (!f)
                return audited(refusal(Errc::bad_request, "min_age_hours 应为整数 / an integer"));
            return audited(json_answer(conflict_list(db, *f, now)));
        }
        if (segments.size() == 2 && get) {
            subject = segments[1];
            auto d = conflict_detail(db, segments[1]);
            if (!d)
                return audited(
                    refusal(Errc::conflict_not_open, "没有这个冲突 / no conflict " + segments[1]));
            return audited(json_answer(*d));
        }
        if (segments.size() == 3 && segments[2] == "resolve" && post) {
            subject = segments[1];
            const auto body = web::json_body(call);
            if (!body)
                return audited(
                    refusal(Errc::bad_request, "请求应为 JSON / a JSON body is required"));
            const auto resolution = resolution_from(text_field(*body, "decision"));
            if (!resolution) {
                return audited(refusal(Errc::bad_request,
                                       "decision: keep_central | take_incoming | void_payment"));
            }
            const Decision d{*resolution, text_field(*body, "reason"),
                             text_field(*body, "payment_id")};
            if (auto st =
                    parts_.conflicts.resolve_conflict(segments[1], d, admin, keys_.signing, now);
                !st)
                return audited(failure_answer(st.failure()));
            return audited(json_answer(*conflict_detail(db, segments[1])));
        }
    }
    // The verifiable log: how much of it the community laptops witnessed.
    if (segments.size() == 1 && segments[0] == "log" && get)
        return audited(json_answer(log_view(db)));
    if (!segments.empty() && segments[0] == "devices") {
        if (segments.size() == 1 && get)
            return audited(json_answer(json::object{{"devices", device_list(db)}}));
        if (segments.size() == 3 && segments[2] == "revoke" && post) {
            subject = segments[1];
            const auto body = web::json_body(call);
            if (!body)
                return audited(
                    refusal(Errc::bad_request, "请求应为 JSON / a JSON body is required"));
            const std::string reason = text_field(*body, "reason");
            if (reason.empty())
                return audited(refusal(Errc::bad_request, "请写明理由 / a reason is required"));
            if (!parts_.devices.device(segments[1]))
                return audited(
                    refusal(Errc::unknown_device, "没有这台设备 / no device " + segments[1]));
            if (auto st = parts_.devices.revoke(segments[1], admin, reason, now); !st)
                return audited(failure_answer(st.failure()));
            return audited(json_answer(json::object{{"devices", device_list(db)}}));
        }
    }
    // Staff keys (docs/SECURITY.md): a person's keys, a one-time code for a
    // new one, revoking one, and where the person lives.
    if (segments.size() == 3 && segments[0] == "staff") {
        subject = segments[1];
        if (segments[2] == "keys" && get)
            return audited(json_answer(json::object{{"keys", staff_key_list(db, segments[1])}}));
        const auto body = post ? web::json_body(call) : std::nullopt;
        if (post && !body)
            return audited(refusal(Errc::bad_request, "请求应为 JSON / a JSON body is required"));
        if (segments[2] == "enrolment-code" && post) {
            const auto hours = body->find("ttl_hours");
            const std::int64_t ttl =
                hours != body->end() && hours->value().is_int64() ? hours->value().as_int64() : 72;
            auto code = parts_.staff_keys.create_staff_code(admin, segments[1], ttl * 3600000, now);
            if (!code)
                return audited(failure_answer(code.failure()));
            return audited(json_answer(
                json::object{{"code", code->code}, {"expires_at_ms", code->expires_at_ms}}));
        }
        if (segments[2] == "household" && post) {
            const auto h = body->find("household_id");
            std::optional<std::string> household;
            if (h != body->end() && h->value().is_string())
                household = std::string(h->value().as_string());
            if (auto st = parts_.staff_keys.set_staff_household(segments[1], household, admin,
                                                                keys_.signing, now);
                !st)
                return audited(failure_answer(st.failure()));
            return audited(json_answer(json::object{{"ok", true}}));
        }
    }
    if (segments.size() == 3 && segments[0] == "staff-keys" && segments[2] == "revoke" && post) {
        subject = segments[1];
        const auto body = web::json_body(call);
        if (!body)
            return audited(refusal(Errc::bad_request, "请求应为 JSON / a JSON body is required"));
        if (auto st = parts_.staff_keys.revoke_staff_key(
                segments[1], admin, text_field(*body, "reason"), keys_.signing, now);
            !st)
            return audited(failure_answer(st.failure()));
        return audited(json_answer(json::object{{"keys", staff_key_list(db, "")}}));
    }
    if (segments == std::vector<std::string>{"tokens"} && post) {
        const auto body = web::json_body(call);
        if (!body)
            return audited(refusal(Errc::bad_request, "请求应为 JSON / a JSON body is required"));
        const auto number = [&](std::string_view name, int fallback) {
            auto it = body->find(name);
            return it != body->end() && it->value().is_int64()
                       ? static_cast<int>(it->value().as_int64())
                       : fallback;
        };
        // The grid as people name it; a bare number from older consoles too.
        std::string grid = text_field(*body, "grid");
        if (grid.empty() && number("grid", 0) > 0)
            grid = std::to_string(number("grid", 0));
        auto grant = token_grant(db, text_field(*body, "staff_id"), text_field(*body, "role"),
                                 text_field(*body, "community"), grid, number("ttl_hours", 24));
        if (!grant)
            return audited(failure_answer(grant.failure()));
        subject = grant->staff_id;
        const std::string token = parts_.devices.create_token(admin, *grant, now);
        return audited(json_answer(
            json::object{{"code", enrollment_code(token, keys_.kx.public_key())},
                         {"central_fingerprint", crypto::fingerprint(keys_.signing.public_key())},
                         {"expires_at_ms", now + grant->ttl_ms}}));
    }
    if (auto office = office_route(parts_, keys_, {call, segments, q, admin, now, subject}))
        return audited(std::move(*office));
    HttpAnswer a =
        refusal(Errc::bad_request, "没有这个接口 / no such endpoint: " + call.method + " " + route);
    a.status = 404;
    return audited(a);
}

}  // namespace gridsync::central
