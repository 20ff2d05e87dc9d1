// Maker and checker: a prepared entitlement list reaches devices only after
// a second admin approves it, and never by its preparer's approval.
#include "central_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

using ApprovalTest = test::EdgeAndCentral;

TEST_F(ApprovalTest, APreparedListReachesDevicesOnlyOnceASecondAdminApproves) {
    const central::AdminSigner& maker = *admin;
    const central::AdminSigner& checker = *admin2;
    const auto before = count("SELECT count(*) FROM entitlement");
    std::string staged_day;
    const std::string approval = central->stage_for_approval(
        maker, "day", central_clock.now_ms(), [&](store::Database& w, const Stamp& stamp) {
            staged_day = seed_disbursement_day(
                w, stamp, {community, "2026-12-16", maker.staff_id, "", {payer, verifier}, 3}, 5);
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
              checker.staff_id);
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

// Each admin action carries its admin's own signature, over bytes that name
// the admin, the action and its subject, checkable later against the key
// central registered for that admin.
TEST_F(ApprovalTest, AdminActionsAreSignedWithTheAdminsOwnRegisteredKey) {
    (void)central->create_token(*admin2, {payer, "community_laptop", community, "", 60000},
                                central_clock.now_ms());
    auto st = central->db().prepare(
        "SELECT a.body, a.signature, k.signing_key FROM admin_action a JOIN admin_account k ON "
        "k.login = a.login WHERE a.action = 'token.create' AND a.login = 'admin2'");
    ASSERT_TRUE(st.step());
    const Bytes body = st.column<Bytes>(0);
    const auto sig = crypto::Signature::from(st.column<Bytes>(1));
    const auto key = crypto::PublicKey::from(st.column<Bytes>(2));
    ASSERT_TRUE(sig && key);
    EXPECT_TRUE(crypto::verify(*key, central::kAdminActionContext, body, *sig));
    EXPECT_EQ(body,
              central::encode(central::AdminAction{
                  "admin2", "token.create", payer,
                  "community_laptop " + community + "  ttl_ms 60000", central_clock.now_ms()}));
    Bytes forged = body;
    forged[forged.size() - 12] ^= 1;
    EXPECT_FALSE(crypto::verify(*key, central::kAdminActionContext, forged, *sig));
    EXPECT_FALSE(crypto::verify(admin->key.public_key(), central::kAdminActionContext, body, *sig))
        << "another admin's key";
    EXPECT_FALSE(crypto::verify(*key, sync::kEnvelopeContext, body, *sig)) << "another purpose";
    st.reset();
    EXPECT_THROW(central->db().execute("DELETE FROM admin_action"), store::StoreError);
}

TEST_F(ApprovalTest, AdminLoginAndAccountsAreGuarded) {
    const auto now = central_clock.now_ms();
    const std::string wrong = "wrong password", right = "password of admin1";
    EXPECT_EQ(central->unlock_admin("admin1", as_bytes(wrong), now).code(),
              central::Errc::admin_login_failed);
    EXPECT_EQ(central->unlock_admin("nobody", as_bytes(right), now).code(),
              central::Errc::admin_login_failed);
    EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'admin.login' AND outcome = "
                    "'refused'"),
              2);
    const std::string worker = edge.staff_where("community_worker", community, 0).id;
    const std::string password = "a long enough password";
    const auto pw = as_bytes(password);
    // Only the first admin comes without another admin's signature.
    EXPECT_FALSE(central
                     ->add_admin(nullptr, "admin3", edge.staff_where("admin", "", 0).id, pw, now,
                                 crypto::KdfParams::minimum())
                     .ok());
    EXPECT_FALSE(
        central->add_admin(&*admin, "worker", worker, pw, now, crypto::KdfParams::minimum()).ok())
        << "a staff member without the admin role";
    EXPECT_EQ(count("SELECT count(*) FROM admin_account"), 2);
}
