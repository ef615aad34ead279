// Tests job cgroups on the fake kernel: detection (v2, v1, unwritable), per-job directories,
// and signalling through cgroup.kill or cgroup.procs.
#include "fakes/fake_sys.h"
#include "proc/cgroup.h"

#include <csignal>
#include <gtest/gtest.h>

namespace {

class CgroupTest : public ::testing::Test {
  protected:
    void cgroup2(const std::string& own = "/system.slice/startd.service") {
        sys.add_file("/sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
        sys.add_dir("/sys/fs/cgroup" + (own == "/" ? std::string() : own));
        sys.add_file("/proc/self/cgroup", "0::" + own + "\n");
    }
    fakes::FakeSys sys;
};

TEST_F(CgroupTest, CgroupV1OrNoneIsUnavailableWithTheReason) {
    sys.add_dir("/sys/fs/cgroup/memory");
    sys.add_file("/proc/self/cgroup", "12:memory:/\n");
    auto cg = proc::Cgroups::detect(sys);
    EXPECT_FALSE(cg.available());
    EXPECT_EQ(cg.unavailable_reason(), "/sys/fs/cgroup is not a cgroup v2 hierarchy");
    EXPECT_FALSE(cg.job_dir("web", "").has_value());
}

TEST_F(CgroupTest, V2CreatesTheJobsSubtreeUnderStartdsOwnCgroup) {
    cgroup2();
    auto cg = proc::Cgroups::detect(sys);
    ASSERT_TRUE(cg.available()) << cg.unavailable_reason();
    EXPECT_EQ(cg.base(), "/sys/fs/cgroup/system.slice/startd.service/startd-jobs");
    EXPECT_TRUE(sys.exists(cg.base()));
    auto dir = cg.job_dir("net/web", "a/b");
    ASSERT_TRUE(dir.has_value());
    EXPECT_EQ(*dir, cg.base() + "/net_web@a_b");
    EXPECT_TRUE(sys.exists(*dir));
    EXPECT_TRUE(cg.job_dir("net/web", "a/b").has_value()) << "an existing directory is reused";
}

TEST_F(CgroupTest, RootCgroupAndUnwritableHierarchy) {
    cgroup2("/");
    EXPECT_EQ(proc::Cgroups::detect(sys).base(), "/sys/fs/cgroup/startd-jobs");
    fakes::FakeSys ro;
    ro.add_file("/sys/fs/cgroup/cgroup.controllers", "");
    ro.add_dir("/sys/fs/cgroup/user.slice");
    ro.add_file("/proc/self/cgroup", "0::/user.slice\n");
    ro.fail_next("mkdir", EACCES);
    auto cg = proc::Cgroups::detect(ro);
    EXPECT_FALSE(cg.available());
    EXPECT_NE(cg.unavailable_reason().find("cannot create /sys/fs/cgroup/user.slice/startd-jobs"),
              std::string::npos)
        << cg.unavailable_reason();
}

TEST_F(CgroupTest, KillWritesCgroupKillOtherSignalsGoToEachProcess) {
    cgroup2();
    auto cg = proc::Cgroups::detect(sys);
    auto dir = cg.job_dir("web", "");
    ASSERT_TRUE(dir.has_value());
    pid_t a = sys.add_child_process();
    pid_t b = sys.add_child_process();
    sys.add_file(*dir + "/cgroup.procs", std::to_string(a) + "\n" + std::to_string(b) + "\n");
    sys.add_file(*dir + "/cgroup.kill", "");
    ASSERT_TRUE(cg.signal(*dir, SIGTERM).has_value());
    ASSERT_EQ(sys.signals_sent().size(), 2u);
    EXPECT_EQ(sys.signals_sent()[0].pid, a);
    EXPECT_EQ(sys.signals_sent()[1].pid, b);
    EXPECT_EQ(sys.signals_sent()[1].sig, SIGTERM);
    ASSERT_TRUE(cg.signal(*dir, SIGKILL).has_value());
    EXPECT_EQ(sys.file_content(*dir + "/cgroup.kill"), "1");
    EXPECT_EQ(sys.signals_sent().size(), 2u) << "cgroup.kill did it all";
}

TEST_F(CgroupTest, KillWithoutCgroupKillFallsBackToEachProcess) {
    cgroup2();
    auto cg = proc::Cgroups::detect(sys);
    auto dir = cg.job_dir("web", "");
    pid_t a = sys.add_child_process();
    sys.add_file(*dir + "/cgroup.procs", std::to_string(a) + "\n");
    ASSERT_TRUE(cg.signal(*dir, SIGKILL).has_value());
    ASSERT_EQ(sys.signals_sent().size(), 1u);
    EXPECT_EQ(sys.signals_sent()[0].sig, SIGKILL);
}

} // namespace
