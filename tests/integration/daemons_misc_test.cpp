// Acceptance: memcached as user memcache through setuid/setgid (and wrong expects on it), and
// sshd -D on a loopback port with a pre-start script that makes its host key and checks the
// config with `sshd -t`.
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <chrono>
#include <gtest/gtest.h>
#include <pwd.h>
#include <thread>

namespace {

using namespace std::chrono_literals;
using namespace test_support;

TEST(IntegrationMemcached, RunsAsUserMemcacheThroughSetuid) {
    if (auto why = missing_for_daemon_test({"/usr/bin/memcached"}, true); !why.empty()) {
        GTEST_SKIP() << why;
    }
    passwd* user = ::getpwnam("memcache");
    if (user == nullptr) {
        GTEST_SKIP() << "no user memcache (the memcached package creates it)";
    }
    DaemonHarness h;
    int port = DaemonHarness::free_port();
    h.write_job("memcached", "setuid memcache\nsetgid memcache\nexec /usr/bin/memcached -l 127.0.0.1 -p " +
                                 std::to_string(port) + " -U 0 -m 16\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto r = h.ctl({"start", "memcached"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err;
    pid_t pid = DaemonHarness::pid_in(r.out);
    EXPECT_EQ(uid_of(pid), static_cast<long>(user->pw_uid)) << "its process runs as memcache";
    EXPECT_TRUE(tcp_answers(port, "version\r\n", "VERSION "));
    ASSERT_EQ(h.ctl({"stop", "memcached"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s));
}

// A wrong expect on memcached (the redis tests have the same on redis): startd gives up at the
// readiness timeout with what the process did, keeps answering meanwhile, and leaves nothing.
void memcached_wrong_expect(const std::string& stanza, const std::string& extra_args,
                            const std::string& must_say) {
    if (auto why = missing_for_daemon_test({"/usr/bin/memcached"}, true); !why.empty()) {
        GTEST_SKIP() << why;
    }
    if (::getpwnam("memcache") == nullptr) {
        GTEST_SKIP() << "no user memcache (the memcached package creates it)";
    }
    DaemonHarness h;
    int port = DaemonHarness::free_port();
    h.write_job("memcached",
                stanza + "\nsetuid memcache\nsetgid memcache\nexec /usr/bin/memcached -l 127.0.0.1 -p " +
                    std::to_string(port) + " -U 0 -m 16 " + extra_args + "\n");
    check_wrong_expect_fails_at_the_timeout(h, "memcached", must_say);
}

TEST(IntegrationMemcached, ExpectForkOnForegroundMemcachedFailsSayingItDidNotFork) {
    memcached_wrong_expect("expect fork", "", "main process was not ready: expect fork: process ");
}

TEST(IntegrationMemcached, ExpectDaemonOnMemcachedThatForksOnceFailsSayingItForkedOnce) {
    memcached_wrong_expect("expect daemon", "-d", " forked once (pid ");
}

TEST(IntegrationSshd, ForegroundSshdWithKeygenAndConfigCheckInPreStart) {
    if (auto why = missing_for_daemon_test({"/usr/sbin/sshd", "/usr/bin/ssh-keygen"}, true); !why.empty()) {
        GTEST_SKIP() << why;
    }
    DaemonHarness h;
    int port = DaemonHarness::free_port();
    std::string d = h.dir();
    std::string key = d + "/ssh_host_ed25519_key";
    write_file(d + "/sshd_config", "Port " + std::to_string(port) + "\nListenAddress 127.0.0.1\nHostKey " +
                                       key + "\nPidFile " + d + "/sshd.pid\nUsePAM no\n");
    h.write_job("ssh", "pre-start script\n"
                       "  mkdir -p -m 0755 /run/sshd\n" // privilege separation directory
                       "  [ -f " +
                           key + " ] || ssh-keygen -q -t ed25519 -N '' -f " + key +
                           "\n"
                           "  /usr/sbin/sshd -t -f " +
                           d +
                           "/sshd_config\n"
                           "end script\n"
                           "exec /usr/sbin/sshd -D -e -f " +
                           d + "/sshd_config\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto r = h.ctl({"start", "ssh"}, 15s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t pid = DaemonHarness::pid_in(r.out);
    EXPECT_NE(cmdline_of(pid).find("sshd"), std::string::npos);
    EXPECT_TRUE(tcp_answers(port, "", "SSH-2.0-")) << "sshd greets on its port";
    ASSERT_EQ(h.ctl({"stop", "ssh"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s));
}

TEST(IntegrationSshd, BadConfigFailsTheStartInPreStartAndSshdNeverRuns) {
    if (auto why = missing_for_daemon_test({"/usr/sbin/sshd"}, true); !why.empty()) {
        GTEST_SKIP() << why;
    }
    DaemonHarness h;
    write_file(h.dir() + "/sshd_config", "NoSuchOption yes\n");
    h.write_job("ssh", "pre-start exec /usr/sbin/sshd -t -f " + h.dir() +
                           "/sshd_config\nexec /usr/sbin/sshd -D -f " + h.dir() + "/sshd_config\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto r = h.ctl({"start", "ssh"}, 10s);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Job failed to start"), std::string::npos) << r.err;
    EXPECT_EQ(h.ctl({"status", "ssh"}).out, "ssh stop/waiting\n");
}

} // namespace
