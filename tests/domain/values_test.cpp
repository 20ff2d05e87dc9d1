#include <gtest/gtest.h>

#include <set>

#include "gridsync/domain/errors.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/local_time.hpp"
#include "gridsync/domain/money.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/seed.hpp"

using namespace gridsync;
using namespace gridsync::domain;

TEST(Money, FormatsYuanWithTwoDecimals) {
    EXPECT_EQ(format_yuan(56000), "560.00");
    EXPECT_EQ(format_yuan(5), "0.05");
    EXPECT_EQ(format_yuan(-1234), "-12.34");
    EXPECT_EQ(format_yuan(INT64_MIN), "-92233720368547758.08");
}

TEST(Money, ParsesOnlyExactYuan) {
    EXPECT_EQ(parse_yuan("560"), 56000);
    EXPECT_EQ(parse_yuan("560.5"), 56050);
    EXPECT_EQ(parse_yuan("0.07"), 7);
    for (const char* bad :
         {"", ".5", "5.", "5.123", "-5", "5,00", " 5", "1e3", "99999999999999999999"}) {
        EXPECT_FALSE(parse_yuan(bad)) << bad;
    }
}

TEST(ResidentId, AcceptsValidAndMasks) {
    const std::string n = fictional_id_number(1990, 1, 1, 123);
    auto id = ResidentIdNumber::parse(n);
    ASSERT_TRUE(id.ok()) << id.failure().message;
    EXPECT_EQ(id->masked(), "500103********" + n.substr(14));
    EXPECT_EQ(id->last4(), n.substr(14));
    // The published example number of GB 11643 style checks: 11010519491231002X.
    EXPECT_TRUE(ResidentIdNumber::parse("11010519491231002X").ok());
    EXPECT_TRUE(ResidentIdNumber::parse("11010519491231002x").ok());
}

TEST(ResidentId, RefusesTyposWithAReason) {
    std::string n = fictional_id_number(1990, 1, 1, 123);
    std::string typo = n;
    typo[16] = typo[16] == '9' ? '8' : '9';  // MOD 11-2 catches every single-digit slip
    auto r = ResidentIdNumber::parse(typo);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::bad_id_number);
    EXPECT_NE(r.failure().message.find("校验位"), std::string::npos);
    EXPECT_FALSE(ResidentIdNumber::parse("50010319900101123").ok());   // 17 characters
    EXPECT_FALSE(ResidentIdNumber::parse("500103199002301234").ok());  // 30 February
    EXPECT_FALSE(ResidentIdNumber::parse("5001031990010112A4").ok());
}

TEST(ResidentId, DigestIsKeyed) {
    auto id = ResidentIdNumber::parse(fictional_id_number(1950, 6, 15, 7));
    const auto k1 = crypto::SecureBuffer::random(32);
    const auto k2 = crypto::SecureBuffer::random(32);
    EXPECT_EQ(id->digest(k1), id->digest(k1));
    EXPECT_NE(id->digest(k1), id->digest(k2));
    EXPECT_EQ(id->digest(k1).size(), 32u);
}

TEST(LocalTime, ShowsChinaStandardTime) {
    EXPECT_EQ(format_local(0), "1970-01-01 08:00");
    EXPECT_EQ(format_local(1796086800000), "2026-12-01 09:00");
    EXPECT_EQ(local_date(1796086800000 - 10 * 3600 * 1000), "2026-11-30");
    EXPECT_EQ(local_midnight_utc("2026-12-01"), 1796054400000);
    EXPECT_EQ(local_midnight_utc("2026-13-01"), -1);
}

TEST(Hlc, NeverGoesBackwardsEvenWhenTheWallClockDoes) {
    ManualClock clock(1000);
    HlcClock hlc(clock);
    const Hlc a = hlc.now();
    clock.set(500);  // wall clock jumps back
    const Hlc b = hlc.now();
    const Hlc c = hlc.now();
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_EQ(b.wall_ms(), 1000);
    clock.set(2000);
    EXPECT_EQ(hlc.now(), Hlc::from_parts(2000, 0));
}

TEST(Hlc, ObservedRemoteTimesOrderLaterLocalEvents) {
    ManualClock clock(1000);
    HlcClock hlc(clock);
    const Hlc remote = Hlc::from_parts(5000, 3);
    EXPECT_EQ(hlc.observe(remote), 4000);  // remote is 4 s ahead
    EXPECT_GT(hlc.now(), remote);
}

TEST(Hlc, ResumesFromPersistedValue) {
    ManualClock clock(100);
    HlcClock hlc(clock, Hlc::from_parts(900, 2));
    EXPECT_EQ(hlc.now(), Hlc::from_parts(900, 3));
}

TEST(Ids, Version7TimeOrderedAndUnique) {
    std::set<std::string> seen;
    std::string prev;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = new_id(1796086800000 + i);
        ASSERT_TRUE(is_valid_id(id)) << id;
        EXPECT_EQ(id[14], '7');
        EXPECT_GT(id, prev);
        prev = id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_FALSE(is_valid_id("0192f1c4-7a3e-7c21-9b44-1f0e5d2a8c3"));
    EXPECT_FALSE(is_valid_id("0192F1C4-7A3E-7C21-9B44-1F0E5D2A8C31"));
}
