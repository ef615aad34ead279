// Tests what the engine keeps to explain a job (status --json, show, why, plot): when it entered
// its state, its last exit, why it stopped (command, event, failure, respawn limit, its end),
// what is kept once it is gone, which operands of its conditions have matched and by which
// event, when each event was last emitted, when its class was loaded, and the state history.
#include "core/engine_fixture.h"

#include <gtest/gtest.h>

namespace {

using core::JobState;
using core::ProcessType;
using core::StopCause;

class EngineExplainTest : public EngineTest {};

TEST_F(EngineExplainTest, AStatusSaysSinceWhenTheJobIsInItsStateAndWhenItsMainProcessStarted) {
    define("web", "exec /bin/web\n");
    core::Clock::time_point before = runtime.now();
    start("web");
    runtime.advance(std::chrono::seconds(3));
    core::JobStatus s = job("web")->status(runtime.now());
    EXPECT_EQ(s.state, JobState::Running);
    EXPECT_EQ(s.since, before);
    EXPECT_EQ(s.main_started, before);
    EXPECT_EQ(s.taken - s.since, std::chrono::seconds(3));
    EXPECT_EQ(s.stop_cause, StopCause::None);
    EXPECT_FALSE(s.last_exit.has_value());
}

TEST_F(EngineExplainTest, TheLastExitNamesTheProcessItsStatusAndWhen) {
    define("web", "respawn\nexec /bin/web\n");
    start("web");
    pid_t first = pid_of(ProcessType::Main);
    runtime.advance(std::chrono::seconds(2));
    core::Clock::time_point at = runtime.now();
    kill_with(first, 11);
    core::JobStatus s = job("web")->status(runtime.now());
    ASSERT_TRUE(s.last_exit.has_value());
    EXPECT_EQ(s.last_exit->pid, first);
    EXPECT_EQ(s.last_exit->process, ProcessType::Main);
    EXPECT_EQ(s.last_exit->status, core::ExitStatus::killed(11));
    EXPECT_EQ(s.last_exit->at, at);
    EXPECT_EQ(s.respawn_count, 1u);
    EXPECT_EQ(s.respawn_limit, 10u);
    EXPECT_EQ(s.respawn_interval, 5u);
}

TEST_F(EngineExplainTest, AStopByCommandIsKeptOnceTheJobIsGone) {
    define("web", "exec /bin/web\n");
    start("web");
    stop("web");
    exit_with(pid_of(ProcessType::Main), 0);
    ASSERT_EQ(job("web"), nullptr);
    auto gone = engine.gone_status("web", "");
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->stop_cause, StopCause::Command);
    EXPECT_EQ(core::describe_stop(*gone), "stopped by startctl");
    ASSERT_TRUE(gone->last_exit.has_value());
    EXPECT_EQ(gone->last_exit->status, core::ExitStatus::exited(0));
}

TEST_F(EngineExplainTest, AStopByEventNamesTheEvent) {
    define("web", "stop on runlevel\nexec /bin/web\n");
    start("web");
    engine.emit("runlevel", {"RUNLEVEL=0"});
    EXPECT_EQ(job("web")->stop_cause, StopCause::Event);
    exit_with(pid_of(ProcessType::Main), 0);
    auto gone = engine.gone_status("web", "");
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(core::describe_stop(*gone), "stopped by event runlevel");
}

TEST_F(EngineExplainTest, TheRespawnLimitSaysRespawningTooFast) {
    define("crash", "respawn\nrespawn limit 2 5\nexec /bin/crash\n");
    start("crash");
    for (int i = 0; i < 3 && job("crash") != nullptr; ++i) {
        exit_with(pid_of(ProcessType::Main), 1);
    }
    ASSERT_EQ(job("crash"), nullptr);
    auto gone = engine.gone_status("crash", "");
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->stop_cause, StopCause::Failed);
    EXPECT_EQ(core::describe_stop(*gone), "failed: crash main process respawning too fast");
    EXPECT_EQ(engine.last_failure("crash", ""), "crash main process respawning too fast");
}

TEST_F(EngineExplainTest, AFailedPreStartSaysItsStatus) {
    define("web", "pre-start exec /bin/check\nexec /bin/web\n");
    start("web");
    exit_with(pid_of(ProcessType::PreStart), 1);
    auto gone = engine.gone_status("web", "");
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(core::describe_stop(*gone), "failed: web pre-start process terminated with status 1");
    ASSERT_TRUE(gone->last_exit.has_value());
    EXPECT_EQ(gone->last_exit->process, ProcessType::PreStart);
}

TEST_F(EngineExplainTest, ATaskThatEndsSaysSoAndStartingAgainForgetsIt) {
    define("setup", "task\nexec /bin/setup\n");
    start("setup");
    exit_with(pid_of(ProcessType::Main), 0);
    auto gone = engine.gone_status("setup", "");
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->stop_cause, StopCause::Ended);
    EXPECT_EQ(core::describe_stop(*gone), "main process exited normally");
    start("setup");
    EXPECT_FALSE(engine.gone_status("setup", "").has_value());
    EXPECT_EQ(job("setup")->stop_cause, StopCause::None);
}

TEST_F(EngineExplainTest, AHalfMatchedAndShowsWhichOperandMatchedAndByWhichEvent) {
    define("web", "start on (net-up and db-ready)\nexec /bin/web\n");
    runtime.advance(std::chrono::seconds(1));
    core::Clock::time_point at = runtime.now();
    engine.emit("net-up", {"IFACE=eth0"});
    auto matched = engine.start_matches("web");
    ASSERT_EQ(matched.size(), 1u);
    EXPECT_EQ(matched[0].node, 0u); // post-order: net-up, db-ready, and
    EXPECT_EQ(matched[0].event, "net-up");
    EXPECT_EQ(matched[0].env, core::Environ{"IFACE=eth0"});
    EXPECT_EQ(matched[0].at, at);
    EXPECT_EQ(job("web"), nullptr);
    engine.emit("db-ready", {});
    EXPECT_NE(job("web"), nullptr);
    EXPECT_TRUE(engine.start_matches("web").empty()); // a true tree resets
}

TEST_F(EngineExplainTest, AHalfMatchedStopOnIsPerInstance) {
    define("web", "stop on (a and b)\nexec /bin/web\n");
    start("web");
    engine.emit("b", {});
    auto matched = engine.stop_matches("web", "");
    ASSERT_EQ(matched.size(), 1u);
    EXPECT_EQ(matched[0].event, "b");
    EXPECT_EQ(matched[0].node, 1u);
}

TEST_F(EngineExplainTest, EventsAreRememberedByNameAndClassesByWhenTheyWereLoaded) {
    engine.emit("startup", {});
    runtime.advance(std::chrono::seconds(5));
    define("web", "start on startup\nexec /bin/web\n");
    auto seen = engine.event_history().find("startup");
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(seen->count, 1u);
    EXPECT_LT(seen->last, engine.class_loaded("web"));
    EXPECT_EQ(engine.class_loaded("web"), runtime.now());
    EXPECT_FALSE(engine.event_history().find("never").has_value());
}

TEST_F(EngineExplainTest, EveryStateChangeIsInTheHistory) {
    define("setup", "task\nexec /bin/setup\n");
    start("setup");
    runtime.advance(std::chrono::milliseconds(300));
    exit_with(pid_of(ProcessType::Main), 0);
    std::vector<std::string> states;
    for (const auto& e : engine.state_history().entries()) {
        EXPECT_EQ(e.job, "setup");
        states.emplace_back(core::to_string(e.state));
    }
    EXPECT_EQ(states, (std::vector<std::string>{"starting", "security", "pre-start", "spawned", "post-start",
                                                "running", "stopping", "killed", "post-stop", "waiting"}));
    auto entries = engine.state_history().entries();
    EXPECT_EQ(entries.back().at - entries.front().at, std::chrono::milliseconds(300));
}

} // namespace
