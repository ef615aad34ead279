// Tests Containment on the fake kernel: marks per job instance, how each job is contained, and
// the escapees of a batch of stops — adopted processes attributed by their mark or by the fork
// trace (with the start time guarding against a reused pid), never another job's or a
// stranger's, read once per batch and once per adopted process.
#include "daemon/containment.h"
#include "fakes/fake_sys.h"
#include "support/fake_proc.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <unordered_set>

namespace {

using namespace std::string_literals;

std::shared_ptr<const core::JobClass> job_class(const std::string& name) {
    auto cls = std::make_shared<core::JobClass>();
    cls->name = name;
    return cls;
}

// startd is pid 5000; its known job processes are 6000+; adopted processes are 7000+.
class ContainmentTest : public ::testing::Test {
  protected:
    ContainmentTest() {
        p.sys.set_self_pid(5000);
        p.process(5000, 'S', 1);
    }
    // A process of ours with a full stat line (start time `start`) and an environment.
    void process(pid_t pid, pid_t ppid, const std::string& environ, unsigned long long start = 100) {
        p.process(pid, 'S', ppid);
        p.sys.add_file("/proc/" + std::to_string(pid) + "/stat",
                       std::to_string(pid) + " (p) S " + std::to_string(ppid) +
                           " 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start) + " 0 0\n");
        p.sys.add_file("/proc/" + std::to_string(pid) + "/environ", environ);
        std::string& list = ppid == 5000 ? ours : theirs[ppid];
        if (std::string entry = std::to_string(pid) + " "; list.find(entry) == std::string::npos) {
            list += entry;
        }
        p.children_file(ppid, ppid, list);
    }
    // cgroup v2 at /sys/fs/cgroup/unified (a hybrid host), startd in its root cgroup: job
    // cgroups under /sys/fs/cgroup/unified/startd-x.
    void with_cgroups() {
        p.sys.add_file("/proc/self/mountinfo",
                       "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
        p.sys.add_file("/proc/self/cgroup", "0::/\n");
        p.sys.add_cgroup2_mount("/sys/fs/cgroup/unified");
        c.set_cgroups(proc::Cgroups::detect(p.sys, "startd-x"));
    }
    bool logged_about(const std::string& text) const {
        return std::any_of(logged.begin(), logged.end(),
                           [&](const std::string& line) { return line.find(text) != std::string::npos; });
    }
    std::string mark_of(const core::Job& job) { return c.prepare(job).mark + "\0"s; }
    std::vector<std::vector<pid_t>> escapees(std::vector<const core::Job*> jobs) { return c.escapees(jobs); }

    test_support::FakeProc p;
    proc::ProcessTree tree{p.sys};
    std::unordered_set<pid_t> known;
    std::vector<std::string> logged;
    daemon_main::Containment c{5000, tree, [this](pid_t pid) { return known.count(pid) != 0; },
                               [this](core::LogLevel, std::string_view text) { logged.emplace_back(text); }};
    std::string ours;
    std::map<pid_t, std::string> theirs;
    core::Job a{job_class("a"), ""};
    core::Job b{job_class("b"), ""};
    core::Job getty{job_class("getty"), "tty1"};
};

TEST_F(ContainmentTest, EachJobInstanceHasItsOwnMarkKeptAcrossItsProcesses) {
    c.set_cgroups(proc::Cgroups::disabled(p.sys, "turned off"));
    std::string ma = c.prepare(a).mark;
    EXPECT_EQ(ma, "STARTD_JOB_ID=5000-1");
    EXPECT_EQ(c.prepare(a).mark, ma) << "a's next process (a hook, a respawn) carries the same mark";
    EXPECT_EQ(c.prepare(b).mark, "STARTD_JOB_ID=5000-2");
    EXPECT_EQ(c.prepare(getty).mark, "STARTD_JOB_ID=5000-3");
    EXPECT_FALSE(c.prepare(a).cgroup_procs.valid());
    EXPECT_EQ(c.describe(a), "process tree (no cgroup: turned off)");
    c.forget(a);
    EXPECT_EQ(c.describe(a), "") << "forgotten";
    EXPECT_EQ(c.prepare(a).mark, "STARTD_JOB_ID=5000-4") << "a new instance at the same address is a new job";
}

TEST_F(ContainmentTest, WithCgroupsEachJobGetsOneAndSaysSo) {
    p.sys.add_file("/proc/self/mountinfo", "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
    p.sys.add_file("/proc/self/cgroup", "0::/\n");
    p.sys.add_dir("/sys/fs/cgroup/unified");
    c.set_cgroups(proc::Cgroups::detect(p.sys, "startd-x"));
    EXPECT_EQ(c.cgroups_summary(), "available (/sys/fs/cgroup/unified/startd-x)");
    p.sys.add_file("/sys/fs/cgroup/unified/startd-x/getty@tty1/cgroup.procs", "");
    auto prepared = c.prepare(getty);
    EXPECT_TRUE(prepared.cgroup_procs.valid());
    EXPECT_EQ(prepared.mark, "STARTD_JOB_ID=5000-1") << "marked all the same";
    EXPECT_EQ(c.describe(getty), "cgroup /sys/fs/cgroup/unified/startd-x/getty@tty1");
    ASSERT_NE(c.cgroup_of(getty), nullptr);

    // A job whose cgroup cannot be used is contained by its process tree, and says why.
    auto no_procs = c.prepare(a);
    EXPECT_FALSE(no_procs.cgroup_procs.valid());
    EXPECT_EQ(c.cgroup_of(a), nullptr);
    EXPECT_EQ(c.describe(a).rfind(
                  "process tree (no cgroup: cannot open /sys/fs/cgroup/unified/startd-x/a/cgroup.procs", 0),
              0u)
        << c.describe(a);
    ASSERT_FALSE(logged.empty());

    // A batch of jobs that all have cgroups reads nothing.
    int opens = p.sys.call_count("openat");
    auto none = escapees({&getty});
    ASSERT_EQ(none.size(), 1u);
    EXPECT_TRUE(none[0].empty());
    EXPECT_EQ(p.sys.call_count("openat"), opens);
}

TEST_F(ContainmentTest, AdoptedProcessesGoToTheJobTheirMarkNamesWithTheirDescendants) {
    c.set_cgroups(proc::Cgroups::disabled(p.sys, "turned off"));
    std::string ma = mark_of(a);
    std::string mb = mark_of(b);
    process(6000, 5000, "PATH=/bin\0"s + ma); // a's main process
    process(6001, 5000, mb);                  // b's
    known = {6000, 6001};
    process(7000, 5000, "HOME=/\0"s + ma);           // escaped from a, adopted
    process(7001, 7000, ma);                         // its child
    process(7002, 5000, mb);                         // escaped from b
    process(7003, 5000, "PATH=/bin\0"s);             // adopted, of nobody we know
    process(7004, 5000, "STARTD_JOB_ID=4999-1\0"s);  // another startd's job 1
    process(7005, 5000, "STARTD_JOB_ID=5000-10\0"s); // a mark that merely begins like a's

    auto found = escapees({&a, &b});
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0], (std::vector<pid_t>{7000, 7001}));
    EXPECT_EQ(found[1], (std::vector<pid_t>{7002}));

    // Stopping a alone, again: the adopted processes' environments are not read twice; only
    // startd's children (one file) and a's escapee's children are.
    int opens = p.sys.call_count("openat");
    auto again = escapees({&a});
    EXPECT_EQ(again[0], (std::vector<pid_t>{7000, 7001}));
    EXPECT_EQ(p.sys.call_count("openat") - opens, 4)
        << "startd's children, and 7000's walk (children, 7001's stat and children)";

    // Once reaped, a pid may name another process: read afresh.
    c.reaped(7000);
    p.sys.add_file("/proc/7000/environ", mb);
    auto reused = escapees({&a, &b});
    EXPECT_TRUE(reused[0].empty());
    EXPECT_EQ(reused[1], (std::vector<pid_t>{7000, 7001, 7002}));
}

TEST_F(ContainmentTest, ProcessesTheForkTraceSawGoWithTheJobWhileTheyAreTheSameProcess) {
    c.set_cgroups(proc::Cgroups::disabled(p.sys, "turned off"));
    std::string ma = mark_of(a);
    // expect daemon: spawned 6100 (gone), its child 7100 (the master, which rewrote its
    // environment as nginx's setproctitle does), and 7101 (a worker: the main process).
    process(7100, 5000, "nginx: master process\0\0\0"s, 555);
    process(7101, 7100, "\0\0"s, 556);
    known = {7101};
    c.traced(&a, std::vector<pid_t>{6100, 7100, 7101}, 7101);
    auto found = escapees({&a});
    EXPECT_EQ(found[0], (std::vector<pid_t>{7100, 7101}));
    c.forget(a);
    EXPECT_TRUE(escapees({&a})[0].empty()) << "a job that is gone has no escapees";
}

TEST_F(ContainmentTest, ATracedPidIsCheckedByItsStartTime) {
    c.set_cgroups(proc::Cgroups::disabled(p.sys, "turned off"));
    (void)mark_of(a);
    process(7100, 5000, "\0"s, 555);
    c.traced(&a, std::vector<pid_t>{7100}, 7101);
    // 7100 ended and another process got its pid before startd looked at it.
    process(7100, 5000, "\0"s, 777);
    EXPECT_TRUE(escapees({&a})[0].empty());
}

TEST_F(ContainmentTest, AJobsCgroupIsRemovedOnceItIsAtRestAndMadeAgainForItsNextProcess) {
    with_cgroups();
    const std::string dir = "/sys/fs/cgroup/unified/startd-x/a";
    a.state = core::JobState::Running;
    ASSERT_TRUE(c.prepare(a).cgroup_procs.valid());
    c.may_be_idle(a);
    c.release_idle();
    EXPECT_TRUE(p.sys.exists(dir)) << "a is not at rest";
    a.state = core::JobState::Waiting;
    c.release_idle();
    EXPECT_TRUE(p.sys.exists(dir)) << "only the jobs may_be_idle named are looked at";
    c.may_be_idle(a);
    c.release_idle();
    EXPECT_FALSE(p.sys.exists(dir));
    EXPECT_EQ(c.describe(a), "cgroup " + dir + " (removed: no process left)");
    EXPECT_EQ(c.cgroup_of(a), nullptr) << "nothing to signal";

    a.state = core::JobState::Starting;
    EXPECT_TRUE(c.prepare(a).cgroup_procs.valid());
    EXPECT_TRUE(p.sys.exists(dir));
    EXPECT_EQ(c.describe(a), "cgroup " + dir);
}

TEST_F(ContainmentTest, ACgroupStillHoldingAProcessIsRetriedAfterReapsThenLeftAndStatusSaysSo) {
    with_cgroups();
    const std::string dir = "/sys/fs/cgroup/unified/startd-x/a";
    ASSERT_TRUE(c.prepare(a).cgroup_procs.valid());
    p.sys.add_file(dir + "/cgroup.procs", "7001\n"); // a process that outlived a's main process
    a.state = core::JobState::Waiting;
    c.may_be_idle(a);
    c.release_idle();
    EXPECT_TRUE(p.sys.exists(dir));
    EXPECT_EQ(c.describe(a), "cgroup " + dir + " (not removed: rmdir " + dir + ": Device or resource busy)");
    c.retry_removals();
    EXPECT_TRUE(p.sys.exists(dir));
    p.sys.add_file(dir + "/cgroup.procs", ""); // it has gone (and been reaped)
    c.retry_removals();
    EXPECT_FALSE(p.sys.exists(dir));
    EXPECT_EQ(c.describe(a), "cgroup " + dir + " (removed: no process left)");

    // A process that stays: its cgroup is tried a bounded number of times, then left.
    ASSERT_TRUE(c.prepare(a).cgroup_procs.valid());
    p.sys.add_file(dir + "/cgroup.procs", "7002\n");
    c.may_be_idle(a);
    c.release_idle();
    for (int i = 0; i < 100; ++i) {
        c.retry_removals();
    }
    int tries = p.sys.call_count("rmdir");
    c.retry_removals();
    EXPECT_EQ(p.sys.call_count("rmdir"), tries) << "no longer tried";
    EXPECT_LT(tries, 30);
    EXPECT_TRUE(p.sys.exists(dir));
    EXPECT_NE(c.describe(a).find("(not removed: "), std::string::npos) << c.describe(a);
    EXPECT_TRUE(logged_about("a: cgroup left in place"));
}

TEST_F(ContainmentTest, ADestroyedInstancesCgroupIsRemovedOrRetriedUnlessANewInstanceTakesItOver) {
    with_cgroups();
    const std::string dir = "/sys/fs/cgroup/unified/startd-x/getty@tty1";
    ASSERT_TRUE(c.prepare(getty).cgroup_procs.valid());
    c.forget(getty);
    EXPECT_FALSE(p.sys.exists(dir)) << "empty: removed as the instance goes";

    ASSERT_TRUE(c.prepare(getty).cgroup_procs.valid());
    p.sys.add_file(dir + "/cgroup.procs", "7001\n");
    c.forget(getty);
    EXPECT_TRUE(p.sys.exists(dir));
    p.sys.add_file(dir + "/cgroup.procs", "");
    c.retry_removals();
    EXPECT_FALSE(p.sys.exists(dir)) << "retried after a reap";

    ASSERT_TRUE(c.prepare(getty).cgroup_procs.valid());
    p.sys.add_file(dir + "/cgroup.procs", "7001\n");
    c.forget(getty);
    core::Job again{job_class("getty"), "tty1"};
    ASSERT_TRUE(c.prepare(again).cgroup_procs.valid());
    p.sys.add_file(dir + "/cgroup.procs", "");
    c.retry_removals();
    EXPECT_TRUE(p.sys.exists(dir)) << "the new instance's";
}

TEST_F(ContainmentTest, AtExitEveryJobCgroupAndStartdsOwnDirectoryAreRemovedOrLogged) {
    with_cgroups();
    ASSERT_TRUE(c.prepare(a).cgroup_procs.valid());
    ASSERT_TRUE(c.prepare(getty).cgroup_procs.valid());
    p.sys.add_file("/sys/fs/cgroup/unified/startd-x/a/cgroup.procs", "7001\n");
    c.remove_cgroups();
    EXPECT_FALSE(p.sys.exists("/sys/fs/cgroup/unified/startd-x/getty@tty1"));
    EXPECT_TRUE(p.sys.exists("/sys/fs/cgroup/unified/startd-x/a"));
    EXPECT_TRUE(logged_about("cgroup /sys/fs/cgroup/unified/startd-x left in place at exit"));

    p.sys.add_file("/sys/fs/cgroup/unified/startd-x/a/cgroup.procs", "");
    c.remove_cgroups();
    EXPECT_FALSE(p.sys.exists("/sys/fs/cgroup/unified/startd-x"));
}

} // namespace
