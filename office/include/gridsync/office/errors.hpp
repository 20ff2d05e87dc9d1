#pragma once
#include <system_error>

namespace gridsync::office {

// Stable numbers: they travel in logs and API answers. Append, never renumber.
enum class Errc {
    bad_encoding = 1,  // not valid text in the encoding given or detected
    bad_csv = 2,       // a quote never closed
    bad_xlsx = 3,      // not a workbook this reader understands
    write_failed = 4,  // a workbook could not be written
    too_large = 5,     // more rows, columns or bytes than an office file holds
    empty = 6,         // no header line
};

const std::error_category& category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace gridsync::office

template <>
struct std::is_error_code_enum<gridsync::office::Errc> : std::true_type {};
