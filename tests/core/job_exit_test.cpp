// Tests what the engine does when processes end: respawn and its runaway limit, normal exit,
// the failure rules for services and tasks, and the kill timeout.
#include <csignal>

#include "core/engine_fixture.h"

namespace {

using core::JobGoal;
using core::JobState;
using core::ProcessType;
using core::Seconds;

TEST_F(EngineTest, RespawningServiceIsRestartedAfterItsMainProcessFails) {
    define("sobby", "respawn\nexec sobby\n");
    start("sobby");
    pid_t first = pid_of(ProcessType::Main);
    exit_with(first, 1);
    EXPECT_EQ(state("sobby"), JobState::Running);
    EXPECT_NE(pid_of(ProcessType::Main), first);
    EXPECT_TRUE(runtime.logged("sobby main process ended, respawning"));
    // Respawn goes through stopping (RESULT=ok) and starting, but never stopped.
    EXPECT_EQ(events_starting_with("stopping"), (std::vector<std::string>{"stopping JOB=sobby INSTANCE= RESULT=ok"}));
    EXPECT_TRUE(events_starting_with("stopped").empty());
}

TEST_F(EngineTest, RespawningServiceExitingZeroIsRespawnedToo) {
    define("sobby", "respawn\nexec sobby\n");
    start("sobby");
    exit_with(pid_of(ProcessType::Main), 0);
    EXPECT_EQ(state("sobby"), JobState::Running);
    EXPECT_EQ(runtime.spawns.size(), 2u);
}

TEST_F(EngineTest, NormalExitStatusesAndSignalsStopInsteadOfRespawning) {
    // The seed's sobby example: `normal exit 0 ABRT`.
    define("sobby", "respawn\nnormal exit 0 ABRT\nexec sobby\n");
    start("sobby");
    kill_with(pid_of(ProcessType::Main), SIGABRT);
    EXPECT_EQ(job("sobby"), nullptr);
    EXPECT_EQ(events_starting_with("stopped"), (std::vector<std::string>{"stopped JOB=sobby INSTANCE= RESULT=ok"}));

    start("sobby");
    exit_with(pid_of(ProcessType::Main), 0);
    EXPECT_EQ(job("sobby"), nullptr);
}

TEST_F(EngineTest, NormalExitNumberDoesNotMatchASignalOfThatNumber) {
    define("svc", "respawn\nnormal exit 15\nexec svc\n");
    start("svc");
    kill_with(pid_of(ProcessType::Main), SIGTERM);
    EXPECT_EQ(state("svc"), JobState::Running) << "killed by TERM is not `exit 15`";
}

TEST_F(EngineTest, EleventhRespawnInsideTheDefaultWindowStopsTheJob) {
    define("flappy", "respawn\nexec flappy\n");
    start("flappy");
    for (int i = 0; i < 10; ++i) {
        exit_with(pid_of(ProcessType::Main), 1);
        ASSERT_EQ(state("flappy"), JobState::Running) << "respawn " << i + 1;
    }
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("flappy"), nullptr);
    EXPECT_TRUE(runtime.logged("flappy respawning too fast, stopped"));
    EXPECT_EQ(events_starting_with("stopped"),
              (std::vector<std::string>{"stopped JOB=flappy INSTANCE= RESULT=failed PROCESS=respawn"}));
}

TEST_F(EngineTest, RespawnLimitCountsWithinAWindowAnchoredAtItsFirstRespawn) {
    define("sobby", "respawn\nrespawn limit 2 5\nexec sobby\n");
    start("sobby");
    exit_with(pid_of(ProcessType::Main), 1); // window opens, count 1
    runtime.advance(Seconds(3));
    exit_with(pid_of(ProcessType::Main), 1); // count 2, inside
    runtime.advance(Seconds(3));             // 6 s after the window opened
    exit_with(pid_of(ProcessType::Main), 1); // new window, count 1
    ASSERT_EQ(state("sobby"), JobState::Running);
    exit_with(pid_of(ProcessType::Main), 1); // count 2
    ASSERT_EQ(state("sobby"), JobState::Running);
    exit_with(pid_of(ProcessType::Main), 1); // count 3 > 2
    EXPECT_EQ(job("sobby"), nullptr);
}

TEST_F(EngineTest, UnlimitedRespawnNeverGivesUp) {
    define("sobby", "respawn\nrespawn limit unlimited\nexec sobby\n");
    start("sobby");
    for (int i = 0; i < 100; ++i) {
        exit_with(pid_of(ProcessType::Main), 1);
    }
    EXPECT_EQ(state("sobby"), JobState::Running);
}

TEST_F(EngineTest, RespawnLimitAloneDoesNotEnableRespawn) {
    define("svc", "respawn limit 5 10\nexec svc\n");
    start("svc");
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("svc"), nullptr);
}

TEST_F(EngineTest, ServiceWithoutRespawnExitingZeroJustStops) {
    define("oneshot", "exec oneshot\n");
    start("oneshot");
    exit_with(pid_of(ProcessType::Main), 0);
    EXPECT_EQ(job("oneshot"), nullptr);
    EXPECT_EQ(events_starting_with("stopped"), (std::vector<std::string>{"stopped JOB=oneshot INSTANCE= RESULT=ok"}));
}

TEST_F(EngineTest, TaskExitingZeroIsNeverRespawned) {
    define("job", "task\nrespawn\nexec job\n");
    start("job");
    exit_with(pid_of(ProcessType::Main), 0);
    EXPECT_EQ(job("job"), nullptr);
    EXPECT_EQ(runtime.spawns.size(), 1u);
}

TEST_F(EngineTest, MainDyingDuringPostStartRespawnsOnlyAfterPostStartEnds) {
    define("web", "respawn\nexec web\npost-start exec wait-ready\n");
    start("web");
    pid_t post = pid_of(ProcessType::PostStart);
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(state("web"), JobState::PostStart);
    EXPECT_EQ(job("web")->goal, JobGoal::Respawn);
    exit_with(post, 0);
    EXPECT_EQ(job("web")->goal, JobGoal::Start);
    // Respawned: a new main and a new post-start.
    EXPECT_EQ(state("web"), JobState::PostStart);
    EXPECT_EQ(runtime.spawns.size(), 4u);
}

TEST_F(EngineTest, KillTimeoutEscalatesToSigkillOfTheGroup) {
    define("stubborn", "kill timeout 3\nexec stubborn\n");
    start("stubborn");
    pid_t main = pid_of(ProcessType::Main);
    stop("stubborn");
    ASSERT_EQ(runtime.signals.size(), 1u);
    EXPECT_EQ(runtime.signals[0].sig, SIGTERM);
    runtime.advance(Seconds(2));
    EXPECT_EQ(runtime.signals.size(), 1u);
    runtime.advance(Seconds(1));
    ASSERT_EQ(runtime.signals.size(), 2u);
    EXPECT_EQ(runtime.signals[1].sig, SIGKILL);
    EXPECT_EQ(runtime.signals[1].pid, main);
    EXPECT_TRUE(runtime.signals[1].group);
    kill_with(main, SIGKILL);
    EXPECT_EQ(job("stubborn"), nullptr);
    EXPECT_EQ(runtime.armed_timers(), 0);
}

TEST_F(EngineTest, ExitBeforeTheKillTimeoutCancelsTheTimer) {
    define("polite", "exec polite\n");
    start("polite");
    stop("polite");
    EXPECT_EQ(runtime.armed_timers(), 1);
    kill_with(pid_of(ProcessType::Main), SIGTERM);
    EXPECT_EQ(runtime.armed_timers(), 0);
    runtime.advance(Seconds(10));
    EXPECT_EQ(runtime.signals.size(), 1u);
}

TEST_F(EngineTest, KillSignalStanzaChoosesTheFirstSignal) {
    define("nginx", "kill signal QUIT\nexec nginx\n");
    start("nginx");
    stop("nginx");
    ASSERT_EQ(runtime.signals.size(), 1u);
    EXPECT_EQ(runtime.signals[0].sig, SIGQUIT);
}

TEST_F(EngineTest, ShutdownStopsEveryJobAndDisablesRespawn) {
    define("a", "respawn\nexec a\n");
    define("b", "exec b\n");
    start("a");
    start("b");
    engine.stop_all();
    EXPECT_FALSE(engine.all_stopped());
    for (const auto& s : runtime.spawns) {
        kill_with(s.pid, SIGTERM);
    }
    EXPECT_TRUE(engine.all_stopped());
    EXPECT_EQ(runtime.spawns.size(), 2u);
}

TEST_F(EngineTest, JobsKilledInOneRoundAreSignalledInOneBatchThenTimed) {
    // The runtime gets every kill of a round at once (it reads the process tree once for all).
    for (const char* name : {"a", "b", "c"}) {
        define(name, "exec x\n");
        start(name);
    }
    engine.stop_all();
    EXPECT_EQ(runtime.signal_batches, (std::vector<std::size_t>{3}));
    ASSERT_EQ(runtime.signals.size(), 3u);
    for (const auto& s : runtime.signals) {
        EXPECT_EQ(s.sig, SIGTERM);
        EXPECT_TRUE(s.group);
    }
    EXPECT_EQ(runtime.armed_timers(), 3);
    EXPECT_EQ(state("a"), JobState::Killed);
    EXPECT_EQ(state("c"), JobState::Killed);
}

TEST_F(EngineTest, AKillThatCannotBeSentInABatchMovesOnlyItsJobOn) {
    define("a", "exec a\n");
    define("b", "exec b\npost-stop exec cleanup\n");
    start("a");
    pid_t a = pid_of(ProcessType::Main);
    start("b");
    pid_t b = pid_of(ProcessType::Main);
    runtime.failing_pid = b;
    engine.stop_all();
    EXPECT_EQ(runtime.signal_batches, (std::vector<std::size_t>{2}));
    EXPECT_EQ(state("a"), JobState::Killed) << "a waits for its main process";
    EXPECT_EQ(state("b"), JobState::PostStop) << "b's TERM failed: on to post-stop, as before batching";
    EXPECT_EQ(runtime.armed_timers(), 1);
    EXPECT_TRUE(runtime.logged("Failed to send TERM to b main process (" + std::to_string(b) + ")"));
    kill_with(a, SIGTERM);
    EXPECT_EQ(job("a"), nullptr);
}

TEST_F(EngineTest, UnknownPidsAreIgnored) { EXPECT_FALSE(engine.on_process_exit(424242, core::ExitStatus::exited(0))); }

} // namespace

// ---- respawn delay and healthy (startd's extensions) -----------------------------------------

namespace backoff {

using std::chrono::milliseconds;

// How long the job's pending respawn still waits (the timer armed for it, when it waits).
milliseconds left(fakes::FakeJobRuntime& runtime, const core::Job* job) {
    return std::chrono::duration_cast<milliseconds>(job->respawn_due - runtime.now());
}

} // namespace backoff

TEST_F(EngineTest, RespawnDelayDoublesFromMinToMaxEachWithinItsJitterBounds) {
    define("crash", "respawn\nrespawn limit unlimited\nrespawn delay 1 4\nexec crash\n");
    start("crash");
    const long nominal[] = {1000, 2000, 4000, 4000, 4000};
    for (int attempt = 1; attempt <= 5; ++attempt) {
        std::size_t spawns = runtime.spawns.size();
        exit_with(pid_of(ProcessType::Main), 1);
        const core::Job* j = job("crash");
        ASSERT_NE(j, nullptr);
        EXPECT_EQ(j->goal, JobGoal::Start);
        EXPECT_EQ(j->state, JobState::PostStop) << "waits out its delay in post-stop";
        EXPECT_TRUE(j->waiting_out_delay());
        EXPECT_EQ(j->respawn_attempt, attempt);
        auto wait = backoff::left(runtime, j);
        long d = nominal[attempt - 1];
        EXPECT_GE(wait.count(), d / 2) << "attempt " << attempt;
        EXPECT_LE(wait.count(), d) << "attempt " << attempt;
        EXPECT_EQ(runtime.respawn_timer(*j), j->respawn_due);
        EXPECT_EQ(runtime.spawns.size(), spawns) << "nothing runs during the delay";
        runtime.advance(wait - std::chrono::milliseconds(1));
        EXPECT_EQ(state("crash"), JobState::PostStop);
        runtime.advance(std::chrono::milliseconds(1));
        EXPECT_EQ(state("crash"), JobState::Running) << "attempt " << attempt;
        EXPECT_EQ(runtime.spawns.size(), spawns + 1);
        EXPECT_FALSE(job("crash")->respawn_pending());
    }
    EXPECT_TRUE(runtime.logged("crash main process ended, respawning in "));
    EXPECT_TRUE(events_starting_with("stopped").empty()) << "a respawn is not a stop";
}

TEST_F(EngineTest, RespawnDelayJitterSpansHalfTheDelayToAllOfIt) {
    define("crash", "respawn\nrespawn delay 2 60\nexec crash\n");
    start("crash");
    runtime.randoms = {0, 1000, 1001};
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("crash")->respawn_delay_ms, 1000u) << "the least random value: half of MIN";
    runtime.advance(Seconds(1));
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("crash")->respawn_delay_ms, 3000u) << "attempt 2: 4 s nominal, 2 s + 1000 ms";
    runtime.advance(Seconds(3));
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("crash")->respawn_delay_ms, 4000u + 1001u) << "attempt 3: 8 s nominal, 4 s + 1001 ms";
}

TEST_F(EngineTest, HealthyRunResetsTheDelayAndTheRespawnLimitWindow) {
    define("svc", "respawn\nrespawn limit 3 1000\nrespawn delay 1 60\nrespawn healthy 10\nexec svc\n");
    start("svc");
    for (int i = 0; i < 3; ++i) { // attempts 1..3, three respawns in the limit's window
        exit_with(pid_of(ProcessType::Main), 1);
        runtime.advance(backoff::left(runtime, job("svc")));
        ASSERT_EQ(state("svc"), JobState::Running);
    }
    EXPECT_EQ(job("svc")->respawn_attempt, 3);
    runtime.advance(Seconds(10)); // a healthy run
    exit_with(pid_of(ProcessType::Main), 1);
    ASSERT_NE(job("svc"), nullptr) << "the limit's window started afresh";
    EXPECT_EQ(job("svc")->respawn_attempt, 1);
    EXPECT_LE(backoff::left(runtime, job("svc")).count(), 1000) << "back to MIN";
    EXPECT_TRUE(runtime.logged(
        "svc main process ran 10 s (respawn healthy 10): respawn delay and limit start afresh"));
    // And the new window counts again: three respawns are allowed, the fourth is too many.
    for (int i = 0; i < 2; ++i) {
        runtime.advance(backoff::left(runtime, job("svc")));
        exit_with(pid_of(ProcessType::Main), 1);
    }
    runtime.advance(backoff::left(runtime, job("svc")));
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("svc"), nullptr);
    EXPECT_TRUE(runtime.logged("svc respawning too fast, stopped"));
}

TEST_F(EngineTest, ShortRunDoesNotResetTheDelay) {
    define("svc", "respawn\nrespawn delay 1 60\nrespawn healthy 10\nexec svc\n");
    start("svc");
    exit_with(pid_of(ProcessType::Main), 1);
    runtime.advance(backoff::left(runtime, job("svc")));
    runtime.advance(Seconds(9));
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("svc")->respawn_attempt, 2);
}

TEST_F(EngineTest, RespawnLimitStillStopsARunawayThatHasADelay) {
    define("flappy", "respawn\nrespawn limit 2 60\nrespawn delay 1 1\nexec flappy\n");
    start("flappy");
    for (int i = 0; i < 2; ++i) {
        exit_with(pid_of(ProcessType::Main), 1);
        runtime.advance(Seconds(1));
        ASSERT_EQ(state("flappy"), JobState::Running);
    }
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("flappy"), nullptr);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
    EXPECT_EQ(events_starting_with("stopped"),
              (std::vector<std::string>{"stopped JOB=flappy INSTANCE= RESULT=failed PROCESS=respawn"}));
}

TEST_F(EngineTest, StopDuringTheDelayCancelsTheRespawnAndTheJobRests) {
    define("crash", "respawn\nrespawn delay 5 5\nexec crash\n");
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    ASSERT_TRUE(job("crash")->waiting_out_delay());
    outcomes.clear();
    stop("crash");
    EXPECT_EQ(job("crash"), nullptr);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].failed);
    EXPECT_EQ(events_starting_with("stopped"),
              (std::vector<std::string>{"stopped JOB=crash INSTANCE= RESULT=ok"}));
    std::size_t spawns = runtime.spawns.size();
    runtime.advance(Seconds(10));
    EXPECT_EQ(runtime.spawns.size(), spawns);
}

TEST_F(EngineTest, StopOnEventDuringTheDelayCancelsTheRespawn) {
    define("crash", "respawn\nrespawn delay 5 5\nstop on halt\nexec crash\n");
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    engine.emit("halt", {});
    EXPECT_EQ(job("crash"), nullptr);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
}

TEST_F(EngineTest, ShutdownDuringTheDelayStopsTheJob) {
    define("crash", "respawn\nrespawn delay 5 5\nexec crash\n");
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    engine.stop_all();
    EXPECT_TRUE(engine.all_stopped());
}

TEST_F(EngineTest, PostStopRunsBeforeTheDelayIsWaitedOut) {
    define("crash", "respawn\nrespawn delay 4 4\npost-stop exec cleanup\nexec crash\n");
    runtime.randoms = {2000}; // the whole delay: 4 s
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    ASSERT_EQ(state("crash"), JobState::PostStop);
    EXPECT_FALSE(job("crash")->waiting_out_delay()) << "post-stop runs first";
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
    runtime.advance(Seconds(1));
    exit_with(pid_of(ProcessType::PostStop), 0);
    EXPECT_TRUE(job("crash")->waiting_out_delay());
    EXPECT_EQ(runtime.respawn_timer(*job("crash")), runtime.now() + Seconds(3))
        << "counted from the main exit";
    runtime.advance(Seconds(3));
    EXPECT_EQ(state("crash"), JobState::Running);
}

TEST_F(EngineTest, PostStopOutlastingTheDelayRespawnsAtOnce) {
    define("crash", "respawn\nrespawn delay 1 1\npost-stop exec cleanup\nexec crash\n");
    start("crash");
    exit_with(pid_of(ProcessType::Main), 1);
    runtime.advance(Seconds(2));
    exit_with(pid_of(ProcessType::PostStop), 0);
    EXPECT_EQ(state("crash"), JobState::Running);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
}

TEST_F(EngineTest, WithoutRespawnDelayTheRespawnIsImmediateAsInUpstart) {
    define("sobby", "respawn\nrespawn healthy 10\nexec sobby\n");
    start("sobby");
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(state("sobby"), JobState::Running);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
    EXPECT_EQ(job("sobby")->respawn_attempt, 0) << "attempts count only with a delay";
}
