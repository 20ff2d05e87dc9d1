// CSV in (what Excel saves) and out (what Excel opens without running it).
#include <gtest/gtest.h>

#include "gridsync/text.hpp"

using namespace gridsync;

TEST(Csv, QuotedFieldsAndByteOrderMark) {
    EXPECT_EQ(split_csv_record("\xEF\xBB\xBF"
                               "a,\"b,c\",\"d\"\"e\",\r"),
              (std::vector<std::string>{"a", "b,c", "d\"e", ""}));
}

TEST(Csv, FormulaCellsBecomeText) {
    EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    EXPECT_EQ(csv_field("+86 138"), "'+86 138");
    EXPECT_EQ(csv_field("-1"), "'-1");
    EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
    EXPECT_EQ(csv_field("\tx"), "'\tx");
    EXPECT_EQ(csv_field("张三"), "张三");
    EXPECT_EQ(csv_field("1栋,2单元"), "\"1栋,2单元\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field(" padded"), "\" padded\"");
    EXPECT_EQ(csv_record({"a", "=1", "b,c"}), "a,'=1,\"b,c\"\r\n");
}

TEST(Csv, WhatIsWrittenReadsBack) {
    const std::vector<std::string> fields = {"张三", "1栋,2单元", "say \"hi\"", "", "x"};
    std::string line = csv_record(fields);
    line.resize(line.size() - 2);  // the CRLF
    EXPECT_EQ(split_csv_record(line), fields);
}

TEST(Utf8, WellFormedOnly) {
    EXPECT_TRUE(valid_utf8("民生路社区 abc"));
    EXPECT_FALSE(valid_utf8("\xff\xfe"));
    EXPECT_FALSE(valid_utf8("\xe6\xb0"));          // cut short
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
    EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_EQ(utf8_length("民生路abc"), 6u);
}

TEST(Utf8, InvalidBytesAreReplacedAndValidTextKept) {
    EXPECT_EQ(replace_invalid_utf8("民生路 abc"), "民生路 abc");
    EXPECT_EQ(replace_invalid_utf8("a\xe1\xe1z"), "a\xEF\xBF\xBD\xEF\xBF\xBDz");
    EXPECT_EQ(replace_invalid_utf8("\xe6\xb0"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
    EXPECT_TRUE(valid_utf8(replace_invalid_utf8("\xc0\xaf\xed\xa0\x80\xff")));
}
