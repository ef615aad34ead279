// Tests EventHistory: the last emission and count per event name, and its bound (the name
// emitted longest ago goes first).
#include "core/event_history.h"

#include <gtest/gtest.h>

namespace {

core::Clock::time_point at(int seconds) {
    return core::Clock::time_point(std::chrono::seconds(seconds));
}

TEST(EventHistory, KeepsTheLastEmissionAndCountOfEachName) {
    core::EventHistory h;
    h.record("startup", at(1));
    h.record("startup", at(5));
    auto seen = h.find("startup");
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(seen->first, at(1));
    EXPECT_EQ(seen->last, at(5));
    EXPECT_EQ(seen->count, 2u);
    EXPECT_FALSE(h.find("other").has_value());
}

TEST(EventHistory, PastItsBoundTheNameEmittedLongestAgoIsForgotten) {
    core::EventHistory h;
    for (std::size_t i = 0; i < core::EventHistory::max_names; ++i) {
        h.record("e" + std::to_string(i), at(static_cast<int>(i) + 10));
    }
    h.record("e0", at(5000)); // e0 is recent again: e1 is now the oldest
    h.record("new", at(6000));
    EXPECT_EQ(h.size(), core::EventHistory::max_names);
    EXPECT_EQ(h.forgotten(), 1u);
    EXPECT_TRUE(h.find("e0").has_value());
    EXPECT_FALSE(h.find("e1").has_value());
    EXPECT_TRUE(h.find("new").has_value());
}

} // namespace
