#pragma once
// Text files as offices save them. Excel in China saves "CSV (逗号分隔)" in
// GB18030 (GBK, code page 936) and "CSV UTF-8" with a byte order mark; both
// reach us, and so do UTF-8 files without a mark from other programs. The
// conversion is glibc's iconv; nothing here guesses beyond "valid UTF-8 is
// UTF-8, anything else is GB18030".
#include <optional>
#include <string>
#include <string_view>

#include "gridsync/bytes.hpp"
#include "gridsync/error.hpp"

namespace gridsync::office {

enum class Encoding {
    automatic,  // a UTF-8 BOM or valid UTF-8: UTF-8; else GB18030
    utf8,
    gb18030,  // also GBK and GB2312, which it contains
};

// "auto", "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312"/"cp936" (any case).
std::optional<Encoding> parse_encoding(std::string_view name);
const char* to_string(Encoding e);  // "utf-8", "gb18030", "auto"

struct DecodedText {
    std::string utf8;                    // without a byte order mark
    Encoding encoding = Encoding::utf8;  // what it was read as
    bool had_bom = false;
};

// Failure bad_encoding, naming the line of the first byte that is not text
// in the encoding (UTF-16 files, from Excel's "Unicode text", are named as
// such).
Result<DecodedText> decode_text(ByteView bytes, Encoding encoding);

// UTF-8 to GB18030 (for files handed to programs that want it, and tests
// that make the files Excel makes). Failure bad_encoding on invalid UTF-8.
Result<std::string> to_gb18030(std::string_view utf8);

}  // namespace gridsync::office
