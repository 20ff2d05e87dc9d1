// A second client, written in Python from docs/PROTOCOL.md alone
// (tests/client_py/gridsync_client.py: Debian's python3-nacl and the
// sqlite3 shell's .session), against the shipped central on 127.0.0.1: it
// enrolls, bootstraps its scope with the scope digest matching, pushes a
// resident's phone correction, and is refused where it must be. Then the
// correction is checked at central, and so are the refusals.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "gridsync/process.hpp"
#include "gridsync/store/database.hpp"
#include "gridsync/tools/central_process.hpp"
#include "temp_dir.hpp"

using namespace gridsync;

TEST(SecondClient, APythonClientFromTheSpecAloneEnrollsBootstrapsPushesAndIsRefused) {
    ASSERT_EQ(run("/usr/bin/python3", {"-c", "import nacl.bindings"}).exit_code, 0)
        << "python3-nacl is missing: bash scripts/setup.sh installs it";
    test::TempDir dir;
    // First, offline: every golden vector recomputed from the spec.
    const auto vectors =
        run("/usr/bin/python3", {GRIDSYNC_CLIENT_PY, "--vectors", "--data",
                                 (dir / "vectors").string(), "--golden", GRIDSYNC_TEST_GOLDEN});
    EXPECT_EQ(vectors.exit_code, 0) << vectors.out;
    tools::CentralProcess central{GRIDSYNC_CENTRAL_BIN, dir / "c", 2};
    central.serve();
    const auto code = central.codes("C01-W01", "community_laptop", "C01", 1).at(0);
    const auto r = run("/usr/bin/python3",
                       {GRIDSYNC_CLIENT_PY, "--central", central.address(), "--code", code,
                        "--data", (dir / "py").string(), "--golden", GRIDSYNC_TEST_GOLDEN});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    boost::system::error_code ec;
    const auto out = boost::json::parse(r.out, ec);
    ASSERT_FALSE(ec) << r.out;
    const auto& o = out.as_object();
    const std::string device(o.at("device_id").as_string());
    const std::string resident(o.at("resident").as_string());
    // Its own digest of what it bootstrapped is central's.
    EXPECT_EQ(o.at("bootstrap").at("digest_sent"), o.at("bootstrap").at("digest_mine"));
    EXPECT_GT(o.at("rows").at("resident").as_int64(), 0);

    auto db = store::Database::open(central.dir() / "central" / "central.db");
    EXPECT_EQ(*db.query_value<std::string>("SELECT phone FROM resident WHERE id = ?1", resident),
              "13912345678");
    EXPECT_EQ(
        *db.query_value<std::string>("SELECT origin_device FROM resident WHERE id = ?1", resident),
        device);
    EXPECT_EQ(
        *db.query_value<int>("SELECT count(*) FROM accepted_entry WHERE device_id = ?1", device),
        1);
    EXPECT_EQ(
        *db.query_value<int>("SELECT count(*) FROM quarantined_entry WHERE device_id = ?1", device),
        1);
    EXPECT_EQ(o.at("bad_signature").at("code"), "gridsync.central:3");
    EXPECT_EQ(o.at("not_authorized").at("code"), "gridsync.central:9");
    EXPECT_EQ(o.at("not_authorized").at("status"), 3);  // quarantined
}
