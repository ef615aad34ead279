// Owns the checks the real-kernel spawn tests share (tests/sys/spawn*_test.cpp): running a plan
// and reading its output, expecting a failure, waiting for a child's exit status, whether any
// child is left, and the creation methods every method-parameterised suite runs under.
// Not here: real-child guards and bounded waits in general (support/real_child.h).
#pragma once

#include "support/real_child.h"
#include "sys/spawn.h"

#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace spawn_checks {

using sys::SpawnMethod;
using sys::SpawnPlan;
using test_support::ChildGuard;

// Runs `plan` with stdout (and stderr) on a pipe; returns what the child wrote and checks that
// it exited with status 0.
inline std::string output_of(SpawnPlan plan, SpawnMethod method = SpawnMethod::Auto) {
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
    EXPECT_TRUE(status->exited() && status->status == 0)
        << "status " << status->status << ", output: " << out;
    return out;
}

inline sys::SpawnError failure_of(const SpawnPlan& plan, SpawnMethod method = SpawnMethod::Auto) {
    auto child = sys::spawn_process(plan, method);
    if (child) {
        ChildGuard guard(child->pid);
        ADD_FAILURE() << "spawn unexpectedly succeeded";
        return {};
    }
    return child.error();
}

// True when the test process has no child left, exited or running (nothing leaked).
inline bool no_children_left() {
    siginfo_t info{};
    return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0 && errno == ECHILD;
}

// Waits for `child` to exit and returns its exit status (-1, and a failure, if it does not).
inline int exit_status_of(const sys::Spawned& child) {
    ChildGuard guard(child.pid);
    auto status = test_support::wait_exit(child.pidfd.get());
    if (!status) {
        ADD_FAILURE() << "child " << child.pid << " did not exit in time";
        return -1;
    }
    guard.reaped();
    return status->status;
}

// The plans' addresses, for spawn_processes and Sys::spawn_many.
inline std::vector<const SpawnPlan*> pointers_to(const std::vector<SpawnPlan>& plans) {
    std::vector<const SpawnPlan*> pointers;
    for (const SpawnPlan& p : plans) {
        pointers.push_back(&p);
    }
    return pointers;
}

// Every creation method but Auto, for INSTANTIATE_TEST_SUITE_P, with names for the test list.
inline auto every_method() {
    return ::testing::Values(SpawnMethod::Vfork, SpawnMethod::Clone3, SpawnMethod::Fork);
}
inline std::string method_name(const ::testing::TestParamInfo<SpawnMethod>& info) {
    return info.param == SpawnMethod::Vfork ? "Vfork" : info.param == SpawnMethod::Clone3 ? "Clone3" : "Fork";
}

} // namespace spawn_checks
