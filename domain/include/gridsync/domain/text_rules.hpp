#pragma once
// What a person's name or an address may hold, wherever it enters (an
// import, a correction in the field). Refused: control characters (they
// break reports and terminals), a leading =, +, - or @ (a formula once the
// cell reaches Excel: CSV injection), and text longer than any real name or
// address. Exports escape such cells anyway (gridsync/text.hpp csv_field).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gridsync::domain {

inline constexpr std::size_t kMaxNameChars = 50;      // characters, not bytes
inline constexpr std::size_t kMaxAddressChars = 200;  // 楼栋/单元/门牌 and a street

// Why `value` may not be stored as a name or address (a Chinese-first
// sentence), or nullopt when it may. Empty text is refused too.
std::optional<std::string> text_problem(std::string_view value, std::size_t max_chars);
inline std::optional<std::string> name_problem(std::string_view v) {
    return text_problem(v, kMaxNameChars);
}
inline std::optional<std::string> address_problem(std::string_view v) {
    return text_problem(v, kMaxAddressChars);
}

}  // namespace gridsync::domain
