// Integration: expect notify with a real NOTIFY_SOCKET — a python stand-in daemon speaks the
// sd_notify datagram protocol: start returns only after READY=1, STATUS= shows in status,
// MAINPID= moves the main process, and messages from processes outside the job are ignored.
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <fstream>
#include <gtest/gtest.h>
#include <signal.h>
#include <sstream>

namespace {

using test_support::DaemonHarness;
using test_support::notifying_daemon;
using namespace std::chrono_literals;

std::string environ_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class IntegrationExpectNotify : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::access("/usr/bin/python3", X_OK) != 0) {
            GTEST_SKIP() << "python3 is not installed";
        }
    }
    DaemonHarness h;
};

TEST_F(IntegrationExpectNotify, StartReturnsAfterReadyAndStatusShowsTheDaemonsStatus) {
    h.write_job("n", "expect notify\n" +
                         notifying_daemon("time.sleep(0.4)",
                                          "s.sendto(b'STATUS=warming up',a); time.sleep(0.1); "
                                          "s.sendto(b'READY=1\\nSTATUS=Ready to accept connections',a)"));
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "5"})) << h.daemon_output();
    auto begun = std::chrono::steady_clock::now();
    auto r = h.ctl({"start", "n"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    EXPECT_GE(std::chrono::steady_clock::now() - begun, 400ms) << "start waited for READY=1";
    EXPECT_NE(r.out.find("n start/running, process "), std::string::npos) << r.out;
    EXPECT_NE(h.ctl({"status", "n"}).out.find("\tstatus: Ready to accept connections"), std::string::npos);
    EXPECT_NE(h.ctl({"--json", "status", "n"}).out.find("Ready to accept connections"), std::string::npos);
    EXPECT_EQ(h.ctl({"stop", "n"}).status, 0);
}

TEST_F(IntegrationExpectNotify, MainPidMovesTheMainProcessToTheNamedChild) {
    h.write_job("n", "expect notify\n" +
                         notifying_daemon("p=os.fork(); p==0 and time.sleep(300)",
                                          "s.sendto(('MAINPID=%d\\nREADY=1' % p).encode(),a); os._exit(0)"));
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "5"})) << h.daemon_output();
    auto r = h.ctl({"start", "n"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t main = DaemonHarness::pid_in(r.out);
    ASSERT_GT(main, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return DaemonHarness::process_exists(main); }, 1s));
    EXPECT_EQ(DaemonHarness::pid_in(h.ctl({"status", "n"}).out), main)
        << "the parent's exit did not end the job";
    EXPECT_EQ(h.ctl({"stop", "n"}).status, 0);
    EXPECT_FALSE(DaemonHarness::process_exists(main));
}

TEST_F(IntegrationExpectNotify, ReadyFromAStrangerIsIgnoredAndTheStartTimesOut) {
    h.write_job("n", "expect notify\n" + notifying_daemon("pass", "pass"));
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "1.5"})) << h.daemon_output();
    ASSERT_EQ(h.ctl({"--no-wait", "start", "n"}).status, 0);
    pid_t pid = 0;
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            return (pid = DaemonHarness::pid_in(h.ctl({"status", "n"}).out)) > 0;
        },
        2s));
    std::string env = environ_of(pid);
    auto at = env.find("NOTIFY_SOCKET=@");
    ASSERT_NE(at, std::string::npos);
    std::string socket = env.substr(at + 15, env.find('\0', at) - at - 15);
    // This test process is not part of the job: its READY=1 must not count.
    std::string cmd =
        "/usr/bin/python3 -c \"import socket; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); "
        "s.sendto(b'READY=1',chr(0)+'" +
        socket + "')\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            return h.ctl({"status", "n"}).out == "n stop/waiting\n";
        },
        4s))
        << h.daemon_output();
    std::string log = h.daemon_output();
    EXPECT_NE(log.find("not the job's main process"), std::string::npos) << log;
    EXPECT_NE(log.find("expect notify: process " + std::to_string(pid) +
                       " did not send READY=1; timed out after 1.5 s"),
              std::string::npos)
        << log;
    EXPECT_FALSE(DaemonHarness::process_exists(pid));
}

} // namespace
