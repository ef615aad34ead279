// Tests the creation methods (vfork-style clone, clone3, fork) and batches on the real kernel:
// every method behaves the same, a batch returns each child in its plan's place, traced children
// are created (and so traced) by the calling thread, and a batch survives threads refused.
// Not here: what one plan's fields do (spawn_test), descriptors (spawn_fds_test).
#include "support/real_child.h"
#include "sys/linux_sys.h"
#include "sys/spawn.h"
#include "sys/spawn_checks.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <signal.h>
#include <string>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using spawn_checks::exit_status_of;
using spawn_checks::failure_of;
using spawn_checks::no_children_left;
using spawn_checks::output_of;
using spawn_checks::pointers_to;
using sys::SpawnMethod;
using sys::SpawnPlan;
using sys::SpawnStage;
using test_support::ChildGuard;
using test_support::program_plan;
using test_support::shell_plan;

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
    std::vector<const SpawnPlan*> pointers = pointers_to(plans);
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
    std::vector<const SpawnPlan*> pointers = pointers_to(plans);
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
        std::vector<const SpawnPlan*> pointers = pointers_to(plans);
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
        std::vector<const SpawnPlan*> pointers = pointers_to(plans);
        auto results = real.spawn_many(pointers);
        ASSERT_EQ(results.size(), n);
        for (auto& r : results) {
            ASSERT_TRUE(r) << r.error().message();
            EXPECT_EQ(exit_status_of(*r), 3);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Spawn, SpawnMethods, spawn_checks::every_method(), spawn_checks::method_name);

TEST(Spawn, LinuxSysUsesTheMethodItWasGiven) {
    sys::LinuxSys forking(SpawnMethod::Fork);
    auto child = forking.spawn(shell_plan("exit 4"));
    ASSERT_TRUE(child) << child.error().message();
    EXPECT_EQ(exit_status_of(*child), 4);
}

} // namespace
