#include "gridsync/domain/resident_id.hpp"

#include <sodium.h>

#include <cstring>

#include "gridsync/crypto/hash.hpp"
#include "gridsync/domain/errors.hpp"

namespace gridsync::domain {

namespace {
constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
constexpr std::string_view kDigestPrefix = "gridsync/resident-id/v1";

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool valid_date(int y, int m, int d) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

int digits(std::string_view s) {
    int v = 0;
    for (char c : s)
        v = v * 10 + (c - '0');
    return v;
}
}  // namespace

char ResidentIdNumber::check_character(std::string_view first17) {
    int sum = 0;
    for (int i = 0; i < 17; ++i)
        sum += (first17[static_cast<std::size_t>(i)] - '0') * kWeights[i];
    return kCheck[sum % 11];
}

Result<ResidentIdNumber> ResidentIdNumber::parse(std::string_view text) {
    if (text.size() != 18) {
        return fail(Errc::bad_id_number,
                    "身份证号码应为 18 位,输入了 " + std::to_string(text.size()) +
                        " 位 / an ID number has 18 characters, got " + std::to_string(text.size()));
    }
    for (std::size_t i = 0; i < 17; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return fail(Errc::bad_id_number, "身份证号码第 " + std::to_string(i + 1) +
                                                 " 位应为数字 / character " +
                                                 std::to_string(i + 1) + " must be a digit");
        }
    }
    const char last = text[17] == 'x' ? 'X' : text[17];
    if (!((last >= '0' && last <= '9') || last == 'X')) {
        return fail(Errc::bad_id_number,
                    "身份证号码最后一位应为数字或 X / the last character must be a digit or X");
    }
    if (!valid_date(digits(text.substr(6, 4)), digits(text.substr(10, 2)),
                    digits(text.substr(12, 2)))) {
        return fail(
            Errc::bad_id_number,
            "身份证号码中的出生日期无效 / the birth date in the ID number is not a real date");
    }
    if (check_character(text.substr(0, 17)) != last) {
        return fail(Errc::bad_id_number,
                    "身份证号码校验位不对,请核对是否输错 / the check character is wrong: probably "
                    "a typing error");
    }
    ResidentIdNumber id;
    std::memcpy(id.number_.data(), text.data(), 17);
    id.number_[17] = last;
    return id;
}

ResidentIdNumber::~ResidentIdNumber() {
    sodium_memzero(number_.data(), number_.size());
}

std::string ResidentIdNumber::masked() const {
    return mask_from_last4(std::string_view(number_.data(), 6), last4());
}

Bytes ResidentIdNumber::digest(const crypto::SecureBuffer& id_key) const {
    crypto::Blake2b h(kIdDigestBytes, id_key.view());
    h.update(as_bytes(kDigestPrefix));
    h.update(ByteView(reinterpret_cast<const std::uint8_t*>(number_.data()), number_.size()));
    return h.finish();
}

std::string mask_from_last4(std::string_view area_code, std::string_view last4) {
    return std::string(area_code) + "********" + std::string(last4);
}

}  // namespace gridsync::domain
