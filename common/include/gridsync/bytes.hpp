#pragma once
// Byte strings as every layer passes them around.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gridsync {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string_view as_chars(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline Bytes to_bytes(std::string_view s) {
    auto v = as_bytes(s);
    return {v.begin(), v.end()};
}

// Lower-case hex, two characters a byte.
std::string to_hex(ByteView bytes);

// Accepts upper or lower case; nullopt on odd length or a non-hex character.
// The value of one hex digit, either case; -1 for any other character.
int hex_digit_value(char c) noexcept;
std::optional<Bytes> from_hex(std::string_view hex);

}  // namespace gridsync
