// Tests job cgroups on the fake kernel: detection from mountinfo (unified, hybrid, v1 only,
// namespaced, unwritable), per-job directories, and signalling through cgroup.kill or
// cgroup.procs.
#include "fakes/fake_sys.h"
#include "proc/cgroup.h"

#include <csignal>
#include <gtest/gtest.h>

namespace {

// /proc/self/mountinfo of a unified host (cgroup2 on /sys/fs/cgroup).
const std::string unified_mountinfo =
    "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "26 22 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

// A hybrid host (this machine's layout): v1 controllers under a tmpfs, cgroup2 on
// /sys/fs/cgroup/unified.
const std::string hybrid_mountinfo =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

const std::string hybrid_self_cgroup = "9:name=systemd:/\n4:memory:/process_api/aaed49e4\n1:cpu:/\n0::/\n";

class CgroupTest : public ::testing::Test {
  protected:
    void cgroup2(const std::string& own = "/system.slice/startd.service") {
        sys.add_file("/proc/self/mountinfo", unified_mountinfo);
        sys.add_file("/sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
        sys.add_dir("/sys/fs/cgroup" + (own == "/" ? std::string() : own));
        sys.add_file("/proc/self/cgroup", "0::" + own + "\n");
    }
    proc::Cgroups detect() { return proc::Cgroups::detect(sys, "startd-jobs"); }
    fakes::FakeSys sys;
};

TEST_F(CgroupTest, HybridHostFindsCgroup2WhereMountinfoSaysItIs) {
    sys.add_file("/proc/self/mountinfo", hybrid_mountinfo);
    sys.add_dir("/sys/fs/cgroup/memory");
    sys.add_file("/sys/fs/cgroup/unified/cgroup.controllers", "");
    sys.add_file("/proc/self/cgroup", hybrid_self_cgroup);
    auto cg = detect();
    ASSERT_TRUE(cg.available()) << cg.unavailable_reason();
    EXPECT_EQ(cg.base(), "/sys/fs/cgroup/unified/startd-jobs");
    EXPECT_TRUE(sys.exists(cg.base()));
    auto dir = cg.job_dir("web", "");
    ASSERT_TRUE(dir.has_value());
    EXPECT_EQ(*dir, "/sys/fs/cgroup/unified/startd-jobs/web");
}

TEST_F(CgroupTest, MountinfoParsing) {
    auto mounts =
        proc::cgroup2_mounts(hybrid_mountinfo + "50 30 0:40 /lxc/c1 /mnt/cg\\040two rw - cgroup2 none rw\n"
                                                "garbage\n\n41 1 0:3 / /x rw - cgroup2\n");
    ASSERT_EQ(mounts.size(), 3u);
    EXPECT_EQ(mounts[0].point, "/sys/fs/cgroup/unified");
    EXPECT_EQ(mounts[0].root, "/");
    EXPECT_EQ(mounts[1].point, "/mnt/cg two") << "octal escapes are decoded";
    EXPECT_EQ(mounts[1].root, "/lxc/c1");
    EXPECT_EQ(mounts[2].point, "/x");
    EXPECT_TRUE(proc::cgroup2_mounts(hybrid_mountinfo.substr(0, hybrid_mountinfo.find("40 30"))).empty());
    EXPECT_EQ(proc::unified_cgroup(hybrid_self_cgroup), "/");
    EXPECT_EQ(proc::unified_cgroup("1:cpu:/a\n0::/user.slice/u.service\n"), "/user.slice/u.service");
    EXPECT_EQ(proc::unified_cgroup("1:cpu:/a\n"), std::nullopt);
}

TEST_F(CgroupTest, AMountOfASubtreeMapsOurCgroupBelowItsRoot) {
    sys.add_file("/proc/self/mountinfo", "40 30 0:37 /lxc/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    sys.add_dir("/sys/fs/cgroup/init.scope");
    sys.add_file("/proc/self/cgroup", "0::/lxc/c1/init.scope\n");
    auto cg = detect();
    ASSERT_TRUE(cg.available()) << cg.unavailable_reason();
    EXPECT_EQ(cg.base(), "/sys/fs/cgroup/init.scope/startd-jobs");

    fakes::FakeSys other;
    other.add_file("/proc/self/mountinfo", "40 30 0:37 /lxc/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    other.add_file("/proc/self/cgroup", "0::/lxc/c2\n");
    auto outside = proc::Cgroups::detect(other, "startd-jobs");
    EXPECT_FALSE(outside.available());
    EXPECT_EQ(outside.unavailable_reason(),
              "startd's cgroup /lxc/c2 is not below the cgroup2 mount at /sys/fs/cgroup");
}

TEST_F(CgroupTest, EachStartdHasItsOwnJobsDirectoryNamedByItsSocket) {
    std::string a = proc::jobs_dir_name("/run/startd/control");
    EXPECT_EQ(a, proc::jobs_dir_name("/run/startd/control")) << "a restarted startd finds its cgroups again";
    EXPECT_NE(a, proc::jobs_dir_name("/run/user/1000/startd/control"));
    EXPECT_EQ(a.rfind("startd-", 0), 0u);
    EXPECT_EQ(a.size(), 7u + 16u);
}

TEST_F(CgroupTest, TurnedOffIsUnavailableWithTheReason) {
    cgroup2();
    auto cg = proc::Cgroups::disabled(sys, "turned off by --no-cgroups");
    EXPECT_FALSE(cg.available());
    EXPECT_EQ(cg.unavailable_reason(), "turned off by --no-cgroups");
    EXPECT_FALSE(sys.exists("/sys/fs/cgroup/system.slice/startd.service/startd-jobs")) << "nothing created";
}

TEST_F(CgroupTest, CgroupV1OrNoneIsUnavailableWithTheReason) {
    sys.add_file("/proc/self/mountinfo",
                 "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
    sys.add_dir("/sys/fs/cgroup/memory");
    sys.add_file("/proc/self/cgroup", "12:memory:/\n");
    auto cg = detect();
    EXPECT_FALSE(cg.available());
    EXPECT_EQ(cg.unavailable_reason(),
              "no cgroup v2 hierarchy is mounted (/proc/self/mountinfo lists no cgroup2)");
    EXPECT_FALSE(cg.job_dir("web", "").has_value());

    fakes::FakeSys hybrid_v1_only; // a cgroup2 mount, but we are in no v2 cgroup
    hybrid_v1_only.add_file("/proc/self/mountinfo", hybrid_mountinfo);
    hybrid_v1_only.add_file("/proc/self/cgroup", "12:memory:/\n");
    EXPECT_EQ(proc::Cgroups::detect(hybrid_v1_only, "startd-jobs").unavailable_reason(),
              "startd's own cgroup is not in the cgroup v2 hierarchy (no 0:: line in /proc/self/cgroup)");
}

TEST_F(CgroupTest, V2CreatesTheJobsSubtreeUnderStartdsOwnCgroup) {
    cgroup2();
    auto cg = detect();
    ASSERT_TRUE(cg.available()) << cg.unavailable_reason();
    EXPECT_EQ(cg.base(), "/sys/fs/cgroup/system.slice/startd.service/startd-jobs");
    EXPECT_TRUE(sys.exists(cg.base()));
    auto dir = cg.job_dir("net/web", "a/b");
    ASSERT_TRUE(dir.has_value());
    EXPECT_EQ(*dir, cg.base() + "/net_web@a_b");
    EXPECT_TRUE(sys.exists(*dir));
    EXPECT_TRUE(cg.job_dir("net/web", "a/b").has_value()) << "an existing directory is reused";
}

TEST_F(CgroupTest, AJobCgroupIsRemovedOnceNothingIsInItAndStartdsOwnOnceNoJobCgroupIs) {
    cgroup2("/");
    sys.add_cgroup2_mount("/sys/fs/cgroup");
    auto cgroups = detect();
    ASSERT_TRUE(cgroups.available()) << cgroups.unavailable_reason();
    auto web = cgroups.job_dir("web", "");
    ASSERT_TRUE(web);
    sys.add_file(*web + "/cgroup.procs", "4321\n");
    auto busy = cgroups.remove(*web);
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code(), EBUSY);
    EXPECT_FALSE(cgroups.remove(cgroups.base())) << "a job cgroup is still below it";
    sys.add_file(*web + "/cgroup.procs", "");
    EXPECT_TRUE(cgroups.remove(*web));
    EXPECT_FALSE(sys.exists(*web));
    EXPECT_TRUE(cgroups.remove(*web)) << "one that is gone already counts as removed";
    EXPECT_TRUE(cgroups.remove(cgroups.base()));
    EXPECT_FALSE(sys.exists(cgroups.base()));
}

TEST_F(CgroupTest, RootCgroupAndUnwritableHierarchy) {
    cgroup2("/");
    EXPECT_EQ(detect().base(), "/sys/fs/cgroup/startd-jobs");
    fakes::FakeSys ro;
    ro.add_file("/proc/self/mountinfo", unified_mountinfo);
    ro.add_file("/sys/fs/cgroup/cgroup.controllers", "");
    ro.add_dir("/sys/fs/cgroup/user.slice");
    ro.add_file("/proc/self/cgroup", "0::/user.slice\n");
    ro.fail_next("mkdir", EACCES);
    auto cg = proc::Cgroups::detect(ro, "startd-jobs");
    EXPECT_FALSE(cg.available());
    EXPECT_NE(cg.unavailable_reason().find("cannot create /sys/fs/cgroup/user.slice/startd-jobs"),
              std::string::npos)
        << cg.unavailable_reason();
}

TEST_F(CgroupTest, KillWritesCgroupKillOtherSignalsGoToEachProcess) {
    cgroup2();
    auto cg = detect();
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
    auto cg = detect();
    auto dir = cg.job_dir("web", "");
    pid_t a = sys.add_child_process();
    sys.add_file(*dir + "/cgroup.procs", std::to_string(a) + "\n");
    ASSERT_TRUE(cg.signal(*dir, SIGKILL).has_value());
    ASSERT_EQ(sys.signals_sent().size(), 1u);
    EXPECT_EQ(sys.signals_sent()[0].sig, SIGKILL);
}

} // namespace
