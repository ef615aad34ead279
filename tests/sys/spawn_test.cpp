// Tests spawn_process on the real kernel: each SpawnPlan field reaches the child, each failing
// step is reported with its stage, and every creation method (vfork-style clone, clone3, fork)
// behaves the same.
#include "sys/spawn.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "support/real_child.h"
#include "sys/linux_sys.h"

namespace {

using sys::SpawnMethod;
using sys::SpawnPlan;
using sys::SpawnStage;
using test_support::ChildGuard;
using test_support::program_plan;
using test_support::shell_plan;
using test_support::TempDir;

// Runs `plan` with stdout (and stderr) on a pipe; returns what the child wrote and checks that
// it exited with status 0.
std::string output_of(SpawnPlan plan, SpawnMethod method = SpawnMethod::Auto) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) {
        ADD_FAILURE() << "pipe2 failed";
        return {};
    }
    base::UniqueFd out_read(fds[0]);
    base::UniqueFd out_write(fds[1]);
    plan.fds.push_back({out_write.get(), 1});
    plan.fds.push_back({out_write.get(), 2});
    auto child = sys::spawn_process(plan, method);
    if (!child) {
        ADD_FAILURE() << child.error().message();
        return {};
    }
    ChildGuard guard(child->pid);
    out_write.reset();
    std::string out = test_support::read_all(out_read.get());
    auto status = test_support::wait_exit(child->pidfd.get());
    if (!status) {
        ADD_FAILURE() << "child did not exit in time";
        return out;
    }
    guard.reaped();
    EXPECT_TRUE(status->exited() && status->status == 0) << "status " << status->status << ", output: " << out;
    return out;
}

sys::SpawnError failure_of(const SpawnPlan& plan, SpawnMethod method = SpawnMethod::Auto) {
    auto child = sys::spawn_process(plan, method);
    if (child) {
        ChildGuard guard(child->pid);
        ADD_FAILURE() << "spawn unexpectedly succeeded";
        return {};
    }
    return child.error();
}

// True when the test process has no child left, exited or running (nothing leaked).
bool no_children_left() {
    siginfo_t info{};
    return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0 && errno == ECHILD;
}

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

TEST(Spawn, FdMappingsApplyAsOneParallelAssignment) {
    // Each mapping's target is the other's source: {a→b, b→a} must swap the two pipes, not
    // leave both targets on one of them as applying the mappings in turn would.
    int a[2];
    int b[2];
    ASSERT_EQ(::pipe2(a, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(b, O_CLOEXEC), 0);
    base::UniqueFd a_read(a[0]), a_write(a[1]), b_read(b[0]), b_write(b[1]);
    std::string a_num = std::to_string(a_write.get());
    std::string b_num = std::to_string(b_write.get());
    SpawnPlan plan = shell_plan("printf A > /proc/self/fd/" + b_num + "; printf B > /proc/self/fd/" + a_num);
    plan.fds = {{a_write.get(), b_write.get()}, {b_write.get(), a_write.get()}};
    auto child = sys::spawn_process(plan);
    ASSERT_TRUE(child) << child.error().message();
    ChildGuard guard(child->pid);
    a_write.reset();
    b_write.reset();
    EXPECT_EQ(test_support::read_all(a_read.get()), "A");
    EXPECT_EQ(test_support::read_all(b_read.get()), "B");
    auto status = test_support::wait_exit(child->pidfd.get());
    ASSERT_TRUE(status);
    guard.reaped();
    EXPECT_EQ(status->status, 0);
}

TEST(Spawn, OnlyMappedFdsReachTheChild) {
    int keep[2];
    ASSERT_EQ(::pipe2(keep, O_CLOEXEC), 0);
    base::UniqueFd keep_read(keep[0]), keep_write(keep[1]);
    // Every fd of ours is close-on-exec, so the child sees 0, 1, 2 and the mapped 7 only
    // (ls itself holds one more: the directory it lists).
    SpawnPlan plan = program_plan("/bin/ls", {"ls", "/proc/self/fd"});
    plan.fds.push_back({keep_read.get(), 7});
    std::string out = output_of(plan);
    EXPECT_NE(out.find("7\n"), std::string::npos) << out;
    EXPECT_EQ(out.find(std::to_string(keep_write.get()) + "\n"), std::string::npos) << out;
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

TEST(Spawn, PtraceTracemeStopsTheChildAtExec) {
    SpawnPlan plan = program_plan("/bin/true", {"true"});
    plan.ptrace_traceme = true;
    auto child = sys::spawn_process(plan);
    ASSERT_TRUE(child) << child.error().message();
    ChildGuard guard(child->pid);
    siginfo_t info{};
    // The stop after exec is reported by waitid(WSTOPPED); a pidfd only polls readable on exit.
    bool stopped = false;
    for (int i = 0; i < 5000 && !stopped; ++i) {
        info = {};
        ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child->pid), &info, WSTOPPED | WNOHANG), 0);
        stopped = info.si_pid == child->pid;
        if (!stopped) {
            ::usleep(1000);
        }
    }
    ASSERT_TRUE(stopped);
    EXPECT_EQ(info.si_code, CLD_TRAPPED);
    EXPECT_EQ(info.si_status, SIGTRAP);
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

// Waits for `child` to exit and returns its exit status (-1, and a failure, if it does not).
int exit_status_of(const sys::Spawned& child) {
    ChildGuard guard(child.pid);
    auto status = test_support::wait_exit(child.pidfd.get());
    if (!status) {
        ADD_FAILURE() << "child " << child.pid << " did not exit in time";
        return -1;
    }
    guard.reaped();
    return status->status;
}

class SpawnMethods : public ::testing::TestWithParam<SpawnMethod> {};

TEST_P(SpawnMethods, ChildGetsAPidfdThatReportsItsExit) {
    auto child = sys::spawn_process(shell_plan("exit 9"), GetParam());
    ASSERT_TRUE(child) << child.error().message();
    ChildGuard guard(child->pid);
    ASSERT_TRUE(child->pidfd.valid());
    auto status = test_support::wait_exit(child->pidfd.get());
    ASSERT_TRUE(status);
    guard.reaped();
    EXPECT_EQ(status->pid, child->pid);
    EXPECT_EQ(status->status, 9);
}

TEST_P(SpawnMethods, ChildStepFailuresAreReportedTheSameWay) {
    SpawnPlan plan = shell_plan("exit 0");
    plan.cwd = "/nonexistent/dir";
    sys::SpawnError error = failure_of(plan, GetParam());
    EXPECT_EQ(error.stage, SpawnStage::Chdir);
    EXPECT_EQ(error.error, ENOENT);
    EXPECT_TRUE(no_children_left());
}

TEST_P(SpawnMethods, OutputAndEnvironmentMatch) {
    SpawnPlan plan = shell_plan("printf %s \"$X\"");
    plan.envp.push_back("X=same");
    EXPECT_EQ(output_of(plan, GetParam()), "same");
}

TEST_P(SpawnMethods, ManyAtOnceComeBackInOrderEachWithItsOwnFailure) {
    // Several worker threads create children at once (spawn_processes); each result is in its
    // plan's place, failures included, and every failed child is reaped.
    std::vector<SpawnPlan> plans;
    for (int i = 0; i < 12; ++i) {
        plans.push_back(shell_plan("exit " + std::to_string(i)));
    }
    plans[5].cwd = "/nonexistent/dir";
    plans[8] = program_plan("/nonexistent/program", {"program"});
    std::vector<const SpawnPlan*> pointers;
    for (const SpawnPlan& p : plans) {
        pointers.push_back(&p);
    }
    auto results = sys::spawn_processes(pointers, 3, GetParam());
    ASSERT_EQ(results.size(), plans.size());
    for (int i = 0; i < 12; ++i) {
        auto& r = results[static_cast<std::size_t>(i)];
        if (i == 5 || i == 8) {
            ASSERT_FALSE(r) << "plan " << i;
            EXPECT_EQ(r.error().stage, i == 5 ? SpawnStage::Chdir : SpawnStage::Exec);
            EXPECT_EQ(r.error().error, ENOENT);
            continue;
        }
        ASSERT_TRUE(r) << "plan " << i << ": " << r.error().message();
        EXPECT_EQ(exit_status_of(*r), i) << "plan " << i << "'s child is in its place";
    }
    EXPECT_TRUE(no_children_left());
}

TEST(Spawn, LinuxSysSpawnsABatchOfAnySize) {
    sys::LinuxSys real;
    for (std::size_t n : {0U, 1U, 2U, 9U}) {
        std::vector<SpawnPlan> plans(n, shell_plan("exit 3"));
        std::vector<const SpawnPlan*> pointers;
        for (const SpawnPlan& p : plans) {
            pointers.push_back(&p);
        }
        auto results = real.spawn_many(pointers);
        ASSERT_EQ(results.size(), n);
        for (auto& r : results) {
            ASSERT_TRUE(r) << r.error().message();
            EXPECT_EQ(exit_status_of(*r), 3);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Spawn, SpawnMethods,
                         ::testing::Values(SpawnMethod::Vfork, SpawnMethod::Clone3, SpawnMethod::Fork),
                         [](const auto& info) {
                             return info.param == SpawnMethod::Vfork    ? "Vfork"
                                    : info.param == SpawnMethod::Clone3 ? "Clone3"
                                                                        : "Fork";
                         });

TEST(Spawn, LinuxSysUsesTheMethodItWasGiven) {
    sys::LinuxSys forking(SpawnMethod::Fork);
    auto child = forking.spawn(shell_plan("exit 4"));
    ASSERT_TRUE(child) << child.error().message();
    EXPECT_EQ(exit_status_of(*child), 4);
}

} // namespace
