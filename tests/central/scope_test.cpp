// A device's scope is decided two ways at central: row by row (`visible`,
// for the log a device pulls) and as SQL (`scope_query`, for snapshots and
// the scope digest, one query per table). They must keep exactly the same
// rows, or every device would "repair" itself forever.
#include <fstream>

#include "authorize.hpp"
#include "central_fixture.hpp"
#include "scope.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class ScopeTest : public test::EdgeAndCentral {
  protected:
    void same_rows(const central::Device& d) {
        auto& db = central->db();
        central::Resolver resolve(db);
        const auto query = central::scope_query(d);
        for (const auto& table : replicated_tables()) {
            std::set<std::string> by_row, by_sql;
            auto all = db.prepare("SELECT id FROM " + table);
            while (all.step()) {
                const auto id = all.column<std::string>(0);
                if (central::visible(resolve, d, table, id))
                    by_row.insert(id);
            }
            const std::string where = query.where(table);
            auto st =
                db.prepare("SELECT id FROM " + table + (where.empty() ? "" : " WHERE " + where));
            for (std::size_t i = 0; i < query.params.size(); ++i) {
                if (st.sql().find("?" + std::to_string(i + 1)) != std::string_view::npos)
                    st.bind(static_cast<int>(i + 1), query.params[i]);
            }
            while (st.step())
                by_sql.insert(st.column<std::string>(0));
            EXPECT_EQ(by_row, by_sql) << d.role << " " << table;
        }
    }
};

}  // namespace

TEST_F(ScopeTest, TheSqlScopeKeepsExactlyTheRowsTheRowByRowScopeKeeps) {
    // Something in every table: a payment (and its session), certificates
    // handed over and delivered in two grids, check-ins.
    pay_first(edge.db, *edge.outbox);
    check_in(edge.staff_where("community_worker", community, 2).id, community);
    const auto g = grids();
    for (std::size_t i = 0; i < 2; ++i) {
        const auto cert =
            certificate_in(g[i], "QR-S" + std::to_string(i), {&edge.db, &central->db()});
        ASSERT_TRUE(edge.outbox->record_as<std::string>([&](const Stamp& st) {
            return hand_over(edge.db, st, cert,
                             edge.signer(edge.staff_where("community_worker", community, 0).id),
                             edge.signer(leader_of(g[i])));
        }));
    }
    for (const auto& a : push().acks)
        ASSERT_EQ(a.status, sync::AckStatus::accepted) << a.message;

    same_rows(device);
    same_rows(enroll(crypto::SigningKey::generate().public_key(), "grid_device", community, g[0]));
    const auto other = *central->db().query_value<std::string>(
        "SELECT id FROM community WHERE id <> ?1 LIMIT 1", community);
    same_rows(enroll(crypto::SigningKey::generate().public_key(), "community_laptop", other, ""));
}

// docs/PROTOCOL.md's permission matrix is the one central enforces, row for
// row: another team's client learns from it what each role may write.
TEST(Permissions, ProtocolDocPrintsTheMatrixCentralEnforces) {
    std::ifstream in(std::string(GRIDSYNC_DOCS_DIR) + "/PROTOCOL.md");
    ASSERT_TRUE(in) << "docs/PROTOCOL.md";
    std::string printed;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "<!-- permissions -->")
            inside = true;
        else if (line == "<!-- /permissions -->")
            inside = false;
        else if (inside)
            printed += line + "\n";
    }
    EXPECT_EQ(printed, central::permission_matrix_markdown())
        << "paste this between the markers:\n"
        << central::permission_matrix_markdown();
}
