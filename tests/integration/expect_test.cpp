// Integration: expect fork/daemon/stop with real processes (shell and python stand-ins for
// daemons, so these run everywhere): the tracked pid is the daemon's real pid, start returns
// only when it is ready, and a wrong expect fails within the readiness timeout with a message
// saying what the process did, while startd keeps answering and nothing is left behind.
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace {

using test_support::DaemonHarness;
using test_support::forking_daemon;
using test_support::read_file;
using namespace std::chrono_literals;

class IntegrationExpect : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::access("/usr/bin/python3", X_OK) != 0) {
            GTEST_SKIP() << "python3 is not installed";
        }
    }
    bool start(const std::string& timeout = "2") { return h.start_daemon({"--ready-timeout", timeout}); }
    DaemonHarness h;
};

TEST_F(IntegrationExpect, ExpectDaemonTracksTheDoubleForkedPid) {
    std::string pidfile = h.dir() + "/d.pid";
    h.write_job("d", "expect daemon\n" + forking_daemon(2, pidfile));
    ASSERT_TRUE(start()) << h.daemon_output();
    auto r = h.ctl({"start", "d"});
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t tracked = DaemonHarness::pid_in(r.out);
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return !read_file(pidfile).empty(); }, 5s));
    EXPECT_EQ(tracked, std::atoi(read_file(pidfile).c_str())) << "the job's main pid is the daemon's own";
    EXPECT_EQ(h.ctl({"stop", "d"}).status, 0);
    EXPECT_FALSE(DaemonHarness::process_exists(tracked));
    EXPECT_TRUE(h.descendants().empty());
}

TEST_F(IntegrationExpect, ExpectForkTracksTheForkedPidAndRespawnsIt) {
    std::string pidfile = h.dir() + "/f.pid";
    h.write_job("f", "expect fork\nrespawn\n" + forking_daemon(1, pidfile));
    ASSERT_TRUE(start()) << h.daemon_output();
    auto r = h.ctl({"start", "f"});
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t tracked = DaemonHarness::pid_in(r.out);
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return !read_file(pidfile).empty(); }, 5s));
    EXPECT_EQ(tracked, std::atoi(read_file(pidfile).c_str()));

    // The daemon dies: startd notices (subreaper) and traces the new one the same way.
    ::unlink(pidfile.c_str());
    ::kill(tracked, SIGKILL);
    pid_t again = 0;
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            std::string line = h.ctl({"status", "f"}).out;
            again = DaemonHarness::pid_in(line);
            return again != 0 && again != tracked && line.find("start/running") != std::string::npos;
        },
        5s))
        << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return !read_file(pidfile).empty(); }, 5s));
    EXPECT_EQ(again, std::atoi(read_file(pidfile).c_str()));
    EXPECT_EQ(h.ctl({"stop", "f"}).status, 0);
    EXPECT_TRUE(h.descendants().empty());
}

TEST_F(IntegrationExpect, ExpectStopContinuesTheProcessAndMarksItRunning) {
    h.write_job("s", "expect stop\nexec /bin/sh -c 'kill -STOP $$; exec sleep 300'\n");
    ASSERT_TRUE(start()) << h.daemon_output();
    auto r = h.ctl({"start", "s"});
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t pid = DaemonHarness::pid_in(r.out);
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    ASSERT_NE(close, std::string::npos);
    EXPECT_NE(stat[close + 2], 'T') << "SIGCONT was sent";
    EXPECT_EQ(h.ctl({"stop", "s"}).status, 0);
}

TEST_F(IntegrationExpect, ExpectForkOnAForegroundProcessFailsAtTheTimeoutWhileStartdAnswers) {
    h.write_job("fg", "expect fork\nexec sleep 300\n");
    h.write_job("other", "exec sleep 300\n");
    ASSERT_TRUE(start("2")) << h.daemon_output();
    auto begun = std::chrono::steady_clock::now();
    pid_t starter = 0;
    // Start it in the background and show startd keeps serving meanwhile.
    std::thread t([&] {
        auto r = h.ctl({"start", "fg"}, 10s);
        EXPECT_EQ(r.status, 1);
        EXPECT_NE(r.err.find("main process was not ready: expect fork: process "), std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("did not fork; timed out after 2 s"), std::string::npos) << r.err;
    });
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            return h.ctl({"status", "fg"}).out.find("start/spawned") != std::string::npos;
        },
        2s));
    starter = DaemonHarness::pid_in(h.ctl({"status", "fg"}).out);
    auto other = h.ctl({"start", "other"}, 2s);
    EXPECT_EQ(other.status, 0) << "startd answers while a start waits for a fork";
    t.join();
    auto took = std::chrono::steady_clock::now() - begun;
    EXPECT_LT(took, 5s);
    EXPECT_GE(took, 2s);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return !DaemonHarness::process_exists(starter); }, 2s));
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] {
            return h.ctl({"status", "fg"}).out == "fg stop/waiting\n";
        },
        2s));
    EXPECT_EQ(h.ctl({"stop", "other"}).status, 0);
    EXPECT_TRUE(h.descendants().empty());
}

TEST_F(IntegrationExpect, ExpectDaemonOnAProgramThatForksOnceSaysItForkedOnce) {
    h.write_job("once", "expect daemon\n" + forking_daemon(1, h.dir() + "/once.pid"));
    ASSERT_TRUE(start("1.5")) << h.daemon_output();
    auto r = h.ctl({"start", "once"}, 10s);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("expect daemon: process "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(" forked once (pid "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("timed out after 1.5 s"), std::string::npos) << r.err;
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 2s))
        << "the forked child is killed too";
}

TEST_F(IntegrationExpect, ExpectForkOnAProgramThatExitsSaysHowItExited) {
    h.write_job("quits", "expect fork\nexec /bin/sh -c 'exit 3'\n");
    ASSERT_TRUE(start()) << h.daemon_output();
    auto r = h.ctl({"start", "quits"}, 10s);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("expect fork: process "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(" terminated with status 3 without forking"), std::string::npos) << r.err;
}

TEST_F(IntegrationExpect, StopWhileWaitingForAForkDoesNotHang) {
    h.write_job("fg", "expect daemon\nexec sleep 300\n");
    ASSERT_TRUE(start("60")) << h.daemon_output();
    ASSERT_EQ(h.ctl({"--no-wait", "start", "fg"}).status, 0);
    pid_t pid = 0;
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            return (pid = DaemonHarness::pid_in(h.ctl({"status", "fg"}).out)) > 0;
        },
        2s));
    auto r = h.ctl({"stop", "fg"}, 5s);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(DaemonHarness::process_exists(pid));
}

} // namespace
