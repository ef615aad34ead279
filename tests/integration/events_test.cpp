// Integration: events with the real startd, startctl and real processes — the relationships the
// seed posts describe (D-Bus/HAL, portmap/nfs-server, getty instances, crash handlers, `and`),
// emit's waiting and failure, big and many events, and the job environment table.
#include "cli/client.h"
#include "support/daemon_harness.h"
#include "sys/linux_sys.h"

#include <fstream>
#include <gtest/gtest.h>
#include <signal.h>
#include <sstream>

namespace {

using test_support::DaemonHarness;
using test_support::read_file;
using namespace std::chrono_literals;

// A main process that appends NAME-up to ORDER, and NAME-term when it gets SIGTERM.
std::string logging_main(const std::string& name, const std::string& order) {
    return "exec sh -c 'trap \"echo " + name + "-term >> " + order + "; exit 0\" TERM; echo " + name +
           "-up >> " + order + "; while :; do sleep 0.05; done'\n";
}

TEST(IntegrationEvents, HalStartsAfterDbusAndIsFullyStoppedBeforeDbus) {
    DaemonHarness h;
    std::string order = h.dir() + "/order";
    h.write_job("dbus",
                "post-start exec sh -c 'echo dbus-ready >> " + order + "'\n" + logging_main("dbus", order));
    h.write_job("hal", "start on started dbus\nstop on stopping dbus\n" + logging_main("hal", order) +
                           "post-stop exec sh -c 'echo hal-post-stop >> " + order + "'\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(h.ctl({"start", "dbus"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return h.ctl({"status", "hal"}).out.find("start/running") != std::string::npos;
    }));
    ASSERT_TRUE(
        DaemonHarness::wait_for([&] { return read_file(order).find("hal-up") != std::string::npos; }));
    auto stopped = h.ctl({"stop", "dbus"});
    EXPECT_EQ(stopped.status, 0) << stopped.err;
    EXPECT_EQ(h.ctl({"status", "hal"}).out, "hal stop/waiting\n");
    // dbus-up (its main) and dbus-ready (its post-start) run side by side; everything else is ordered.
    std::string got = read_file(order);
    auto at = [&](const std::string& line) { return got.find(line + "\n"); };
    ASSERT_NE(at("dbus-term"), std::string::npos) << got;
    EXPECT_LT(at("dbus-ready"), at("hal-up")) << got;
    EXPECT_LT(at("dbus-up"), at("hal-up")) << got;
    EXPECT_EQ(got.substr(at("hal-up")), "hal-up\nhal-term\nhal-post-stop\ndbus-term\n")
        << "hal must be fully stopped before dbus is signalled";
}

TEST(IntegrationEvents, NfsServerWaitsUntilPortmapIsRunning) {
    DaemonHarness h;
    std::string order = h.dir() + "/order";
    h.write_job("portmap", "start on starting nfs-server\nexec sleep 300\npost-start exec sh -c 'sleep 0.3; "
                           "echo portmap-ready >> " +
                               order + "'\n");
    h.write_job("nfs-server", "pre-start exec sh -c 'echo nfs-pre-start >> " + order + "'\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    auto r = h.ctl({"start", "nfs-server"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(read_file(order), "portmap-ready\nnfs-pre-start\n");
    EXPECT_NE(h.ctl({"status", "portmap"}).out.find("start/running"), std::string::npos);
}

TEST(IntegrationEvents, GettyInstancesFollowTtyAddedAndRemoved) {
    DaemonHarness h;
    h.write_job("getty", "instance $TTY\nstart on tty-added\nstop on tty-removed TTY=$TTY\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"emit", "tty-added", "TTY=tty1"}).status, 0);
    ASSERT_EQ(h.ctl({"emit", "tty-added", "TTY=tty2"}).status, 0);
    pid_t tty1 = DaemonHarness::pid_in(h.ctl({"status", "getty", "TTY=tty1"}).out);
    pid_t tty2 = DaemonHarness::pid_in(h.ctl({"status", "getty", "TTY=tty2"}).out);
    ASSERT_GT(tty1, 0);
    ASSERT_GT(tty2, 0);
    auto removed = h.ctl({"emit", "tty-removed", "TTY=tty1"});
    EXPECT_EQ(removed.status, 0) << removed.err;
    EXPECT_FALSE(DaemonHarness::process_exists(tty1)); // emit waited until it had stopped
    EXPECT_TRUE(DaemonHarness::process_exists(tty2));
    EXPECT_EQ(h.ctl({"list"}).out, "getty (tty2) start/running, process " + std::to_string(tty2) + "\n");
}

TEST(IntegrationEvents, CrashHandlerTaskRunsOnSegvBeforeTheJobHasStopped) {
    DaemonHarness h;
    std::string report = h.dir() + "/report";
    h.write_job("server", "limit core 0 0\nexec sh -c 'sleep 0.2; kill -SEGV $$'\n");
    h.write_job("crash-report", "task\nstart on stopping server RESULT=failed EXIT_SIGNAL=SEGV\n"
                                "exec sh -c 'echo \"$JOB $PROCESS $EXIT_SIGNAL $UPSTART_EVENTS\" > " +
                                    report + "'\n");
    h.write_job("wrong-signal", "task\nstart on stopping server RESULT=failed EXIT_SIGNAL=TERM\nexec touch " +
                                    h.dir() + "/wrong\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "server"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return !read_file(report).empty(); }, 10s));
    EXPECT_EQ(read_file(report), "server main SEGV stopping\n");
    EXPECT_FALSE(std::ifstream(h.dir() + "/wrong").good());
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return h.ctl({"status", "server"}).out == "server stop/waiting\n";
    }));
}

TEST(IntegrationEvents, AndConditionRunsAgainOnlyAfterBothEventsRecur) {
    DaemonHarness h;
    std::string runs = h.dir() + "/runs";
    h.write_job("both", "task\nstart on a-up and b-up\nexec sh -c 'echo run >> " + runs + "'\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"emit", "--no-wait", "a-up"}).status, 0); // held until b-up: must not wait
    ASSERT_EQ(h.ctl({"emit", "b-up"}).status, 0);
    EXPECT_EQ(read_file(runs), "run\n");
    ASSERT_EQ(h.ctl({"emit", "--no-wait", "a-up"}).status, 0);
    ASSERT_EQ(h.ctl({"emit", "--no-wait", "a-up"}).status, 0);
    EXPECT_EQ(read_file(runs), "run\n");
    ASSERT_EQ(h.ctl({"emit", "b-up"}).status, 0);
    EXPECT_EQ(read_file(runs), "run\nrun\n");
    ASSERT_EQ(h.ctl({"emit", "b-up", "--no-wait"}).status, 0);
    EXPECT_EQ(h.ctl({"status", "both"}).out, "both stop/waiting\n");
    EXPECT_EQ(read_file(runs), "run\nrun\n");
}

TEST(IntegrationEvents, EmitFailsWithTheReasonWhenAJobItStartedFails) {
    DaemonHarness h;
    h.write_job("setup", "task\nstart on configure\nexec sh -c 'exit 7'\n");
    ASSERT_TRUE(h.start_daemon());
    auto r = h.ctl({"emit", "configure"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "startctl: Event failed: setup main process terminated with status 7\n");
    EXPECT_EQ(h.ctl({"emit", "--no-wait", "configure"}).status, 0);
}

TEST(IntegrationEvents, EmitRefusesBadArgumentsAndChangesNothing) {
    DaemonHarness h;
    ASSERT_TRUE(h.start_daemon());
    auto empty = h.ctl({"emit", ""});
    EXPECT_EQ(empty.status, 1);
    EXPECT_EQ(empty.err, "startctl: Name may not be empty string\n");
    auto bad = h.ctl({"emit", "x", "FOO"});
    EXPECT_EQ(bad.status, 1);
    EXPECT_EQ(bad.err, "startctl: Env must be KEY=VALUE pairs: 'FOO'\n");
    EXPECT_EQ(h.ctl({"version"}).status, 0);
}

TEST(IntegrationEvents, EventWithOneHundredKilobytesOfEnvironmentReachesTheJob) {
    DaemonHarness h;
    std::string out = h.dir() + "/len";
    h.write_job("big", "task\nstart on big\nexec sh -c 'echo ${#DATA} > " + out + "'\n");
    ASSERT_TRUE(h.start_daemon());
    std::string data(100 * 1024, 'x');
    auto r = h.ctl({"emit", "big", "DATA=" + data});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(read_file(out), std::to_string(data.size()) + "\n");
}

TEST(IntegrationEvents, TenThousandDistinctEventNamesOverOneConnection) {
    DaemonHarness h;
    std::string out = h.dir() + "/hits";
    h.write_job("watch", "task\nstart on ev-9999\nexec sh -c 'echo $UPSTART_EVENTS >> " + out + "'\n");
    ASSERT_TRUE(h.start_daemon());
    sys::LinuxSys sys;
    auto client = cli::Client::connect(sys, h.socket());
    ASSERT_TRUE(client.has_value()) << client.error().message();
    for (int i = 0; i < 10000; ++i) {
        auto reply = client->call(
            "emit",
            {{"name", "ev-" + std::to_string(i)}, {"env", {"N=" + std::to_string(i)}}, {"wait", i == 9999}});
        ASSERT_TRUE(reply.has_value());
        ASSERT_TRUE(reply->ok) << reply->error.message;
    }
    EXPECT_EQ(read_file(out), "ev-9999\n");
    EXPECT_EQ(h.ctl({"version"}).status, 0);
}

TEST(IntegrationEvents, StopEventArrivingDuringPreStartMeansMainNeverRuns) {
    DaemonHarness h;
    std::string marker = h.dir() + "/main-ran";
    std::string gate = h.dir() + "/gate";
    // pre-start waits for the test (bounded), so the stop event surely arrives while it runs.
    h.write_job("slow", "start on go\nstop on halt\npre-start exec sh -c 'for i in $(seq 400); do [ -e " +
                            gate + " ] && exit 0; sleep 0.05; done; exit 0'\nexec touch " + marker + "\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"emit", "--no-wait", "go"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return h.ctl({"status", "slow"}).out.find("pre-start") != std::string::npos;
    }));
    ASSERT_EQ(h.ctl({"emit", "--no-wait", "halt"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return h.ctl({"status", "slow"}).out.find("stop/pre-start") != std::string::npos;
    }));
    std::ofstream(gate) << "go\n"; // pre-start ends now, with the goal already stop
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return h.ctl({"status", "slow"}).out == "slow stop/waiting\n";
    }));
    EXPECT_FALSE(std::ifstream(marker).good());
}

TEST(IntegrationEvents, JobsThatReferToThemselvesNeitherHangNorLoop) {
    DaemonHarness h;
    h.write_job("self-started", "start on started self-started\nexec sleep 300\n");
    h.write_job("self-stopping", "stop on starting self-stopping\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    auto a = h.ctl({"start", "self-started"}, 10s);
    EXPECT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(a.out.rfind("self-started start/running", 0), 0u) << a.out;
    auto b = h.ctl({"start", "self-stopping"}, 10s);
    EXPECT_EQ(b.status, 0) << b.err;
    EXPECT_EQ(b.out, "self-stopping stop/waiting\n");
    EXPECT_EQ(h.ctl({"version"}).status, 0);
}

TEST(IntegrationEvents, StartupEventStartsJobsWithTheMode) {
    DaemonHarness h;
    std::string out = h.dir() + "/mode";
    h.write_job("boot", "task\nstart on startup\nexec sh -c 'echo $MODE $UPSTART_EVENTS > " + out + "'\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return !read_file(out).empty(); }));
    EXPECT_EQ(read_file(out), "user startup\n");
}

TEST(IntegrationEvents, EnvironmentTableReachesJobsStartedLater) {
    DaemonHarness h;
    std::string out = h.dir() + "/greeting";
    h.write_job("hello", "task\nexec sh -c 'echo \"$GREETING\" > " + out + "'\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"set-env", "GREETING=hi there"}).status, 0);
    EXPECT_EQ(h.ctl({"get-env", "GREETING"}).out, "hi there\n");
    ASSERT_EQ(h.ctl({"set-env", "-r", "GREETING=ignored"}).status, 0);
    ASSERT_EQ(h.ctl({"start", "hello"}).status, 0);
    EXPECT_EQ(read_file(out), "hi there\n");
    EXPECT_NE(h.ctl({"list-env"}).out.find("GREETING=hi there\n"), std::string::npos);
    ASSERT_EQ(h.ctl({"unset-env", "GREETING"}).status, 0);
    auto missing = h.ctl({"get-env", "GREETING"});
    EXPECT_EQ(missing.status, 1);
    EXPECT_EQ(missing.err, "startctl: No such variable: GREETING\n");
    auto bad = h.ctl({"set-env", "1BAD=x"});
    EXPECT_EQ(bad.status, 1);
    EXPECT_EQ(bad.err, "startctl: Invalid variable name: '1BAD'\n");
    ASSERT_EQ(h.ctl({"set-env", "X=1"}).status, 0);
    ASSERT_EQ(h.ctl({"reset-env"}).status, 0);
    EXPECT_EQ(h.ctl({"get-env", "X"}).status, 1);
}

TEST(IntegrationEvents, EnvCommandsInsideAJobActOnThatJobUnlessGlobal) {
    DaemonHarness h;
    std::string out = h.dir() + "/seen";
    std::string ctl = std::string(STARTCTL_BINARY);
    h.write_job("self", "exec sleep 300\npost-start exec sh -c '" + ctl + " set-env MINE=1; " + ctl +
                            " set-env -g SHARED=2; " + ctl + " get-env MINE > " + out + "'\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "self"}).status, 0);
    EXPECT_EQ(read_file(out), "1\n");
    EXPECT_EQ(h.ctl({"get-env", "MINE"}).status, 1) << "job-local variable leaked into the global table";
    EXPECT_EQ(h.ctl({"get-env", "SHARED"}).out, "2\n");
}

TEST(IntegrationEvents, UsagePrintsTheJobsUsageStanza) {
    DaemonHarness h;
    h.write_job("getty", "instance $TTY\nusage \"getty TTY=ttyN\"\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    EXPECT_EQ(h.ctl({"usage", "getty"}).out, "Usage: getty TTY=ttyN\n");
    auto r = h.ctl({"start", "getty"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "startctl: Unknown parameter: TTY\nUsage: getty TTY=ttyN\n");
}

} // namespace
