// Tests spawn_process on the real kernel: each SpawnPlan field reaches the child, and each
// failing step is reported with its stage. Not here: descriptors (spawn_fds_test), creation
// methods, batches and traced children (spawn_methods_test).
#include "support/real_child.h"
#include "sys/spawn.h"
#include "sys/spawn_checks.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using spawn_checks::failure_of;
using spawn_checks::no_children_left;
using spawn_checks::output_of;
using sys::SpawnPlan;
using sys::SpawnStage;
using test_support::ChildGuard;
using test_support::program_plan;
using test_support::shell_plan;
using test_support::TempDir;

TEST(SpawnError, MessageNamesTheStageTheReasonAndTheErrnoName) {
    EXPECT_EQ((sys::SpawnError{SpawnStage::Setuid, EPERM}.message()),
              "setuid failed: Operation not permitted (EPERM)");
    EXPECT_EQ((sys::SpawnError{SpawnStage::Chdir, ENOENT}.message()),
              "chdir failed: No such file or directory (ENOENT)");
}

TEST(SpawnStage, EveryStageHasAName) {
    for (int s = static_cast<int>(SpawnStage::Pipe); s <= static_cast<int>(SpawnStage::Exec); ++s) {
        EXPECT_NE(sys::to_string(static_cast<SpawnStage>(s)), "unknown stage") << s;
    }
}

TEST(Spawn, ArgvAndEnvironmentReachTheChildExactly) {
    SpawnPlan plan = shell_plan("printf '%s|%s|%s' \"$0\" \"$GREETING\" \"${HOME-unset}\"");
    plan.argv.push_back("zeroth");
    plan.envp.push_back("GREETING=hello world");
    EXPECT_EQ(output_of(plan), "zeroth|hello world|unset");
}

TEST(Spawn, StdinCanComeFromAPipe) {
    int in[2];
    ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
    base::UniqueFd in_read(in[0]);
    base::UniqueFd in_write(in[1]);
    SpawnPlan plan = program_plan("/bin/cat", {"cat"});
    plan.fds.push_back({in_read.get(), 0});
    ASSERT_EQ(::write(in_write.get(), "through cat", 11), 11);
    in_write.reset();
    EXPECT_EQ(output_of(plan), "through cat");
}

TEST(Spawn, UmaskAndWorkingDirectoryAreApplied) {
    TempDir dir;
    SpawnPlan plan = shell_plan("umask; pwd");
    plan.umask = 027;
    plan.cwd = dir.path();
    EXPECT_EQ(output_of(plan), "0027\n" + dir.path() + "\n");
}

TEST(Spawn, NiceRlimitAndOomScoreAreApplied) {
    SpawnPlan plan = shell_plan("nice; ulimit -n; cat /proc/self/oom_score_adj");
    plan.nice = 5;
    plan.rlimits.push_back({RLIMIT_NOFILE, 123, 456});
    plan.oom_score_adj = 500;
    EXPECT_EQ(output_of(plan), "5\n123\n500\n");
}

TEST(Spawn, NewSessionMakesTheChildASessionLeader) {
    int in[2];
    ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
    base::UniqueFd in_read(in[0]), in_write(in[1]);
    SpawnPlan plan = shell_plan("read line");
    plan.fds.push_back({in_read.get(), 0});
    plan.new_session = true;
    auto child = sys::spawn_process(plan);
    ASSERT_TRUE(child) << child.error().message();
    ChildGuard guard(child->pid);
    EXPECT_EQ(::getsid(child->pid), child->pid);
    EXPECT_EQ(::getpgid(child->pid), child->pid);
    in_write.reset(); // `read` sees end-of-file and the shell exits
    ASSERT_TRUE(test_support::wait_exit(child->pidfd.get()));
    guard.reaped();
}

TEST(Spawn, ResetSignalsClearsTheInheritedMaskAndIgnoredSignals) {
    sigset_t usr1 = sys::make_sigset({SIGUSR1});
    sigset_t old;
    ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction old_usr2 {};
    ASSERT_EQ(::sigaction(SIGUSR2, &ignore, &old_usr2), 0);

    SpawnPlan inherit = program_plan("/bin/grep", {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"});
    inherit.reset_signals = false;
    SpawnPlan reset = inherit;
    reset.reset_signals = true;
    std::string inherited = output_of(inherit);
    std::string cleared = output_of(reset);

    ::sigaction(SIGUSR2, &old_usr2, nullptr);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    EXPECT_EQ(cleared, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    EXPECT_NE(inherited, cleared);
}

TEST(Spawn, CredentialsAreDroppedOrTheFirstCredentialStageIsReported) {
    SpawnPlan plan = shell_plan("id -u; id -g; id -G");
    plan.groups = std::vector<gid_t>{65534};
    plan.gid = 65534;
    plan.uid = 65534;
    if (::geteuid() == 0) {
        EXPECT_EQ(output_of(plan), "65534\n65534\n65534\n");
    } else {
        sys::SpawnError error = failure_of(plan);
        EXPECT_EQ(error.stage, SpawnStage::Setgroups);
        EXPECT_EQ(error.error, EPERM);
    }
}

TEST(Spawn, EachFailingStepIsReportedWithItsStage) {
    SpawnPlan bad_fd = shell_plan("exit 0");
    bad_fd.fds.push_back({-1, 0});
    EXPECT_EQ(failure_of(bad_fd).stage, SpawnStage::Fds);

    SpawnPlan bad_limit = shell_plan("exit 0");
    bad_limit.rlimits.push_back({RLIMIT_NOFILE, 10, 5}); // soft above hard
    sys::SpawnError limit = failure_of(bad_limit);
    EXPECT_EQ(limit.stage, SpawnStage::Rlimit);
    EXPECT_EQ(limit.error, EINVAL);

    SpawnPlan bad_root = shell_plan("exit 0");
    bad_root.chroot = "/nonexistent/startd-root";
    sys::SpawnError root = failure_of(bad_root);
    EXPECT_EQ(root.stage, SpawnStage::Chroot);

    SpawnPlan bad_oom = shell_plan("exit 0");
    bad_oom.oom_score_adj = 5000; // out of range
    sys::SpawnError oom = failure_of(bad_oom);
    EXPECT_EQ(oom.stage, SpawnStage::OomScore);
    EXPECT_EQ(oom.error, EINVAL);
    EXPECT_TRUE(no_children_left());
}

TEST(Spawn, FailedChildrenAreReapedBySpawnItself) {
    for (int i = 0; i < 3; ++i) {
        SpawnPlan plan;
        plan.file = "/nonexistent/startd-missing";
        EXPECT_EQ(failure_of(plan).stage, SpawnStage::Exec);
    }
    EXPECT_TRUE(no_children_left());
}

TEST(Spawn, BareNameIsSearchedInThePlansPath) {
    SpawnPlan found = program_plan("printf", {"printf", "found"});
    EXPECT_EQ(output_of(found), "found");

    SpawnPlan missing = program_plan("printf", {"printf", "x"});
    missing.envp = {"PATH=/nonexistent/a:/nonexistent/b"};
    sys::SpawnError error = failure_of(missing);
    EXPECT_EQ(error.stage, SpawnStage::Exec);
    EXPECT_EQ(error.error, ENOENT);
}

TEST(Spawn, NonExecutableFileFailsWithEacces) {
    TempDir dir;
    std::string script = dir / "not-executable";
    int fd = ::open(script.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "#!/bin/sh\n", 10), 10);
    ::close(fd);
    SpawnPlan plan = program_plan(script, {"x"}); // no x bit at all: EACCES even for root
    sys::SpawnError error = failure_of(plan);
    EXPECT_EQ(error.stage, SpawnStage::Exec);
    EXPECT_EQ(error.error, EACCES);
}

TEST(Spawn, CgroupProcsFdGetsAZeroFromTheChildBeforeExec) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    SpawnPlan plan = shell_plan("exit 0");
    plan.cgroup_procs_fd = fds[1]; // stands for DIR/cgroup.procs: "0" moves the writer
    auto child = sys::spawn_process(plan);
    ::close(fds[1]);
    ASSERT_TRUE(child) << child.error().message();
    ChildGuard guard(child->pid);
    char buf[4] = {};
    EXPECT_EQ(::read(fds[0], buf, sizeof buf), 1);
    EXPECT_EQ(buf[0], '0');
    ::close(fds[0]);
}

TEST(Spawn, AFailedCgroupMoveDoesNotFailTheSpawn) {
    int read_only = ::open("/dev/null", O_RDONLY | O_CLOEXEC); // the child's write fails (EBADF)
    SpawnPlan plan = shell_plan("exit 0");
    plan.cgroup_procs_fd = read_only;
    auto child = sys::spawn_process(plan);
    ::close(read_only);
    ASSERT_TRUE(child) << child.error().message();
    ChildGuard guard(child->pid);
}

} // namespace
