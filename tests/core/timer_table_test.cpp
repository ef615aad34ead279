// Tests TimerTable on hand-moved clocks: `every` on the monotonic clock, `cron` on the wall
// clock and across wall clock jumps, several schedules, manual, and what a successor makes of
// a predecessor's state (catch-up or skip, the same boot or not).
#include "config/parser.h"
#include "core/timer_table.h"
#include "support/zone_guard.h"

#include <gtest/gtest.h>

namespace {

using core::TimerFiring;
using core::TimerNow;
using core::TimerState;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

core::JobClass job(const std::string& name, const std::string& text) {
    auto parsed = config::parse_job(text, name + ".conf");
    EXPECT_TRUE(parsed.has_value()) << parsed.error().to_string();
    parsed->name = name;
    return *parsed;
}

// 2026-06-01 00:00:00 UTC.
constexpr std::int64_t june_first = 1780272000;

class TimerTableTest : public ::testing::Test {
  protected:
    // Both clocks move together, as they do unless the wall clock is set.
    void advance(core::Clock::duration by) {
        now.mono += by;
        now.wall += std::chrono::duration_cast<seconds>(by).count();
    }
    // Moves to the next wake-up and takes what is due there.
    std::vector<TimerFiring> wake() {
        auto at = table.next_wake(now);
        EXPECT_TRUE(at.has_value());
        if (at && *at > now.mono) {
            advance(*at - now.mono);
        }
        return table.take_due(now);
    }
    // Wakes until something fires (cron timers wake every minute to look at the wall clock).
    std::vector<TimerFiring> until_firing(int max_wakes = 100000) {
        for (int i = 0; i < max_wakes; ++i) {
            auto fired = wake();
            if (!fired.empty()) {
                return fired;
            }
        }
        ADD_FAILURE() << "nothing fired";
        return {};
    }

    test_support::ZoneGuard utc{"UTC"};
    core::TimerTable table;
    TimerNow now{core::Clock::time_point(hours(1)), june_first};
};

TEST_F(TimerTableTest, EveryFiresOneIntervalAfterItIsArmedThenEachInterval) {
    EXPECT_TRUE(table.set_job(job("tick", "timer every 30s\nexec true\n"), now));
    EXPECT_EQ(table.next_wake(now), now.mono + seconds(30));
    advance(seconds(29));
    EXPECT_TRUE(table.take_due(now).empty());
    advance(seconds(1));
    EXPECT_EQ(table.take_due(now), (std::vector<TimerFiring>{{"tick", "every 30s", june_first + 30}}));
    EXPECT_EQ(table.next_wake(now), now.mono + seconds(30));
    EXPECT_EQ(table.next_firing("tick", now), june_first + 60);
}

TEST_F(TimerTableTest, EveryIsNotMovedByTheWallClock) {
    table.set_job(job("tick", "timer every 1m\nexec true\n"), now);
    now.wall += 3 * 3600; // the clock is set three hours forward: nothing fires
    EXPECT_TRUE(table.take_due(now).empty());
    now.wall -= 6 * 3600; // and back: still due one minute after it was armed
    EXPECT_EQ(table.next_wake(now), core::Clock::time_point(hours(1) + minutes(1)));
}

TEST_F(TimerTableTest, EveryDueManyTimesOverFiresOnce) {
    table.set_job(job("tick", "timer every 10s\nexec true\n"), now);
    advance(seconds(95)); // a stall
    EXPECT_EQ(table.take_due(now).size(), 1u);
    EXPECT_EQ(table.next_wake(now), now.mono + seconds(10));
}

TEST_F(TimerTableTest, CronFiresAtItsWallClockTimesAndWakesEveryMinuteToLook) {
    table.set_job(job("backup", "timer cron 30 3 * * *\nexec backup\n"), now);
    EXPECT_EQ(table.next_wake(now), now.mono + core::TimerTable::wall_check);
    EXPECT_EQ(table.next_firing("backup", now), june_first + 3 * 3600 + 1800);
    auto fired = until_firing();
    EXPECT_EQ(fired, (std::vector<TimerFiring>{{"backup", "cron 30 3 * * *", june_first + 3 * 3600 + 1800}}));
    EXPECT_EQ(table.next_firing("backup", now), june_first + 86400 + 3 * 3600 + 1800);
}

TEST_F(TimerTableTest, AWallClockJumpForwardFiresThePassedTimeOnce) {
    table.set_job(job("backup", "timer cron 30 3 * * *\nexec backup\n"), now);
    now.wall += 10 * 3600; // set forward past 03:30 (and nothing else of the day)
    EXPECT_EQ(table.take_due(now).size(), 1u);
    EXPECT_TRUE(table.take_due(now).empty());
    EXPECT_EQ(table.next_firing("backup", now), june_first + 86400 + 3 * 3600 + 1800);
}

TEST_F(TimerTableTest, AWallClockJumpBackIsRecomputedAndDoesNotRepeatAFiring) {
    table.set_job(job("hourly", "timer cron 0 * * * *\nexec true\n"), now);
    advance(hours(5)); // 05:00
    EXPECT_EQ(table.take_due(now).size(), 1u);
    EXPECT_EQ(table.next_firing("hourly", now), june_first + 6 * 3600);
    now.wall -= 2 * 3600 + 1800; // set back to 02:30: 03:00, 04:00 and 05:00 fired already
    EXPECT_TRUE(table.take_due(now).empty());
    EXPECT_EQ(table.next_firing("hourly", now), june_first + 6 * 3600);
    // A day back is more than cron's three hours: the times come again.
    now.wall -= 86400;
    EXPECT_TRUE(table.take_due(now).empty());
    EXPECT_EQ(table.next_firing("hourly", now), june_first - 86400 + 3 * 3600);
}

TEST_F(TimerTableTest, SchedulesAccumulateAndAChangedJobKeepsWhatItStillHas) {
    table.set_job(job("j", "timer every 1m\ntimer every 7m\nexec true\n"), now);
    advance(minutes(7));
    auto fired = table.take_due(now);
    ASSERT_EQ(fired.size(), 2u);
    EXPECT_EQ(fired[0].timer, "every 1m");
    EXPECT_EQ(fired[1].timer, "every 7m");
    advance(seconds(30));
    // Reloaded: `every 1m` stays due at 8m, `every 7m` is gone, `every 1h` is new.
    EXPECT_TRUE(table.set_job(job("j", "timer every 1m\ntimer every 1h\nexec true\n"), now));
    EXPECT_FALSE(table.set_job(job("j", "timer every 1m\ntimer every 1h\nexec true\n"), now));
    EXPECT_EQ(table.next_wake(now), now.mono + seconds(30));
    EXPECT_EQ(table.states().size(), 2u);
}

TEST_F(TimerTableTest, ManualAndRemovedJobsHaveNoTimers) {
    EXPECT_FALSE(table.set_job(job("m", "manual\ntimer every 1m\nexec true\n"), now));
    EXPECT_TRUE(table.empty());
    table.set_job(job("j", "timer every 1m\nexec true\n"), now);
    EXPECT_TRUE(
        table.set_job(job("j", "timer every 1m\nmanual\nexec true\n"), now)); // an override says manual
    EXPECT_TRUE(table.empty());
    table.set_job(job("j", "timer every 1m\nexec true\n"), now);
    EXPECT_TRUE(table.remove_job("j"));
    EXPECT_EQ(table.next_wake(now), std::nullopt);
}

TEST_F(TimerTableTest, SameBootStateKeepsTheDueTimeAndCatchUpFiresAMissedOneOnce) {
    table.set_job(job("j", "timer every 10m\ntimer missed catch-up\nexec true\n"), now);
    std::vector<TimerState> saved = table.states();
    ASSERT_EQ(saved.size(), 1u);
    EXPECT_EQ(saved[0].due_ns, std::chrono::nanoseconds(now.mono.time_since_epoch() + minutes(10)).count());
    // A successor 3 minutes later: due 7 minutes from now, as before.
    advance(minutes(3));
    core::TimerTable successor;
    successor.remember(saved, true);
    successor.set_job(job("j", "timer every 10m\ntimer missed catch-up\nexec true\n"), now);
    EXPECT_EQ(successor.next_wake(now), now.mono + minutes(7));
    // One 25 minutes later (two firings missed): one now, then on the old rhythm.
    advance(minutes(22));
    core::TimerTable late;
    late.remember(saved, true);
    late.set_job(job("j", "timer every 10m\ntimer missed catch-up\nexec true\n"), now);
    EXPECT_EQ(late.next_wake(now), now.mono);
    EXPECT_EQ(late.take_due(now).size(), 1u);
    EXPECT_EQ(late.next_wake(now), core::Clock::time_point(hours(1) + minutes(30)));
}

TEST_F(TimerTableTest, SkipLetsMissedFiringsGo) {
    table.set_job(job("j", "timer every 10m\nexec true\n"), now);
    std::vector<TimerState> saved = table.states();
    advance(minutes(25));
    core::TimerTable successor;
    successor.remember(saved, true);
    successor.set_job(job("j", "timer every 10m\nexec true\n"), now);
    EXPECT_TRUE(successor.take_due(now).empty());
    EXPECT_EQ(successor.next_wake(now), core::Clock::time_point(hours(1) + minutes(30)));
}

TEST_F(TimerTableTest, AfterARebootCatchUpLooksAtTheLastFiring) {
    // The state file keeps only the last firing (wall clock): 02:00 on June 1st.
    std::vector<TimerState> saved = {{"backup", "cron 30 3 * * *", june_first + 2 * 3600, 0},
                                     {"tick", "every 1h", june_first + 2 * 3600, 0}};
    now.wall = june_first + 5 * 3600; // started again at 05:00: 03:30 and 03:00 were missed
    core::TimerTable catch_up;
    catch_up.remember(saved, false);
    catch_up.set_job(job("backup", "timer cron 30 3 * * *\ntimer missed catch-up\nexec b\n"), now);
    catch_up.set_job(job("tick", "timer every 1h\ntimer missed catch-up\nexec t\n"), now);
    auto fired = catch_up.take_due(now);
    ASSERT_EQ(fired.size(), 2u);
    EXPECT_EQ(fired[0].job, "backup");
    EXPECT_EQ(fired[1].job, "tick");
    EXPECT_EQ(catch_up.next_firing("backup", now), june_first + 86400 + 3 * 3600 + 1800);
    EXPECT_EQ(catch_up.next_wake(now),
              std::min(now.mono + hours(1), now.mono + core::TimerTable::wall_check));
    // Without catch-up (the default), nothing runs at start.
    core::TimerTable skip;
    skip.remember(saved, false);
    skip.set_job(job("backup", "timer cron 30 3 * * *\nexec b\n"), now);
    skip.set_job(job("tick", "timer every 1h\nexec t\n"), now);
    EXPECT_TRUE(skip.take_due(now).empty());
    // Nothing missed (the last firing was after the last due time): nothing runs either.
    core::TimerTable recent;
    recent.remember({{"backup", "cron 30 3 * * *", june_first + 4 * 3600, 0}}, false);
    recent.set_job(job("backup", "timer cron 30 3 * * *\ntimer missed catch-up\nexec b\n"), now);
    EXPECT_TRUE(recent.take_due(now).empty());
}

} // namespace
