#include "gridsync/edge/sync_service.hpp"

#include <random>
#include <thread>

#include "gridsync/store/migrate.hpp"

namespace gridsync::edge {

namespace {

std::optional<domain::EpochMs> as_ms(const std::string& v) {
    if (v.empty())
        return std::nullopt;
    try {
        return std::stoll(v);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

void SyncService::remember(const Result<sync::RoundReport>& r) {
    const domain::EpochMs now = clock_.now_ms();
    auto& db = node_.db();
    store::Transaction tx(db);
    node_.set_state("last_attempt_ms", std::to_string(now));
    if (!r) {
        node_.set_state("last_error", r.failure().message);
        tx.commit();
        return;
    }
    node_.set_state("last_error", "");
    node_.set_state("last_sync_ms", std::to_string(now));
    auto add = [&](const sync::EntryAck& a, const char* status) {
        db.execute(
            "INSERT INTO central_notice(at_ms, seq, status, code, message) VALUES (?1, ?2, ?3, ?4, "
            "?5)",
            now, static_cast<std::int64_t>(a.seq), status, a.code, a.message);
    };
    for (const auto& a : r->rejections)
        add(a, "refused");
    for (const auto& a : r->notices)
        add(a, a.status == sync::AckStatus::quarantined ? "quarantined" : "accepted");
    // The newest 200 are plenty for a person to look at.
    db.execute(
        "DELETE FROM central_notice WHERE id NOT IN (SELECT id FROM central_notice ORDER BY id "
        "DESC LIMIT 200)");
    tx.commit();
}

Result<sync::RoundReport> SyncService::round(sync::Transport& transport,
                                             const sync::Progress& progress,
                                             const sync::SyncOptions& options) {
    auto r = node_.sync_round(transport, clock_, progress, options);
    remember(r);
    return r;
}

SyncStatus SyncService::status() {
    SyncStatus s;
    s.enrolled = node_.enrolled();
    s.central_address = node_.central_address();
    const auto o = node_.outbox().status();
    s.entries = o.entries;
    s.pending = o.pending;
    s.last_sync_ms = as_ms(node_.state("last_sync_ms"));
    s.last_attempt_ms = as_ms(node_.state("last_attempt_ms"));
    s.last_error = node_.state("last_error");
    s.online = s.last_attempt_ms && s.last_error.empty() && s.last_sync_ms == s.last_attempt_ms;
    s.clock_offset_ms = as_ms(node_.state("central_offset_ms"));
    auto st = node_.db().prepare(
        "SELECT at_ms, seq, status, code, message FROM central_notice ORDER BY id DESC LIMIT 50");
    while (st.step()) {
        s.notices.push_back(
            {st.column<std::int64_t>(0), static_cast<std::uint64_t>(st.column<std::int64_t>(1)),
             st.column<std::string>(2), st.column<std::string>(3), st.column<std::string>(4)});
    }
    if (auto broken = node_.outbox().pending(1).broken)
        s.outbox_broken = std::move(broken);
    s.recoveries = domain::recoveries(node_.db());
    s.quarantined = node_.outbox().quarantined();
    return s;
}

void SyncService::run(const std::atomic<bool>& stop, std::chrono::milliseconds interval,
                      int max_rounds, const TransportFactory& transport,
                      const std::function<void(const Result<sync::RoundReport>&)>& on_round,
                      std::atomic<bool>* wake) {
    std::mt19937 jitter(std::random_device{}());
    auto backoff = std::chrono::milliseconds(1000);
    for (int n = 1; !stop && (max_rounds == 0 || n <= max_rounds); ++n) {
        // Every round pushes and pulls; the whole-scope check, which costs
        // central a read of the community, runs hourly (and after a snapshot).
        sync::SyncOptions options;
        options.verify_scope_every_ms = 3600000;
        auto t = transport();
        auto r = round(*t, {}, options);
        if (on_round)
            on_round(r);
        std::chrono::milliseconds wait = interval;
        if (r) {
            backoff = std::chrono::milliseconds(1000);
        } else {
            wait = backoff + std::chrono::milliseconds(jitter() % (backoff.count() / 2 + 1));
            backoff = std::min(backoff * 2, std::chrono::milliseconds(300000));
        }
        if (max_rounds != 0 && n == max_rounds)
            break;
        for (auto waited = std::chrono::milliseconds(0); waited < wait && !stop;
             waited += std::chrono::milliseconds(100)) {
            if (wake && wake->exchange(false))
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

}  // namespace gridsync::edge
