#include <gtest/gtest.h>

#include "gridsync/office/table.hpp"

using namespace gridsync;
using namespace gridsync::office;

namespace {

TEST(Table, CsvHasTheMarkTheHeaderFirstAndExcelSafeFields) {
    Table t;
    t.title = "不进 CSV 的标题";
    t.columns = {{"姓名"}, {"金额", CellKind::yuan}, {"比例", CellKind::percent}};
    t.rows = {{std::string("=SUM(A1)"), std::int64_t{-5}, std::int64_t{9876}}};
    t.totals = {std::string("合计"), std::int64_t{123450}, std::monostate{}};
    EXPECT_EQ(to_csv(t),
              "\xEF\xBB\xBF"
              "姓名,金额,比例\r\n'=SUM(A1),-0.05,98.76%\r\n合计,1234.50,\r\n");
}

}  // namespace
