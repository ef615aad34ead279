// Tests how enable/disable find the startd that serves their jobs dir: none on the socket is not
// an error, a startd serving that very directory is connected, one serving another directory
// (or not saying which, as older ones do) is not, and an unsafe socket directory is an error.
#include "cli/serving_startd.h"
#include "control/endpoint.h"
#include "support/fake_startd.h"
#include "support/real_child.h"

#include <filesystem>
#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using test_support::FakeStartd;

class ServingStartdTest : public ::testing::Test {
  protected:
    ServingStartdTest() {
        std::filesystem::create_directories(jobs);
        std::filesystem::create_directories(other);
    }
    base::Result<cli::ServingStartd> find(std::optional<std::string> refused = std::nullopt) {
        cli::Context ctx{options, sys::real_sys(), env, dir / "control", jobs, std::move(refused)};
        return cli::find_serving_startd(ctx, jobs);
    }
    static FakeStartd::Answer says(std::optional<std::string> id) {
        return [id](const control::Request&) {
            json v = {{"version", "0.1.0"}, {"protocol", 1}, {"jobs_dir", "/somewhere"}};
            if (id) {
                v["jobs_dir_id"] = *id;
            }
            return v;
        };
    }
    test_support::TempDir dir;
    std::string jobs = dir / "jobs";
    std::string other = dir / "other";
    cli::Options options;
    control::EnvLookup env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
};

TEST_F(ServingStartdTest, NoStartdOnTheSocketIsNoStartdAndNothingToSay) {
    auto found = find();
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_FALSE(found->client.has_value());
    EXPECT_EQ(found->note, "");
}

TEST_F(ServingStartdTest, AStartdServingThisVeryDirectoryIsConnected) {
    FakeStartd startd(dir / "control", says(control::dir_identity(sys::real_sys(), jobs)));
    auto found = find();
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_TRUE(found->client.has_value());
    EXPECT_EQ(found->note, "");
}

TEST_F(ServingStartdTest, AStartdServingAnotherDirectoryIsNotAndTheNoteSaysWhichItServes) {
    FakeStartd startd(dir / "control", says(control::dir_identity(sys::real_sys(), other)));
    auto found = find();
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_FALSE(found->client.has_value());
    EXPECT_EQ(found->note,
              "the startd at " + (dir / "control") + " serves /somewhere, not " + jobs + ": it was not told");
}

TEST_F(ServingStartdTest, AStartdThatDoesNotSayIsNotUsed) {
    FakeStartd startd(dir / "control", says(std::nullopt));
    auto found = find();
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_FALSE(found->client.has_value());
    EXPECT_NE(found->note.find("does not say which jobs dir it serves"), std::string::npos) << found->note;
}

TEST_F(ServingStartdTest, AnUnsafeSocketDirectoryIsAnErrorAndNothingIsSent) {
    FakeStartd startd(dir / "control", says(control::dir_identity(sys::real_sys(), jobs)));
    auto found = find("refusing to use runtime directory /run/startd: ...");
    ASSERT_FALSE(found.has_value());
    EXPECT_EQ(found.error().message(), "refusing to use runtime directory /run/startd: ...");
    EXPECT_TRUE(startd.requests().empty());
}

} // namespace
