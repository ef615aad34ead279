// Tests the engine's commands: start/stop/restart/reload replies and errors in Upstart's words,
// instances, and class replacement while instances run.
#include <csignal>

#include "core/engine_fixture.h"

namespace {

using core::JobState;
using core::ProcessType;

TEST_F(EngineTest, UnknownJobIsReportedByName) {
    auto r = try_start("nope");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "unknown-job");
    EXPECT_EQ(r.error().message, "Unknown job: nope");
}

TEST_F(EngineTest, StartingARunningSingletonIsRefused) {
    define("web", "exec web\n");
    start("web");
    auto r = try_start("web");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "already-running");
    EXPECT_EQ(r.error().message, "Job is already running: web");
    EXPECT_EQ(runtime.spawns.size(), 1u);
}

TEST_F(EngineTest, StoppingAStoppedJobIsRefused) {
    define("web", "exec web\n");
    auto r = try_stop("web");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "unknown-instance");
    EXPECT_EQ(r.error().message, "Unknown instance: ");
    start("web");
    stop("web");
    auto again = try_stop("web");
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().message, "Job has already been stopped: web");
}

TEST_F(EngineTest, InstancesAreNamedFromTheirEnvironment) {
    define("getty", "instance $TTY\nexec /sbin/getty -8 38400 $TTY\n");
    start("getty", {"TTY=tty1"});
    start("getty", {"TTY=tty2"});
    ASSERT_NE(job("getty", "tty1"), nullptr);
    ASSERT_NE(job("getty", "tty2"), nullptr);
    EXPECT_EQ(job("getty", "tty1")->display_name(), "getty (tty1)");
    EXPECT_EQ(engine.instances("getty").size(), 2u);
    auto again = try_start("getty", {"TTY=tty1"});
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().message, "Job is already running: getty (tty1)");
    stop("getty", {"TTY=tty2"});
    EXPECT_EQ(state("getty", "tty2"), JobState::Killed);
    EXPECT_EQ(state("getty", "tty1"), JobState::Running);
}

TEST_F(EngineTest, MissingInstanceVariableNamesItAndShowsUsage) {
    define("getty", "instance $TTY\nusage \"start getty TTY=ttyN\"\nexec getty $TTY\n");
    auto r = try_start("getty");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "Unknown parameter: TTY\nUsage: start getty TTY=ttyN");
    EXPECT_TRUE(engine.instances("getty").empty()) << "a refused start creates no instance";
}

TEST_F(EngineTest, JobEnvironmentIsGlobalThenEnvStanzasThenStartVariables) {
    define("web", "env PORT=80\nenv MODE=prod\nexec web\n");
    start("web", {"PORT=8080"});
    ASSERT_EQ(runtime.spawns.size(), 1u);
    EXPECT_EQ(runtime.spawns[0].env,
              (core::Environ{"PATH=/usr/bin:/bin", "TERM=linux", "PORT=8080", "MODE=prod"}));
}

TEST_F(EngineTest, RestartKeepsTheEnvironmentUnlessNewVariablesAreGiven) {
    define("web", "exec web\n");
    start("web", {"A=1"});
    ASSERT_TRUE(engine.restart("web", {}, {}).has_value());
    kill_with(runtime.spawns.back().pid, SIGTERM);
    EXPECT_EQ(core::env_get(job("web")->env, "A"), "1");
    ASSERT_TRUE(engine.restart("web", {"A=2"}, {}).has_value());
    kill_with(runtime.spawns.back().pid, SIGTERM);
    EXPECT_EQ(core::env_get(job("web")->env, "A"), "2");
}

TEST_F(EngineTest, ReloadSignalsTheMainProcessOnly) {
    define("nginx", "reload signal USR1\nexec nginx\n");
    auto not_running = engine.reload("nginx", {});
    ASSERT_FALSE(not_running.has_value());
    start("nginx");
    ASSERT_TRUE(engine.reload("nginx", {}).has_value());
    ASSERT_EQ(runtime.signals.size(), 1u);
    EXPECT_EQ(runtime.signals[0].sig, SIGUSR1);
    EXPECT_FALSE(runtime.signals[0].group);
    EXPECT_EQ(state("nginx"), JobState::Running);
}

TEST_F(EngineTest, ReloadOfAJobWithoutMainProcessSaysItIsNotRunning) {
    define("marker", "description marker\n");
    start("marker");
    auto r = engine.reload("marker", {});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "Job is not running: marker");
}

TEST_F(EngineTest, ChangedDefinitionTakesOverOnlyAfterTheRunningInstanceStops) {
    define("web", "exec web-v1\n");
    start("web");
    define("web", "exec web-v2\n");
    EXPECT_EQ(job("web")->job_class().process(ProcessType::Main)->command, "web-v1");
    // restart never lets the instance reach waiting: still the old definition.
    ASSERT_TRUE(engine.restart("web", {}, {}).has_value());
    kill_with(runtime.spawns.back().pid, SIGTERM);
    EXPECT_EQ(job("web")->job_class().process(ProcessType::Main)->command, "web-v1");
    stop("web");
    kill_with(runtime.spawns.back().pid, SIGTERM);
    start("web");
    EXPECT_EQ(job("web")->job_class().process(ProcessType::Main)->command, "web-v2");
}

TEST_F(EngineTest, RemovedClassDisappearsOnceItsLastInstanceStops) {
    define("web", "exec web\n");
    start("web");
    engine.remove_class("web");
    EXPECT_EQ(engine.find_class("web"), nullptr);
    EXPECT_FALSE(try_start("web").has_value());
    stop("web");
    kill_with(runtime.spawns.back().pid, SIGTERM);
    EXPECT_TRUE(engine.class_names().empty());
}

TEST_F(EngineTest, EmittedEventWithNoListenersFinishesAtOnce) {
    bool finished = false;
    engine.emit("net-up", {"IFACE=lo"}, [&](const core::Event& ev) {
        finished = true;
        EXPECT_FALSE(ev.failed);
    });
    EXPECT_TRUE(finished);
    EXPECT_EQ(events, (std::vector<std::string>{"net-up IFACE=lo"}));
}

} // namespace

// ---- commands while a respawn waits out its delay (`respawn delay`) ----------------------------

TEST_F(EngineTest, StartDuringTheRespawnDelayRespawnsNowAndAnswersOnceRunning) {
    define("crash", "respawn\nrespawn delay 30 30\nexec crash\n");
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    ASSERT_TRUE(job("crash")->waiting_out_delay());
    std::size_t spawns = runtime.spawns.size();
    outcomes.clear();
    auto reply = try_start("crash");
    ASSERT_TRUE(reply.has_value()) << reply.error().message;
    EXPECT_EQ(state("crash"), JobState::Running);
    EXPECT_EQ(runtime.spawns.size(), spawns + 1);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);
    EXPECT_EQ(outcomes[0].status.state, JobState::Running);
    EXPECT_FALSE(outcomes[0].status.respawn.has_value());
    // Not forgiven: the next exit is attempt 2.
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("crash")->respawn_attempt, 2);
    ASSERT_TRUE(try_start("crash").has_value()); // respawns now again
    // A running job is still "already running".
    auto again = try_start("crash");
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, "already-running");
}

TEST_F(EngineTest, StartWhileARespawnIsOnItsWayToTheDelaySkipsIt) {
    define("crash", "respawn\nrespawn delay 30 30\npost-stop exec cleanup\nexec crash\n");
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    ASSERT_EQ(state("crash"), JobState::PostStop); // its post-stop runs
    ASSERT_TRUE(try_start("crash").has_value());
    exit_with(pid_of(ProcessType::PostStop), 0);
    EXPECT_EQ(state("crash"), JobState::Running);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
}

TEST_F(EngineTest, RestartDuringTheRespawnDelayRespawnsNow) {
    define("crash", "respawn\nrespawn delay 30 30\nexec crash\n");
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    outcomes.clear();
    auto reply = engine.restart("crash", {}, [this](const core::JobOutcome& o) { outcomes.push_back(o); });
    ASSERT_TRUE(reply.has_value()) << reply.error().message;
    EXPECT_EQ(state("crash"), JobState::Running);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);
}

TEST_F(EngineTest, StatusOfAJobWaitingOutItsDelaySaysWhenAndWhichAttempt) {
    define("crash", "respawn\nrespawn delay 8 8\nexec crash\n");
    runtime.randoms = {4000}; // the whole 8 s
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    runtime.advance(std::chrono::milliseconds(2500));
    core::JobStatus s = job("crash")->status(runtime.now());
    EXPECT_EQ(s.goal, core::JobGoal::Start);
    EXPECT_EQ(s.state, JobState::PostStop);
    ASSERT_TRUE(s.respawn.has_value());
    EXPECT_EQ(s.respawn->attempt, 1u);
    EXPECT_EQ(s.respawn->delay, std::chrono::milliseconds(8000));
    EXPECT_EQ(s.respawn->due_in, std::chrono::milliseconds(5500));
    runtime.advance(std::chrono::milliseconds(5500));
    EXPECT_FALSE(job("crash")->status(runtime.now()).respawn.has_value());
}
