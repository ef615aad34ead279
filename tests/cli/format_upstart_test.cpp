// Tests the Upstart status-line format, case by case as initctl's own tests list them.
#include "cli/format_upstart.h"

#include <gtest/gtest.h>

namespace {

using core::JobGoal;
using core::JobState;
using core::ProcessType;

core::JobStatus make(std::string job, std::string inst, JobGoal g, JobState s,
                     std::vector<std::pair<ProcessType, pid_t>> procs = {}) {
    return core::JobStatus{std::move(job), std::move(inst), g, s, std::move(procs), {}, {}, {}};
}

TEST(StatusLine, RunningServiceShowsItsMainProcess) {
    EXPECT_EQ(cli::status_line(make("ssh", "", JobGoal::Start, JobState::Running, {{ProcessType::Main, 853}})),
              "ssh start/running, process 853");
}

TEST(StatusLine, NamedInstanceIsInParentheses) {
    EXPECT_EQ(cli::status_line(make("getty", "tty1", JobGoal::Start, JobState::Running, {{ProcessType::Main, 15001}})),
              "getty (tty1) start/running, process 15001");
}

TEST(StatusLine, StoppedJobHasNoProcess) {
    EXPECT_EQ(cli::status_line(make("cron", "", JobGoal::Stop, JobState::Waiting)), "cron stop/waiting");
}

TEST(StatusLine, PreStartProcessIsShownPlainly) {
    EXPECT_EQ(cli::status_line(make("job", "", JobGoal::Start, JobState::PreStart, {{ProcessType::PreStart, 902}})),
              "job start/pre-start, process 902");
}

TEST(StatusLine, MainAndPostStartGiveATabIndentedSecondLine) {
    EXPECT_EQ(cli::status_line(make("job", "", JobGoal::Start, JobState::PostStart,
                                    {{ProcessType::Main, 1234}, {ProcessType::PostStart, 1357}})),
              "job start/post-start, process 1234\n\tpost-start process 1357");
}

TEST(StatusLine, PostStartAloneIsPrefixedWithItsName) {
    EXPECT_EQ(cli::status_line(make("job", "", JobGoal::Start, JobState::PostStart, {{ProcessType::PostStart, 1357}})),
              "job start/post-start, (post-start) process 1357");
}

TEST(StatusLine, PreStopBesideMainOfAnInstance) {
    EXPECT_EQ(cli::status_line(make("drogo", "foo", JobGoal::Stop, JobState::PreStop,
                                    {{ProcessType::Main, 6312}, {ProcessType::PreStop, 8609}})),
              "drogo (foo) stop/pre-stop, process 6312\n\tpre-stop process 8609");
}

TEST(StatusLine, RespawnGoalIsShownAsStart) {
    EXPECT_EQ(cli::status_line(make("web", "", JobGoal::Respawn, JobState::PostStart, {{ProcessType::PostStart, 7}})),
              "web start/post-start, (post-start) process 7");
}

} // namespace

namespace {

TEST(StatusLine, DaemonStatusTextFollowsOnItsOwnLine) {
    core::JobStatus s{"web", "", core::JobGoal::Start, core::JobState::Running, {{core::ProcessType::Main, 42}},
                      "Ready to accept connections", {}, {}};
    EXPECT_EQ(cli::status_line(s), "web start/running, process 42\n\tstatus: Ready to accept connections");
}

TEST(StatusLine, AJobThatCannotStartHereSaysWhyOnItsOwnLine) {
    core::JobStatus s{"cups", "", core::JobGoal::Stop, core::JobState::Waiting, {}, {},
                      "apparmor switch cups: AppArmor is not supported on this system", {}};
    EXPECT_EQ(cli::status_line(s), "cups stop/waiting\n\tcannot start on this system: apparmor switch cups: AppArmor is "
                                   "not supported on this system");
}

} // namespace

// ---- a respawn waiting out its delay (`respawn delay`, startd's) -------------------------------

TEST(StatusLine, AWaitingRespawnSaysWhenAndWhichAttempt) {
    core::JobStatus s = make("web", "", JobGoal::Start, JobState::PostStop);
    s.respawn =
        core::JobStatus::RespawnWait{4, std::chrono::milliseconds(8000), std::chrono::milliseconds(7001)};
    EXPECT_EQ(cli::status_line(s), "web start/post-stop, respawning in 8 s (attempt 4)");
    s.respawn->due_in = std::chrono::milliseconds(300);
    EXPECT_EQ(cli::status_line(s), "web start/post-stop, respawning in 1 s (attempt 4)") << "rounded up";
    s.respawn->due_in = std::chrono::milliseconds(0);
    EXPECT_EQ(cli::status_line(s), "web start/post-stop, respawning now (attempt 4)");
}

TEST(StatusLine, ARespawnOnItsWayGoesOnTheFirstLine) {
    core::JobStatus s = make("web", "", JobGoal::Start, JobState::PostStop, {{ProcessType::PostStop, 77}});
    s.respawn =
        core::JobStatus::RespawnWait{1, std::chrono::milliseconds(2000), std::chrono::milliseconds(2000)};
    s.status_text = "cleaning up";
    EXPECT_EQ(cli::status_line(s),
              "web start/post-stop, process 77, respawning in 2 s (attempt 1)\n\tstatus: cleaning up");
}
