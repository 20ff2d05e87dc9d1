#include "gridsync/domain/money.hpp"

#include <limits>

#include "gridsync/text.hpp"

namespace gridsync::domain {

std::string format_yuan(Fen fen) {
    return fen_as_yuan(fen);
}

std::optional<Fen> parse_yuan(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    Fen yuan = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] != '.'; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9')
            return std::nullopt;
        if (yuan > (std::numeric_limits<Fen>::max() / 100 - 9) / 10)
            return std::nullopt;
        yuan = yuan * 10 + (c - '0');
    }
    if (i == 0)
        return std::nullopt;
    Fen cents = 0;
    if (i < text.size()) {
        const std::string_view frac = text.substr(i + 1);
        if (frac.empty() || frac.size() > 2)
            return std::nullopt;
        for (char c : frac) {
            if (c < '0' || c > '9')
                return std::nullopt;
        }
        cents = (frac[0] - '0') * 10 + (frac.size() == 2 ? frac[1] - '0' : 0);
    }
    return yuan * 100 + cents;
}

}  // namespace gridsync::domain
