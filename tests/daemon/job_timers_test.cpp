// Tests job timers in the running daemon over the fake kernel: `every` on the fake monotonic
// clock, `cron` on the fake wall clock across a jump, no second start of a running job (logged),
// catch-up and skip from the timer state file (and a corrupt one), and the firing state carried
// through the state journal to a successor.
#include "daemon/state_journal.h"
#include "daemon/supervisor_fixture.h"
#include "daemon/timer_state_file.h"
#include "support/zone_guard.h"

#include <unistd.h>

namespace {

using namespace std::chrono_literals;

constexpr const char* this_boot = "5f3c2a1e-7b9d-4c8e-a6f0-1d2e3c4b5a69";
constexpr const char* state_file = "/var/lib/startd/timers";
// 2026-06-01 00:00:00 UTC.
constexpr std::int64_t june_first = 1780272000;

class JobTimersTest : public SupervisorTest {
  protected:
    JobTimersTest() {
        sys.add_dir("/run/startd", 0700);
        sys.add_file("/proc/sys/kernel/random/boot_id", std::string(this_boot) + "\n", 0444);
        sys.set_wall_clock(std::chrono::system_clock::time_point(std::chrono::seconds(june_first)));
        settings.timer_state_file = state_file;
    }

    std::string startd_log() { return sys.written(STDERR_FILENO); }
    // Moves both clocks by `by`, a second at a time, letting the loop run at each step.
    void pass(std::chrono::seconds by) {
        for (auto s = 0s; s < by; ++s) {
            sys.advance(1s);
            settle();
        }
    }
    // Spawns of `file` so far.
    std::size_t runs(const std::string& file) const {
        std::size_t n = 0;
        for (const sys::SpawnPlan& p : sys.spawn_attempts()) {
            n += p.file == file ? 1 : 0;
        }
        return n;
    }
    // Simulates a crash: the Supervisor goes without stopping anything (its journal stays).
    void crash() {
        supervisor.reset();
        loop.reset();
    }

    test_support::ZoneGuard utc{"UTC"};
};

TEST_F(JobTimersTest, EveryStartsATaskEachInterval) {
    write_job("tick", "task\ntimer every 10s\nexec /bin/tick\n");
    ASSERT_TRUE(boot());
    pass(9s);
    EXPECT_EQ(runs("/bin/tick"), 0u);
    pass(1s);
    ASSERT_EQ(runs("/bin/tick"), 1u);
    sys.exit_process(main_pid("tick"), 0);
    settle();
    pass(10s);
    EXPECT_EQ(runs("/bin/tick"), 2u);
    const core::Job* j = job("tick");
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(core::env_get(j->env, "TIMER").value_or(""), "every 10s");
    EXPECT_EQ(core::env_get(j->env, "TIMER_FIRED").value_or(""), std::to_string(june_first + 20));
}

TEST_F(JobTimersTest, AJobStillRunningIsNotStartedAgainAndTheSkipIsLogged) {
    write_job("slow", "task\ntimer every 10s\nexec /bin/slow\n");
    ASSERT_TRUE(boot());
    pass(30s);
    EXPECT_EQ(runs("/bin/slow"), 1u);
    EXPECT_NE(startd_log().find("slow: timer fired while still running; skipped"), std::string::npos)
        << startd_log();
}

TEST_F(JobTimersTest, CronFollowsTheWallClockWhenItIsSet) {
    write_job("backup", "task\ntimer cron 30 3 * * *\nexec /bin/backup\n");
    ASSERT_TRUE(boot());
    pass(120s);
    EXPECT_EQ(runs("/bin/backup"), 0u);
    // Someone sets the clock to 03:29:30: the job runs at 03:30, not three and a half hours on.
    sys.jump_wall_clock(3h + 27min + 30s);
    pass(61s);
    EXPECT_EQ(runs("/bin/backup"), 1u);
    sys.exit_process(main_pid("backup"), 0);
    settle();
    // Set back to 03:00: 03:30 has run today and does not run again.
    sys.jump_wall_clock(-31min);
    pass(40min);
    EXPECT_EQ(runs("/bin/backup"), 1u);
}

TEST_F(JobTimersTest, AReloadArmsNewTimersAndDropsRemovedOnes) {
    write_job("a", "task\nexec /bin/a\n");
    ASSERT_TRUE(boot());
    write_job("a", "task\ntimer every 5s\nexec /bin/a\n");
    ASSERT_TRUE(request("reload-configuration"));
    pass(5s);
    EXPECT_EQ(runs("/bin/a"), 1u);
    sys.exit_process(main_pid("a"), 0);
    write_job("a", "task\nexec /bin/a\n");
    ASSERT_TRUE(request("reload-configuration"));
    pass(20s);
    EXPECT_EQ(runs("/bin/a"), 1u);
}

// A job file removed while its task runs: the class lives on until the task ends, but its timer
// neither starts it again nor emits `timer` events for it (a listener would see a job that is gone).
TEST_F(JobTimersTest, AJobRemovedWhileRunningFiresNoMoreTimerEvents) {
    write_job("slow", "task\ntimer every 10s\nexec /bin/slow\n");
    write_job("watch", "task\nstart on timer JOB=slow\nexec /bin/watch\n");
    ASSERT_TRUE(boot());
    pass(10s);
    ASSERT_EQ(runs("/bin/slow"), 1u);
    ASSERT_EQ(runs("/bin/watch"), 1u);
    sys.exit_process(main_pid("watch"), 0);
    ASSERT_TRUE(sys.unlink((std::string(jobs_dir) + "/slow.conf").c_str()));
    ASSERT_TRUE(request("reload-configuration"));
    pass(25s);
    EXPECT_EQ(runs("/bin/watch"), 1u) << startd_log();
    sys.exit_process(main_pid("slow"), 0);
    settle();
    EXPECT_EQ(job("slow"), nullptr);
    pass(25s);
    EXPECT_EQ(runs("/bin/slow"), 1u);
    EXPECT_EQ(runs("/bin/watch"), 1u) << startd_log();
}

TEST_F(JobTimersTest, CatchUpRunsAMissedFiringOnceAfterAStopAndSkipDoesNot) {
    // What a startd that ran until 02:00 left: both jobs last fired then.
    sys.add_file(state_file,
                 daemon_main::encode_timer_state({{"late", "every 1h", june_first - 3 * 3600, 0},
                                                  {"lax", "every 1h", june_first - 3 * 3600, 0}}));
    write_job("late", "task\ntimer every 1h\ntimer missed catch-up\nexec /bin/late\n");
    write_job("lax", "task\ntimer every 1h\nexec /bin/lax\n");
    ASSERT_TRUE(boot());
    pass(1s);
    EXPECT_EQ(runs("/bin/late"), 1u);
    EXPECT_EQ(runs("/bin/lax"), 0u);
    // The catch-up firing is written down at once (a crash now does not catch up again).
    auto kept = daemon_main::decode_timer_state(sys.file_content(state_file).value_or(""));
    ASSERT_TRUE(kept.has_value());
    ASSERT_EQ(kept->size(), 1u); // only catch-up jobs are kept
    EXPECT_EQ((*kept)[0].job, "late");
    EXPECT_GE((*kept)[0].last, june_first);
}

TEST_F(JobTimersTest, ACorruptStateFileIsReportedAndIgnored) {
    sys.add_file(state_file, "{\"version\":1,\"timers\":[{\"job\":3}]}\n");
    write_job("late", "task\ntimer every 1h\ntimer missed catch-up\nexec /bin/late\n");
    ASSERT_TRUE(boot());
    pass(2s);
    EXPECT_EQ(runs("/bin/late"), 0u);
    EXPECT_NE(startd_log().find("ignoring the timer state file /var/lib/startd/timers: a timer entry is not"),
              std::string::npos)
        << startd_log();
}

TEST_F(JobTimersTest, StatusAndListSayWhenTheTimerNextFires) {
    write_job("tick", "task\ntimer every 1h\ntimer cron 0 0 * * *\nexec /bin/tick\n");
    write_job("plain", "exec /bin/plain\n");
    ASSERT_TRUE(boot());
    auto status = request("status", {{"job", "tick"}});
    ASSERT_TRUE(status && status->ok);
    EXPECT_EQ(status->result["statuses"][0].value("next_timer", std::int64_t{0}), june_first + 3600);
    auto plain = request("status", {{"job", "plain"}});
    ASSERT_TRUE(plain && plain->ok);
    EXPECT_FALSE(plain->result["statuses"][0].contains("next_timer"));
    auto list = request("list");
    ASSERT_TRUE(list && list->ok);
    for (const auto& entry : list->result["jobs"]) {
        EXPECT_EQ(entry.contains("next_timer"), entry["job"] == "tick") << entry.dump();
    }
}

TEST_F(JobTimersTest, ASuccessorKeepsTheIntervalFromTheJournal) {
    write_job("tick", "task\ntimer every 10m\nexec /bin/tick\n");
    ASSERT_TRUE(boot());
    pass(180s);
    auto journal = daemon_main::read_journal_text(sys.file_content(journal_path).value_or(""));
    ASSERT_TRUE(journal.has_value()) << journal.error().message();
    ASSERT_EQ(journal->timers.size(), 1u);
    EXPECT_EQ(journal->timers[0].job, "tick");
    EXPECT_EQ(journal->timers[0].timer, "every 10m");
    crash();
    ASSERT_TRUE(boot());
    pass(419s);
    EXPECT_EQ(runs("/bin/tick"), 0u);
    pass(1s); // ten minutes after the first startd armed it, not ten after the second started
    EXPECT_EQ(runs("/bin/tick"), 1u);
}

} // namespace
