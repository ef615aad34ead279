// Tests what events do to jobs: start on / stop on, job events that block, the relationships
// the seed posts describe, held events, and the environment events give jobs.
#include "engine_fixture.h"

#include <csignal>

namespace {

using core::JobGoal;
using core::JobState;
using core::ProcessType;

class EngineEventsTest : public EngineTest {
  protected:
    // Emits an event and records whether/how it finished.
    void emit(std::string name, core::Environ env = {}) {
        finished = false;
        failed = false;
        engine.emit(std::move(name), std::move(env), [this](const core::Event& ev) {
            finished = true;
            failed = ev.failed;
        });
    }
    pid_t main_pid(const std::string& name, const std::string& instance = "") {
        const core::Job* j = job(name, instance);
        return j ? j->pid(ProcessType::Main) : 0;
    }
    // Index of the first spawn of `type` for `job`, or -1.
    int spawn_index(const std::string& job_name, ProcessType type) const {
        for (std::size_t i = 0; i < runtime.spawns.size(); ++i) {
            if (runtime.spawns[i].job == job_name && runtime.spawns[i].type == type) {
                return static_cast<int>(i);
            }
        }
        return -1;
    }
    int signal_index(pid_t pid) const {
        for (std::size_t i = 0; i < runtime.signals.size(); ++i) {
            if (runtime.signals[i].pid == pid) {
                return static_cast<int>(i);
            }
        }
        return -1;
    }

    bool finished = false;
    bool failed = false;
};

TEST_F(EngineEventsTest, StartOnStartsTheJobAndEmitWaitsForIt) {
    define("web", "start on net-up\nexec web\n");
    emit("net-up", {"IFACE=eth0"});
    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_TRUE(finished);
    EXPECT_FALSE(failed);
    const core::Job* j = job("web");
    EXPECT_EQ(core::env_get(j->env, "IFACE").value_or(""), "eth0");
    EXPECT_EQ(core::env_get(j->env, "UPSTART_EVENTS").value_or(""), "net-up");
}

TEST_F(EngineEventsTest, EmitWaitsForATaskToFinish) {
    define("setup", "task\nstart on go\nexec setup\n");
    emit("go");
    EXPECT_EQ(state("setup"), JobState::Running);
    EXPECT_FALSE(finished);
    exit_with(main_pid("setup"), 0);
    EXPECT_TRUE(finished);
    EXPECT_FALSE(failed);
    EXPECT_EQ(job("setup"), nullptr);
}

TEST_F(EngineEventsTest, EventFailsWhenAJobItStartedFails) {
    define("setup", "task\nstart on go\nexec setup\n");
    emit("go");
    exit_with(main_pid("setup"), 3);
    EXPECT_TRUE(finished);
    EXPECT_TRUE(failed);
    EXPECT_EQ(events_starting_with("go/failed").size(), 1u);
}

TEST_F(EngineEventsTest, UnrelatedEventDoesNothing) {
    define("web", "start on net-up\nexec web\n");
    emit("net-down");
    EXPECT_TRUE(finished);
    EXPECT_EQ(job("web"), nullptr);
    EXPECT_TRUE(runtime.spawns.empty());
}

TEST_F(EngineEventsTest, ManualStanzaIgnoresStartOn) {
    define("web", "start on net-up\nmanual\nexec web\n");
    emit("net-up");
    EXPECT_EQ(job("web"), nullptr);
}

TEST_F(EngineEventsTest, StopOnStopsTheJobWithTheEventsInItsStopEnvironment) {
    define("web", "start on up\nstop on down\nexec web\n");
    emit("up");
    pid_t pid = main_pid("web");
    emit("down", {"WHY=maintenance"});
    EXPECT_EQ(state("web"), JobState::Killed);
    EXPECT_FALSE(finished); // held until web has stopped
    const core::Job* j = job("web");
    EXPECT_EQ(core::env_get(j->stop_env, "WHY").value_or(""), "maintenance");
    EXPECT_EQ(core::env_get(j->stop_env, "UPSTART_STOP_EVENTS").value_or(""), "down");
    kill_with(pid, SIGTERM);
    EXPECT_EQ(job("web"), nullptr);
    EXPECT_TRUE(finished);
    EXPECT_FALSE(failed);
}

TEST_F(EngineEventsTest, EventInBothConditionsRestartsARunningJob) {
    define("web", "start on bounce\nstop on bounce\nexec web\n");
    emit("bounce");
    pid_t first = main_pid("web");
    emit("bounce");
    kill_with(first, SIGTERM);
    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_NE(main_pid("web"), first);
    EXPECT_TRUE(finished);
}

// Seed: "HAL is fully stopped before D-Bus" — start on started dbus, stop on stopping dbus.
TEST_F(EngineEventsTest, HalStartsAfterDbusAndStopsBeforeIt) {
    define("dbus", "exec dbus-daemon\n");
    define("hal", "start on started dbus\nstop on stopping dbus\nexec hald\n");
    start("dbus");
    EXPECT_EQ(state("dbus"), JobState::Running);
    EXPECT_EQ(state("hal"), JobState::Running);
    EXPECT_LT(spawn_index("dbus", ProcessType::Main), spawn_index("hal", ProcessType::Main));
    pid_t dbus = main_pid("dbus");
    pid_t hal = main_pid("hal");

    stop("dbus");
    EXPECT_EQ(state("dbus"), JobState::Stopping); // waits for hal
    EXPECT_EQ(signal_index(dbus), -1);
    ASSERT_NE(signal_index(hal), -1);
    kill_with(hal, SIGTERM);
    EXPECT_EQ(job("hal"), nullptr);
    EXPECT_EQ(state("dbus"), JobState::Killed); // only now is dbus signalled
    EXPECT_NE(signal_index(dbus), -1);
    kill_with(dbus, SIGTERM);
    EXPECT_EQ(job("dbus"), nullptr);
}

// Seed: portmap/nfs-server — start on starting nfs-server: nfs-server waits for portmap.
TEST_F(EngineEventsTest, NfsServerWaitsInStartingUntilPortmapRuns) {
    define("portmap", "start on starting nfs-server\nexec portmap\n");
    define("nfs-server", "pre-start exec nfs-prepare\nexec nfsd\n");
    start("nfs-server");
    EXPECT_EQ(state("portmap"), JobState::Running);
    EXPECT_LT(spawn_index("portmap", ProcessType::Main), spawn_index("nfs-server", ProcessType::PreStart));
}

TEST_F(EngineEventsTest, AStartingTaskHoldsTheJobUntilTheTaskEnds) {
    define("migrate", "task\nstart on starting db\nexec migrate\n");
    define("db", "exec db\n");
    start("db");
    EXPECT_EQ(state("db"), JobState::Starting);
    EXPECT_EQ(spawn_index("db", ProcessType::Main), -1);
    exit_with(main_pid("migrate"), 0);
    EXPECT_EQ(state("db"), JobState::Running);
}

TEST_F(EngineEventsTest, FailingHookJobFailsTheStartingEventButTheJobStillStarts) {
    // Upstart: the starting event is marked failed (its /failed event follows); the job itself
    // is not stopped by that.
    define("check", "task\nstart on starting db\nexec check\n");
    define("db", "exec db\n");
    start("db");
    exit_with(main_pid("check"), 1);
    EXPECT_EQ(state("db"), JobState::Running);
    EXPECT_EQ(events_starting_with("starting/failed JOB=db").size(), 1u);
}

// getty instances bound to tty-added / tty-removed.
TEST_F(EngineEventsTest, GettyInstancesFollowTtyEvents) {
    define("getty",
           "instance $TTY\nstart on tty-added\nstop on tty-removed TTY=$TTY\nrespawn\nexec getty $TTY\n");
    emit("tty-added", {"TTY=tty1"});
    emit("tty-added", {"TTY=tty2"});
    EXPECT_EQ(state("getty", "tty1"), JobState::Running);
    EXPECT_EQ(state("getty", "tty2"), JobState::Running);
    pid_t tty1 = main_pid("getty", "tty1");
    pid_t tty2 = main_pid("getty", "tty2");
    emit("tty-removed", {"TTY=tty1"});
    EXPECT_NE(signal_index(tty1), -1);
    EXPECT_EQ(signal_index(tty2), -1);
    kill_with(tty1, SIGTERM);
    EXPECT_EQ(job("getty", "tty1"), nullptr);
    EXPECT_EQ(state("getty", "tty2"), JobState::Running);
    EXPECT_TRUE(finished);
}

// startctl disable while instances run: they keep running on their definition, but the events
// start no new instance from then on; a changed `start on` waits for them to stop (Upstart).
TEST_F(EngineEventsTest, ADefinitionWithoutStartOnStopsEventStartsAtOnceWhileInstancesRun) {
    define("getty", "instance $TTY\nstart on tty-added\nexec getty $TTY\n");
    emit("tty-added", {"TTY=tty1"});
    pid_t tty1 = main_pid("getty", "tty1");
    define("getty", "instance $TTY\nstart on tty-added\nexec getty $TTY\nmanual\n");
    emit("tty-added", {"TTY=tty2"});
    EXPECT_TRUE(finished);
    EXPECT_EQ(job("getty", "tty2"), nullptr);
    EXPECT_EQ(main_pid("getty", "tty1"), tty1);
    // Enabled again before tty1 stopped: the running definition's `start on` applies again.
    define("getty", "instance $TTY\nstart on tty-added\nexec getty $TTY\n");
    emit("tty-added", {"TTY=tty3"});
    EXPECT_EQ(state("getty", "tty3"), JobState::Running);
}

TEST_F(EngineEventsTest, AChangedStartOnWaitsForTheRunningInstancesToStop) {
    define("getty", "instance $TTY\nstart on tty-added\nexec getty $TTY\n");
    emit("tty-added", {"TTY=tty1"});
    define("getty", "instance $TTY\nstart on console-added\nexec getty $TTY\n");
    emit("tty-added", {"TTY=tty2"});
    EXPECT_EQ(state("getty", "tty2"), JobState::Running);
}

TEST_F(EngineEventsTest, SecondTtyAddedForARunningInstanceIsAbsorbed) {
    define("getty", "instance $TTY\nstart on tty-added\nexec getty $TTY\n");
    emit("tty-added", {"TTY=tty1"});
    pid_t pid = main_pid("getty", "tty1");
    emit("tty-added", {"TTY=tty1"});
    EXPECT_TRUE(finished);
    EXPECT_EQ(main_pid("getty", "tty1"), pid);
}

TEST_F(EngineEventsTest, MissingInstanceVariableIsLoggedAndReleasesTheEvent) {
    define("getty", "instance $TTY\nstart on tty-added\nexec getty $TTY\n");
    emit("tty-added", {"DEV=x"});
    EXPECT_TRUE(finished);
    EXPECT_TRUE(runtime.logged("Failed to obtain getty instance: Unknown parameter: TTY"));
}

// A task started on `stopping X RESULT=failed EXIT_SIGNAL=SEGV` runs before X finishes stopping.
TEST_F(EngineEventsTest, CrashHandlerRunsWhileTheCrashedJobWaitsInStopping) {
    define("server", "exec server\n");
    define("crash-report", "task\nstart on stopping server RESULT=failed EXIT_SIGNAL=SEGV\nexec report\n");
    start("server");
    kill_with(main_pid("server"), SIGSEGV);
    EXPECT_EQ(state("server"), JobState::Stopping);
    ASSERT_NE(job("crash-report"), nullptr);
    const core::Job* report = job("crash-report");
    EXPECT_EQ(core::env_get(report->env, "EXIT_SIGNAL").value_or(""), "SEGV");
    EXPECT_EQ(core::env_get(report->env, "PROCESS").value_or(""), "main");
    exit_with(main_pid("crash-report"), 0);
    EXPECT_EQ(job("server"), nullptr);
}

TEST_F(EngineEventsTest, CrashHandlerIgnoresOtherSignals) {
    define("server", "exec server\n");
    define("crash-report", "task\nstart on stopping server RESULT=failed EXIT_SIGNAL=SEGV\nexec report\n");
    start("server");
    kill_with(main_pid("server"), SIGABRT);
    EXPECT_EQ(job("crash-report"), nullptr);
    EXPECT_EQ(job("server"), nullptr);
}

// `start on a-up and b-up`: after starting, both events must occur again.
TEST_F(EngineEventsTest, AndRestartsOnlyAfterBothRecur) {
    define("both", "task\nstart on a-up and b-up\nexec work\n");
    emit("a-up");
    EXPECT_FALSE(finished); // held by the half-matched condition
    bool a_finished = false;
    engine.emit("b-up", {}, [&](const core::Event&) { a_finished = true; });
    ASSERT_NE(job("both"), nullptr);
    EXPECT_EQ(core::env_get(job("both")->env, "UPSTART_EVENTS").value_or(""), "a-up b-up");
    exit_with(main_pid("both"), 0);
    EXPECT_TRUE(a_finished);
    EXPECT_TRUE(finished); // a-up was held until the job it started had finished

    emit("a-up");
    EXPECT_EQ(job("both"), nullptr);
    emit("a-up");
    EXPECT_EQ(job("both"), nullptr);
    emit("b-up");
    ASSERT_NE(job("both"), nullptr);
    exit_with(main_pid("both"), 0);
    emit("b-up");
    EXPECT_EQ(job("both"), nullptr);
}

TEST_F(EngineEventsTest, ReplacingAClassReleasesEventsItsConditionHeld) {
    define("both", "start on a-up and b-up\nexec work\n");
    emit("a-up");
    EXPECT_FALSE(finished);
    define("both", "start on c-up\nexec work\n");
    engine.poll();
    EXPECT_TRUE(finished);
    emit("b-up");
    EXPECT_EQ(job("both"), nullptr);
    emit("c-up");
    EXPECT_NE(job("both"), nullptr);
}

TEST_F(EngineEventsTest, RemovingAClassReleasesEventsItsConditionHeld) {
    define("both", "start on a-up and b-up\nexec work\n");
    emit("a-up");
    engine.remove_class("both");
    engine.poll();
    EXPECT_TRUE(finished);
    emit("b-up");
    EXPECT_EQ(job("both"), nullptr);
}

TEST_F(EngineEventsTest, StoppedJobReleasesItsHalfMatchedStopCondition) {
    define("web", "stop on a and b\nexec web\n");
    start("web");
    emit("a");
    EXPECT_FALSE(finished);
    stop("web");
    kill_with(main_pid("web"), SIGTERM);
    EXPECT_TRUE(finished);
}

TEST_F(EngineEventsTest, JobWhoseStartOnNamesItsOwnStoppingRestartsWithoutDeadlock) {
    define("loop", "start on stopping loop\nexec work\n");
    start("loop");
    pid_t first = main_pid("loop");
    stop("loop");
    EXPECT_EQ(state("loop"), JobState::Killed); // not stuck in stopping waiting for itself
    kill_with(first, SIGTERM);
    EXPECT_EQ(state("loop"), JobState::Running);
    EXPECT_NE(main_pid("loop"), first);
}

TEST_F(EngineEventsTest, JobWhoseStartOnNamesItsOwnStartedIsNotStartedTwice) {
    define("self", "start on started self\nexec work\n");
    start("self");
    EXPECT_EQ(state("self"), JobState::Running);
    EXPECT_EQ(runtime.spawns.size(), 1u);
}

TEST_F(EngineEventsTest, JobWhoseStopOnNamesItsOwnStartingGoesStraightDown) {
    define("self", "stop on starting self\nexec work\n");
    start("self");
    EXPECT_EQ(job("self"), nullptr);
    EXPECT_TRUE(runtime.spawns.empty());
}

TEST_F(EngineEventsTest, ExportedVariablesReachJobEventsAndTheirListeners) {
    define("net", "env IFACE=eth7\nexport IFACE\nexec net\n");
    define("watch", "start on started net IFACE=eth*\nexec watch\n");
    start("net");
    ASSERT_NE(job("watch"), nullptr);
    EXPECT_EQ(core::env_get(job("watch")->env, "IFACE").value_or(""), "eth7");
    EXPECT_EQ(events_starting_with("started JOB=net").front(), "started JOB=net INSTANCE= IFACE=eth7");
}

TEST_F(EngineEventsTest, StartOnValuesExpandTheClassEnvironment) {
    define("web", "env WANT=eth1\nstart on net-up IFACE=$WANT\nexec web\n");
    emit("net-up", {"IFACE=eth0"});
    EXPECT_EQ(job("web"), nullptr);
    emit("net-up", {"IFACE=eth1"});
    EXPECT_NE(job("web"), nullptr);
}

TEST_F(EngineEventsTest, EventEnvironmentOverridesEnvStanzasInTreeOrder) {
    define("web", "env MODE=default\nstart on a and b\nexec web\n");
    emit("a", {"MODE=from-a", "A=1"});
    emit("b", {"MODE=from-b"});
    const core::Job* j = job("web");
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(core::env_get(j->env, "MODE").value_or(""), "from-b");
    EXPECT_EQ(core::env_get(j->env, "A").value_or(""), "1");
}

TEST_F(EngineEventsTest, StartupEventStartsEveryJobThatWantsIt) {
    for (int i = 0; i < 50; ++i) {
        define("j" + std::to_string(i), "start on startup\nexec work\n");
    }
    emit("startup", {"MODE=user"});
    EXPECT_TRUE(finished);
    EXPECT_EQ(runtime.spawns.size(), 50u);
}

TEST_F(EngineEventsTest, EventsEmittedMidTransitionAreHandledInOrder) {
    define("slow", "start on go\nstop on halt\npre-start exec prep\nexec slow\n");
    emit("go");
    EXPECT_EQ(state("slow"), JobState::PreStart);
    emit("halt"); // while pre-start runs: main must never run
    exit_with(runtime.last_pid(ProcessType::PreStart), 0);
    EXPECT_EQ(job("slow"), nullptr);
    EXPECT_EQ(spawn_index("slow", ProcessType::Main), -1);
}

} // namespace

namespace {

TEST_F(EngineEventsTest, ShutdownRunsCleanupTasksButStartsNoServices) {
    define("db", "exec db\n");
    define("flush", "task\nstart on stopping db\nexec flush\n");
    define("watchdog", "start on stopping db\nexec watchdog\n");
    start("db");
    engine.stop_all();
    EXPECT_NE(job("flush"), nullptr);
    EXPECT_EQ(job("watchdog"), nullptr);
    EXPECT_TRUE(runtime.logged("watchdog not started by event stopping: startd is shutting down"));
    exit_with(main_pid("flush"), 0);
    kill_with(main_pid("db"), SIGTERM);
    EXPECT_TRUE(engine.all_stopped());
}

} // namespace

namespace {

// Found by the randomised runs: two jobs each started by the other's stopping event. When one is
// stopped while the other still holds its own stopping event, holding would deadlock both.
TEST_F(EngineEventsTest, JobsStartedByEachOthersStoppingDoNotDeadlock) {
    define("a", "start on stopping b\nexec a\n");
    define("b", "start on stopping a\nexec b\n");
    start("a");
    stop("a"); // stopping a → b starts, holding "stopping a" until b runs
    EXPECT_EQ(state("a"), JobState::Killed);
    EXPECT_EQ(state("b"), JobState::Running);
    stop("b"); // stopping b → a (goal start again once a is down) must not hold it forever
    for (int i = 0; i < 10 && !runtime.signals.empty(); ++i) {
        pid_t pid = runtime.signals.back().pid;
        runtime.signals.pop_back();
        engine.on_process_exit(pid, core::ExitStatus::killed(SIGTERM));
    }
    engine.stop_all();
    for (int i = 0; i < 10 && !runtime.signals.empty(); ++i) {
        pid_t pid = runtime.signals.back().pid;
        runtime.signals.pop_back();
        engine.on_process_exit(pid, core::ExitStatus::killed(SIGTERM));
    }
    EXPECT_TRUE(engine.all_stopped());
    EXPECT_EQ(engine.events_in_flight(), 0u);
}

TEST_F(EngineEventsTest, InstancesThatStopEachOtherBothGoDown) {
    // Instances that stop each other: x(1) stopping holds x(0); x(0)'s stopping must not be held
    // by x(1), which waits for x(0).
    define("x", "instance $N\nstop on stopping x\nexec x\n");
    start("x", {"N=0"});
    start("x", {"N=1"});
    stop("x", {"N=1"});
    EXPECT_EQ(state("x", "0"), JobState::Killed);
    // x(0)'s stopping offered to x(1) (goal already stop): nothing held; both go down.
    kill_with(main_pid("x", "0"), SIGTERM);
    kill_with(main_pid("x", "1"), SIGTERM);
    EXPECT_TRUE(engine.all_stopped());
    EXPECT_EQ(engine.events_in_flight(), 0u);
}

TEST_F(EngineEventsTest, MainDeadDuringPostStartAndStartedAgainGoesRoundForANewMain) {
    define("t", "task\nstart on go\npost-start exec slow-notify\nexec work\n");
    emit("go");
    pid_t first = main_pid("t");
    exit_with(first, 0); // the task is done while post-start still runs: goal stop
    emit("go");          // …and is wanted again before post-start ends
    exit_with(runtime.last_pid(ProcessType::PostStart), 0);
    EXPECT_NE(state("t"), JobState::Running) << "running with no main process";
    pid_t second = main_pid("t");
    EXPECT_NE(second, 0);
    EXPECT_NE(second, first);
}

} // namespace

namespace {

TEST_F(EngineEventsTest, ProcesslessTaskStartedByItsOwnStoppedEventDoesNotSpinForever) {
    define("spin", "task\nstart on stopped spin or go\n");
    emit("go");
    EXPECT_TRUE(finished);
    EXPECT_EQ(job("spin"), nullptr);
    EXPECT_TRUE(
        runtime.logged("spin not started by event stopped: started 16 times without waiting for anything"));
    emit("go"); // a later event starts it again (and the guard stops it again)
    EXPECT_EQ(job("spin"), nullptr);
}

TEST_F(EngineEventsTest, ProcesslessInstanceStartedByItsOwnStoppedEventDoesNotSpinForever) {
    define("spin", "task\ninstance $INSTANCE\nstart on stopped spin or go\n");
    emit("go", {"INSTANCE=a"});
    EXPECT_TRUE(finished);
    EXPECT_EQ(job("spin", "a"), nullptr);
    EXPECT_TRUE(
        runtime.logged("spin (a) not started by event stopped: started 16 times without waiting for anything"));
    emit("go", {"INSTANCE=b"}); // a new round: the count starts again
    EXPECT_EQ(job("spin", "b"), nullptr);
    EXPECT_TRUE(
        runtime.logged("spin (b) not started by event stopped: started 16 times without waiting for anything"));
}

// ---- timer events (a job's own `timer` stanzas) --------------------------------------------

core::Environ firing(const std::string& job, const std::string& at) {
    return {"JOB=" + job, "TIMER=every 1m", "TIMER_FIRED=" + at};
}

TEST_F(EngineEventsTest, ATimerFiringStartsItsJobWithTheEventsVariables) {
    define("backup", "task\ntimer every 1m\nexec backup\n");
    emit("timer", firing("backup", "1780272060"));
    EXPECT_EQ(state("backup"), JobState::Running);
    EXPECT_FALSE(finished); // held until the task has finished, as for start on
    const core::Job* j = job("backup");
    EXPECT_EQ(core::env_get(j->env, "TIMER").value_or(""), "every 1m");
    EXPECT_EQ(core::env_get(j->env, "TIMER_FIRED").value_or(""), "1780272060");
    EXPECT_EQ(core::env_get(j->env, "UPSTART_EVENTS").value_or(""), "timer");
    exit_with(main_pid("backup"), 0);
    EXPECT_TRUE(finished);
    EXPECT_TRUE(runtime.logged("backup started by its timer (every 1m)"));
}

TEST_F(EngineEventsTest, ATimerFiringWhileTheJobStillRunsIsSkippedAndLogged) {
    define("backup", "task\ntimer every 1m\nexec backup\n");
    emit("timer", firing("backup", "60"));
    pid_t first = main_pid("backup");
    emit("timer", firing("backup", "120"));
    EXPECT_EQ(main_pid("backup"), first);
    EXPECT_EQ(runtime.spawns.size(), 1u);
    EXPECT_TRUE(finished); // nobody held the skipped firing
    EXPECT_TRUE(runtime.logged("backup: timer fired while still running; skipped"));
    exit_with(first, 0);
    emit("timer", firing("backup", "180")); // at rest again: started
    EXPECT_EQ(runtime.spawns.size(), 2u);
}

TEST_F(EngineEventsTest, AnInstanceJobGetsAnInstancePerFiring) {
    define("report", "task\ntimer every 1m\ninstance $TIMER_FIRED\nexec report\n");
    emit("timer", firing("report", "60"));
    emit("timer", firing("report", "120"));
    EXPECT_EQ(state("report", "60"), JobState::Running);
    EXPECT_EQ(state("report", "120"), JobState::Running);
    emit("timer", firing("report", "120")); // the same instance still runs: skipped
    EXPECT_TRUE(runtime.logged("report (120): timer fired while still running; skipped"));
    EXPECT_EQ(runtime.spawns.size(), 2u);
}

TEST_F(EngineEventsTest, TimerIsOrWithStartOnAndOtherJobsCanListen) {
    define("backup", "start on go\ntimer every 1m\nexec backup\n");
    define("after", "start on timer JOB=backup\nexec after\n");
    define("other", "timer every 1m\nexec other\n");
    emit("go"); // its start on still works
    EXPECT_EQ(state("backup"), JobState::Running);
    emit("timer", firing("backup", "60"));
    EXPECT_TRUE(runtime.logged("backup: timer fired while still running; skipped"));
    EXPECT_EQ(state("after"), JobState::Running);
    EXPECT_EQ(state("other"), JobState::Waiting); // a firing starts only the job it names
}

TEST_F(EngineEventsTest, ATimerDoesNotStartAManualJobOrOneWithoutTimers) {
    define("off", "timer every 1m\nmanual\nexec off\n");
    define("plain", "exec plain\n");
    emit("timer", firing("off", "60"));
    emit("timer", firing("plain", "60"));
    EXPECT_EQ(state("off"), JobState::Waiting);
    EXPECT_EQ(state("plain"), JobState::Waiting);
    EXPECT_TRUE(runtime.spawns.empty());
}

TEST_F(EngineEventsTest, AJobNamingItsOwnTimerInStartOnIsStartedOnceWithoutASkip) {
    define("backup", "start on timer JOB=backup\ntimer every 1m\nexec backup\n");
    emit("timer", firing("backup", "60"));
    EXPECT_EQ(runtime.spawns.size(), 1u);
    EXPECT_FALSE(runtime.logged("skipped"));
}

TEST_F(EngineEventsTest, AnEmittedTimerEventWithoutAScheduleStartsTheJobNow) {
    define("backup", "task\ntimer cron 0 3 * * *\nexec backup\n");
    emit("timer", {"JOB=backup"}); // startctl emit timer JOB=backup: run it now
    EXPECT_EQ(state("backup"), JobState::Running);
    EXPECT_TRUE(runtime.logged("backup started by event timer"));
}

} // namespace
