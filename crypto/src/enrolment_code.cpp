#include "gridsync/crypto/enrolment_code.hpp"

#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/secure_buffer.hpp"

namespace gridsync::crypto {

namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::string_view kSeedPrefix = "gridsync/staff-enrolment-code/v1";
constexpr std::size_t kSymbols = 16;

// A weighted sum mod 32 with odd weights 1, 3, 5, ...: each weight is
// invertible mod 32, so changing any one symbol to any other always changes
// the check symbol (a hash would let one typo in 32 through). Two
// neighbours swapped are caught unless their values differ by 16.
char check_symbol(std::string_view first15) {
    unsigned sum = 0;
    for (std::size_t i = 0; i < first15.size(); ++i) {
        const char* at = std::char_traits<char>::find(kAlphabet, 32, first15[i]);
        sum += static_cast<unsigned>(2 * i + 1) * static_cast<unsigned>(at ? at - kAlphabet : 0);
    }
    return kAlphabet[sum % 32];
}

// The symbol `c` stands for, Crockford's way; 0 for anything else.
char canonical(char c) {
    if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
    if (c == 'I' || c == 'L')
        return '1';
    if (c == 'O')
        return '0';
    for (const char* a = kAlphabet; *a; ++a) {
        if (*a == c)
            return c;
    }
    return 0;
}

}  // namespace

std::string crockford_groups(ByteView bytes, std::size_t symbols) {
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    std::size_t emitted = 0;
    for (std::uint8_t byte : bytes) {
        acc = (acc << 8) | byte;
        bits += 8;
        while (bits >= 5 && emitted < symbols) {
            bits -= 5;
            if (emitted > 0 && emitted % 4 == 0)
                out.push_back('-');
            out.push_back(kAlphabet[(acc >> bits) & 0x1f]);
            ++emitted;
        }
    }
    return out;
}

EnrolmentCode EnrolmentCode::generate() {
    std::string s;
    for (const char c : crockford_groups(random_bytes(10), kSymbols - 1)) {
        if (c != '-')
            s.push_back(c);
    }
    s.push_back(check_symbol(s));
    return EnrolmentCode(std::move(s));
}

Result<EnrolmentCode> EnrolmentCode::parse(std::string_view typed) {
    std::string s;
    for (const char c : typed) {
        if (c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        const char k = canonical(c);
        if (k == 0 || s.size() == kSymbols)
            return fail(Errc::bad_length,
                        "登记码应为 16 位(如 7KQ2-M9XD-4RTB-W1ZC)/ an enrolment "
                        "code is 16 characters, like 7KQ2-M9XD-4RTB-W1ZC");
        s.push_back(k);
    }
    if (s.size() != kSymbols)
        return fail(Errc::bad_length,
                    "登记码应为 16 位(如 7KQ2-M9XD-4RTB-W1ZC)/ an enrolment "
                    "code is 16 characters, like 7KQ2-M9XD-4RTB-W1ZC");
    if (check_symbol(std::string_view(s).substr(0, kSymbols - 1)) != s.back())
        return fail(Errc::wrong_pin_or_damaged,
                    "登记码有误,请核对后重新输入 / the enrolment code has a typo: check it");
    return EnrolmentCode(std::move(s));
}

std::string EnrolmentCode::text() const {
    std::string out;
    for (std::size_t i = 0; i < symbols_.size(); ++i) {
        if (i > 0 && i % 4 == 0)
            out.push_back('-');
        out.push_back(symbols_[i]);
    }
    return out;
}

SigningKey EnrolmentCode::key() const {
    Blake2b h(32);
    h.update(as_bytes(kSeedPrefix));
    h.update(as_bytes(symbols_));
    const Bytes seed = h.finish();
    return SigningKey::from_seed(seed);
}

}  // namespace gridsync::crypto
