#include <gtest/gtest.h>

#include "gridsync/domain/calendar.hpp"
#include "gridsync/domain/certificates.hpp"
#include "gridsync/domain/errors.hpp"
#include "node_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class CertificateTest : public ::testing::Test {
  protected:
    test::Node n;
    const SeededResident& resident = n.seed.residents.front();
    std::string leader_id;     // the grid leader of resident's grid
    std::string other_leader;  // a grid leader of another grid
    std::string clerk;         // center staff

    void SetUp() override {
        for (const auto& s : n.seed.staff) {
            if (s.role == "grid_leader" && s.grid_id == resident.grid_id)
                leader_id = s.id;
            if (s.role == "grid_leader" && s.grid_id != resident.grid_id && other_leader.empty())
                other_leader = s.id;
        }
        clerk = n.staff_where("community_worker", resident.community_id).id;
    }

    std::string issue(const std::string& code) {
        return n.must<std::string>([&](const Stamp& st) {
            return issue_certificate(n.db, st, {"elderly_card", resident.id, code});
        });
    }
    std::string issued_and_handed_over(const std::string& code) {
        const std::string cert = issue(code);
        n.must<std::string>([&](const Stamp& st) {
            return hand_over(n.db, st, cert, n.signer(clerk), n.signer(leader_id));
        });
        return cert;
    }
    Delivery to_resident(const std::string& cert) {
        Delivery d;
        d.certificate_id = cert;
        d.recipient_id_number = resident.id_number;
        d.signature_image = to_bytes("PNG...signature strokes");
        d.location = Location{29.557, 106.577};
        return d;
    }
    template <class F>
    std::error_code refused(F&& write) {
        auto r = n.outbox->record_as<std::string>(std::forward<F>(write));
        EXPECT_FALSE(r.ok());
        return r.ok() ? std::error_code{} : r.code();
    }
};

}  // namespace

TEST_F(CertificateTest, IssueHandOverDeliverIsRecordedAndSigned) {
    const std::string cert = issued_and_handed_over("QR-0001");
    const auto before = n.outbox->status().entries;
    const std::string attempt = n.must<std::string>([&](const Stamp& st) {
        return deliver(n.db, st, n.signer(leader_id), to_resident(cert), n.id_key);
    });
    EXPECT_EQ(n.outbox->status().entries, before + 1);
    EXPECT_EQ(n.db.query_value<std::string>("SELECT state FROM certificate WHERE id=?1", cert),
              "delivered");
    EXPECT_EQ(n.db.query_value<std::string>(
                  "SELECT recipient_id_last4 FROM delivery_attempt WHERE id=?1", attempt),
              resident.id_number.substr(14));
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM custody_transfer WHERE certificate_id=?1",
                                    cert),
              1);
    EXPECT_TRUE(unverifiable_certificate_records(n.db, cert).empty());
    // The clear ID number is nowhere in the database file's tables.
    EXPECT_FALSE(n.db.query_value<int>(
        "SELECT 1 FROM delivery_attempt WHERE instr(recipient_id_last4, ?1)", resident.id_number));
    EXPECT_TRUE(certificate_by_print_code(n.db, "QR-0001").ok());
}

TEST_F(CertificateTest, ProxyDeliveryRecordsNameAndRelation) {
    const std::string cert = issued_and_handed_over("QR-0002");
    Delivery d = to_resident(cert);
    d.to_proxy = true;
    d.proxy_name = "代领人甲";
    d.proxy_relation = "child";
    d.recipient_id_number = fictional_id_number(1985, 3, 3, 42);
    d.photo = to_bytes("JPEG...door");
    const std::string attempt = n.must<std::string>(
        [&](const Stamp& st) { return deliver(n.db, st, n.signer(leader_id), d, n.id_key); });
    EXPECT_EQ(n.db.query_value<std::string>(
                  "SELECT proxy_relation FROM delivery_attempt WHERE id=?1", attempt),
              "child");
    EXPECT_EQ(n.db.query_value<int>("SELECT length(photo_hash) FROM delivery_attempt WHERE id=?1",
                                    attempt),
              32);
    d.proxy_relation = "neighbour";
    const std::string cert2 = issued_and_handed_over("QR-0003");
    d.certificate_id = cert2;
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(leader_id), d, n.id_key);
              }),
              Errc::bad_input);
}

TEST_F(CertificateTest, DeliveringWhatYouDoNotHoldIsRefused) {
    const std::string cert = issue("QR-0010");  // still at the center
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(leader_id), to_resident(cert), n.id_key);
              }),
              Errc::not_custodian);
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM delivery_attempt"), 0);
}

TEST_F(CertificateTest, DeliveringTwiceIsRefused) {
    const std::string cert = issued_and_handed_over("QR-0011");
    n.must<std::string>([&](const Stamp& st) {
        return deliver(n.db, st, n.signer(leader_id), to_resident(cert), n.id_key);
    });
    const auto entries = n.outbox->status().entries;
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(leader_id), to_resident(cert), n.id_key);
              }),
              Errc::already_delivered);
    EXPECT_EQ(n.outbox->status().entries, entries) << "a refused write must leave no outbox entry";
}

TEST_F(CertificateTest, RecipientWhoseIdDoesNotMatchIsRefused) {
    const std::string cert = issued_and_handed_over("QR-0012");
    Delivery d = to_resident(cert);
    d.recipient_id_number =
        n.seed.residents.back().id_number;  // a real-form number of someone else
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(leader_id), d, n.id_key);
              }),
              Errc::id_mismatch);
    d.recipient_id_number = "500103199001011235";  // a typo: wrong check character
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(leader_id), d, n.id_key);
              }),
              Errc::recipient_missing);
    d = to_resident(cert);
    d.signature_image.clear();
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(leader_id), d, n.id_key);
              }),
              Errc::recipient_missing);
}

TEST_F(CertificateTest, OnlyThatGridsLeaderMayTakeAndDeliver) {
    const std::string cert = issue("QR-0013");
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return hand_over(n.db, st, cert, n.signer(clerk), n.signer(other_leader));
              }),
              Errc::not_grid_leader);
    n.must<std::string>([&](const Stamp& st) {
        return hand_over(n.db, st, cert, n.signer(clerk), n.signer(leader_id));
    });
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(other_leader), to_resident(cert), n.id_key);
              }),
              Errc::not_custodian);
}

TEST_F(CertificateTest, SomeoneElsesKeyIsRefused) {
    const std::string cert = issue("QR-0014");
    const Signer impostor{leader_id, &n.keys.at(other_leader)};
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return hand_over(n.db, st, cert, n.signer(clerk), impostor);
              }),
              Errc::bad_signature);
}

TEST_F(CertificateTest, FailedAttemptThenReturnToCenter) {
    const std::string cert = issued_and_handed_over("QR-0020");
    FailedAttempt f{cert, FailureReason::not_home, test::kDay1Nine + kDayMs, std::nullopt};
    n.must<std::string>(
        [&](const Stamp& st) { return record_failed_attempt(n.db, st, n.signer(leader_id), f); });
    f.retry_on_ms = test::kDay1Nine - 1;
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return record_failed_attempt(n.db, st, n.signer(leader_id), f);
              }),
              Errc::bad_input);
    n.must<std::string>([&](const Stamp& st) {
        return return_to_center(n.db, st, cert, n.signer(leader_id), n.signer(clerk));
    });
    EXPECT_EQ(n.db.query_value<std::string>("SELECT state FROM certificate WHERE id=?1", cert),
              "at_center");
    EXPECT_EQ(n.db.query_value<int>("SELECT count(*) FROM custody_transfer WHERE certificate_id=?1",
                                    cert),
              2);
    EXPECT_TRUE(unverifiable_certificate_records(n.db, cert).empty());
    EXPECT_EQ(refused([&](const Stamp& st) {
                  return deliver(n.db, st, n.signer(leader_id), to_resident(cert), n.id_key);
              }),
              Errc::not_custodian);
}

TEST_F(CertificateTest, OverdueListFollowsTheTimeLimit) {
    const std::string late = issued_and_handed_over("QR-0030");
    const std::string done = issued_and_handed_over("QR-0031");
    n.must<std::string>([&](const Stamp& st) {
        return deliver(n.db, st, n.signer(leader_id), to_resident(done), n.id_key);
    });
    // elderly_card: 10 working days from when it was finished (calendar_test
    // checks the counting itself).
    const auto due =
        *n.db.query_value<std::int64_t>("SELECT due_at_ms FROM certificate WHERE id = ?1", late);
    const auto issued =
        *n.db.query_value<std::int64_t>("SELECT issued_at_ms FROM certificate WHERE id = ?1", late);
    EXPECT_EQ(working_days_between(n.db, issued, due - 1), 10);
    EXPECT_TRUE(overdue_certificates(n.db, due - 1).empty());
    const auto overdue = overdue_certificates(n.db, due + 2 * kDayMs + 1);
    ASSERT_EQ(overdue.size(), 1u);
    EXPECT_EQ(overdue[0].certificate_id, late);
    EXPECT_EQ(overdue[0].days_overdue, 2);
}

TEST_F(CertificateTest, TamperedSignatureIsFound) {
    const std::string cert = issued_and_handed_over("QR-0040");
    n.db.execute("UPDATE custody_transfer SET to_staff_id = ?1 WHERE certificate_id = ?2",
                 other_leader, cert);
    EXPECT_EQ(unverifiable_certificate_records(n.db, cert).size(), 1u);
}
