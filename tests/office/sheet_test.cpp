#include <gtest/gtest.h>

#include "gridsync/office/errors.hpp"
#include "gridsync/office/sheet.hpp"
#include "gridsync/office/table.hpp"
#include "temp_dir.hpp"

using namespace gridsync;
using namespace gridsync::office;

namespace {

TEST(Csv, QuotesCommasAndLineBreaksInsideFieldsKeepTheirLines) {
    const std::string text =
        "地址,姓名,备注\r\n"
        "\"1栋,2单元\",张三,\"他说\"\"你好\"\"\"\r\n"
        "\r\n"
        ",,\r\n"
        "3栋,李四,\"两行\n备注\"\r\n"
        "4栋,王五\r\n";
    auto sheet = parse_csv(text);
    ASSERT_TRUE(sheet) << sheet.failure().message;
    ASSERT_EQ(sheet->records.size(), 4u);
    EXPECT_EQ(sheet->records[1].line, 2);
    EXPECT_EQ(sheet->records[1].fields,
              (std::vector<std::string>{"1栋,2单元", "张三", "他说\"你好\""}));
    EXPECT_EQ(sheet->records[2].line, 5);
    EXPECT_EQ(sheet->records[2].fields[2], "两行\n备注");
    EXPECT_EQ(sheet->records[3].line, 7);  // after the field that spans two lines
    EXPECT_EQ(sheet->records[3].fields.size(), 2u);
}

TEST(Csv, AnUnclosedQuoteIsNamedByTheLineItOpens) {
    auto sheet = parse_csv("a,b\nc,\"d\ne,f\n");
    ASSERT_FALSE(sheet);
    EXPECT_EQ(sheet.code(), Errc::bad_csv);
    EXPECT_NE(sheet.failure().message.find("第 2 行"), std::string::npos);
}

TEST(Csv, TabSeparatedTextIsReadToo) {
    auto sheet = parse_csv("姓名\t电话\n张三\t13800000000\n");
    ASSERT_TRUE(sheet);
    EXPECT_EQ(sheet->records[1].fields, (std::vector<std::string>{"张三", "13800000000"}));
}

TEST(Csv, LimitsAreKept) {
    SheetLimits small;
    small.max_records = 2;
    EXPECT_EQ(parse_csv("a\nb\nc\n", small).code(), Errc::too_large);
    small.max_fields = 3;
    small.max_records = 10;
    EXPECT_EQ(parse_csv("a,b,c,d\n", small).code(), Errc::too_large);
}

TEST(Csv, TrimmedRemovesIdeographicSpaces) {
    EXPECT_EQ(trimmed("\xE3\x80\x80 张三 \t"), "张三");
    EXPECT_EQ(trimmed("   "), "");
}

TEST(Sheet, GbkCsvAndUtf8CsvReadTheSame) {
    const std::string text = "社区编号,姓名\r\nC01,张三丰\r\n";
    auto gb = to_gb18030(text);
    ASSERT_TRUE(gb);
    auto a = read_sheet(as_bytes(text), Encoding::automatic);
    auto b = read_sheet(as_bytes(*gb), Encoding::automatic);
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_EQ(a->records[1].fields, b->records[1].fields);
    EXPECT_EQ(a->format, "csv utf-8");
    EXPECT_EQ(b->format, "csv gb18030");
}

TEST(Xlsx, AWorkbookWeWriteReadsBackCellForCell) {
    test::TempDir dir;
    Table t;
    t.sheet_name = "居民";
    t.columns = {{"身份证号码", CellKind::text, "18 位"},
                 {"姓名", CellKind::text, ""},
                 {"金额(元)", CellKind::yuan, ""},
                 {"人数", CellKind::integer, ""}};
    t.rows = {{std::string("500103199001010014"), std::string("张三"), std::int64_t{68020},
               std::int64_t{3}},
              {std::string("=cmd|' /C calc'!A0"), std::string("李\"四\""), std::int64_t{5},
               std::monostate{}}};
    auto bytes = xlsx_bytes({t}, dir.path());
    ASSERT_TRUE(bytes) << bytes.failure().message;
    auto sheet = read_sheet(*bytes, Encoding::automatic);
    ASSERT_TRUE(sheet) << sheet.failure().message;
    EXPECT_EQ(sheet->format, "xlsx");
    ASSERT_EQ(sheet->records.size(), 3u);
    EXPECT_EQ(sheet->records[0].line, 1);  // no title: the header is the first row
    EXPECT_EQ(sheet->records[0].fields[0], "身份证号码");
    EXPECT_EQ(sheet->records[1].fields,
              (std::vector<std::string>{"500103199001010014", "张三", "680.2", "3"}));
    EXPECT_EQ(sheet->records[2].fields[0], "=cmd|' /C calc'!A0");  // a string, never a formula
    EXPECT_EQ(sheet->records[2].fields[1], "李\"四\"");
    EXPECT_EQ(sheet->records[2].fields.size(), 3u);
}

TEST(Xlsx, ATitledReportKeepsItsRowsWherePeopleSeeThem) {
    test::TempDir dir;
    Table t;
    t.title = "发放对账表";
    t.notes = {"社区:C01", "期间:2026-12"};
    t.columns = {{"项目"}, {"金额", CellKind::yuan}};
    t.rows = {{std::string("低保"), std::int64_t{70000}}};
    t.totals = {std::string("合计"), std::int64_t{70000}};
    t.footer = {"经办人签字:________"};
    auto bytes = xlsx_bytes({t, t}, dir.path());
    ASSERT_TRUE(bytes);
    auto sheet = read_xlsx(*bytes);
    ASSERT_TRUE(sheet) << sheet.failure().message;
    ASSERT_GE(sheet->records.size(), 6u);
    EXPECT_EQ(sheet->records[0].fields[0], "发放对账表");
    EXPECT_EQ(sheet->records[3].line, 5);  // title, two notes, a blank row, the header
    EXPECT_EQ(sheet->records[3].fields[0], "项目");
    EXPECT_EQ(sheet->records[4].fields[1], "700");
    EXPECT_EQ(sheet->records[5].fields[0], "合计");
}

TEST(Xlsx, NotAWorkbookAndTooLargeAreRefused) {
    const std::string zipish = std::string("PK\x03\x04", 4) + "not really a zip";
    EXPECT_EQ(read_sheet(as_bytes(zipish), Encoding::automatic).code(), Errc::bad_xlsx);
    test::TempDir dir;
    Table t;
    t.columns = {{"a"}};
    for (int i = 0; i < 2000; ++i)
        t.rows.push_back({std::string(100, 'x')});
    auto bytes = xlsx_bytes({t}, dir.path());
    ASSERT_TRUE(bytes);
    SheetLimits small;
    small.max_bytes = 64 * 1024;  // the compressed file fits; the unpacked sheet does not
    ASSERT_LT(bytes->size(), small.max_bytes);
    EXPECT_EQ(read_xlsx(*bytes, small).code(), Errc::too_large);
}

}  // namespace
