#include "gridsync/office/encoding.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <variant>

#include "gridsync/office/errors.hpp"
#include "gridsync/text.hpp"

namespace gridsync::office {

namespace {

// One iconv descriptor, closed on every path.
class Converter {
  public:
    Converter(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
    ~Converter() {
        if (cd_ != reinterpret_cast<iconv_t>(-1))
            iconv_close(cd_);
    }
    Converter(const Converter&) = delete;
    Converter& operator=(const Converter&) = delete;
    bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

    // The converted text, or the offset of the first byte that does not convert.
    std::variant<std::string, std::size_t> convert(std::string_view in) {
        std::string out;
        out.resize(in.size() * 2 + 16);
        char* src = const_cast<char*>(in.data());
        std::size_t src_left = in.size();
        std::size_t done = 0;
        while (src_left > 0) {
            char* dst = out.data() + done;
            std::size_t dst_left = out.size() - done;
            const std::size_t r = iconv(cd_, &src, &src_left, &dst, &dst_left);
            done = out.size() - dst_left;
            if (r != static_cast<std::size_t>(-1))
                continue;
            if (errno == E2BIG) {
                out.resize(out.size() * 2);
                continue;
            }
            // EILSEQ (a byte that is not text) or EINVAL (cut inside a character).
            return static_cast<std::size_t>(src - in.data());
        }
        char* dst = out.data() + done;
        std::size_t dst_left = out.size() - done;
        iconv(cd_, nullptr, nullptr, &dst, &dst_left);
        out.resize(out.size() - dst_left);
        return out;
    }

  private:
    iconv_t cd_;
};

std::size_t line_of(std::string_view text, std::size_t offset) {
    return 1 +
           static_cast<std::size_t>(std::count(
               text.begin(),
               text.begin() + static_cast<std::ptrdiff_t>(std::min(offset, text.size())), '\n'));
}

// Where the first line that is not valid UTF-8 starts (valid_utf8 answers
// for a whole string; a line is what a person is told to look at).
std::size_t first_invalid_utf8(std::string_view s) {
    std::size_t start = 0;
    while (start < s.size()) {
        const std::size_t end = std::min(s.find('\n', start), s.size());
        if (!valid_utf8(s.substr(start, end - start)))
            return start;
        start = end + 1;
    }
    return s.size();
}

Failure not_text(std::string_view raw, std::size_t offset, const char* what) {
    const std::string line = std::to_string(line_of(raw, offset));
    return fail(Errc::bad_encoding, "第 " + line + " 行有不是" + what + "文字的字节 / line " +
                                        line + ": bytes that are not " + what +
                                        " text (另存为 \"CSV UTF-8\" 后再导入 / save as \"CSV "
                                        "UTF-8\" and import again)");
}

}  // namespace

std::optional<Encoding> parse_encoding(std::string_view name) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n == "auto" || n == "automatic")
        return Encoding::automatic;
    if (n == "utf-8" || n == "utf8")
        return Encoding::utf8;
    if (n == "gb18030" || n == "gbk" || n == "gb2312" || n == "cp936")
        return Encoding::gb18030;
    return std::nullopt;
}

const char* to_string(Encoding e) {
    switch (e) {
        case Encoding::automatic:
            return "auto";
        case Encoding::utf8:
            return "utf-8";
        case Encoding::gb18030:
            return "gb18030";
    }
    return "?";
}

Result<DecodedText> decode_text(ByteView bytes, Encoding encoding) {
    std::string_view raw = as_chars(bytes);
    if (raw.substr(0, 2) == "\xFF\xFE" || raw.substr(0, 2) == "\xFE\xFF") {
        return fail(Errc::bad_encoding,
                    "这是 UTF-16 文本(Excel 的“Unicode 文本”),请另存为 \"CSV UTF-8\" / this is "
                    "UTF-16 text (Excel's \"Unicode text\"): save as \"CSV UTF-8\"");
    }
    DecodedText out;
    if (raw.substr(0, 3) == "\xEF\xBB\xBF") {
        if (encoding == Encoding::gb18030) {
            return fail(Errc::bad_encoding,
                        "文件带 UTF-8 标记,却指定了 GB18030 / the file is marked UTF-8 but "
                        "--encoding gb18030 was given");
        }
        raw.remove_prefix(3);
        out.had_bom = true;
        encoding = Encoding::utf8;
    }
    const bool utf8 = valid_utf8(raw);
    if (encoding == Encoding::automatic)
        encoding = utf8 ? Encoding::utf8 : Encoding::gb18030;
    out.encoding = encoding;
    if (encoding == Encoding::utf8) {
        if (!utf8)
            return not_text(raw, first_invalid_utf8(raw), "UTF-8 ");
        out.utf8.assign(raw);
        return out;
    }
    Converter conv("UTF-8", "GB18030");
    if (!conv.ok())
        return fail(Errc::bad_encoding, "本机不支持 GB18030 转换 / iconv has no GB18030 here");
    auto converted = conv.convert(raw);
    if (auto* at = std::get_if<std::size_t>(&converted))
        return not_text(raw, *at, "GB18030 ");
    out.utf8 = std::move(std::get<std::string>(converted));
    return out;
}

Result<std::string> to_gb18030(std::string_view utf8) {
    if (!valid_utf8(utf8))
        return fail(Errc::bad_encoding, "不是有效的 UTF-8 文本 / not valid UTF-8 text");
    Converter conv("GB18030", "UTF-8");
    if (!conv.ok())
        return fail(Errc::bad_encoding, "本机不支持 GB18030 转换 / iconv has no GB18030 here");
    auto converted = conv.convert(utf8);
    if (std::holds_alternative<std::size_t>(converted))
        return fail(Errc::bad_encoding, "无法转换为 GB18030 / cannot be written as GB18030");
    return std::get<std::string>(std::move(converted));
}

}  // namespace gridsync::office
