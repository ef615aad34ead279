// Tests the job lifecycle on a fake runtime: the seed's guarantees about the five processes,
// job events and their order, tasks vs services, and stops arriving in every state.
#include "core/engine_fixture.h"

#include <csignal>

namespace {

using core::JobGoal;
using core::JobState;
using core::ProcessType;

TEST_F(EngineTest, StartingAServiceRunsItsMainProcessAndEmitsEventsInOrder) {
    define("web", "exec /usr/sbin/web --port 80\n");
    auto reply = try_start("web");
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->state, JobState::Starting) << "the immediate reply is taken right after the goal change";
    EXPECT_EQ(state("web"), JobState::Running);
    ASSERT_EQ(runtime.spawns.size(), 1u);
    EXPECT_EQ(runtime.spawns[0].type, ProcessType::Main);
    EXPECT_EQ(events, (std::vector<std::string>{"starting JOB=web INSTANCE=", "started JOB=web INSTANCE="}));
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);
    EXPECT_EQ(outcomes[0].status.state, JobState::Running);
}

TEST_F(EngineTest, PreStartSucceedsBeforeEveryMainRun) {
    define("dbus", "pre-start exec mkdir -p /run/dbus\nexec dbus-daemon --system --nofork\npost-stop exec rm "
                   "-f /run/dbus/pid\n");
    start("dbus");
    EXPECT_EQ(state("dbus"), JobState::PreStart);
    EXPECT_TRUE(outcomes.empty()) << "start must not return before the job is running";
    ASSERT_EQ(runtime.spawns.size(), 1u);
    exit_with(pid_of(ProcessType::PreStart), 0);
    EXPECT_EQ(state("dbus"), JobState::Running);
    ASSERT_EQ(runtime.spawns.size(), 2u);
    EXPECT_EQ(runtime.spawns[1].type, ProcessType::Main);
    EXPECT_EQ(outcomes.size(), 1u);
}

TEST_F(EngineTest, FailedPreStartSkipsMainAndFailsTheJobWithItsStatus) {
    define("dbus", "pre-start exec false\nexec dbus-daemon\npost-stop exec cleanup\n");
    start("dbus");
    exit_with(pid_of(ProcessType::PreStart), 1);
    EXPECT_EQ(pid_of(ProcessType::Main), 0) << "main must never run after a failed pre-start";
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].failed);
    EXPECT_EQ(outcomes[0].message, "Job failed to start: dbus pre-start process terminated with status 1");
    // post-stop still runs for the start that happened.
    EXPECT_EQ(state("dbus"), JobState::PostStop);
    exit_with(pid_of(ProcessType::PostStop), 0);
    EXPECT_EQ(job("dbus"), nullptr);
    EXPECT_EQ(events_starting_with("stopped"),
              (std::vector<std::string>{
                  "stopped JOB=dbus INSTANCE= RESULT=failed PROCESS=pre-start EXIT_STATUS=1"}));
}

TEST_F(EngineTest, PostStopRunsForEveryStart) {
    define("dbus", "exec dbus-daemon\npost-stop exec cleanup\n");
    start("dbus");
    stop("dbus");
    EXPECT_EQ(state("dbus"), JobState::Killed);
    kill_with(pid_of(ProcessType::Main), SIGTERM);
    EXPECT_EQ(state("dbus"), JobState::PostStop);
    exit_with(pid_of(ProcessType::PostStop), 0);
    EXPECT_EQ(job("dbus"), nullptr);
    EXPECT_EQ(events_starting_with("stopped"),
              (std::vector<std::string>{"stopped JOB=dbus INSTANCE= RESULT=ok"}));
}

TEST_F(EngineTest, StopDuringPreStartWaitsForItThenSkipsMain) {
    define("web", "pre-start exec sleep 1\nexec web\n");
    start("web");
    pid_t pre = pid_of(ProcessType::PreStart);
    stop("web");
    EXPECT_EQ(state("web"), JobState::PreStart) << "pre-start is not killed by a stop";
    exit_with(pre, 0);
    EXPECT_EQ(pid_of(ProcessType::Main), 0);
    EXPECT_EQ(job("web"), nullptr);
    ASSERT_EQ(outcomes.size(), 2u);
}

TEST_F(EngineTest, PostStartAndPreStopRunWhileMainRuns) {
    define("web", "exec web\npost-start exec wait-for-port\npre-stop exec drain\n");
    start("web");
    EXPECT_EQ(state("web"), JobState::PostStart);
    EXPECT_GT(job("web")->pid(ProcessType::Main), 0);
    EXPECT_TRUE(outcomes.empty());
    exit_with(pid_of(ProcessType::PostStart), 1); // ignored
    EXPECT_EQ(state("web"), JobState::Running);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);

    stop("web");
    EXPECT_EQ(state("web"), JobState::PreStop);
    EXPECT_GT(job("web")->pid(ProcessType::Main), 0);
    EXPECT_TRUE(runtime.signals.empty()) << "main is signalled only after pre-stop";
    exit_with(pid_of(ProcessType::PreStop), 3); // ignored too
    EXPECT_EQ(state("web"), JobState::Killed);
    ASSERT_EQ(runtime.signals.size(), 1u);
    EXPECT_EQ(runtime.signals[0].sig, SIGTERM);
    EXPECT_TRUE(runtime.signals[0].group) << "the kill signal goes to the whole process group";
}

TEST_F(EngineTest, StartDuringPreStopCancelsTheStopWithoutAStartedEvent) {
    define("web", "exec web\npre-stop exec drain\n");
    start("web");
    stop("web");
    ASSERT_EQ(state("web"), JobState::PreStop);
    ASSERT_TRUE(try_start("web").has_value());
    exit_with(pid_of(ProcessType::PreStop), 0);
    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_EQ(events_starting_with("started").size(), 1u);
    EXPECT_TRUE(runtime.signals.empty());
}

TEST_F(EngineTest, RestartKillsRunsPostStopThenPreStartThenMainWithoutStoppedEvent) {
    define("web", "pre-start exec prepare\nexec web\npost-stop exec cleanup\n");
    start("web");
    exit_with(pid_of(ProcessType::PreStart), 0);
    pid_t first_main = pid_of(ProcessType::Main);
    ASSERT_TRUE(
        engine.restart("web", {}, [this](const core::JobOutcome& o) { outcomes.push_back(o); }).has_value());
    EXPECT_EQ(state("web"), JobState::Killed);
    kill_with(first_main, SIGTERM);
    exit_with(pid_of(ProcessType::PostStop), 0);
    exit_with(pid_of(ProcessType::PreStart), 0);
    EXPECT_EQ(state("web"), JobState::Running);
    std::vector<ProcessType> order;
    for (const auto& s : runtime.spawns) {
        order.push_back(s.type);
    }
    EXPECT_EQ(order,
              (std::vector<ProcessType>{ProcessType::PreStart, ProcessType::Main, ProcessType::PostStop,
                                        ProcessType::PreStart, ProcessType::Main}));
    EXPECT_TRUE(events_starting_with("stopped").empty());
    EXPECT_EQ(events_starting_with("starting").size(), 2u);
}

TEST_F(EngineTest, TaskStartReturnsOnlyWhenTheTaskHasFinished) {
    define("migrate", "task\nexec migrate-db\n");
    start("migrate");
    EXPECT_EQ(state("migrate"), JobState::Running);
    EXPECT_TRUE(outcomes.empty());
    exit_with(pid_of(ProcessType::Main), 0);
    EXPECT_EQ(job("migrate"), nullptr);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);
}

TEST_F(EngineTest, FailingTaskFailsItsStartWithTheExitStatus) {
    define("migrate", "task\nexec migrate-db\n");
    start("migrate");
    exit_with(pid_of(ProcessType::Main), 2);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].failed);
    EXPECT_EQ(
        events_starting_with("stopped"),
        (std::vector<std::string>{"stopped JOB=migrate INSTANCE= RESULT=failed PROCESS=main EXIT_STATUS=2"}));
}

TEST_F(EngineTest, JobWithoutProcessesRestsInRunning) {
    define("runlevel-marker", "description \"state only\"\n");
    start("runlevel-marker");
    EXPECT_EQ(state("runlevel-marker"), JobState::Running);
    EXPECT_TRUE(runtime.spawns.empty());
    stop("runlevel-marker");
    EXPECT_EQ(job("runlevel-marker"), nullptr);
}

TEST_F(EngineTest, MainSpawnFailureFailsTheJobWithProcessButNoExitStatus) {
    define("web", "exec /nonexistent\n");
    runtime.fail_next_spawn(ProcessType::Main, "exec failed: No such file or directory");
    start("web");
    EXPECT_EQ(job("web"), nullptr);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].failed);
    EXPECT_TRUE(runtime.logged("Failed to spawn web main process: exec failed: No such file or directory"));
    EXPECT_EQ(events_starting_with("stopped"),
              (std::vector<std::string>{"stopped JOB=web INSTANCE= RESULT=failed PROCESS=main"}));
}

TEST_F(EngineTest, PostStartSpawnFailureIsIgnored) {
    define("web", "exec web\npost-start exec /missing\n");
    runtime.fail_next_spawn(ProcessType::PostStart, "exec failed");
    start("web");
    EXPECT_EQ(state("web"), JobState::Running);
}

TEST_F(EngineTest, StoppedEventCarriesExitSignalNameWithoutSigPrefix) {
    define("crashy", "exec crashy\n");
    start("crashy");
    kill_with(pid_of(ProcessType::Main), SIGSEGV);
    EXPECT_EQ(events_starting_with("stopping"),
              (std::vector<std::string>{
                  "stopping JOB=crashy INSTANCE= RESULT=failed PROCESS=main EXIT_SIGNAL=SEGV"}));
}

TEST_F(EngineTest, ExportedVariablesFollowTheBuiltInOnes) {
    define("web", "env PORT=80\nenv JOB=sneaky\nexport PORT JOB\nexec web\n");
    start("web");
    EXPECT_EQ(events_starting_with("started"),
              (std::vector<std::string>{"started JOB=web INSTANCE= PORT=80"}));
}

TEST_F(EngineTest, StopInEveryStateEndsWaitingWithNothingLeft) {
    define("full", "pre-start exec a\nexec main\npost-start exec b\npre-stop exec c\npost-stop exec d\n");
    // Drive one instance through each state, stop it there, then complete whatever is pending.
    const JobState states[] = {JobState::PreStart, JobState::PostStart, JobState::Running, JobState::PreStop};
    for (JobState target : states) {
        runtime.spawns.clear();
        start("full");
        if (target != JobState::PreStart) {
            exit_with(pid_of(ProcessType::PreStart), 0);
        }
        if (target == JobState::Running || target == JobState::PreStop) {
            exit_with(pid_of(ProcessType::PostStart), 0);
        }
        if (target == JobState::PreStop) {
            stop("full");
        }
        ASSERT_EQ(state("full"), target);
        if (target != JobState::PreStop) {
            stop("full");
        }
        // Finish every process still alive, in the order the job needs them.
        for (int guard = 0; guard < 10 && job("full") != nullptr; ++guard) {
            const core::Job* j = job("full");
            for (std::size_t t = 0; t < core::process_type_count; ++t) {
                auto type = static_cast<ProcessType>(t);
                if (type != ProcessType::Main && j->pid(type) > 0) {
                    exit_with(j->pid(type), 0);
                    break;
                }
                if (type == ProcessType::Main && j->pid(type) > 0 && j->state == JobState::Killed) {
                    kill_with(j->pid(type), SIGTERM);
                    break;
                }
            }
        }
        EXPECT_EQ(job("full"), nullptr) << "stuck after a stop in " << core::to_string(target);
    }
}

} // namespace

namespace {

TEST_F(EngineTest, TaskWithoutMainProcessEndsOnceItsHooksHaveRun) {
    define("setup", "task\npre-start exec prepare\n");
    start("setup");
    EXPECT_EQ(state("setup"), core::JobState::PreStart);
    exit_with(pid_of(core::ProcessType::PreStart), 0);
    EXPECT_EQ(job("setup"), nullptr);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);
}

TEST_F(EngineTest, StateChangesAreDescribedOnlyWhenDebugMessagesAreWanted) {
    define("web", "exec web\n");
    define("db", "exec db\n");
    runtime.debug = false;
    start("web");
    EXPECT_FALSE(runtime.logged("state changed")) << "not even built";
    runtime.debug = true;
    start("db");
    EXPECT_TRUE(runtime.logged("db state changed from waiting to starting"));
}

TEST_F(EngineTest, MainProcessesOfOneRoundAreSpawnedInOneBatch) {
    // The runtime gets every main process a round starts at once (it creates them several at
    // a time); hooks are spawned as they come.
    for (const char* name : {"a", "b", "c"}) {
        define(name, std::string("start on go\npre-start exec prep-") + name + "\nexec " + name + "\n");
    }
    engine.emit("go", {});
    EXPECT_TRUE(runtime.spawn_batches.empty()) << "pre-start first, one at a time";
    for (const char* name : {"a", "b", "c"}) {
        EXPECT_EQ(state(name), JobState::PreStart);
    }
    std::vector<pid_t> hooks;
    for (const auto& s : runtime.spawns) {
        hooks.push_back(s.pid);
    }
    ASSERT_EQ(hooks.size(), 3u);
    for (pid_t hook : hooks) {
        exit_with(hook, 0); // each exit is a round of its own
    }
    EXPECT_EQ(runtime.spawn_batches, (std::vector<std::size_t>{1, 1, 1}));
    for (const char* name : {"a", "b", "c"}) {
        EXPECT_EQ(state(name), JobState::Running);
    }
}

TEST_F(EngineTest, AStartThatReachesSpawnedForManyJobsInOneRoundIsOneBatchInOrder) {
    for (const char* name : {"d", "e", "f", "g"}) {
        define(name, "start on go\nexec x\n");
    }
    engine.emit("go", {});
    EXPECT_EQ(runtime.spawn_batches, (std::vector<std::size_t>{4}));
    std::vector<std::string> order;
    for (const auto& s : runtime.spawns) {
        order.push_back(s.job);
    }
    EXPECT_EQ(order, (std::vector<std::string>{"d", "e", "f", "g"}));
    for (const char* name : {"d", "e", "f", "g"}) {
        EXPECT_EQ(state(name), JobState::Running);
    }
}

TEST_F(EngineTest, AFailedSpawnInABatchFailsOnlyItsJob) {
    define("a", "start on go\nexec a\n");
    define("b", "start on go\nexec b\n");
    runtime.fail_next_spawn(ProcessType::Main, "exec failed: No such file or directory (ENOENT)");
    engine.emit("go", {});
    EXPECT_EQ(runtime.spawn_batches, (std::vector<std::size_t>{2}));
    EXPECT_EQ(job("a"), nullptr) << "a could not be started: it failed and stopped";
    EXPECT_TRUE(runtime.logged("Failed to spawn a main process: exec failed: No such file or directory"));
    EXPECT_EQ(state("b"), JobState::Running);
}

TEST_F(EngineTest, AJobStoppedInTheRoundItReachedSpawnedNeverGetsAMainProcess) {
    // a has no process: it is running, and `started a` emitted, in the same round in which b
    // reaches spawned. b's `stop on started a` stops it before its main process was created:
    // it never is; b goes through stopping and post-stop as any stopped job.
    define("a", "start on go\n");
    define("b", "start on go\nstop on started a\npost-stop exec cleanup\nexec b\n");
    engine.emit("go", {});
    EXPECT_EQ(state("a"), JobState::Running);
    for (const auto& s : runtime.spawns) {
        EXPECT_NE(s.type, ProcessType::Main) << s.job << " got a main process";
    }
    EXPECT_TRUE(runtime.spawn_batches.empty());
    EXPECT_EQ(state("b"), JobState::PostStop);
    exit_with(runtime.last_pid(ProcessType::PostStop), 0);
    EXPECT_EQ(job("b"), nullptr);
}

// ---- stanzas this system cannot honour (issue 12, item 11) -----------------------------------
// A job with `apparmor` or `cgroup` fails its start at once, naming the stanza, and no process of
// it runs (not even pre-start): never a silent no-op, never half set up.

TEST_F(EngineTest, CgroupStanzaFailsTheStartAtOnceBeforeAnyProcessRuns) {
    define("cg", "cgroup cpu\npre-start exec true\nexec sleep 100\n");
    start("cg");
    EXPECT_TRUE(runtime.spawns.empty()) << "no process of such a job may run";
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].failed);
    EXPECT_EQ(outcomes[0].message, "Job failed to start: cg main process could not be started: cgroup cpu: cgroup "
                                   "stanzas (cgroup v1 controllers) are not supported on this system");
    EXPECT_EQ(job("cg"), nullptr);
    EXPECT_EQ(events_starting_with("stopped"),
              (std::vector<std::string>{"stopped JOB=cg INSTANCE= RESULT=failed PROCESS=main"}));
}

TEST_F(EngineTest, ApparmorSwitchFailsTheStartAtOnceNamingTheProfile) {
    define("cups", "apparmor switch /usr/sbin/cupsd\npre-start exec mkdir -p /run/cups\nexec cupsd -f\n");
    start("cups");
    EXPECT_TRUE(runtime.spawns.empty());
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].message, "Job failed to start: cups main process could not be started: apparmor switch "
                                   "/usr/sbin/cupsd: AppArmor is not supported on this system");
}

TEST_F(EngineTest, ApparmorLoadFailsTheStartWithItsReason) {
    define("lxc", "apparmor load /etc/apparmor.d/lxc-containers\nexec lxc-start\n");
    start("lxc");
    EXPECT_TRUE(runtime.spawns.empty());
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].message, "Job failed to start: lxc security process could not be started: apparmor load "
                                   "/etc/apparmor.d/lxc-containers: AppArmor is not supported on this system");
}

} // namespace
