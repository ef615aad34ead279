// Tests Engine::adopt: an instance a predecessor recorded becomes an instance again in its
// state, with its pids, running nothing its processes already do; what ended meanwhile ends
// now; a state that waited for something that did not cross over is entered again; and what
// cannot be adopted is refused without a change.
#include <algorithm>
#include <csignal>

#include "core/engine_fixture.h"

namespace {

using core::AdoptedJob;
using core::JobGoal;
using core::JobState;
using core::ProcessType;
using core::Seconds;

constexpr pid_t recorded_main = 4000;
constexpr pid_t recorded_hook = 4001;

std::size_t slot(ProcessType type) { return static_cast<std::size_t>(type); }

class EngineAdoptTest : public EngineTest {
  protected:
    // A record of `name` in `state` whose main process `main` runs (0: none recorded).
    AdoptedJob record(const std::string& name, JobState state, pid_t main = recorded_main) {
        AdoptedJob a;
        a.job = name;
        a.goal = JobGoal::Start;
        a.state = state;
        a.env = {"PATH=/usr/bin:/bin", "TERM=linux", "FROM=predecessor"};
        a.pids[slot(ProcessType::Main)] = main;
        a.main_group = main;
        return a;
    }
    const core::Job* adopt(const AdoptedJob& a) {
        auto adopted = engine.adopt(a);
        EXPECT_TRUE(adopted.has_value()) << (adopted ? "" : adopted.error().message);
        return adopted ? *adopted : nullptr;
    }
    // adopt() refuses `a` with `code`, and nothing the engine did shows.
    void expect_refused(const AdoptedJob& a, const std::string& code) {
        std::size_t spawns = runtime.spawns.size();
        std::size_t signals = runtime.signals.size();
        std::size_t seen = events.size();
        std::size_t changed = runtime.changed_jobs.size();
        const core::Job* before = engine.find_instance(a.job, a.instance);
        pid_t before_main = before ? before->pid(ProcessType::Main) : 0;
        auto adopted = engine.adopt(a);
        ASSERT_FALSE(adopted.has_value()) << a.job << " (" << a.instance << ") was adopted";
        EXPECT_EQ(adopted.error().code, code) << adopted.error().message;
        EXPECT_FALSE(adopted.error().message.empty());
        EXPECT_EQ(runtime.spawns.size(), spawns);
        EXPECT_EQ(runtime.signals.size(), signals);
        EXPECT_EQ(events.size(), seen);
        EXPECT_EQ(runtime.changed_jobs.size(), changed);
        EXPECT_EQ(engine.find_instance(a.job, a.instance), before);
        if (before != nullptr) {
            EXPECT_EQ(before->pid(ProcessType::Main), before_main);
        }
        for (pid_t pid : a.pids) {
            if (pid > 0 && pid != before_main) {
                EXPECT_EQ(engine.job_of(pid), nullptr) << pid << " was registered";
            }
        }
    }
    std::size_t spawns_of(ProcessType type) const {
        return static_cast<std::size_t>(std::count_if(runtime.spawns.begin(), runtime.spawns.end(),
                                                      [&](const fakes::SpawnRecord& s) { return s.type == type; }));
    }
};

TEST_F(EngineAdoptTest, ARunningServiceKeepsItsPidAndStateAndNothingIsSpawned) {
    define("web", "exec web\n");
    const core::Job* web = adopt(record("web", JobState::Running));
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web, job("web"));
    EXPECT_EQ(web->state, JobState::Running);
    EXPECT_EQ(web->goal, JobGoal::Start);
    EXPECT_EQ(web->pid(ProcessType::Main), recorded_main);
    EXPECT_EQ(web->main_group, recorded_main);
    EXPECT_EQ(web->env.get(), record("web", JobState::Running).env);
    EXPECT_EQ(engine.job_of(recorded_main), web);
    EXPECT_TRUE(runtime.spawns.empty());
    EXPECT_TRUE(runtime.signals.empty());
    EXPECT_TRUE(events.empty()) << "started was emitted by the predecessor";
    EXPECT_EQ(runtime.armed_timers(), 0);

    // It is the engine's like any other: its end and a stop work.
    stop("web");
    EXPECT_EQ(state("web"), JobState::Killed);
    ASSERT_FALSE(runtime.signals.empty());
    EXPECT_EQ(runtime.signals.back().pid, recorded_main);
    EXPECT_EQ(runtime.signals.back().sig, SIGTERM);
    kill_with(recorded_main, SIGTERM);
    EXPECT_EQ(job("web"), nullptr);
}

TEST_F(EngineAdoptTest, TheAdoptedJobIsReportedAsChanged) {
    define("web", "exec web\n");
    adopt(record("web", JobState::Running));
    EXPECT_NE(std::find(runtime.changed_jobs.begin(), runtime.changed_jobs.end(), "web"), runtime.changed_jobs.end());
}

TEST_F(EngineAdoptTest, AnEndedMainOfARespawnJobRespawnsOnce) {
    define("web", "respawn\nexec web\n");
    AdoptedJob a = record("web", JobState::Running);
    a.ended[slot(ProcessType::Main)] = true;
    const core::Job* web = adopt(a);
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->state, JobState::Running);
    ASSERT_EQ(runtime.spawns.size(), 1u);
    EXPECT_EQ(runtime.spawns[0].type, ProcessType::Main);
    EXPECT_EQ(runtime.spawns[0].env, a.env) << "with the environment it had";
    EXPECT_EQ(web->pid(ProcessType::Main), runtime.spawns[0].pid);
    EXPECT_EQ(engine.job_of(recorded_main), nullptr);
    EXPECT_TRUE(events_starting_with("stopped").empty());
}

TEST_F(EngineAdoptTest, AnEndedMainOfAServiceWithoutRespawnStopsIt) {
    define("web", "exec web\n");
    AdoptedJob a = record("web", JobState::Running);
    a.ended[slot(ProcessType::Main)] = true;
    auto adopted = engine.adopt(a);
    ASSERT_TRUE(adopted.has_value()) << adopted.error().message;
    EXPECT_EQ(*adopted, nullptr) << "it came to rest and is gone";
    EXPECT_EQ(job("web"), nullptr);
    EXPECT_TRUE(runtime.spawns.empty());
    EXPECT_EQ(events_starting_with("stopped"), (std::vector<std::string>{"stopped JOB=web INSTANCE= RESULT=ok"}));
    EXPECT_EQ(engine.job_of(recorded_main), nullptr);
}

TEST_F(EngineAdoptTest, AnAdoptedPreStartThatRunsIsWaitedForAndItsEndSpawnsTheMain) {
    define("web", "pre-start exec setup\nexec web\n");
    AdoptedJob a = record("web", JobState::PreStart, 0);
    a.pids[slot(ProcessType::PreStart)] = recorded_hook;
    const core::Job* web = adopt(a);
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->state, JobState::PreStart);
    EXPECT_EQ(web->pid(ProcessType::PreStart), recorded_hook);
    EXPECT_TRUE(runtime.spawns.empty());

    exit_with(recorded_hook, 0);
    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_EQ(spawns_of(ProcessType::Main), 1u);
    EXPECT_EQ(spawns_of(ProcessType::PreStart), 0u);
    EXPECT_EQ(events_starting_with("started"), (std::vector<std::string>{"started JOB=web INSTANCE="}));
}

TEST_F(EngineAdoptTest, AnEndedPreStartMovesOnToSpawningTheMain) {
    define("web", "pre-start exec setup\nexec web\n");
    AdoptedJob a = record("web", JobState::PreStart, 0);
    a.pids[slot(ProcessType::PreStart)] = recorded_hook;
    a.ended[slot(ProcessType::PreStart)] = true;
    const core::Job* web = adopt(a);
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->state, JobState::Running);
    ASSERT_EQ(runtime.spawns.size(), 1u);
    EXPECT_EQ(runtime.spawns[0].type, ProcessType::Main);
    EXPECT_EQ(engine.job_of(recorded_hook), nullptr);
}

TEST_F(EngineAdoptTest, AJobRecordedInStartingIsEnteredAgain) {
    define("web", "exec web\n");
    define("gate", "start on starting web\ntask\nexec gate\n"); // holds web's starting until done
    const core::Job* web = adopt(record("web", JobState::Starting, 0));
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(events_starting_with("starting JOB=web"), (std::vector<std::string>{"starting JOB=web INSTANCE="}))
        << "emitted again: the predecessor's went with it";
    EXPECT_EQ(web->state, JobState::Starting);
    ASSERT_EQ(runtime.spawns.size(), 1u);
    EXPECT_EQ(runtime.spawns[0].job, "gate");

    exit_with(runtime.spawns[0].pid, 0); // the event finishes
    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_EQ(spawns_of(ProcessType::Main), 2u) << "gate's, then web's";
    EXPECT_EQ(runtime.spawns.back().job, "web");
}

TEST_F(EngineAdoptTest, AJobRecordedInKilledWithALiveMainIsSignalledAgainWithAKillTimer) {
    define("web", "exec web\n");
    AdoptedJob a = record("web", JobState::Killed);
    a.goal = JobGoal::Stop;
    const core::Job* web = adopt(a);
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->state, JobState::Killed);
    ASSERT_EQ(runtime.signals.size(), 1u);
    EXPECT_EQ(runtime.signals[0].pid, recorded_main);
    EXPECT_EQ(runtime.signals[0].sig, SIGTERM);
    EXPECT_EQ(runtime.armed_timers(), 1);
    EXPECT_TRUE(runtime.spawns.empty());

    runtime.advance(Seconds(5)); // the default kill timeout
    ASSERT_EQ(runtime.signals.size(), 2u);
    EXPECT_EQ(runtime.signals[1].sig, SIGKILL);
    kill_with(recorded_main, SIGKILL);
    EXPECT_EQ(job("web"), nullptr);
    EXPECT_EQ(events_starting_with("stopped"), (std::vector<std::string>{"stopped JOB=web INSTANCE= RESULT=ok"}));
}

TEST_F(EngineAdoptTest, AJobRecordedInKilledWhoseMainEndedGoesOnToRest) {
    define("web", "exec web\n");
    AdoptedJob a = record("web", JobState::Killed);
    a.goal = JobGoal::Stop;
    a.ended[slot(ProcessType::Main)] = true;
    auto adopted = engine.adopt(a);
    ASSERT_TRUE(adopted.has_value()) << adopted.error().message;
    EXPECT_EQ(*adopted, nullptr);
    EXPECT_TRUE(runtime.signals.empty()) << "nothing left to signal";
    EXPECT_EQ(runtime.armed_timers(), 0);
    EXPECT_EQ(events_starting_with("stopped").size(), 1u);
}

TEST_F(EngineAdoptTest, SpawnedIsAdoptedAsRunningAndMovesOnAsAtReadiness) {
    define("web", "expect stop\npost-start exec announce\nexec web\n");
    define("after", "start on started web\nexec after\n");
    const core::Job* web = adopt(record("web", JobState::Spawned));
    ASSERT_NE(web, nullptr);
    EXPECT_TRUE(runtime.readiness_watches.empty()) << "its readiness is taken as given";
    EXPECT_EQ(web->pid(ProcessType::Main), recorded_main);
    EXPECT_EQ(spawns_of(ProcessType::Main), 0u);
    // Taken as ready: its post-start runs, then it is running and `started` is emitted, so
    // that what waits for it starts (the predecessor had not got that far).
    ASSERT_EQ(spawns_of(ProcessType::PostStart), 1u);
    EXPECT_EQ(web->state, JobState::PostStart);
    exit_with(runtime.spawns.back().pid, 0);
    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_EQ(events_starting_with("started JOB=web"), (std::vector<std::string>{"started JOB=web INSTANCE="}));
    EXPECT_EQ(state("after"), JobState::Running);
    EXPECT_EQ(job("web")->pid(ProcessType::Main), recorded_main);
}

TEST_F(EngineAdoptTest, SpawnedWithoutPostStartIsRunningAtOnce) {
    define("web", "expect stop\nexec web\n");
    const core::Job* web = adopt(record("web", JobState::Spawned));
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->state, JobState::Running);
    EXPECT_TRUE(runtime.spawns.empty());
    EXPECT_EQ(events_starting_with("started JOB=web").size(), 1u);
}

TEST_F(EngineAdoptTest, SpawnedWithExpectStopIsContinued) {
    // It stopped itself (SIGSTOP) for the predecessor to continue it, which it did not live
    // to do; no one else will.
    define("web", "expect stop\nexec web\n");
    ASSERT_NE(adopt(record("web", JobState::Spawned)), nullptr);
    ASSERT_EQ(runtime.signals.size(), 1u);
    EXPECT_EQ(runtime.signals[0].pid, recorded_main);
    EXPECT_EQ(runtime.signals[0].sig, SIGCONT);
    EXPECT_FALSE(runtime.signals[0].group);
    EXPECT_EQ(state("web"), JobState::Running);
}

TEST_F(EngineAdoptTest, SpawnedWithAnotherExpectIsNotSignalled) {
    define("web", "expect notify\nexec web\n");
    ASSERT_NE(adopt(record("web", JobState::Spawned)), nullptr);
    EXPECT_TRUE(runtime.signals.empty());
    EXPECT_EQ(state("web"), JobState::Running);
}

TEST_F(EngineAdoptTest, ARunningJobWithoutAMainProcessStays) {
    define("setup", "pre-start exec setup\npost-stop exec teardown\n");
    const core::Job* setup = adopt(record("setup", JobState::Running, 0));
    ASSERT_NE(setup, nullptr);
    EXPECT_EQ(setup->state, JobState::Running);
    EXPECT_TRUE(runtime.spawns.empty());
    EXPECT_TRUE(events.empty());

    stop("setup");
    EXPECT_EQ(spawns_of(ProcessType::PostStop), 1u);
}

TEST_F(EngineAdoptTest, AnUnknownClassIsRefused) {
    expect_refused(record("ghost", JobState::Running), "unknown-job");
}

TEST_F(EngineAdoptTest, ADeletedClassIsRefused) {
    define("net", "instance $IFACE\nexec net\n");
    start("net", {"IFACE=eth0"});
    engine.remove_class("net"); // eth0 runs on; the class is gone once it stops
    ASSERT_NE(job("net", "eth0"), nullptr);
    AdoptedJob a = record("net", JobState::Running);
    a.instance = "eth1";
    expect_refused(a, "unknown-job");
}

TEST_F(EngineAdoptTest, AnInstanceThatExistsIsRefused) {
    define("web", "exec web\n");
    start("web");
    ASSERT_EQ(state("web"), JobState::Running);
    expect_refused(record("web", JobState::Running), "already-known");
}

TEST_F(EngineAdoptTest, ARecordAtRestIsRefused) {
    define("web", "exec web\n");
    expect_refused(record("web", JobState::Waiting), "invalid-argument");
    EXPECT_EQ(job("web"), nullptr);
}

TEST_F(EngineAdoptTest, RespawnAccountingIsKeptSoTheLimitStillApplies) {
    define("web", "respawn\nrespawn limit 2 5\nexec web\n");
    AdoptedJob a = record("web", JobState::Running);
    a.respawn_count = 2;
    a.respawn_time = runtime.now() - Seconds(1);
    const core::Job* web = adopt(a);
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->respawn_count, 2u);
    EXPECT_EQ(web->respawn_time, a.respawn_time);

    exit_with(recorded_main, 1); // the third respawn inside the window: too fast
    EXPECT_EQ(job("web"), nullptr);
    EXPECT_TRUE(runtime.logged("web respawning too fast, stopped"));
    EXPECT_TRUE(runtime.spawns.empty());
}

TEST_F(EngineAdoptTest, RespawnAccountingOutsideItsWindowStartsAnew) {
    define("web", "respawn\nrespawn limit 2 5\nexec web\n");
    AdoptedJob a = record("web", JobState::Running);
    a.respawn_count = 2;
    a.respawn_time = runtime.now() - Seconds(6);
    adopt(a);
    exit_with(recorded_main, 1);
    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_EQ(runtime.spawns.size(), 1u);
}

TEST_F(EngineAdoptTest, AFailureItWasWindingDownAfterIsKept) {
    define("web", "exec web\n");
    AdoptedJob a = record("web", JobState::Killed);
    a.goal = JobGoal::Stop;
    a.failure = "web main process terminated with status 3";
    ASSERT_NE(adopt(a), nullptr);
    kill_with(recorded_main, SIGTERM);
    EXPECT_EQ(engine.last_failure("web", ""), "web main process terminated with status 3");
}

} // namespace

// ---- a job waiting out its respawn delay (`respawn delay`) ------------------------------------

namespace {

AdoptedJob waiting_record(core::Clock::time_point due) {
    AdoptedJob a;
    a.job = "crash";
    a.goal = JobGoal::Start;
    a.state = JobState::PostStop;
    a.env = {"PATH=/usr/bin:/bin"};
    a.respawn_attempt = 3;
    a.respawn_delay_ms = 4000;
    a.respawn_due = due;
    return a;
}

} // namespace

TEST_F(EngineAdoptTest, AJobWaitingOutItsDelayWaitsForWhatIsLeftOfIt) {
    define("crash", "respawn\nrespawn delay 1 4\npost-stop exec cleanup\nexec crash\n");
    const core::Job* crash = adopt(waiting_record(runtime.now() + Seconds(3)));
    ASSERT_NE(crash, nullptr);
    EXPECT_TRUE(crash->waiting_out_delay());
    EXPECT_EQ(crash->respawn_attempt, 3);
    EXPECT_EQ(runtime.respawn_timer(*crash), runtime.now() + Seconds(3));
    EXPECT_TRUE(runtime.spawns.empty()) << "post-stop is not run again";
    runtime.advance(Seconds(3));
    EXPECT_EQ(state("crash"), JobState::Running);
    EXPECT_EQ(spawns_of(ProcessType::Main), 1u);
    exit_with(pid_of(ProcessType::Main), 1);
    EXPECT_EQ(job("crash")->respawn_attempt, 4) << "the attempts count on";
}

TEST_F(EngineAdoptTest, AJobWhoseDelayIsOverWhileNoStartdRanRespawnsAtOnce) {
    define("crash", "respawn\nrespawn delay 1 4\nexec crash\n");
    const core::Job* crash = adopt(waiting_record(runtime.now() - Seconds(1)));
    ASSERT_NE(crash, nullptr);
    EXPECT_EQ(crash->state, JobState::Running);
    EXPECT_EQ(spawns_of(ProcessType::Main), 1u);
    EXPECT_EQ(runtime.armed_respawn_timers(), 0);
}

TEST_F(EngineAdoptTest, APostStopThatEndedMeanwhileLeavesTheJobWaitingOutItsDelay) {
    define("crash", "respawn\nrespawn delay 1 4\npost-stop exec cleanup\nexec crash\n");
    AdoptedJob a = waiting_record(runtime.now() + Seconds(2));
    a.pids[slot(ProcessType::PostStop)] = recorded_hook;
    a.ended[slot(ProcessType::PostStop)] = true;
    const core::Job* crash = adopt(a);
    ASSERT_NE(crash, nullptr);
    EXPECT_TRUE(crash->waiting_out_delay());
    EXPECT_TRUE(runtime.spawns.empty());
    EXPECT_EQ(runtime.respawn_timer(*crash), runtime.now() + Seconds(2));
}
