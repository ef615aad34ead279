// Tests the respawn delay's arithmetic: the nominal delay of each attempt (MIN doubling to MAX)
// and the jitter's bounds ([d/2, d]).
#include "core/respawn_delay.h"

#include <gtest/gtest.h>
#include <random>

namespace {

using std::chrono::milliseconds;

core::JobClass with_delay(std::uint32_t min_ms, std::uint32_t max_ms) {
    core::JobClass cls;
    cls.respawn_delay_min_ms = min_ms;
    cls.respawn_delay_max_ms = max_ms;
    return cls;
}

TEST(NominalRespawnDelay, DoublesFromMinAndStopsAtMax) {
    core::JobClass cls = with_delay(1000, 60'000);
    EXPECT_EQ(core::nominal_respawn_delay(cls, 1), milliseconds(1000));
    EXPECT_EQ(core::nominal_respawn_delay(cls, 2), milliseconds(2000));
    EXPECT_EQ(core::nominal_respawn_delay(cls, 3), milliseconds(4000));
    EXPECT_EQ(core::nominal_respawn_delay(cls, 6), milliseconds(32'000));
    EXPECT_EQ(core::nominal_respawn_delay(cls, 7), milliseconds(60'000)) << "64 s capped at 60";
    EXPECT_EQ(core::nominal_respawn_delay(cls, 65'535), milliseconds(60'000)) << "no overflow however many";
}

TEST(NominalRespawnDelay, IsZeroWithoutTheStanzaOrBeforeTheFirstAttempt) {
    EXPECT_EQ(core::nominal_respawn_delay(core::JobClass{}, 3), milliseconds(0));
    EXPECT_EQ(core::nominal_respawn_delay(with_delay(1000, 2000), 0), milliseconds(0));
}

TEST(NominalRespawnDelay, TheLargestBoundsDoNotOverflow) {
    core::JobClass cls = with_delay(1, 86'400'000);
    EXPECT_EQ(core::nominal_respawn_delay(cls, 27), milliseconds(1 << 26));
    EXPECT_EQ(core::nominal_respawn_delay(cls, 28), milliseconds(86'400'000));
    EXPECT_EQ(core::nominal_respawn_delay(cls, 1000), milliseconds(86'400'000));
}

TEST(JitteredRespawnDelay, SpansHalfTheDelayToTheWholeOfIt) {
    EXPECT_EQ(core::jittered_respawn_delay(milliseconds(1000), 0), milliseconds(500));
    EXPECT_EQ(core::jittered_respawn_delay(milliseconds(1000), 500), milliseconds(1000));
    EXPECT_EQ(core::jittered_respawn_delay(milliseconds(1000), 501), milliseconds(500)) << "wraps round";
    EXPECT_EQ(core::jittered_respawn_delay(milliseconds(1), 12345), milliseconds(1)) << "1 ms stays 1 ms";
    EXPECT_EQ(core::jittered_respawn_delay(milliseconds(0), 7), milliseconds(0));
}

TEST(JitteredRespawnDelay, ManyDrawsStayInBoundsAndSpreadOverThem) {
    std::mt19937_64 random(42);
    milliseconds least(1'000'000);
    milliseconds most(0);
    for (int i = 0; i < 10'000; ++i) {
        milliseconds d = core::jittered_respawn_delay(milliseconds(4000), random());
        ASSERT_GE(d, milliseconds(2000));
        ASSERT_LE(d, milliseconds(4000));
        least = std::min(least, d);
        most = std::max(most, d);
    }
    EXPECT_LT(least, milliseconds(2050));
    EXPECT_GT(most, milliseconds(3950));
}

} // namespace
