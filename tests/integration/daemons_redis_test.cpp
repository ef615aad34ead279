// Acceptance: redis-server from Debian's archive under startd — `--daemonize yes` with expect
// fork, `--daemonize no` in the foreground, `--supervised upstart` with expect stop (redis raises
// SIGSTOP itself when UPSTART_JOB is set), and two wrong expect stanzas that fail within the
// timeout with a clear message while startd keeps answering, leaving no process behind.
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <thread>

namespace {

using namespace std::chrono_literals;
using namespace test_support;

class IntegrationRedis : public ::testing::Test {
  protected:
    void SetUp() override {
        if (auto why = missing_for_daemon_test({"/usr/bin/redis-server"}, false); !why.empty()) {
            GTEST_SKIP() << why;
        }
        port = DaemonHarness::free_port();
        ASSERT_GT(port, 0);
    }
    // redis on 127.0.0.1:port, no persistence, everything in the test's directory.
    std::string redis(const std::string& extra) const {
        return "/usr/bin/redis-server --port " + std::to_string(port) + " --bind 127.0.0.1 --dir " + h.dir() +
               " --save '' --appendonly no --logfile " + h.dir() + "/redis.log " + extra;
    }
    std::string pid_file() const { return h.dir() + "/redis.pid"; }
    bool pongs() { return tcp_answers(port, "PING\r\n", "+PONG"); }

    DaemonHarness h;
    int port = 0;
};

TEST_F(IntegrationRedis, DaemonizeYesWithExpectForkTracksTheDaemon) {
    h.write_job("redis", "expect fork\nexec " + redis("--daemonize yes --pidfile " + pid_file()) + "\n");
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "5"})) << h.daemon_output();
    auto r = h.ctl({"start", "redis"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t pid = DaemonHarness::pid_in(r.out);
    EXPECT_TRUE(pongs());
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return read_pid_file(pid_file()) != 0; }, 5s));
    EXPECT_EQ(pid, read_pid_file(pid_file()));
    ASSERT_EQ(h.ctl({"stop", "redis"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s));
}

TEST_F(IntegrationRedis, DaemonizeNoRunsInTheForegroundWithoutExpect) {
    h.write_job("redis", "exec " + redis("--daemonize no") + "\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto r = h.ctl({"start", "redis"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err;
    pid_t pid = DaemonHarness::pid_in(r.out);
    EXPECT_TRUE(pongs());
    EXPECT_NE(cmdline_of(pid).find("redis-server"), std::string::npos) << cmdline_of(pid);
    ASSERT_EQ(h.ctl({"stop", "redis"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s));
}

TEST_F(IntegrationRedis, SupervisedUpstartWithExpectStopIsRunningOnlyOnceReady) {
    h.write_job("redis", "expect stop\nexec " + redis("--daemonize no --supervised upstart") + "\n");
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "5"})) << h.daemon_output();
    auto r = h.ctl({"start", "redis"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    EXPECT_NE(r.out.find("start/running"), std::string::npos);
    // redis raises SIGSTOP while deciding whether it is supervised, before it listens: so
    // "running" here means started, not serving yet.
    EXPECT_TRUE(pongs());
    ASSERT_EQ(h.ctl({"stop", "redis"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s));
}

TEST_F(IntegrationRedis, ExpectForkOnForegroundRedisFailsSayingItDidNotFork) {
    h.write_job("redis", "expect fork\nexec " + redis("--daemonize no") + "\n");
    check_wrong_expect_fails_at_the_timeout(h, "redis", "main process was not ready: expect fork: process ");
}

TEST_F(IntegrationRedis, ExpectDaemonOnRedisThatForksOnceFailsSayingItForkedOnce) {
    h.write_job("redis", "expect daemon\nexec " + redis("--daemonize yes --pidfile " + pid_file()) + "\n");
    check_wrong_expect_fails_at_the_timeout(h, "redis", " forked once (pid ");
}

} // namespace
