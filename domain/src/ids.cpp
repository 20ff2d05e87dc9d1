#include "gridsync/domain/ids.hpp"

#include <array>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/secure_buffer.hpp"

namespace gridsync::domain {

std::string new_id(EpochMs now_ms) {
    std::array<std::uint8_t, 16> b{};
    crypto::random_fill(b);
    const auto ms = static_cast<std::uint64_t>(now_ms);
    for (int i = 0; i < 6; ++i)
        b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
    b[6] = static_cast<std::uint8_t>(0x70 | (b[6] & 0x0f));  // version 7
    b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));  // RFC 9562 variant
    const std::string h = to_hex(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20);
}

bool is_valid_id(std::string_view id) {
    if (id.size() != 36)
        return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

}  // namespace gridsync::domain
