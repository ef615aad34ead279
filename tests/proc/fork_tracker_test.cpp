// Tests ForkTracker: the expect fork/daemon ptrace state machine, on the fake kernel.
#include "fakes/fake_sys.h"
#include "proc/fork_tracker.h"

#include <csignal>
#include <gtest/gtest.h>
#include <sys/ptrace.h>

namespace {

using proc::ForkTracker;
using proc::TraceStep;

sys::ChildStatus trapped(pid_t pid, int sig, int event = 0) {
    return {pid, CLD_TRAPPED, sig | (event << 8)};
}
sys::ChildStatus exited(pid_t pid, int status) {
    return {pid, CLD_EXITED, status};
}

class ForkTrackerTest : public ::testing::Test {
  protected:
    // A traced main process that has just exec'd (its SIGTRAP stop is handled by the test).
    pid_t spawn_main() { return sys.add_child_process(); }

    // The traced process `parent` forks: the fake names the new child in the fork event.
    pid_t fork_of(ForkTracker& t, pid_t parent) {
        pid_t child = sys.add_child_process();
        sys.set_event_message(parent, static_cast<unsigned long>(child));
        EXPECT_EQ(t.on_status(trapped(parent, SIGTRAP, PTRACE_EVENT_FORK)), TraceStep::Pending);
        return child;
    }

    std::string options() const {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%#x", PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC);
        return hex;
    }

    fakes::FakeSys sys;
};

TEST_F(ForkTrackerTest, ExecStopSetsForkAndExecOptionsAndContinues) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect fork", 1, main);
    EXPECT_EQ(t.on_status(trapped(main, SIGTRAP)), TraceStep::Pending);
    std::vector<std::string> want = {"setoptions " + std::to_string(main) + " " + options(),
                                     "cont " + std::to_string(main) + " 0"};
    EXPECT_EQ(sys.ptrace_log(), want);
    EXPECT_EQ(t.main(), main);
}

TEST_F(ForkTrackerTest, ExpectForkFollowsOneForkAndDetachesBothProcesses) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect fork", 1, main);
    t.on_status(trapped(main, SIGTRAP));
    pid_t child = fork_of(t, main);
    EXPECT_EQ(t.main(), child) << "the child is the main process as soon as the fork is seen";
    EXPECT_EQ(t.awaited_child(), child);
    EXPECT_EQ(sys.ptrace_log().back(), "detach " + std::to_string(main) + " 0");
    // The child's first stop (SIGSTOP from the auto-attach) is suppressed and the child detached.
    EXPECT_EQ(t.on_status(trapped(child, SIGSTOP)), TraceStep::Ready);
    EXPECT_EQ(sys.ptrace_log().back(), "detach " + std::to_string(child) + " 0");
    EXPECT_EQ(t.main(), child);
    EXPECT_TRUE(t.done());
}

TEST_F(ForkTrackerTest, ExpectDaemonKeepsTracingTheFirstChildUntilItForksAgain) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect daemon", 2, main);
    t.on_status(trapped(main, SIGTRAP));
    pid_t first = fork_of(t, main);
    EXPECT_EQ(t.on_status(trapped(first, SIGSTOP)), TraceStep::Pending);
    EXPECT_EQ(sys.ptrace_log().back(), "cont " + std::to_string(first) + " 0");
    EXPECT_EQ(t.on_status(exited(main, 0)), TraceStep::NotMine)
        << "the detached parent's exit is not the job's";
    pid_t second = fork_of(t, first);
    EXPECT_EQ(t.on_status(trapped(second, SIGSTOP)), TraceStep::Ready);
    EXPECT_EQ(t.main(), second);
}

TEST_F(ForkTrackerTest, ExecAfterAForkEndsTheTrace) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect daemon", 2, main);
    t.on_status(trapped(main, SIGTRAP));
    pid_t child = fork_of(t, main);
    EXPECT_EQ(t.on_status(trapped(child, SIGSTOP)), TraceStep::Pending);
    EXPECT_EQ(t.on_status(trapped(child, SIGTRAP, PTRACE_EVENT_EXEC)), TraceStep::Ready);
    EXPECT_EQ(t.main(), child);
    EXPECT_EQ(sys.ptrace_log().back(), "detach " + std::to_string(child) + " 0");
}

TEST_F(ForkTrackerTest, ExecBeforeAnyForkIsFollowed) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect fork", 1, main);
    t.on_status(trapped(main, SIGTRAP));
    EXPECT_EQ(t.on_status(trapped(main, SIGTRAP, PTRACE_EVENT_EXEC)), TraceStep::Pending);
    EXPECT_EQ(sys.ptrace_log().back(), "cont " + std::to_string(main) + " 0");
}

TEST_F(ForkTrackerTest, OtherSignalsArePassedOnToTheTracee) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect fork", 1, main);
    t.on_status(trapped(main, SIGTRAP));
    EXPECT_EQ(t.on_status(trapped(main, SIGHUP)), TraceStep::Pending);
    EXPECT_EQ(sys.ptrace_log().back(), "cont " + std::to_string(main) + " " + std::to_string(SIGHUP));
    EXPECT_EQ(t.on_status(trapped(main, SIGTRAP)), TraceStep::Pending)
        << "a later SIGTRAP is the tracee's own";
    EXPECT_EQ(sys.ptrace_log().back(), "cont " + std::to_string(main) + " " + std::to_string(SIGTRAP));
}

TEST_F(ForkTrackerTest, ExitWithoutForkingFailsNamingTheExpectAndTheExit) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect fork", 1, main);
    t.on_status(trapped(main, SIGTRAP));
    EXPECT_EQ(t.on_status(exited(main, 3)), TraceStep::Failed);
    EXPECT_EQ(t.failure(),
              "expect fork: process " + std::to_string(main) + " terminated with status 3 without forking");
}

TEST_F(ForkTrackerTest, ExpectDaemonOnAProgramThatForksOnceSaysSoWhenTheChildExits) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect daemon", 2, main);
    t.on_status(trapped(main, SIGTRAP));
    pid_t child = fork_of(t, main);
    t.on_status(trapped(child, SIGSTOP));
    EXPECT_EQ(t.on_status({child, CLD_KILLED, SIGTERM}), TraceStep::Failed);
    EXPECT_EQ(t.failure(), "expect daemon: process " + std::to_string(main) + " forked once (pid " +
                               std::to_string(child) + "), then pid " + std::to_string(child) +
                               " killed by TERM signal without forking again");
}

TEST_F(ForkTrackerTest, ProgressDescribesWhatTheProcessDidForTimeoutMessages) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect daemon", 2, main);
    t.on_status(trapped(main, SIGTRAP));
    EXPECT_EQ(t.progress(), "process " + std::to_string(main) + " did not fork");
    pid_t child = fork_of(t, main);
    t.on_status(trapped(child, SIGSTOP));
    EXPECT_EQ(t.progress(), "process " + std::to_string(main) + " forked once (pid " + std::to_string(child) +
                                ") and then pid " + std::to_string(child) + " did not fork again");
    EXPECT_EQ(t.pids(), (std::vector<pid_t>{main, child}));
}

TEST_F(ForkTrackerTest, ReportsAboutOtherProcessesAreNotMine) {
    pid_t main = spawn_main();
    pid_t other = sys.add_child_process();
    ForkTracker t(sys, "expect fork", 1, main);
    EXPECT_EQ(t.on_status(trapped(other, SIGSTOP)), TraceStep::NotMine);
    EXPECT_EQ(t.on_status(exited(other, 0)), TraceStep::NotMine);
    EXPECT_TRUE(sys.ptrace_log().empty());
}

TEST_F(ForkTrackerTest, UnreadableForkEventFailsTheTrace) {
    pid_t main = spawn_main();
    ForkTracker t(sys, "expect fork", 1, main);
    t.on_status(trapped(main, SIGTRAP));
    sys.fail_next("ptrace_geteventmsg", ESRCH);
    EXPECT_EQ(t.on_status(trapped(main, SIGTRAP, PTRACE_EVENT_FORK)), TraceStep::Failed);
    EXPECT_NE(t.failure().find("cannot read the fork event"), std::string::npos) << t.failure();
}

} // namespace
