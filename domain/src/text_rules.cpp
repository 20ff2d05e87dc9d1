#include "gridsync/domain/text_rules.hpp"

#include "gridsync/text.hpp"

namespace gridsync::domain {

std::optional<std::string> text_problem(std::string_view value, std::size_t max_chars) {
    if (value.empty())
        return "不能为空 / empty";
    if (!valid_utf8(value))
        return "不是有效的 UTF-8 文本 / not valid UTF-8 text";
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        // C0 controls and DEL; C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F).
        const bool c1 = c == 0xC2 && i + 1 < value.size() &&
                        static_cast<unsigned char>(value[i + 1]) >= 0x80 &&
                        static_cast<unsigned char>(value[i + 1]) <= 0x9F;
        if (c < 0x20 || c == 0x7F || c1)
            return "含有控制字符 / contains a control character";
    }
    const char first = value.front();
    if (first == '=' || first == '+' || first == '-' || first == '@') {
        return std::string("不能以 ") + first +
               " 开头(导出到 Excel 时会被当作公式)/ may not start with " + first +
               " (Excel would take it for a formula)";
    }
    const std::size_t n = utf8_length(value);
    if (n > max_chars) {
        return "超过 " + std::to_string(max_chars) + " 个字符(" + std::to_string(n) +
               ")/ longer than " + std::to_string(max_chars) + " characters";
    }
    return std::nullopt;
}

}  // namespace gridsync::domain
