#include <gtest/gtest.h>

#include "gridsync/office/encoding.hpp"
#include "gridsync/office/errors.hpp"

using namespace gridsync;
using namespace gridsync::office;

namespace {

const std::string kText = "社区编号,姓名\r\nC01,张三丰\r\nC02,欧阳娜娜\r\n";

TEST(Encoding, Utf8WithAndWithoutTheMark) {
    auto plain = decode_text(as_bytes(kText), Encoding::automatic);
    ASSERT_TRUE(plain) << plain.failure().message;
    EXPECT_EQ(plain->utf8, kText);
    EXPECT_EQ(plain->encoding, Encoding::utf8);
    EXPECT_FALSE(plain->had_bom);
    const std::string marked = "\xEF\xBB\xBF" + kText;
    auto bom = decode_text(as_bytes(marked), Encoding::automatic);
    ASSERT_TRUE(bom);
    EXPECT_EQ(bom->utf8, kText);
    EXPECT_TRUE(bom->had_bom);
}

TEST(Encoding, Gb18030AsExcelSavesItIsDetectedAndReadIntact) {
    auto gb = to_gb18030(kText);
    ASSERT_TRUE(gb);
    // 张 is D5 C5 in GB2312/GBK/GB18030: these are the bytes Excel writes.
    EXPECT_NE(gb->find("\xD5\xC5"), std::string::npos);
    EXPECT_NE(*gb, kText);
    auto detected = decode_text(as_bytes(*gb), Encoding::automatic);
    ASSERT_TRUE(detected) << detected.failure().message;
    EXPECT_EQ(detected->encoding, Encoding::gb18030);
    EXPECT_EQ(detected->utf8, kText);
    auto given = decode_text(as_bytes(*gb), Encoding::gb18030);
    ASSERT_TRUE(given);
    EXPECT_EQ(given->utf8, kText);
}

TEST(Encoding, CharactersOutsideGbkSurviveAsGb18030) {
    // 𠀀 (U+20000) has a four-byte GB18030 form and none in GBK.
    const std::string rare = "姓名,\xF0\xA0\x80\x80\n";
    auto gb = to_gb18030(rare);
    ASSERT_TRUE(gb);
    auto back = decode_text(as_bytes(*gb), Encoding::gb18030);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->utf8, rare);
}

TEST(Encoding, TheWrongEncodingGivenNamesTheLine) {
    auto gb = to_gb18030(kText);
    ASSERT_TRUE(gb);
    auto as_utf8 = decode_text(as_bytes(*gb), Encoding::utf8);
    ASSERT_FALSE(as_utf8);
    EXPECT_EQ(as_utf8.code(), Errc::bad_encoding);
    EXPECT_NE(as_utf8.failure().message.find("第 1 行"), std::string::npos)
        << as_utf8.failure().message;
    const std::string marked = "\xEF\xBB\xBF" + kText;
    EXPECT_EQ(decode_text(as_bytes(marked), Encoding::gb18030).code(), Errc::bad_encoding);
}

TEST(Encoding, BytesThatAreNoTextAtAllAreRefusedWithTheirLine) {
    // 0xFF never starts a GB18030 character, and is never UTF-8.
    const std::string bad = "a,b\r\nc,d\r\ne,\xFF\xFF\r\n";
    auto r = decode_text(as_bytes(bad), Encoding::automatic);
    ASSERT_FALSE(r);
    EXPECT_NE(r.failure().message.find("第 3 行"), std::string::npos) << r.failure().message;
}

TEST(Encoding, Utf16IsNamedAndRefused) {
    const std::string utf16 = std::string("\xFF\xFE", 2) + std::string("a\0b\0", 4);
    auto r = decode_text(as_bytes(utf16), Encoding::automatic);
    ASSERT_FALSE(r);
    EXPECT_NE(r.failure().message.find("UTF-16"), std::string::npos);
}

TEST(Encoding, NamesPeopleTypeAreUnderstood) {
    EXPECT_EQ(parse_encoding("GBK"), Encoding::gb18030);
    EXPECT_EQ(parse_encoding("gb2312"), Encoding::gb18030);
    EXPECT_EQ(parse_encoding("UTF-8"), Encoding::utf8);
    EXPECT_EQ(parse_encoding("auto"), Encoding::automatic);
    EXPECT_FALSE(parse_encoding("latin1"));
}

}  // namespace
