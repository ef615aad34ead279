// Tests restart-and-adopt's checks and bookkeeping: which recorded pids still are the recorded
// processes (fake /proc stat files: alive, zombie, gone, or a later process with a reused pid),
// and recover() adopting a predecessor's journal into an engine: what it counts, what it
// refuses (with the pids it leaves running) and which processes it hands on to be watched.
#include "daemon/recovery.h"

#include "core/engine_fixture.h"
#include "fakes/fake_sys.h"
#include "support/fake_proc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using core::JobState;
using core::ProcessType;
using daemon_main::JobRecord;
using daemon_main::PreviousJournal;

constexpr std::int64_t ns_per_tick = 10'000'000; // /proc counts start times in 1/100 s
constexpr std::int64_t written_at = 500 * ns_per_tick;

std::size_t slot(ProcessType type) { return static_cast<std::size_t>(type); }

class RecoveryTest : public EngineTest {
  protected:
    RecoveryTest() { sys.add_dir("/proc"); }

    void process(pid_t pid, char state = 'S', unsigned long long ticks = 100) {
        sys.add_file("/proc/" + std::to_string(pid) + "/stat", test_support::stat_line(pid, state, ticks));
    }
    JobRecord record(const std::string& name, JobState state, pid_t main, std::string instance = "") {
        JobRecord r;
        r.job = name;
        r.instance = std::move(instance);
        r.state = state;
        r.pids[slot(ProcessType::Main)] = main;
        r.main_group = main;
        r.written_ns = written_at;
        return r;
    }

    fakes::FakeSys sys;
    proc::ProcessTree tree{sys};
};

TEST_F(RecoveryTest, StillRunsForALiveProcessStartedBeforeTheRecord) {
    process(2000, 'S', 100);
    process(2001, 'R', 500); // started in the very tick the record was written
    process(2002, 'D', 1);
    EXPECT_TRUE(daemon_main::still_runs(tree, 2000, written_at));
    EXPECT_TRUE(daemon_main::still_runs(tree, 2001, written_at));
    EXPECT_TRUE(daemon_main::still_runs(tree, 2002, written_at));
}

TEST_F(RecoveryTest, StillRunsIsFalseForAZombieOrAMissingProcess) {
    process(2000, 'Z', 100);
    process(2001, 'X', 100);
    EXPECT_FALSE(daemon_main::still_runs(tree, 2000, written_at));
    EXPECT_FALSE(daemon_main::still_runs(tree, 2001, written_at));
    EXPECT_FALSE(daemon_main::still_runs(tree, 2002, written_at)) << "no /proc/2002";
}

TEST_F(RecoveryTest, StillRunsIsFalseForAProcessStartedAfterTheRecord) {
    process(2000, 'S', 501); // the recorded process ended and its pid went to a new one
    EXPECT_FALSE(daemon_main::still_runs(tree, 2000, written_at));
    EXPECT_TRUE(daemon_main::still_runs(tree, 2000, 501 * ns_per_tick));
}

TEST_F(RecoveryTest, StillRunsIsFalseForAnUnreadableStatFile) {
    sys.add_file("/proc/2000/stat", "garbage");
    EXPECT_FALSE(daemon_main::still_runs(tree, 2000, written_at));
}

TEST_F(RecoveryTest, RecoverAdoptsCountsRefusesAndWatches) {
    define("web", "exec web\n");                   // main runs: adopted as it is
    define("db", "exec db\n");                     // main ended: stops
    define("worker", "respawn\nexec worker\n");    // main ended: respawns
    define("hooked", "pre-stop exec drain\nexec hooked\n"); // two processes run
    define("net", "instance $IFACE\nexec net\n");  // an instance, with its environment
    process(2000);
    process(2006);
    process(2007);
    process(2008);
    process(2009, 'S', 600); // reused pid: the recorded main of worker ended
    process(2010);
    process(2011);

    PreviousJournal journal;
    journal.header.pid = 4321;
    journal.jobs.push_back(record("web", JobState::Running, 2000));
    journal.jobs.push_back(record("db", JobState::Running, 2001)); // no /proc/2001
    journal.jobs.push_back(record("worker", JobState::Running, 2009));
    JobRecord hooked = record("hooked", JobState::PreStop, 2006);
    hooked.goal = core::JobGoal::Stop;
    hooked.pids[slot(ProcessType::PreStop)] = 2007;
    journal.jobs.push_back(hooked);
    JobRecord net = record("net", JobState::Running, 2008, "eth0");
    net.env = 99;
    journal.envs[99] = {"PATH=/usr/bin:/bin", "IFACE=eth0"};
    journal.jobs.push_back(net);
    JobRecord ghost = record("ghost", JobState::PreStop, 2010); // no job file defines it now
    ghost.pids[slot(ProcessType::PreStop)] = 2011;
    ghost.pids[slot(ProcessType::PostStop)] = 2012; // ended
    journal.jobs.push_back(ghost);

    daemon_main::Recovered got = daemon_main::recover(engine, tree, journal, sys.self_pid());
    EXPECT_EQ(got.adopted, 5u);
    EXPECT_EQ(got.processes, 4u) << "web's, hooked's two, net's; worker's pid was reused";
    EXPECT_EQ(got.ended, 2u) << "db's and worker's";
    std::vector<pid_t> watch = got.watch;
    std::sort(watch.begin(), watch.end());
    EXPECT_EQ(watch, (std::vector<pid_t>{2000, 2006, 2007, 2008}));
    ASSERT_EQ(got.refused.size(), 1u);
    EXPECT_EQ(got.refused[0].rfind("ghost: ", 0), 0u) << got.refused[0];
    EXPECT_NE(got.refused[0].find("left running: 2010 2011"), std::string::npos) << got.refused[0];
    EXPECT_EQ(got.refused[0].find("2012"), std::string::npos) << "it ended: not left running";

    EXPECT_EQ(state("web"), JobState::Running);
    EXPECT_EQ(job("db"), nullptr);
    ASSERT_NE(job("worker"), nullptr);
    EXPECT_NE(job("worker")->pid(ProcessType::Main), 2009) << "respawned";
    EXPECT_EQ(engine.job_of(2009), nullptr);
    EXPECT_EQ(state("hooked"), JobState::PreStop);
    ASSERT_NE(job("net", "eth0"), nullptr);
    EXPECT_EQ(job("net", "eth0")->env.get(), journal.envs[99]);
    EXPECT_EQ(engine.job_of(2010), nullptr);
    EXPECT_EQ(runtime.spawns.size(), 1u) << "worker's respawn only";
}

TEST_F(RecoveryTest, AnInstanceRefusedWithoutRunningProcessesSaysSo) {
    define("web", "exec web\n");
    start("web");
    PreviousJournal journal;
    journal.jobs.push_back(record("web", JobState::Running, 2000)); // no /proc/2000
    daemon_main::Recovered got = daemon_main::recover(engine, tree, journal, sys.self_pid());
    EXPECT_EQ(got.adopted, 0u);
    EXPECT_EQ(got.processes, 0u);
    EXPECT_EQ(got.ended, 0u) << "a refused instance's processes are not counted";
    ASSERT_EQ(got.refused.size(), 1u);
    EXPECT_NE(got.refused[0].find("already"), std::string::npos) << got.refused[0];
    EXPECT_EQ(got.refused[0].find("left running"), std::string::npos) << got.refused[0];
    EXPECT_TRUE(got.watch.empty());
}

TEST_F(RecoveryTest, AnEmptyJournalAdoptsNothing) {
    daemon_main::Recovered got = daemon_main::recover(engine, tree, PreviousJournal{}, sys.self_pid());
    EXPECT_EQ(got.adopted, 0u);
    EXPECT_TRUE(got.watch.empty());
    EXPECT_TRUE(got.refused.empty());
    EXPECT_TRUE(runtime.spawns.empty());
}

} // namespace
