// Integration: the real startd and startctl over the real socket, with real processes — the
// seed's examples (sobby, getty, dbus), respawn limits, kill timeouts, tasks and process groups.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "support/daemon_harness.h"

namespace {

using test_support::DaemonHarness;
using namespace std::chrono_literals;

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

TEST(Integration, StartReturnsWhenRunningAndStopLeavesNoProcess) {
    DaemonHarness h;
    h.write_job("sleeper", "exec sleep 300\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto started = h.ctl({"start", "sleeper"});
    ASSERT_EQ(started.status, 0) << started.err;
    ASSERT_EQ(started.out.rfind("sleeper start/running, process ", 0), 0u) << started.out;
    pid_t pid = DaemonHarness::pid_in(started.out);
    EXPECT_TRUE(DaemonHarness::process_exists(pid));
    EXPECT_EQ(h.ctl({"status", "sleeper"}).out, started.out);

    auto stopped = h.ctl({"stop", "sleeper"});
    EXPECT_EQ(stopped.status, 0) << stopped.err;
    EXPECT_EQ(stopped.out, "sleeper stop/waiting\n");
    EXPECT_FALSE(DaemonHarness::process_exists(pid));
    EXPECT_EQ(h.ctl({"status", "sleeper"}).out, "sleeper stop/waiting\n");
}

TEST(Integration, UnknownJobFailsWithUpstartsMessageAndExitStatus) {
    DaemonHarness h;
    ASSERT_TRUE(h.start_daemon());
    auto r = h.ctl({"start", "nope"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "startctl: Unknown job: nope\n");
    auto missing = h.ctl({"start"});
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.err.find("missing job name"), std::string::npos);
}

TEST(Integration, DbusStylePreStartAndPostStopRunAroundMain) {
    DaemonHarness h;
    std::string marker = h.dir() + "/dbus-ready";
    h.write_job("dbus", "pre-start exec touch " + marker + "\nexec sleep 300\npost-stop exec rm -f " + marker + "\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "dbus"}).status, 0);
    EXPECT_TRUE(file_exists(marker)) << "pre-start ran before main";
    ASSERT_EQ(h.ctl({"stop", "dbus"}).status, 0);
    EXPECT_FALSE(file_exists(marker)) << "post-stop ran after main";
}

TEST(Integration, FailingPreStartFailsTheStartAndMainNeverRuns) {
    DaemonHarness h;
    std::string marker = h.dir() + "/main-ran";
    h.write_job("broken", "pre-start exec false\nexec touch " + marker + "\n");
    ASSERT_TRUE(h.start_daemon());
    auto r = h.ctl({"start", "broken"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "startctl: Job failed to start: broken pre-start process terminated with status 1\n");
    EXPECT_FALSE(file_exists(marker));
}

TEST(Integration, TaskStartWaitsForTheTaskToFinish) {
    DaemonHarness h;
    std::string out = h.dir() + "/task-done";
    h.write_job("migrate", "task\nscript\n  sleep 0.3\n  echo done > " + out + "\nend script\n");
    ASSERT_TRUE(h.start_daemon());
    auto r = h.ctl({"start", "migrate"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "migrate stop/waiting\n");
    EXPECT_TRUE(file_exists(out)) << "start returned before the task finished";
}

TEST(Integration, SpawnFailureNamesTheStep) {
    DaemonHarness h;
    h.write_job("ghost", "exec /nonexistent/binary --flag\n");
    ASSERT_TRUE(h.start_daemon());
    auto r = h.ctl({"start", "ghost"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(h.daemon_output().find("Failed to spawn ghost main process"), std::string::npos) << h.daemon_output();
}

TEST(Integration, SobbyRespawnsOnCrashButNotOnItsNormalExits) {
    DaemonHarness h;
    h.write_job("sobby", "respawn\nrespawn limit 10 5\nnormal exit 0 ABRT\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    pid_t first = DaemonHarness::pid_in(h.ctl({"start", "sobby"}).out);
    ASSERT_GT(first, 0);
    ::kill(first, SIGKILL);
    pid_t second = 0;
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        second = DaemonHarness::pid_in(h.ctl({"status", "sobby"}).out);
        return second > 0 && second != first;
    })) << "respawned after SIGKILL";
    ::kill(second, SIGABRT); // listed in normal exit: the job stops instead
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.ctl({"status", "sobby"}).out == "sobby stop/waiting\n"; }));
}

TEST(Integration, RespawnLimitStopsTheJobWithALoggedReason) {
    DaemonHarness h;
    h.write_job("flappy", "respawn\nrespawn limit 3 10\nexec false\n");
    ASSERT_TRUE(h.start_daemon());
    (void)h.ctl({"start", "flappy"}, 10s);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.ctl({"status", "flappy"}).out == "flappy stop/waiting\n"; }));
    EXPECT_NE(h.daemon_output().find("flappy respawning too fast, stopped"), std::string::npos) << h.daemon_output();
}

TEST(Integration, KillTimeoutEscalatesToSigkill) {
    DaemonHarness h;
    h.write_job("stubborn", "kill timeout 1\nscript\n  trap '' TERM\n  while :; do sleep 0.1; done\nend script\n");
    ASSERT_TRUE(h.start_daemon());
    pid_t pid = DaemonHarness::pid_in(h.ctl({"start", "stubborn"}).out);
    ASSERT_GT(pid, 0);
    auto begin = std::chrono::steady_clock::now();
    auto r = h.ctl({"stop", "stubborn"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_GE(std::chrono::steady_clock::now() - begin, 900ms) << "TERM was ignored, so KILL came after the timeout";
    EXPECT_FALSE(DaemonHarness::process_exists(pid));
    EXPECT_NE(h.daemon_output().find("sending KILL"), std::string::npos);
}

TEST(Integration, StopSignalsTheWholeProcessGroup) {
    DaemonHarness h;
    std::string pidfile = h.dir() + "/child.pid";
    h.write_job("family", "script\n  sleep 300 &\n  echo $! > " + pidfile + "\n  wait\nend script\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "family"}).status, 0);
    pid_t child = 0;
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        std::ifstream in(pidfile);
        return static_cast<bool>(in >> child) && child > 0;
    }));
    ASSERT_EQ(h.ctl({"stop", "family"}).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return !DaemonHarness::process_exists(child); }))
        << "the background child of the main process was left behind";
}

TEST(Integration, GettyInstancesAreIndependent) {
    DaemonHarness h;
    h.write_job("getty", "instance $TTY\nusage \"start getty TTY=ttyN\"\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    auto one = h.ctl({"start", "getty", "TTY=tty1"});
    auto two = h.ctl({"start", "getty", "TTY=tty2"});
    ASSERT_EQ(one.out.rfind("getty (tty1) start/running, process ", 0), 0u) << one.out << one.err;
    ASSERT_EQ(two.out.rfind("getty (tty2) start/running, process ", 0), 0u) << two.out;
    auto again = h.ctl({"start", "getty", "TTY=tty1"});
    EXPECT_EQ(again.err, "startctl: Job is already running: getty (tty1)\n");
    auto no_tty = h.ctl({"start", "getty"});
    EXPECT_EQ(no_tty.err, "startctl: Unknown parameter: TTY\nUsage: start getty TTY=ttyN\n");
    ASSERT_EQ(h.ctl({"stop", "getty", "TTY=tty1"}).status, 0);
    EXPECT_EQ(h.ctl({"status", "getty", "TTY=tty2"}).out, two.out);
    auto list = h.ctl({"list"});
    EXPECT_NE(list.out.find("getty (tty2) start/running"), std::string::npos) << list.out;
}

TEST(Integration, JobProcessesGetUpstartVariablesAndCanReachTheirStartd) {
    DaemonHarness h;
    std::string out = h.dir() + "/env";
    h.write_job("selfaware", std::string("task\nenv GREETING=hello\nscript\n") + "  echo \"$UPSTART_JOB/$GREETING\" > " +
                                 out + "\n  " STARTCTL_BINARY " status selfaware >> " + out + "\nend script\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "selfaware"}).status, 0);
    std::ifstream in(out);
    std::string first, second;
    std::getline(in, first);
    std::getline(in, second);
    EXPECT_EQ(first, "selfaware/hello");
    EXPECT_EQ(second.rfind("selfaware start/running, process ", 0), 0u) << second;
}

TEST(Integration, ConsoleLogCapturesOutputWithTimestamps) {
    DaemonHarness h;
    h.write_job("chatty", "task\nexec echo hello from chatty\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "chatty"}).status, 0);
    std::string log = h.log_dir() + "/chatty.log";
    std::string text;
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        std::ifstream in(log);
        std::getline(in, text);
        return text.find("hello from chatty") != std::string::npos;
    })) << text;
    EXPECT_EQ(text.size(), std::string("2026-01-01T00:00:00Z hello from chatty").size());
}

TEST(Integration, SigtermStopsEveryJobThenStartdExitsZero) {
    DaemonHarness h;
    h.write_job("a", "exec sleep 300\n");
    h.write_job("b", "exec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    pid_t a = DaemonHarness::pid_in(h.ctl({"start", "a"}).out);
    pid_t b = DaemonHarness::pid_in(h.ctl({"start", "b"}).out);
    EXPECT_EQ(h.stop_daemon(), 0);
    EXPECT_FALSE(DaemonHarness::process_exists(a));
    EXPECT_FALSE(DaemonHarness::process_exists(b));
}

} // namespace
