// Grids as people name them: "第1网格" is grid 1, whatever order the names
// sort in (a string sort puts 第10网格 before 第2网格).
#include <gtest/gtest.h>

#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/organisation.hpp"
#include "node_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class GridsTest : public ::testing::Test {
  protected:
    test::Node node{[] {
        auto o = test::Node::small();
        o.grids_per_community = 12;  // 第10网格 .. 第12网格 sort before 第2网格 as strings
        return o;
    }()};
    std::string community = node.community(0);
};

TEST(GridNumber, ReadFromTheName) {
    EXPECT_EQ(grid_number("民生路社区第1网格"), 1);
    EXPECT_EQ(grid_number("民生路社区第12网格"), 12);
    EXPECT_EQ(grid_number("第3网格"), 3);
    EXPECT_EQ(grid_number("滨江网格"), std::nullopt);
    EXPECT_EQ(grid_number("民生路社区第一网格"), std::nullopt);
}

TEST_F(GridsTest, CountedByNumberNotByName) {
    const auto grids = grids_of(node.db, community);
    ASSERT_EQ(grids.size(), 12u);
    for (std::size_t i = 0; i < grids.size(); ++i)
        EXPECT_EQ(grids[i].number, static_cast<int>(i) + 1) << grids[i].name;
}

TEST_F(GridsTest, FoundByNumberOrName) {
    const auto one = find_grid(node.db, community, "1");
    ASSERT_TRUE(one.ok());
    EXPECT_TRUE(one->name.ends_with("第1网格")) << one->name;
    EXPECT_TRUE(one->leader_staff_id.has_value());
    const auto ten = find_grid(node.db, community, "第10网格");
    ASSERT_TRUE(ten.ok());
    EXPECT_TRUE(ten->name.ends_with("第10网格")) << ten->name;
    const auto by_name = find_grid(node.db, community, one->name);
    ASSERT_TRUE(by_name.ok());
    EXPECT_EQ(by_name->id, one->id);
}

TEST_F(GridsTest, UnknownGridIsRefusedWithWhatExists) {
    for (const char* text : {"13", "0", "第99网格", "一", "", "1; DROP TABLE grid"}) {
        const auto g = find_grid(node.db, community, text);
        ASSERT_FALSE(g.ok()) << text;
        EXPECT_EQ(g.code(), Errc::not_found) << text;
        EXPECT_NE(g.failure().message.find("第1网格"), std::string::npos) << g.failure().message;
    }
}

}  // namespace
