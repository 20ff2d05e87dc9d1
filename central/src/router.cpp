#include "gridsync/central/router.hpp"

#include "gridsync/central/admin_api.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <iostream>

#include "gridsync/central/errors.hpp"
#include "gridsync/crash_point.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/sync/channel.hpp"
#include "gridsync/sync/errors.hpp"

namespace gridsync::central {

namespace {

int status_for(const std::error_code& code) {
    if (code.category() == central::category()) {
        switch (static_cast<Errc>(code.value())) {
            case Errc::unknown_device:
            case Errc::bad_signature:
                return 401;
            case Errc::revoked:
            case Errc::not_authorized:
            case Errc::out_of_scope:
            case Errc::token_invalid:
            case Errc::token_expired:
            case Errc::token_used:
            case Errc::csrf_failed:
                return 403;
            case Errc::admin_login_failed:
            case Errc::admin_session:
                return 401;
            case Errc::conflict_not_open:
                return 409;
            case Errc::too_many_attempts:
                return 429;
            case Errc::busy:
            case Errc::storage_failed:
                return 503;
            case Errc::replayed_request:
                return 409;
            case Errc::not_quarantined:
                return 404;
            default:
                return 400;
        }
    }
    if (code.category() == crypto::category())
        return 401;
    return 400;
}

}  // namespace

HttpAnswer failure_answer(const Failure& f) {
    return error_answer(status_for(f.code), f.code, f.message, sync::may_be_transient(f.code));
}

Router::Router(CentralBackend& backend, const CentralParts& parts, const CentralKeys& keys,
               domain::Clock& clock)
    : backend_(backend),
      parts_(parts),
      keys_(keys),
      clock_(clock),
      ingest_(backend, clock, keys.signing),
      pull_(backend, keys.signing, clock, &keys.log),
      quarantine_(std::make_unique<QuarantineDesk>(backend, parts.admins, ingest_,
                                                   keys.signing.public_key())),
      readers_(backend, kReaders),
      admin_(std::make_unique<AdminApi>(parts, keys, clock, mutex_, *quarantine_)),
      standings_(backend.device_standings()) {
    pull_.set_access({[this](const PullAccess::Work& work) {
                          std::lock_guard lock(mutex_);
                          backend_.in_one_transaction([&] { work(backend_); });
                      },
                      [this](const PullAccess::Work& work) { read(work); }});
    admin_->set_reader([this](const std::function<void(CentralBackend&)>& work) { read(work); });
}

void Router::read(const std::function<void(CentralBackend&)>& work) {
    if (readers_.read(work))
        return;
    std::lock_guard lock(mutex_);
    work(backend_);
}

void Router::note_standing(const std::string& device_id, bool revoked) {
    std::lock_guard lock(standings_mutex_);
    standings_[device_id] = revoked;
}

Router::~Router() = default;

HttpAnswer Router::handle(const HttpCall& call) noexcept {
    try {
        if (call.path == "/v1/health") {
            const std::string s =
                R"({"status":"ok","protocol":)" + std::to_string(sync::kProtocolVersion) +
                R"(,"oldest_protocol":)" + std::to_string(sync::kOldestProtocolVersion) + "}";
            return {200, "application/json", Bytes(s.begin(), s.end())};
        }
        if (call.path == "/metrics")
            return metrics(call);
        if (call.path == "/admin" || call.path.starts_with("/admin/"))
            return admin_->handle(call);
        if (call.method != "POST") {
            return error_answer(405, std::make_error_code(std::errc::operation_not_supported),
                                "POST only");
        }
        if (call.path == "/v1/enroll")
            return enroll(call);
        if (call.path == "/v1/push" || call.path == "/v1/pull") {
            HttpAnswer a = device_call(call);
            if (a.status >= 400)
                metrics_.observe_refused_request(call.path);
            return a;
        }
        return error_answer(404, std::make_error_code(std::errc::no_such_file_or_directory),
                            "没有这个接口 / no such endpoint: " + call.path);
    } catch (const store::StoreError& e) {
        if (!e.storage_may_recover()) {
            std::cerr << "gridsync-central: internal error: " << e.what() << "\n";
            return error_answer(500, std::make_error_code(std::errc::io_error), "internal error");
        }
        // A write that failed (disk full, I/O error) rolled its transaction
        // back whole: the device may send the same request again. The SQL
        // and SQLite's words go to the log, not to the device.
        std::cerr << "gridsync-central: storage failed: " << e.what() << "\n";
        return failure_answer(
            fail(Errc::storage_failed,
                 sync::refusal_category().message(static_cast<int>(Errc::storage_failed))));
    } catch (const std::exception& e) {
        return error_answer(500, std::make_error_code(std::errc::io_error),
                            std::string("internal error: ") + e.what());
    } catch (...) {
        return error_answer(500, std::make_error_code(std::errc::io_error), "internal error");
    }
}

web::Admission Router::admit(const HttpCall& head) noexcept {
    constexpr std::size_t kSmall = 64u << 10;
    web::Admission a;
    try {
        const std::string route = web::route_of(head.path);
        if (route == "/v1/health") {
            a.cheap = true;
            a.body_limit = 0;
        } else if (route == "/admin/api/login") {
            a.body_limit = kLoginBodyLimit;
        } else if (route.starts_with("/admin/api/imports/")) {
            // an office's file, as large as the server takes
        } else if (route == "/v1/push" || route == "/v1/pull") {
            if (route == "/v1/pull")
                a.body_limit = kSmall;
            std::optional<bool> revoked;
            {
                std::lock_guard lock(standings_mutex_);
                if (auto it = standings_.find(head.device_id); it != standings_.end())
                    revoked = it->second;
            }
            if (!revoked) {
                a.refusal =
                    failure_answer(fail(Errc::unknown_device, "设备未登记 / unknown device"));
            } else if (*revoked) {
                a.refusal =
                    failure_answer(fail(Errc::revoked, "设备已停用 / the device was revoked"));
            }
        } else if (route.starts_with("/admin/api/")) {
            a.body_limit = 1u << 20;
        } else {
            a.body_limit = kSmall;
        }
    } catch (const std::exception&) {
        a.body_limit = kSmall;  // checked again after the body, by handle()
    }
    if (a.refusal)
        metrics_.observe_refused_request(web::route_of(head.path));
    return a;
}

HttpAnswer Router::metrics(const HttpCall& call) {
    if (call.method != "GET") {
        return error_answer(405, std::make_error_code(std::errc::operation_not_supported),
                            "GET only");
    }
    const bool token_ok = !metrics_token_.empty() &&
                          crypto::constant_time_equal(as_bytes(call.authorization),
                                                      as_bytes("Bearer " + metrics_token_));
    if (!call.from_loopback && !token_ok) {
        return failure_answer(fail(Errc::not_authorized,
                                   "指标只对本机或持有令牌的采集程序开放 / metrics are for this "
                                   "machine or a scraper with the token"));
    }
    std::string text;
    read([&](CentralBackend& b) { text = metrics_.render(b.read_view(), clock_.now_ms()); });
    return {200, "text/plain; version=0.0.4; charset=utf-8", Bytes(text.begin(), text.end()), {}};
}

HttpAnswer Router::enroll(const HttpCall& call) {
    auto opened = crypto::open_sealed(keys_.kx, call.body);
    if (!opened)
        return failure_answer(opened.failure());
    auto req = sync::decode_enroll_request(*opened);
    if (!req)
        return failure_answer(req.failure());
    Result<Device> device = fail(Errc::token_invalid, "");
    {
        std::lock_guard lock(mutex_);
        device = parts_.devices.enroll(req->token, req->device_name, req->signing_key, req->kx_key,
                                       clock_.now_ms());
    }
    if (!device)
        return failure_answer(device.failure());
    note_standing(device->id, false);
    const ByteView id_key = keys_.id_key.view();
    const sync::EnrollResponse resp{device->id,
                                    device->role,
                                    device->staff_id,
                                    device->community_id,
                                    device->grid_id,
                                    keys_.signing.public_key(),
                                    keys_.kx.public_key(),
                                    Bytes(id_key.begin(), id_key.end())};
    auto keys = crypto::server_session_keys(keys_.kx, req->kx_key);
    if (!keys)
        return failure_answer(keys.failure());
    return {200, "application/octet-stream",
            sync::seal_body(keys->tx, sync::Direction::response, call.path, "enroll",
                            sync::encode(resp))};
}

HttpAnswer Router::device_call(const HttpCall& call) {
    std::optional<Device> device;
    read([&](CentralBackend& b) { device = b.device(call.device_id); });
    if (!device)
        return failure_answer(
            fail(Errc::unknown_device, "设备未登记 / unknown device " + call.device_id));
    note_standing(device->id, device->revoked);
    auto keys = crypto::server_session_keys(keys_.kx, device->kx_key);
    if (!keys)
        return failure_answer(keys.failure());
    auto plain =
        sync::open_body(keys->rx, sync::Direction::request, call.path, device->id, call.body);
    if (!plain)
        return failure_answer(plain.failure());

    Bytes answer;
    const auto started = std::chrono::steady_clock::now();
    auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    if (call.path == "/v1/push") {
        auto batch = sync::decode_push_batch(*plain);
        if (!batch)
            return failure_answer(batch.failure());
        for (const auto& e : batch->entries) {
            if (e.device_id != device->id) {
                return failure_answer(fail(
                    Errc::not_authorized,
                    "一次推送只能包含本设备的记录 / a push carries the sender's entries only"));
            }
        }
        // Step 2 on every core, before the writer is taken (ingest.hpp).
        const auto checked = Ingest::verify_batch(device->signing_key, *batch);
        std::lock_guard lock(mutex_);
        const auto acks = ingest_.push(*batch, &checked);
        crash_point("central.push.committed");  // applied, and the device never hears so
        // While entries arrive, a checkpoint at least every 1,000 leaves or 10 s.
        backend_.merkle_log().checkpoint(LogSigner{kLogOrigin, keys_.log}, clock_.now_ms(), false);
        metrics_.observe_push(seconds(), acks);
        answer = sync::encode(acks);
    } else {
        // The service takes the writer for its few writes only (pull.hpp).
        Result<Bytes> served = pull_.serve(*plain);
        crash_point("central.pull.served");
        metrics_.observe_pull(seconds(), served.ok());
        if (!served)
            return failure_answer(served.failure());
        answer = std::move(*served);
    }
    return {200, "application/octet-stream",
            sync::seal_body(keys->tx, sync::Direction::response, call.path, device->id, answer)};
}

}  // namespace gridsync::central
