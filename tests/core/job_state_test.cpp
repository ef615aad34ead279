// Tests the lifecycle transition table cell by cell, and the Upstart spellings of states and goals.
#include "core/job_state.h"

#include <gtest/gtest.h>

namespace {

using core::JobGoal;
using core::JobState;
using core::MainAlive;
using core::next_state;
using S = JobState;

struct Cell {
    JobState state;
    JobGoal goal;
    MainAlive alive;
    std::optional<JobState> expected;
};

// Every (state, goal) pair, both ways for the main process where it matters.
const Cell all_cells[] = {
    {S::Waiting, JobGoal::Start, MainAlive::No, S::Starting},
    {S::Waiting, JobGoal::Stop, MainAlive::No, std::nullopt},
    {S::Waiting, JobGoal::Respawn, MainAlive::No, std::nullopt},
    {S::Starting, JobGoal::Start, MainAlive::No, S::Security},
    {S::Starting, JobGoal::Stop, MainAlive::No, S::Stopping},
    {S::Starting, JobGoal::Respawn, MainAlive::No, std::nullopt},
    {S::Security, JobGoal::Start, MainAlive::No, S::PreStart},
    {S::Security, JobGoal::Stop, MainAlive::No, S::Stopping},
    {S::Security, JobGoal::Respawn, MainAlive::No, std::nullopt},
    {S::PreStart, JobGoal::Start, MainAlive::No, S::Spawned},
    {S::PreStart, JobGoal::Stop, MainAlive::No, S::Stopping},
    {S::PreStart, JobGoal::Respawn, MainAlive::No, std::nullopt},
    {S::Spawned, JobGoal::Start, MainAlive::Yes, S::PostStart},
    {S::Spawned, JobGoal::Stop, MainAlive::Yes, S::Stopping},
    {S::Spawned, JobGoal::Respawn, MainAlive::Yes, std::nullopt},
    {S::PostStart, JobGoal::Start, MainAlive::Yes, S::Running},
    {S::PostStart, JobGoal::Stop, MainAlive::Yes, S::Stopping},
    {S::PostStart, JobGoal::Respawn, MainAlive::No, S::Stopping},
    {S::PostStart, JobGoal::Start, MainAlive::No, S::Stopping},  // main died, goal set back to start
    {S::Running, JobGoal::Start, MainAlive::No, S::Stopping},
    {S::Running, JobGoal::Stop, MainAlive::Yes, S::PreStop},
    {S::Running, JobGoal::Stop, MainAlive::No, S::Stopping},
    {S::Running, JobGoal::Respawn, MainAlive::No, S::Stopping},
    {S::PreStop, JobGoal::Start, MainAlive::Yes, S::Running},
    {S::PreStop, JobGoal::Stop, MainAlive::Yes, S::Stopping},
    {S::PreStop, JobGoal::Respawn, MainAlive::No, S::Stopping},
    {S::PreStop, JobGoal::Start, MainAlive::No, S::Stopping},    // main died, goal set back to start
    {S::Stopping, JobGoal::Start, MainAlive::Yes, S::Killed},
    {S::Stopping, JobGoal::Stop, MainAlive::Yes, S::Killed},
    {S::Stopping, JobGoal::Respawn, MainAlive::Yes, S::Killed},
    {S::Killed, JobGoal::Start, MainAlive::No, S::PostStop},
    {S::Killed, JobGoal::Stop, MainAlive::No, S::PostStop},
    {S::Killed, JobGoal::Respawn, MainAlive::No, S::PostStop},
    {S::PostStop, JobGoal::Start, MainAlive::No, S::Starting},
    {S::PostStop, JobGoal::Stop, MainAlive::No, S::Waiting},
    {S::PostStop, JobGoal::Respawn, MainAlive::No, S::Starting},
};

TEST(JobNextState, EveryCellOfTheTableMatchesUpstart) {
    int checked = 0;
    for (const Cell& cell : all_cells) {
        EXPECT_EQ(next_state(cell.state, cell.goal, cell.alive), cell.expected)
            << core::to_string(cell.state) << " with goal " << core::to_string(cell.goal);
        ++checked;
    }
    // Every (state, goal) pair once, plus the three that depend on the main process twice.
    EXPECT_EQ(checked, static_cast<int>(core::job_state_count * core::job_goal_count) + 3);
}

TEST(JobNextState, OnlyRunningWithStopAndHelpersWithStartDependOnTheMainProcess) {
    for (std::size_t s = 0; s < core::job_state_count; ++s) {
        for (std::size_t g = 0; g < core::job_goal_count; ++g) {
            auto state = static_cast<JobState>(s);
            auto goal = static_cast<JobGoal>(g);
            if ((state == S::Running && goal == JobGoal::Stop) ||
                ((state == S::PostStart || state == S::PreStop) && goal == JobGoal::Start)) {
                continue;
            }
            EXPECT_EQ(next_state(state, goal, MainAlive::Yes), next_state(state, goal, MainAlive::No))
                << core::to_string(state) << " with goal " << core::to_string(goal);
        }
    }
}

TEST(JobNextState, RespawnOrRestartFromRunningSkipsPreStop) {
    EXPECT_EQ(next_state(S::Running, JobGoal::Start, MainAlive::Yes), S::Stopping);
}

TEST(JobNextState, StopDuringPreStartSkipsTheMainProcess) {
    EXPECT_EQ(next_state(S::PreStart, JobGoal::Stop, MainAlive::No), S::Stopping);
}

TEST(JobNextState, StartDuringPreStopCancelsTheStop) {
    EXPECT_EQ(next_state(S::PreStop, JobGoal::Start, MainAlive::Yes), S::Running);
}

TEST(JobNextState, PostStopWithStartGoalLoopsToStartingWithoutWaiting) {
    EXPECT_EQ(next_state(S::PostStop, JobGoal::Start, MainAlive::No), S::Starting);
}

TEST(JobStateNames, RoundTripWithUpstartSpellings) {
    for (std::size_t s = 0; s < core::job_state_count; ++s) {
        auto state = static_cast<JobState>(s);
        EXPECT_EQ(core::job_state_from_string(core::to_string(state)), state);
    }
    EXPECT_EQ(core::to_string(S::PreStart), "pre-start");
    EXPECT_EQ(core::to_string(S::PostStop), "post-stop");
    EXPECT_EQ(core::job_state_from_string("pre-starting"), std::nullopt);
}

TEST(JobGoalNames, RoundTripWithUpstartSpellings) {
    for (std::size_t g = 0; g < core::job_goal_count; ++g) {
        auto goal = static_cast<JobGoal>(g);
        EXPECT_EQ(core::job_goal_from_string(core::to_string(goal)), goal);
    }
    EXPECT_EQ(core::job_goal_from_string("begin"), std::nullopt);
}

TEST(JobRestStates, AreWaitingAndRunningOnly) {
    for (std::size_t s = 0; s < core::job_state_count; ++s) {
        auto state = static_cast<JobState>(s);
        EXPECT_EQ(core::is_rest_state(state), state == S::Waiting || state == S::Running);
    }
}

TEST(JobNextState, JobWithoutMainProcessRunsAfterItsHooksAndStopsWithoutPreStop) {
    EXPECT_EQ(next_state(S::PostStart, JobGoal::Start, MainAlive::None), S::Running);
    EXPECT_EQ(next_state(S::PreStop, JobGoal::Start, MainAlive::None), S::Running);
    EXPECT_EQ(next_state(S::Running, JobGoal::Stop, MainAlive::None), S::Stopping);
}

} // namespace
