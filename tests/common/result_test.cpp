#include <gtest/gtest.h>

#include "gridsync/error.hpp"

using namespace gridsync;

TEST(Result, CarriesValueOrFailure) {
    Result<int> good(7);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 7);

    Result<int> bad = fail(std::make_error_code(std::errc::invalid_argument), "nope");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.code(), std::errc::invalid_argument);
    EXPECT_EQ(bad.failure().message, "nope");
    EXPECT_THROW((void)bad.value(), Error);
}

TEST(Result, VoidStatus) {
    Status ok;
    EXPECT_TRUE(ok.ok());
    EXPECT_NO_THROW(ok.value());
    Status bad = fail(std::make_error_code(std::errc::io_error), "disk");
    EXPECT_FALSE(bad);
    try {
        bad.value();
        FAIL() << "expected a throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), std::errc::io_error);
    }
}
