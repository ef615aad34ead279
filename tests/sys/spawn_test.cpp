// Tests spawn_process on the real kernel: each SpawnPlan field reaches the child, each failing
// step is reported with its stage, and every creation method (vfork-style clone, clone3, fork)
// behaves the same.
#include "sys/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

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

// The fd numbers `pid` holds, ascending, read from /proc/PID/fd.
std::vector<int> fds_of(pid_t pid) {
    std::vector<int> fds;
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* entry = ::readdir(d)) {
            if (entry->d_name[0] != '.') {
                fds.push_back(std::atoi(entry->d_name));
            }
        }
        ::closedir(d);
    }
    std::sort(fds.begin(), fds.end());
    return fds;
}

TEST_P(SpawnMethods, AChildHoldsOnlyStdioAndThePlansFdsThoughTheParentLeaksSome) {
    // Descriptors the parent holds without close-on-exec (inherited by startd from whoever
    // started it, or opened by mistake): one between stdio and a plan target, one above all.
    base::UniqueFd below(::fcntl(STDERR_FILENO, F_DUPFD, 40));
    base::UniqueFd above(::fcntl(STDERR_FILENO, F_DUPFD, 300));
    ASSERT_TRUE(below.valid() && above.valid());
    ASSERT_EQ(::fcntl(below.get(), F_GETFD), 0) << "the leak is not close-on-exec";
    int in[2];
    int out[2];
    ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
    base::UniqueFd in_read(in[0]), in_write(in[1]), out_read(out[0]), out_write(out[1]);
    SpawnPlan plan = program_plan("/bin/cat", {"cat"}); // holds what it was given until stdin ends
    plan.fds = {{in_read.get(), 0}, {out_write.get(), 1}, {out_write.get(), 2}, {out_write.get(), 60}};

    std::vector<const SpawnPlan*> batch(5, &plan);
    auto results = sys::spawn_processes(batch, 3, GetParam());
    results.push_back(sys::spawn_process(plan, GetParam()));
    for (auto& r : results) {
        EXPECT_TRUE(r) << r.error().message();
        if (r) {
            // The exec has happened when spawn returns, and with it every close-on-exec; cat
            // waits for its stdin to end, which it cannot before in_write is closed. Right
            // after the exec the dynamic loader holds a library open for a moment: wait it out.
            std::vector<int> fds;
            for (int i = 0; i < 500 && fds != std::vector<int>{0, 1, 2, 60}; ++i) {
                ::usleep(i == 0 ? 0 : 10000);
                fds = fds_of(r->pid);
            }
            EXPECT_EQ(fds, (std::vector<int>{0, 1, 2, 60})) << "child " << r->pid;
        }
    }
    in_write.reset();
    for (auto& r : results) {
        if (r) {
            EXPECT_EQ(exit_status_of(*r), 0);
        }
    }
}

// Installs a seccomp filter on this process making each of `calls` fail with ENOSYS, as on a
// kernel that lacks them. For a forked copy of the test process only: it cannot be undone.
bool deny_syscalls(std::initializer_list<long> calls) {
    std::vector<sock_filter> code;
    code.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    for (long nr : calls) {
        code.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 1));
        code.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
    }
    code.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

// In a forked copy of this process where `calls` fail with ENOSYS and a descriptor is held
// without close-on-exec, spawns cat with stdio and fd 60 mapped; returns the fds cat holds.
std::vector<int> child_fds_without(std::initializer_list<long> calls) {
    int report[2];
    int resume[2];
    if (::pipe2(report, O_CLOEXEC) < 0 || ::pipe2(resume, O_CLOEXEC) < 0) {
        ADD_FAILURE() << "pipe2 failed";
        return {};
    }
    base::UniqueFd report_read(report[0]), report_write(report[1]), resume_read(resume[0]),
        resume_write(resume[1]);
    pid_t copy = ::fork();
    if (copy == 0) {
        rlimit few{1024, 1024}; // the last fallback walks every fd number below the limit
        int in[2];
        int out[2];
        if (::setrlimit(RLIMIT_NOFILE, &few) < 0 || ::fcntl(STDERR_FILENO, F_DUPFD, 300) < 0 ||
            ::pipe2(in, O_CLOEXEC) < 0 || ::pipe2(out, O_CLOEXEC) < 0 || !deny_syscalls(calls)) {
            ::_exit(2);
        }
        SpawnPlan plan = program_plan("/bin/cat", {"cat"});
        plan.fds = {{in[0], 0}, {out[1], 1}, {out[1], 2}, {out[1], 60}};
        auto child = sys::spawn_process(plan);
        pid_t pid = child ? child->pid : -1;
        char done = 0;
        if (::write(report_write.get(), &pid, sizeof pid) != sizeof pid ||
            ::read(resume_read.get(), &done, 1) < 0) {
            ::_exit(3);
        }
        ::close(in[1]); // cat sees end-of-file and exits
        siginfo_t info{};
        ::_exit(child && ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) == 0 ? 0 : 4);
    }
    if (copy < 0) {
        ADD_FAILURE() << "fork failed";
        return {};
    }
    ChildGuard guard(copy);
    report_write.reset();
    pid_t pid = -1;
    std::vector<int> fds;
    if (test_support::wait_readable(report_read.get()) &&
        ::read(report_read.get(), &pid, sizeof pid) == sizeof pid && pid > 0) {
        // As above: wait out the dynamic loader's moment with a library open.
        for (int i = 0; i < 500 && fds != std::vector<int>{0, 1, 2, 60}; ++i) {
            ::usleep(i == 0 ? 0 : 10000);
            fds = fds_of(pid);
        }
    } else {
        ADD_FAILURE() << "the spawn in the forked copy failed";
    }
    resume_write.reset();
    auto status = test_support::wait_exit_pid(copy);
    if (status) {
        guard.reaped();
        EXPECT_EQ(status->status, 0);
    }
    return fds;
}

TEST(Spawn, WithoutCloseRangeTheChildStillHoldsOnlyItsFds) {
    // Before Linux 5.11 close_range has no CLOSE_RANGE_CLOEXEC (and before 5.9 no close_range):
    // the child lists /proc/self/fd instead, or without that walks every fd number.
    EXPECT_EQ(child_fds_without({SYS_close_range}), (std::vector<int>{0, 1, 2, 60}));
    EXPECT_EQ(child_fds_without({SYS_close_range, SYS_getdents64}), (std::vector<int>{0, 1, 2, 60}));
}

// The tracer of `pid` as /proc/PID/status names it (a thread id; 0 when untraced), or -1.
pid_t tracer_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("TracerPid:")) {
            return static_cast<pid_t>(std::atoi(line.c_str() + 10));
        }
    }
    return -1;
}

// Waits (bounded) for `pid` to stop or end; its siginfo, or nullopt. A stop is consumed; an
// exit is left for the caller to reap.
std::optional<siginfo_t> wait_stop_or_exit(pid_t pid) {
    for (int i = 0; i < 5000; ++i) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WSTOPPED | WEXITED | WNOHANG | WNOWAIT) < 0) {
            return std::nullopt;
        }
        if (info.si_pid == pid) {
            if (info.si_code == CLD_TRAPPED || info.si_code == CLD_STOPPED) {
                siginfo_t consumed{};
                ::waitid(P_PID, static_cast<id_t>(pid), &consumed, WSTOPPED | WNOHANG);
            }
            return info;
        }
        ::usleep(1000);
    }
    return std::nullopt;
}

TEST_P(SpawnMethods, ABatchCreatesEveryTracedChildOnTheCallingThread) {
    // The ptrace tracer of a PTRACE_TRACEME child is the thread that created it, and only that
    // thread may make ptrace requests for it: startd's fork tracker runs on the calling thread,
    // and a worker thread exits after the batch (its tracees then die of their SIGTRAP).
    std::vector<SpawnPlan> plans;
    for (int i = 0; i < 24; ++i) {
        plans.push_back(program_plan("/bin/true", {"true"}));
        plans.back().ptrace_traceme = i % 3 != 0;
    }
    std::vector<const SpawnPlan*> pointers;
    for (const SpawnPlan& p : plans) {
        pointers.push_back(&p);
    }
    auto results = sys::spawn_processes(pointers, 4, GetParam());
    ASSERT_EQ(results.size(), plans.size());
    const pid_t self = ::gettid();
    for (std::size_t i = 0; i < plans.size(); ++i) {
        ASSERT_TRUE(results[i]) << "plan " << i << ": " << results[i].error().message();
    }
    for (std::size_t i = 0; i < plans.size(); ++i) {
        const sys::Spawned& child = *results[i];
        ChildGuard guard(child.pid);
        if (plans[i].ptrace_traceme) {
            auto stop = wait_stop_or_exit(child.pid);
            ASSERT_TRUE(stop) << "plan " << i << " never stopped at its exec";
            ASSERT_EQ(stop->si_code, CLD_TRAPPED) << "plan " << i << ": status " << stop->si_status;
            EXPECT_EQ(tracer_of(child.pid), self) << "plan " << i;
            EXPECT_EQ(::ptrace(PTRACE_CONT, child.pid, nullptr, nullptr), 0)
                << "plan " << i << ": " << std::strerror(errno);
        }
        auto status = test_support::wait_exit(child.pidfd.get());
        ASSERT_TRUE(status) << "plan " << i;
        guard.reaped();
        EXPECT_TRUE(status->exited() && status->status == 0) << "plan " << i << ": status " << status->status;
    }
    EXPECT_TRUE(no_children_left());
}

// A StartThread that starts `allowed` threads, then refuses as std::thread does under
// RLIMIT_NPROC or a full pids cgroup.
sys::StartThread refusing_after(int allowed) {
    return [allowed](std::function<void()> work) mutable {
        if (allowed-- <= 0) {
            throw std::system_error(EAGAIN, std::generic_category(), "thread");
        }
        return std::thread(std::move(work));
    };
}

TEST(SpawnProcesses, WhenAThreadCannotBeCreatedTheCallingThreadCreatesTheRest) {
    for (int allowed : {0, 1}) {
        std::vector<SpawnPlan> plans;
        for (int i = 0; i < 10; ++i) {
            plans.push_back(shell_plan("exit " + std::to_string(i)));
        }
        std::vector<const SpawnPlan*> pointers;
        for (const SpawnPlan& p : plans) {
            pointers.push_back(&p);
        }
        std::vector<base::Result<sys::Spawned, sys::SpawnError>> results;
        ASSERT_NO_THROW(results =
                            sys::spawn_processes(pointers, 4, SpawnMethod::Auto, refusing_after(allowed)))
            << allowed << " thread(s) allowed";
        ASSERT_EQ(results.size(), plans.size());
        for (int i = 0; i < 10; ++i) {
            auto& r = results[static_cast<std::size_t>(i)];
            ASSERT_TRUE(r) << "plan " << i << ": " << r.error().message();
            EXPECT_EQ(exit_status_of(*r), i) << "plan " << i << "'s child is in its place";
        }
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
