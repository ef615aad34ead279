// Tests StateHistory: changes come back oldest first with their names; the start-up part is
// kept whole, later changes in a ring whose overwritten ones are counted; the name table drops
// names no kept change refers to.
#include "core/state_history.h"

#include <gtest/gtest.h>

namespace {

using core::JobGoal;
using core::JobState;
using core::StateHistory;

core::Clock::time_point at(std::size_t ms) {
    return core::Clock::time_point(std::chrono::milliseconds(static_cast<long long>(ms)));
}

TEST(StateHistory, ChangesComeBackOldestFirstWithTheirNames) {
    StateHistory h;
    h.record(at(1), "web", "", JobState::Starting, JobGoal::Start, false);
    h.record(at(2), "getty", "tty1", JobState::Starting, JobGoal::Start, false);
    h.record(at(3), "web", "", JobState::Running, JobGoal::Start, true);
    auto e = h.entries();
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].job, "web");
    EXPECT_EQ(e[0].instance, "");
    EXPECT_EQ(e[1].job, "getty");
    EXPECT_EQ(e[1].instance, "tty1");
    EXPECT_EQ(e[2].state, JobState::Running);
    EXPECT_TRUE(e[2].failed);
    EXPECT_EQ(e[2].at, at(3));
}

TEST(StateHistory, KeepsTheStartUpAndTheLatestChanges) {
    StateHistory h;
    std::size_t total = StateHistory::boot_cap + StateHistory::recent_cap + 100;
    for (std::size_t i = 0; i < total; ++i) {
        h.record(at(i), "job", "", JobState::Running, JobGoal::Start, false);
    }
    auto e = h.entries();
    ASSERT_EQ(e.size(), StateHistory::boot_cap + StateHistory::recent_cap);
    EXPECT_EQ(h.dropped(), 100u);
    EXPECT_EQ(e.front().at, at(0));
    EXPECT_EQ(e[StateHistory::boot_cap - 1].at, at(StateHistory::boot_cap - 1));
    EXPECT_EQ(e[StateHistory::boot_cap].at, at(StateHistory::boot_cap + 100)); // the oldest kept of the ring
    EXPECT_EQ(e.back().at, at(total - 1));
}

TEST(StateHistory, NamesOfChangesNoLongerKeptAreDropped) {
    StateHistory h;
    std::size_t total = StateHistory::max_names + StateHistory::boot_cap + StateHistory::recent_cap;
    for (std::size_t i = 0; i < total; ++i) {
        h.record(at(i), "job", std::to_string(i), JobState::Running, JobGoal::Start, false);
    }
    auto e = h.entries();
    EXPECT_EQ(e.front().instance, "0");
    EXPECT_EQ(e.back().instance, std::to_string(total - 1));
    EXPECT_EQ(e[StateHistory::boot_cap].instance, std::to_string(total - StateHistory::recent_cap));
}

} // namespace
