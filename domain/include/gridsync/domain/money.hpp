#pragma once
// Money is integer fen (分), never floating point. 1 元 = 100 分.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gridsync::domain {

using Fen = std::int64_t;

// "560.00" for 56000; "-0.05" for -5. Reports show 元 with two decimals.
std::string format_yuan(Fen fen);

// Parses "560", "560.5", "560.50" (元) into fen; nullopt for anything else
// (more than two decimals, signs, spaces, overflow).
std::optional<Fen> parse_yuan(std::string_view text);

}  // namespace gridsync::domain
