// Tests duration_text: each unit from milliseconds to days, rounded down (tenths below 10 s).
#include "base/duration_text.h"

#include <gtest/gtest.h>

namespace {

using std::chrono::milliseconds;

TEST(DurationText, PicksTheLargestUnitThatReadsWell) {
    EXPECT_EQ(base::duration_text(milliseconds(250)), "250 ms");
    EXPECT_EQ(base::duration_text(milliseconds(2'849)), "2.8 s");
    EXPECT_EQ(base::duration_text(milliseconds(2'050)), "2 s");
    EXPECT_EQ(base::duration_text(milliseconds(9'999)), "9.9 s");
    EXPECT_EQ(base::duration_text(milliseconds(12'900)), "12 s");
    EXPECT_EQ(base::duration_text(milliseconds(5 * 60'000)), "5 min");
    EXPECT_EQ(base::duration_text(milliseconds(3 * 3'600'000)), "3 h");
    EXPECT_EQ(base::duration_text(milliseconds(3LL * 86'400'000)), "3 d");
    EXPECT_EQ(base::duration_text(milliseconds(-5)), "0 ms");
}

} // namespace
