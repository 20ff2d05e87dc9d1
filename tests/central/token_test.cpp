// Enrollment codes name grids as people do: `token --grid 1` is 第1网格, and
// a grid device is bound to that grid's leader, never to someone else.
#include <gtest/gtest.h>

#include "gridsync/central/errors.hpp"
#include "gridsync/central/views.hpp"
#include "gridsync/domain/organisation.hpp"
#include "node_fixture.hpp"

using namespace gridsync;

namespace {

class TokenGrantTest : public ::testing::Test {
  protected:
    test::Node node{[] {
        auto o = test::Node::small();
        o.grids_per_community = 12;
        return o;
    }()};
    std::string community = node.community(0);
    std::string code =
        *node.db.query_value<std::string>("SELECT code FROM community WHERE id = ?1", community);
    domain::GridRef grid(int n) {
        return domain::find_grid(node.db, community, std::to_string(n)).value();
    }
};

TEST_F(TokenGrantTest, GridOneIsTheFirstGridAndItsLeader) {
    for (const std::string& text : std::vector<std::string>{"1", "第1网格", grid(1).name}) {
        const auto g = central::token_grant(node.db, "", "grid_device", code, text, 24);
        ASSERT_TRUE(g.ok()) << text << ": " << g.failure().message;
        EXPECT_EQ(g->grid_id, grid(1).id) << text;
        EXPECT_EQ(g->staff_id, *grid(1).leader_staff_id) << "bound to the grid's leader";
    }
    const auto ten = central::token_grant(node.db, "", "grid_device", code, "10", 24);
    ASSERT_TRUE(ten.ok());
    EXPECT_EQ(ten->grid_id, grid(10).id);
}

TEST_F(TokenGrantTest, AnotherGridsLeaderIsRefused) {
    const auto g =
        central::token_grant(node.db, *grid(10).leader_staff_id, "grid_device", code, "1", 24);
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.code(), central::Errc::bad_request);
    EXPECT_NE(g.failure().message.find("第1网格"), std::string::npos) << g.failure().message;
    const auto worker = node.staff_where("community_worker", community).id;
    EXPECT_FALSE(central::token_grant(node.db, worker, "grid_device", code, "1", 24).ok());
    EXPECT_TRUE(
        central::token_grant(node.db, *grid(1).leader_staff_id, "grid_device", code, "1", 24).ok());
}

TEST_F(TokenGrantTest, UnknownGridIsRefused) {
    for (const char* text : {"13", "0", "", "第13网格", "no such grid"}) {
        const auto g = central::token_grant(node.db, "", "grid_device", code, text, 24);
        ASSERT_FALSE(g.ok()) << text;
        EXPECT_EQ(g.code(), central::Errc::bad_request) << text;
    }
}

}  // namespace
