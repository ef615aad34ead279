// Tests which descriptors a spawned child holds, on the real kernel: fd mappings apply as one
// parallel assignment, only mapped fds reach the program, and a descriptor the parent leaked
// (no close-on-exec) does not, with every creation method and on kernels without close_range.
#include "support/real_child.h"
#include "sys/spawn.h"
#include "sys/spawn_checks.h"

#include <cstddef>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <initializer_list>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace {

using spawn_checks::exit_status_of;
using spawn_checks::output_of;
using sys::SpawnMethod;
using sys::SpawnPlan;
using test_support::ChildGuard;
using test_support::open_fds_settled;
using test_support::program_plan;
using test_support::shell_plan;

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

class SpawnMethodsFds : public ::testing::TestWithParam<SpawnMethod> {};

TEST_P(SpawnMethodsFds, AChildHoldsOnlyStdioAndThePlansFdsThoughTheParentLeaksSome) {
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
            EXPECT_EQ(open_fds_settled(r->pid, {0, 1, 2, 60}), (std::vector<int>{0, 1, 2, 60}))
                << "child " << r->pid;
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
        fds = open_fds_settled(pid, {0, 1, 2, 60}); // as above: the loader's moment
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

INSTANTIATE_TEST_SUITE_P(Spawn, SpawnMethodsFds, spawn_checks::every_method(), spawn_checks::method_name);

} // namespace
