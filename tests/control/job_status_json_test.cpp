// Tests the JSON form of a job's status: a respawn waiting out its delay travels with its attempt,
// delay and time left, and a malformed one is refused.
#include "control/job_status_json.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

core::JobStatus waiting() {
    core::JobStatus s;
    s.job = "web";
    s.goal = core::JobGoal::Start;
    s.state = core::JobState::PostStop;
    s.respawn =
        core::JobStatus::RespawnWait{4, std::chrono::milliseconds(8000), std::chrono::milliseconds(7532)};
    return s;
}

TEST(JobStatusJson, ARespawnWaitingOutItsDelayCarriesAttemptDelayAndTimeLeft) {
    json j = control::status_to_json(waiting());
    EXPECT_EQ(j["respawn"], (json{{"attempt", 4}, {"delay_ms", 8000}, {"due_in_ms", 7532}}));
    auto back = control::status_from_json(j);
    ASSERT_TRUE(back.has_value()) << back.error().message();
    EXPECT_EQ(back->respawn, waiting().respawn);
}

TEST(JobStatusJson, WithoutARespawnPendingThereIsNoRespawnField) {
    core::JobStatus s = waiting();
    s.respawn.reset();
    json j = control::status_to_json(s);
    EXPECT_FALSE(j.contains("respawn"));
    auto back = control::status_from_json(j);
    ASSERT_TRUE(back.has_value());
    EXPECT_FALSE(back->respawn.has_value());
}

TEST(JobStatusJson, AMalformedRespawnIsRefused) {
    for (const json& bad :
         {json(4), json{{"attempt", 4}}, json{{"attempt", -1}, {"delay_ms", 0}, {"due_in_ms", 0}},
          json{{"attempt", 1}, {"delay_ms", "8 s"}, {"due_in_ms", 0}}}) {
        json j = control::status_to_json(waiting());
        j["respawn"] = bad;
        auto back = control::status_from_json(j);
        ASSERT_FALSE(back.has_value()) << bad.dump();
        EXPECT_EQ(back.error().message(), "malformed job status: respawn");
    }
}

} // namespace
