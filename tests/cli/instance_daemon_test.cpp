// Tests how startctl launches, finds and stops an instance's daemon, with real processes standing
// in for startd: readiness through the descriptor it is given (--ready-fd 3), a daemon that exits
// or never gets ready (bounded, and then sent SIGTERM), stopping by pid, and the environment a
// launched daemon gets.
#include "cli/instance_daemon.h"
#include "support/daemon_harness.h"
#include "support/real_child.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

namespace {

using namespace std::chrono_literals;
using test_support::DaemonHarness;

cli::DaemonLaunch shell(const test_support::TempDir& dir, const std::string& script) {
    // sh -c SCRIPT sh --ready-fd 3: the appended arguments are the script's $1 and $2.
    return {"/bin/sh", {"/bin/sh", "-c", script, "sh"}, {"PATH=/usr/bin:/bin"}, dir / "daemon.log"};
}

TEST(InstanceDaemon, ReturnsOnceTheDaemonSaysItIsReadyAndStopWaitsForItsExit) {
    test_support::TempDir dir;
    auto pid =
        cli::launch_daemon(sys::real_sys(), shell(dir, "echo \"$1 $2\" >&2; echo >&3; exec sleep 30"), 10s);
    ASSERT_TRUE(pid.has_value()) << pid.error().message();
    EXPECT_TRUE(DaemonHarness::process_exists(*pid));
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return test_support::read_file(dir / "daemon.log") == "--ready-fd 3\n";
    })) << "its output goes to the log file";
    auto stopped = cli::stop_daemon(sys::real_sys(), *pid, 10s);
    ASSERT_TRUE(stopped.has_value()) << stopped.error().message();
    EXPECT_FALSE(DaemonHarness::process_exists(*pid));
    EXPECT_EQ(::waitpid(*pid, nullptr, 0), *pid)
        << "our child here (startctl exits instead): reaped, for the next test";
}

TEST(InstanceDaemon, ADaemonThatExitsFirstIsAnErrorNamingItsStatusAndLog) {
    test_support::TempDir dir;
    auto pid = cli::launch_daemon(sys::real_sys(), shell(dir, "exit 3"), 10s);
    ASSERT_FALSE(pid.has_value());
    EXPECT_EQ(pid.error().message(),
              "startd exited with status 3 before it was ready (see " + dir / "daemon.log" + ")");
}

TEST(InstanceDaemon, ADaemonNeverReadyIsSentSigtermAtTheBound) {
    test_support::TempDir dir;
    auto pid = cli::launch_daemon(sys::real_sys(), shell(dir, "echo $$ > " + dir / "pid" + "; exec sleep 30"),
                                  300ms);
    ASSERT_FALSE(pid.has_value());
    EXPECT_NE(pid.error().message().find(") was not ready within 0.3 s; it was sent SIGTERM (see "),
              std::string::npos)
        << pid.error().message();
    pid_t left = static_cast<pid_t>(std::atoi(test_support::read_file(dir / "pid").c_str()));
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return !DaemonHarness::process_exists(left); }, 5s));
    EXPECT_EQ(::waitpid(left, nullptr, 0), left);
}

TEST(InstanceDaemon, NoDaemonOnASocketIsNotAnError) {
    test_support::TempDir dir;
    auto none = cli::serving_pid(sys::real_sys(), dir / "control");
    ASSERT_TRUE(none.has_value()) << none.error().message();
    EXPECT_FALSE(none->has_value());
}

TEST(InstanceDaemon, TheLaunchedDaemonGetsNoJobOrCallerVariables) {
    std::string a = "A=1", notify = "NOTIFY_SOCKET=/run/x", config = "STARTD_CONFIG=/etc/startd-b",
                job = "UPSTART_JOB=web", socket = "STARTD_SOCKET=/s", mode = "STARTD_MODE=user", b = "B=2";
    std::vector<char*> env = {a.data(),      notify.data(), config.data(), job.data(),
                              socket.data(), mode.data(),   b.data(),      nullptr};
    EXPECT_EQ(cli::daemon_environment(env.data()), (std::vector<std::string>{"A=1", "B=2"}));
}

} // namespace
