#pragma once
// A one-time staff enrolment code: what an admin hands one person so that
// they, and only they, can register a signing key of theirs on a device
// (docs/SECURITY.md, staff keys).
//
// 16 Crockford base32 symbols in four groups, "7KQ2-M9XD-4RTB-W1ZC": 75
// random bits and a check symbol that catches a mistyped one. The code
// derives an Ed25519 key pair:
//     seed = BLAKE2b-256("gridsync/staff-enrolment-code/v1" || the 16 symbols)
// central keeps only its public key, and the device signs the key
// registration with its private half. Neither central's database nor the
// replicated registration gives the code away, and 75 bits are beyond
// guessing from the public key.
#include <string>
#include <string_view>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/error.hpp"

namespace gridsync::crypto {

class EnrolmentCode {
  public:
    static EnrolmentCode generate();
    // What a person typed: case, spaces and dashes do not matter, and I/L
    // read as 1, O as 0 (Crockford). Failure bad_length (not 16 symbols)
    // or wrong_pin_or_damaged (the check symbol disagrees: a typo).
    static Result<EnrolmentCode> parse(std::string_view typed);

    // "XXXX-XXXX-XXXX-XXXX", for the admin to hand over.
    std::string text() const;
    SigningKey key() const;
    PublicKey public_key() const { return key().public_key(); }

  private:
    explicit EnrolmentCode(std::string symbols) : symbols_(std::move(symbols)) {}
    std::string symbols_;  // 16 symbols, no dashes
};

// Bytes as Crockford base32 (0-9, A-Z without I, L, O, U), most significant
// bit first, `symbols` symbols long, a dash after every fourth.
std::string crockford_groups(ByteView bytes, std::size_t symbols);

}  // namespace gridsync::crypto
