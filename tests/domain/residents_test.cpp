// Field corrections of residents: only the columns named change; bad input is
// refused with its reason and changes nothing (not even the outbox).
#include <gtest/gtest.h>

#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/residents.hpp"
#include "node_fixture.hpp"

using namespace gridsync;
using namespace gridsync::domain;

namespace {

class ResidentEditTest : public ::testing::Test {
  protected:
    test::Node n;
    std::string resident = n.seed.residents.front().id;

    std::string row() {
        return *n.db.query_value<std::string>(
            "SELECT name || '|' || coalesce(phone, '') FROM resident WHERE id = ?1", resident);
    }
    std::error_code refused(const ResidentEdit& e, const std::string& id) {
        auto r = n.outbox->record_as<int>([&](const Stamp& st) -> Result<int> {
            if (auto s = edit_resident(n.db, st, id, e); !s)
                return s.failure();
            return 0;
        });
        return r.ok() ? std::error_code{} : r.code();
    }
};

}  // namespace

TEST_F(ResidentEditTest, OnlyTheNamedColumnsChange) {
    const std::string name = row().substr(0, row().find('|'));
    EXPECT_FALSE(refused({std::nullopt, "138 0000 0001"}, resident));
    EXPECT_EQ(row(), name + "|138 0000 0001");
    EXPECT_FALSE(refused({"王更正", std::nullopt}, resident));
    EXPECT_EQ(row(), "王更正|138 0000 0001");
}

TEST_F(ResidentEditTest, BadInputIsRefusedAndChangesNothing) {
    const std::string before = row();
    const auto entries = n.outbox->status().entries;
    EXPECT_EQ(refused({std::nullopt, "call me"}, resident), Errc::bad_input);
    EXPECT_EQ(refused({std::nullopt, "123"}, resident), Errc::bad_input) << "too short";
    EXPECT_EQ(refused({"", std::nullopt}, resident), Errc::bad_input);
    EXPECT_EQ(refused({"=cmd|' /C calc'!A0", std::nullopt}, resident), Errc::bad_input)
        << "a formula once exported";
    EXPECT_EQ(refused({"王\n五", std::nullopt}, resident), Errc::bad_input) << "control character";
    EXPECT_EQ(refused({std::string(51 * 3, 'x'), std::nullopt}, resident), Errc::bad_input)
        << "too long";
    EXPECT_EQ(refused({std::nullopt, std::nullopt}, resident), Errc::bad_input);
    EXPECT_EQ(refused({std::nullopt, "13800000000"}, "no-such-resident"), Errc::not_found);
    EXPECT_EQ(row(), before);
    EXPECT_EQ(n.outbox->status().entries, entries);
}
