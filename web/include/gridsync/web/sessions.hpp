#pragma once
// Cookie sessions for the pages gridsync serves (the admin console, the
// field app). A session is a random 256-bit token in an HttpOnly,
// SameSite=Strict cookie; only its BLAKE2b digest is kept, so a memory dump
// holds no usable cookie. Each session has its own CSRF token, which every
// state-changing call must carry in X-CSRF-Token. A session ends when idle
// for `idle_ms`, at `absolute_ms` after it began, or when dropped; whatever
// it holds (an unlocked key in sodium_malloc memory) goes with it.
//
// Not thread-safe: the caller holds its own mutex around the table.
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/web/http.hpp"

namespace gridsync::web {

struct SessionLimits {
    std::int64_t idle_ms = 30LL * 60 * 1000;
    std::int64_t absolute_ms = 8LL * 3600 * 1000;
};

template <class State>
class SessionTable {
  public:
    struct Session {
        State state;
        std::string csrf;
        std::int64_t created_ms = 0;
        std::int64_t seen_ms = 0;
    };
    struct Created {
        std::string token;  // goes into the cookie, once
        Session* session;
    };

    SessionTable(std::string cookie_name, std::string cookie_path, SessionLimits limits)
        : cookie_(std::move(cookie_name)), path_(std::move(cookie_path)), limits_(limits) {}

    Created create(State state, std::int64_t now) {
        prune(now);
        const std::string token = to_hex(crypto::random_bytes(32));
        Session s{std::move(state), to_hex(crypto::random_bytes(32)), now, now};
        auto [it, _] = sessions_.insert_or_assign(digest(token), std::move(s));
        return {token, &it->second};
    }

    // The live session named by the call's cookie (touched), or nullptr.
    Session* find(const HttpCall& call, std::int64_t now) {
        const std::string token = cookie_value(call.cookie, cookie_);
        if (token.empty())
            return nullptr;
        auto it = sessions_.find(digest(token));
        if (it == sessions_.end())
            return nullptr;
        if (expired(it->second, now)) {
            sessions_.erase(it);
            return nullptr;
        }
        it->second.seen_ms = now;
        return &it->second;
    }

    // Whether a state-changing call carries the session's CSRF token.
    static bool csrf_ok(const HttpCall& call, const Session& s) {
        return crypto::constant_time_equal(as_bytes(call.csrf), as_bytes(s.csrf));
    }

    void drop(const Session* s) {
        std::erase_if(sessions_, [&](const auto& kv) { return &kv.second == s; });
    }
    // Sessions nobody came back to go, so the table never grows without bound.
    void prune(std::int64_t now) {
        std::erase_if(sessions_, [&](const auto& kv) { return expired(kv.second, now); });
    }
    std::size_t size() const { return sessions_.size(); }

    std::string set_cookie(const std::string& token) const {
        return session_cookie(cookie_, token, path_, limits_.absolute_ms / 1000);
    }
    std::string clear_cookie() const { return session_cookie(cookie_, "", path_, 0); }
    const SessionLimits& limits() const { return limits_; }

  private:
    bool expired(const Session& s, std::int64_t now) const {
        return now - s.seen_ms > limits_.idle_ms || now - s.created_ms > limits_.absolute_ms;
    }
    std::string digest(const std::string& token) const {
        return to_hex(
            crypto::blake2b(as_bytes("gridsync/web-session/v1:" + cookie_ + ":" + token)));
    }

    std::string cookie_;
    std::string path_;
    SessionLimits limits_;
    std::map<std::string, Session> sessions_;  // by the digest of the cookie's token
};

}  // namespace gridsync::web
