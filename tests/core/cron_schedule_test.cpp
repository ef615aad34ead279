// Tests cron schedules: parsing the five fields (lists, ranges, steps, names, errors), the
// DOM/DOW rule, and the next firing time across month ends, leap years and DST changes.
#include "core/cron_schedule.h"
#include "support/zone_guard.h"

#include <ctime>
#include <gtest/gtest.h>
#include <optional>
#include <string>

namespace {

using core::cron_next_after;
using core::CronSchedule;
using core::parse_cron;
using test_support::have_zone;
using test_support::ZoneGuard;

// A local time in the current TZ ("2026-03-29 01:59"), with DST left to mktime.
std::time_t local(int y, int mo, int d, int h, int mi, int isdst = -1) {
    std::tm t{};
    t.tm_year = y - 1900;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    t.tm_hour = h;
    t.tm_min = mi;
    t.tm_isdst = isdst;
    return std::mktime(&t);
}

// "YYYY-MM-DD HH:MM ZONE" of `t` in the current TZ.
std::string show(std::optional<std::time_t> t) {
    if (!t) {
        return "never";
    }
    std::tm tm{};
    localtime_r(&*t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %Z", &tm);
    return buf;
}

std::optional<std::time_t> next(const std::string& fields, std::time_t after) {
    auto cron = parse_cron(fields);
    EXPECT_TRUE(cron.has_value()) << fields << ": " << (cron ? "" : cron.error().message());
    return cron ? cron_next_after(*cron, after) : std::nullopt;
}

std::string error_of(const std::string& fields) {
    auto cron = parse_cron(fields);
    return cron ? std::string("(parsed)") : cron.error().message();
}

TEST(CronParse, StarsListsRangesStepsAndNames) {
    auto cron = parse_cron("*/15 9-17/4 1,15 jan-mar,DEC mon-fri");
    ASSERT_TRUE(cron.has_value()) << cron.error().message();
    EXPECT_EQ(cron->minutes, (1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45));
    EXPECT_EQ(cron->hours, (1U << 9) | (1U << 13) | (1U << 17));
    EXPECT_EQ(cron->days, (1U << 1) | (1U << 15));
    EXPECT_EQ(cron->months, (1U << 1) | (1U << 2) | (1U << 3) | (1U << 12));
    EXPECT_EQ(cron->weekdays, 0b0111110);
    EXPECT_FALSE(cron->days_star);
    EXPECT_FALSE(cron->weekdays_star);
}

TEST(CronParse, SevenIsSundayAndAStepFromAValueRunsToTheEnd) {
    auto cron = parse_cron("5/20 0 * * 7");
    ASSERT_TRUE(cron.has_value());
    EXPECT_EQ(cron->minutes, (1ULL << 5) | (1ULL << 25) | (1ULL << 45));
    EXPECT_EQ(cron->weekdays, 1U);
    EXPECT_TRUE(cron->days_star);
    EXPECT_FALSE(cron->weekdays_star);
}

TEST(CronParse, ErrorsNameTheFieldAndWhatIsWrong) {
    EXPECT_EQ(error_of("0 24 * * *"), "hour 24 is out of range 0-23");
    EXPECT_EQ(error_of("60 * * * *"), "minute 60 is out of range 0-59");
    EXPECT_EQ(error_of("0 0 0 * *"), "day-of-month 0 is out of range 1-31");
    EXPECT_EQ(error_of("0 0 * 13 *"), "month 13 is out of range 1-12");
    EXPECT_EQ(error_of("0 0 * * 8"), "day-of-week 8 is out of range 0-7");
    EXPECT_EQ(error_of("0 0 * foo *"), "month 'foo' is not a number or a name");
    EXPECT_EQ(error_of("0 0 * * *"), "(parsed)");
    EXPECT_EQ(error_of("0 5-3 * * *"), "hour range 5-3 runs backwards");
    EXPECT_EQ(error_of("*/0 * * * *"), "minute step '0' is not a number from 1 to 60");
    EXPECT_EQ(error_of("1,,2 * * * *"), "empty minute in ''");
    EXPECT_EQ(error_of("0 0 * *"),
              "a cron schedule has five fields (minute hour day-of-month month day-of-week), found 4");
    EXPECT_EQ(error_of("0 0 31 feb,apr *"), "day-of-month 31 never occurs in month feb,apr");
    EXPECT_EQ(error_of("0 0 30 2 *"), "day-of-month 30 never occurs in month 2");
    EXPECT_EQ(error_of("0 0 29 2 *"), "(parsed)"); // leap years have it
}

TEST(CronNext, EveryFieldAndMonthEnds) {
    ZoneGuard utc("UTC");
    EXPECT_EQ(show(next("* * * * *", local(2026, 1, 31, 23, 59))), "2026-02-01 00:00 UTC");
    EXPECT_EQ(show(next("30 3 * * *", local(2026, 1, 31, 3, 30))), "2026-02-01 03:30 UTC");
    EXPECT_EQ(show(next("0 0 31 * *", local(2026, 1, 31, 0, 0))),
              "2026-03-31 00:00 UTC"); // not February, not April
    EXPECT_EQ(show(next("0 12 * * *", local(2026, 12, 31, 12, 0))), "2027-01-01 12:00 UTC");
    // Seconds past the minute: the next whole minute that matches.
    EXPECT_EQ(show(next("*/5 * * * *", local(2026, 6, 1, 10, 2) + 30)), "2026-06-01 10:05 UTC");
}

TEST(CronNext, LeapYears) {
    ZoneGuard utc("UTC");
    EXPECT_EQ(show(next("0 0 29 feb *", local(2026, 3, 1, 0, 0))), "2028-02-29 00:00 UTC");
    EXPECT_EQ(show(next("0 0 29 feb *", local(2096, 3, 1, 0, 0))),
              "2104-02-29 00:00 UTC"); // 2100 is not leap
}

TEST(CronNext, DayOfMonthAndDayOfWeekFollowCronsRule) {
    ZoneGuard utc("UTC");
    // Both restricted: either matches. 2026-06-01 is a Monday; the 13th is a Saturday.
    EXPECT_EQ(show(next("0 0 13 * fri", local(2026, 6, 1, 0, 0))), "2026-06-05 00:00 UTC");
    EXPECT_EQ(show(next("0 0 13 * fri", local(2026, 6, 12, 0, 0))), "2026-06-13 00:00 UTC");
    // The day of week a `*` (or `*/N`): only the day of month counts, and the other way round.
    EXPECT_EQ(show(next("0 0 13 * *", local(2026, 6, 1, 0, 0))), "2026-06-13 00:00 UTC");
    EXPECT_EQ(show(next("0 0 * * fri", local(2026, 6, 1, 0, 0))), "2026-06-05 00:00 UTC");
    EXPECT_EQ(show(next("0 0 */2 * fri", local(2026, 6, 1, 0, 0))),
              "2026-06-05 00:00 UTC"); // odd days and Fridays: 5th
    EXPECT_EQ(show(next("0 0 */2 * fri", local(2026, 6, 5, 0, 0))), "2026-06-19 00:00 UTC");
    // Friday the 13th needs both: not cron (that takes either). 2026-11-13 is a Friday.
    EXPECT_TRUE(core::cron_matches_day(*parse_cron("0 0 13 * *"), 2026, 11, 13));
    EXPECT_FALSE(core::cron_matches_day(*parse_cron("0 0 13 * *"), 2026, 11, 14));
}

TEST(CronNext, SpringForwardRunsASkippedTimeOnceAtTheJump) {
    if (!have_zone("Europe/Berlin")) {
        GTEST_SKIP() << "tzdata (Europe/Berlin) is not installed";
    }
    ZoneGuard berlin("Europe/Berlin");
    // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
    auto first = next("30 2 * * *", local(2026, 3, 29, 1, 0));
    EXPECT_EQ(show(first), "2026-03-29 03:00 CEST");
    EXPECT_EQ(show(next("30 2 * * *", *first)), "2026-03-30 02:30 CEST"); // once, then as usual
    // A job every 15 minutes of the skipped hour: one run at the jump, not four.
    auto jump = next("*/15 2 * * *", local(2026, 3, 29, 1, 59));
    EXPECT_EQ(show(jump), "2026-03-29 03:00 CEST");
    EXPECT_EQ(show(next("*/15 2 * * *", *jump)), "2026-03-30 02:00 CEST");
    // Times outside the gap move as the clock does: 01:59 CET then 03:00 CEST, one minute later.
    EXPECT_EQ(*next("* * * * *", local(2026, 3, 29, 1, 59)) - local(2026, 3, 29, 1, 59), 60);
}

TEST(CronNext, FallBackRunsARepeatedTimeOnce) {
    if (!have_zone("Europe/Berlin")) {
        GTEST_SKIP() << "tzdata (Europe/Berlin) is not installed";
    }
    ZoneGuard berlin("Europe/Berlin");
    // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
    auto first = next("30 2 * * *", local(2026, 10, 25, 1, 0));
    EXPECT_EQ(show(first), "2026-10-25 02:30 CEST");
    auto second = next("30 2 * * *", *first);
    EXPECT_EQ(show(second), "2026-10-26 02:30 CET"); // not 02:30 CET the same day
    // Asked during the repeated hour's second pass: that pass does not fire again.
    std::time_t in_second_pass = local(2026, 10, 25, 2, 10, 0); // 02:10 CET
    EXPECT_EQ(show(next("30 2 * * *", in_second_pass)), "2026-10-26 02:30 CET");
}

TEST(CronNext, NewYorkDstChanges) {
    if (!have_zone("America/New_York")) {
        GTEST_SKIP() << "tzdata (America/New_York) is not installed";
    }
    ZoneGuard ny("America/New_York");
    // 2026-03-08: 02:00 EST becomes 03:00 EDT. 2026-11-01: 02:00 EDT becomes 01:00 EST.
    EXPECT_EQ(show(next("15 2 * * *", local(2026, 3, 8, 0, 0))), "2026-03-08 03:00 EDT");
    auto fall = next("30 1 * * *", local(2026, 11, 1, 0, 0));
    EXPECT_EQ(show(fall), "2026-11-01 01:30 EDT");
    EXPECT_EQ(show(next("30 1 * * *", *fall)), "2026-11-02 01:30 EST");
    // An every-day-at-midnight job is unaffected: 24 and 23 and 25 hour days alike.
    EXPECT_EQ(show(next("0 0 * * *", local(2026, 3, 8, 0, 0))), "2026-03-09 00:00 EDT");
}

} // namespace
