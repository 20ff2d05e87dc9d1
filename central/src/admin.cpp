#include "gridsync/central/admin.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <sstream>

namespace gridsync::central {

Bytes encode(const AdminAction& a) {
    std::ostringstream os(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive ar(
            os, cereal::PortableBinaryOutputArchive::Options::LittleEndian());
        auto text = [&](const std::string& s) {
            ar(static_cast<std::uint64_t>(s.size()));
            ar(cereal::binary_data(s.data(), s.size()));
        };
        ar(kAdminActionVersion);
        text(a.login);
        text(a.action);
        text(a.subject);
        text(a.detail);
        ar(a.at_ms);
    }
    const std::string s = os.str();
    return Bytes(s.begin(), s.end());
}

std::optional<AdminAction> decode_admin_action(ByteView body) {
    std::size_t at = 0;
    auto take = [&](std::size_t n) -> std::optional<ByteView> {
        if (body.size() - at < n)
            return std::nullopt;
        const auto v = body.subspan(at, n);
        at += n;
        return v;
    };
    auto number = [&](std::size_t n) -> std::optional<std::uint64_t> {
        const auto v = take(n);
        if (!v)
            return std::nullopt;
        std::uint64_t x = 0;
        for (std::size_t i = n; i-- > 0;)
            x = (x << 8) | (*v)[i];
        return x;
    };
    auto text = [&](std::string& out) {
        const auto n = number(8);
        if (!n || *n > body.size())
            return false;
        const auto v = take(static_cast<std::size_t>(*n));
        if (!v)
            return false;
        out.assign(v->begin(), v->end());
        return true;
    };
    AdminAction a;
    const auto marker = number(1);
    const auto version = number(2);
    if (marker != 1u || version != kAdminActionVersion || !text(a.login) || !text(a.action) ||
        !text(a.subject) || !text(a.detail))
        return std::nullopt;
    const auto when = number(8);
    if (!when || at != body.size())
        return std::nullopt;
    a.at_ms = static_cast<std::int64_t>(*when);
    return a;
}

}  // namespace gridsync::central
