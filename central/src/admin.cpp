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

}  // namespace gridsync::central
