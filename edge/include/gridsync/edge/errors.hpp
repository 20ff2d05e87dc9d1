#pragma once
// Why the field app refuses a request before any workflow sees it. Stable
// numbers, append only: they reach the page as "gridsync.edge:N".
#include <system_error>

namespace gridsync::edge {

enum class Errc {
    bad_request = 1,    // not JSON, or a field missing or malformed
    not_signed_in = 2,  // no one signed in on this browser, or not that person
    csrf_failed = 3,    // a change without the session's CSRF token
    not_found = 4,      // no such page or endpoint
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace gridsync::edge

template <>
struct std::is_error_code_enum<gridsync::edge::Errc> : std::true_type {};
