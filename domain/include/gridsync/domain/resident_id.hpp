#pragma once
// Resident ID numbers (居民身份证号码, GB 11643-1999).
//
// 18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence,
// and an ISO 7064 MOD 11-2 check character. The clear number exists only in
// memory on the device that captured it, for as long as it takes to digest it:
// what is stored and synced is a keyed BLAKE2b digest (the key is the
// subdistrict's, distributed to enrolled devices) and the last 4 characters.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/error.hpp"

namespace gridsync::domain {

inline constexpr std::size_t kIdDigestBytes = 32;

class ResidentIdNumber {
  public:
    // Refuses (domain::Errc::bad_id_number) a wrong length, a non-digit, an
    // impossible birth date, or a wrong check character, saying which.
    static Result<ResidentIdNumber> parse(std::string_view text);
    // The check character for the first 17 digits.
    static char check_character(std::string_view first17);

    // "500103********1234".
    std::string masked() const;
    std::string last4() const { return std::string(number_.data() + 14, 4); }
    // BLAKE2b-256 keyed with the subdistrict's ID key, over a fixed prefix and
    // the number (upper-case X).
    Bytes digest(const crypto::SecureBuffer& id_key) const;

    ResidentIdNumber(const ResidentIdNumber&) = delete;
    ResidentIdNumber& operator=(const ResidentIdNumber&) = delete;
    ResidentIdNumber(ResidentIdNumber&&) noexcept = default;
    ~ResidentIdNumber();  // wipes the number

  private:
    ResidentIdNumber() = default;
    std::array<char, 18> number_{};
};

// "500103********1234" from the stored last 4.
std::string mask_from_last4(std::string_view area_code, std::string_view last4);

}  // namespace gridsync::domain
