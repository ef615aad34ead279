// Tests the `timer` stanza: every, cron (quoted or not), missed, repeats, and the errors of bad
// schedules, which name the line and column and say what is wrong.
#include "parse_helpers.h"

namespace {

using config_test::error_of;
using config_test::parse_ok;

std::string detail_of(std::string_view text) {
    auto job = config::parse_job(text, "test.conf");
    return job ? "parsed" : job.error().to_string();
}

TEST(TimerStanza, SchedulesAccumulateAndMissedIsRemembered) {
    core::JobClass job =
        parse_ok("timer every 1h30m\ntimer cron */15 9-17 * * mon-fri\ntimer missed catch-up\n"
                 "timer every 1h30m\nexec backup\n");
    ASSERT_EQ(job.timers.size(), 2u); // the same schedule twice is one timer
    EXPECT_EQ(job.timers[0].text, "every 1h30m");
    EXPECT_EQ(job.timers[0].interval, 5400);
    EXPECT_EQ(job.timers[1].text, "cron */15 9-17 * * mon-fri");
    EXPECT_EQ(job.timers[1].kind, core::TimerKind::Cron);
    EXPECT_TRUE(job.timer_catch_up);
    EXPECT_FALSE(parse_ok("timer every 5m\ntimer missed catch-up\ntimer missed skip\n").timer_catch_up);
    EXPECT_FALSE(parse_ok("exec x\n").timer_catch_up);
}

TEST(TimerStanza, CronFieldsMayBeQuotedAndCommentsEndTheLine) {
    core::JobClass job = parse_ok("timer cron \"0\" 3 * * * # nightly\n");
    ASSERT_EQ(job.timers.size(), 1u);
    EXPECT_EQ(job.timers[0].text, "cron 0 3 * * *");
}

TEST(TimerStanza, BadSchedulesAreClearErrors) {
    EXPECT_EQ(error_of("timer every 0s\n"), "1:13 Illegal timer schedule");
    EXPECT_EQ(
        detail_of("timer every 0s\n"),
        "test.conf:1:13: Illegal timer schedule: bad duration '0s': a timer interval must be more than zero "
        "(a number of seconds, or numbers with units s, m, h, d: 30s, 5m, 1h30m, 2d)");
    EXPECT_EQ(detail_of("timer every 5x\n"), "test.conf:1:13: Illegal timer schedule: bad duration '5x': "
                                             "unknown unit 'x' (a number of seconds, or "
                                             "numbers with units s, m, h, d: 30s, 5m, 1h30m, 2d)");
    EXPECT_EQ(detail_of("timer cron 0 24 * * *\n"),
              "test.conf:1:12: Illegal timer schedule: hour 24 is out of range 0-23");
    EXPECT_EQ(error_of("timer cron 0 3 * *\n"), "1:19 Expected token");
    EXPECT_EQ(error_of("timer cron 0 3 * * * *\n"), "1:22 Unexpected token");
    EXPECT_EQ(error_of("timer\n"), "1:6 Expected token");
    EXPECT_EQ(error_of("timer hourly\n"), "1:7 Unknown stanza");
    EXPECT_EQ(error_of("timer every\n"), "1:12 Expected token");
    EXPECT_EQ(
        detail_of("timer missed maybe\n"),
        "test.conf:1:14: Illegal timer schedule: expected 'catch-up' or 'skip' after 'timer missed', found "
        "'maybe'");
}

} // namespace
