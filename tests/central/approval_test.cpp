// Maker and checker: a prepared entitlement list reaches devices only after
// a second admin approves it, and never by its preparer's approval.
#include "central_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

using ApprovalTest = test::EdgeAndCentral;

TEST_F(ApprovalTest, APreparedListReachesDevicesOnlyOnceASecondAdminApproves) {
    const std::string maker = edge.staff_where("admin", "", 0).id;
    const std::string checker = edge.staff_where("admin", "", 1).id;
    const auto before = count("SELECT count(*) FROM entitlement");
    std::string staged_day;
    const std::string approval =
        central->stage_for_approval(maker, "day", central_clock.now_ms(), [&](store::Database& w) {
            staged_day = seed_disbursement_day(
                w, {"central", Hlc::from_parts(central_clock.now_ms(), 5), central_clock.now_ms()},
                {community, "2026-12-16", maker, "", {payer, verifier}, 3}, 5);
        });
    EXPECT_EQ(count("SELECT count(*) FROM entitlement"), before)
        << "a staged list is not in the replicated tables";
    auto refused = central->approve(approval, maker, central_key, central_clock.now_ms());
    EXPECT_EQ(refused.code(), central::Errc::not_authorized);
    EXPECT_EQ(
        count(
            "SELECT count(*) FROM audit WHERE action = 'approval.approve' AND outcome = 'refused'"),
        1);
    ASSERT_TRUE(central->approve(approval, checker, central_key, central_clock.now_ms()).ok());
    EXPECT_EQ(count("SELECT count(*) FROM entitlement"), before + 3);
    EXPECT_EQ(central->db().query_value<std::string>(
                  "SELECT approved_by_staff_id FROM disbursement_day WHERE id = ?1", staged_day),
              checker);
    EXPECT_FALSE(central->approve(approval, checker, central_key, central_clock.now_ms()).ok())
        << "approved twice";

    // The approved list travels through pull like everything else.
    central::PullService service(*central, central_key, central_clock);
    auto response =
        service.serve(sync::make_pull_request(edge.db, device.id, edge.device_key, edge.clock));
    ASSERT_TRUE(response.ok());
    ASSERT_TRUE(
        sync::apply_pull(edge.db, *edge.outbox, central_key.public_key(), *response, edge.clock)
            .ok());
    EXPECT_EQ(edge.db.query_value<int>(
                  "SELECT count(*) FROM entitlement WHERE disbursement_day_id = ?1", staged_day),
              3);
}
