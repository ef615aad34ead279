// Tests the engine's side of readiness (job_readiness.cpp): a main process with an expect
// stanza keeps the job spawned until the runtime reports it ready, follows forks, and fails the
// start with the runtime's reason.
#include "core/engine.h"
#include "core/engine_fixture.h"

#include <cerrno>
#include <csignal>
#include <gtest/gtest.h>

namespace {

using core::JobState;
using core::ProcessType;

class JobReadinessTest : public EngineTest {};

TEST_F(JobReadinessTest, JobStaysSpawnedUntilTheRuntimeSaysReady) {
    define("web", "expect fork\nexec /usr/sbin/web\npost-start exec /bin/true\n");
    start("web");
    pid_t spawned = pid_of(ProcessType::Main);
    EXPECT_EQ(state("web"), JobState::Spawned);
    ASSERT_EQ(runtime.readiness_watches.size(), 1u);
    EXPECT_EQ(runtime.readiness_watches[0], (std::pair<std::string, pid_t>{"web", spawned}));
    EXPECT_TRUE(events_starting_with("started").empty());
    EXPECT_TRUE(outcomes.empty()) << "start waits while the process is traced";

    engine.on_main_forked(spawned, 4242);
    EXPECT_EQ(job("web")->pid(ProcessType::Main), 4242);
    EXPECT_FALSE(engine.on_process_exit(spawned, core::ExitStatus::exited(0)))
        << "the forked-away parent is not the job's";
    EXPECT_EQ(state("web"), JobState::Spawned);

    engine.on_main_ready(4242);
    EXPECT_EQ(state("web"), JobState::PostStart) << "post-start runs only once the daemon is ready";
    exit_with(pid_of(ProcessType::PostStart), 0);
    EXPECT_EQ(state("web"), JobState::Running);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);
    EXPECT_EQ(job("web")->pid(ProcessType::Main), 4242);
}

TEST_F(JobReadinessTest, NotReadyFailsTheStartWithTheReasonAndStopsWhenTheProcessIsGone) {
    define("web", "expect daemon\nexec /usr/sbin/web\n");
    start("web");
    pid_t main = pid_of(ProcessType::Main);
    engine.on_main_not_ready(
        main, "expect daemon: process 1 forked once (pid 2) and then pid 2 did not fork again");
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].failed);
    EXPECT_EQ(outcomes[0].message, "Job failed to start: web main process was not ready: expect daemon: "
                                   "process 1 forked once (pid 2) and "
                                   "then pid 2 did not fork again");
    EXPECT_EQ(state("web"), JobState::Spawned) << "waits for the killed process to be reaped";
    kill_with(main, SIGKILL);
    EXPECT_EQ(state("web"), JobState::Waiting);
    auto stopped = events_starting_with("stopped JOB=web");
    ASSERT_EQ(stopped.size(), 1u);
    EXPECT_NE(stopped[0].find("RESULT=failed"), std::string::npos);
    EXPECT_NE(stopped[0].find("PROCESS=main"), std::string::npos);
}

TEST_F(JobReadinessTest, FailedStartDoesNotRespawn) {
    define("web", "expect fork\nrespawn\nexec /usr/sbin/web\n");
    start("web");
    pid_t main = pid_of(ProcessType::Main);
    engine.on_main_not_ready(main, "expect fork: process 5 did not fork; timed out after 1 s");
    kill_with(main, SIGKILL);
    EXPECT_EQ(state("web"), JobState::Waiting);
    EXPECT_EQ(runtime.spawns.size(), 1u) << "a wrong expect stanza must not respawn in a loop";
}

TEST_F(JobReadinessTest, StopWhileSpawnedAbortsTheWatchInsteadOfWaitingForever) {
    define("web", "expect fork\nexec /usr/sbin/web\n");
    start("web");
    pid_t main = pid_of(ProcessType::Main);
    stop("web");
    EXPECT_EQ(runtime.aborted_watches, std::vector<std::string>{"web"});
    kill_with(main, SIGKILL);
    EXPECT_EQ(state("web"), JobState::Waiting);
    EXPECT_FALSE(events_starting_with("stopped JOB=web").empty());
    engine.on_main_ready(main); // a late report about a gone process changes nothing
    EXPECT_EQ(state("web"), JobState::Waiting);
}

TEST_F(JobReadinessTest, MainExitBeforeReadyWithoutAReasonStillFailsTheStart) {
    define("web", "expect stop\nexec /usr/sbin/web\n");
    start("web");
    exit_with(pid_of(ProcessType::Main), 0);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].failed);
    EXPECT_NE(outcomes[0].message.find("web main process exited normally before it was ready (expect stop)"),
              std::string::npos)
        << outcomes[0].message;
    EXPECT_EQ(state("web"), JobState::Waiting);
}

TEST_F(JobReadinessTest, ReportsAboutPidsThatAreNotAwaitedAreIgnored) {
    define("plain", "exec /bin/sleep 100\n");
    start("plain");
    pid_t main = pid_of(ProcessType::Main);
    EXPECT_EQ(state("plain"), JobState::Running);
    EXPECT_TRUE(runtime.readiness_watches.empty()) << "no expect: no watch";
    engine.on_main_not_ready(main, "nonsense");
    engine.on_main_forked(main, 9999);
    EXPECT_EQ(state("plain"), JobState::Running);
    EXPECT_EQ(job("plain")->pid(ProcessType::Main), main);
}

} // namespace

namespace {

TEST_F(JobReadinessTest, MainProcessThatVanishedUnreportedDoesNotLeaveTheJobStuckInKilled) {
    // expect fork/daemon can track a process whose real parent stays alive and reaps it: its
    // exit never reaches startd. The SIGKILL of the kill timeout then finds no such process.
    define("web", "expect fork\nexec /usr/sbin/web\n");
    start("web");
    pid_t spawned = pid_of(ProcessType::Main);
    engine.on_main_forked(spawned, 4242);
    engine.on_main_ready(4242);
    ASSERT_EQ(state("web"), JobState::Running);
    stop("web");
    ASSERT_EQ(state("web"), JobState::Killed);
    runtime.signal_errno = ESRCH;
    runtime.advance(core::Seconds(10));
    EXPECT_EQ(state("web"), JobState::Waiting) << "Upstart stayed in stop/killed forever here";
    EXPECT_TRUE(runtime.logged("is gone without being reported to startd"));
}

} // namespace
