// Tests the `timer every` durations and the schedule texts TimerSpecs carry.
#include "core/timer_spec.h"

#include <gtest/gtest.h>

namespace {

std::string error_of(std::string_view text) {
    auto d = core::parse_duration(text);
    return d ? "(parsed)" : d.error().message();
}

TEST(TimerDuration, UnitsAndCombinations) {
    EXPECT_EQ(*core::parse_duration("30s"), 30);
    EXPECT_EQ(*core::parse_duration("5m"), 300);
    EXPECT_EQ(*core::parse_duration("1h"), 3600);
    EXPECT_EQ(*core::parse_duration("1h30m"), 5400);
    EXPECT_EQ(*core::parse_duration("2d"), 172800);
    EXPECT_EQ(*core::parse_duration("1d2h3m4s"), 93784);
    EXPECT_EQ(*core::parse_duration("90"), 90); // a lone number is seconds
}

TEST(TimerDuration, BadDurationsSayWhy) {
    const std::string help = " (a number of seconds, or numbers with units s, m, h, d: 30s, 5m, 1h30m, 2d)";
    EXPECT_EQ(error_of("0s"), "bad duration '0s': a timer interval must be more than zero" + help);
    EXPECT_EQ(error_of("0"), "bad duration '0': a timer interval must be more than zero" + help);
    EXPECT_EQ(error_of("5x"), "bad duration '5x': unknown unit 'x'" + help);
    EXPECT_EQ(error_of("1h30"), "bad duration '1h30': the last number has no unit" + help);
    EXPECT_EQ(error_of("m"), "bad duration 'm': expected a number at 'm'" + help);
    EXPECT_EQ(error_of("-5s"), "bad duration '-5s': expected a number at '-5s'" + help);
    EXPECT_EQ(error_of(""), "bad duration '': it is empty" + help);
    EXPECT_EQ(error_of("99999999999999999999s"),
              "bad duration '99999999999999999999s': longer than ten years" + help);
    EXPECT_EQ(error_of("4000d"), "bad duration '4000d': longer than ten years" + help);
}

TEST(TimerSpec, TextIsWhatTimerSays) {
    auto every = core::every_timer("1h30m");
    ASSERT_TRUE(every.has_value());
    EXPECT_EQ(every->text, "every 1h30m");
    EXPECT_EQ(every->kind, core::TimerKind::Every);
    EXPECT_EQ(every->interval, 5400);
    auto cron = core::cron_timer("0  3\t* *   *");
    ASSERT_TRUE(cron.has_value());
    EXPECT_EQ(cron->text, "cron 0 3 * * *");
    EXPECT_EQ(cron->kind, core::TimerKind::Cron);
    EXPECT_FALSE(core::cron_timer("0 3 * *").has_value());
}

} // namespace
