// Acceptance: Postfix the way its author prefers (seed 000) — boot-only, a job with only
// `pre-start exec postfix start` and `post-stop exec postfix stop` and no main process — and
// `exec postfix start-fg` with respawn: kill -9 of the master gives exactly one new master, and
// stop leaves no Postfix process although the master left the job's process group (setsid).
// Each test has a private Postfix: config dir, queue and data dirs in its temp dir, SMTP on a
// free loopback port.
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using namespace test_support;

class IntegrationPostfix : public ::testing::Test {
  protected:
    void SetUp() override {
        if (auto why = missing_for_daemon_test({"/usr/sbin/postfix", "/usr/lib/postfix/sbin/master"}, true);
            !why.empty()) {
            GTEST_SKIP() << why;
        }
        passwd* pw = ::getpwnam("postfix");
        if (pw == nullptr) {
            GTEST_SKIP() << "no user postfix (the postfix package creates it)";
        }
        port = DaemonHarness::free_port();
        std::string d = h.dir();
        ::chmod(d.c_str(), 0755); // Postfix's daemons (user postfix) look inside
        for (const char* sub : {"/conf", "/spool", "/data"}) {
            ::mkdir((d + sub).c_str(), 0755);
        }
        ASSERT_EQ(::chown((d + "/data").c_str(), pw->pw_uid, static_cast<gid_t>(-1)), 0);
        write_file(d + "/conf/main.cf", "compatibility_level = 3.6\nqueue_directory = " + d +
                                            "/spool\ndata_directory = " + d +
                                            "/data\nmail_owner = postfix\nsetgid_group = postdrop\n"
                                            "inet_interfaces = loopback-only\ninet_protocols = ipv4\n"
                                            "myhostname = localhost.test\nmydestination =\nalias_maps =\n"
                                            "alias_database =\nmaillog_file = " +
                                            d +
                                            "/maillog\n"
                                            "maillog_file_prefixes = " +
                                            d + "\n");
        write_file(d + "/conf/master.cf", postfix_master_cf(port));
    }

    std::string postfix(const std::string& command) const {
        return "/usr/sbin/postfix -c " + h.dir() + "/conf " + command;
    }
    pid_t master_pid() const { return read_pid_file(h.dir() + "/spool/pid/master.pid"); }
    std::vector<pid_t> masters() const {
        return with_cmdline(h.descendants(), "/usr/lib/postfix/sbin/master");
    }
    bool greets() { return tcp_answers(port, "", "220 localhost.test ESMTP", 8s); }

    DaemonHarness h;
    int port = 0;
};

TEST_F(IntegrationPostfix, BootOnlyJobStartsAndStopsPostfixWithNoMainProcess) {
    h.write_job("postfix",
                "pre-start exec " + postfix("start") + "\npost-stop exec " + postfix("stop") + "\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto r = h.ctl({"start", "postfix"}, 30s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    EXPECT_EQ(r.out, "postfix start/running\n") << "no main process: Postfix's master supervises its own";
    pid_t master = master_pid();
    EXPECT_TRUE(DaemonHarness::process_exists(master));
    EXPECT_TRUE(greets());
    ASSERT_EQ(h.ctl({"stop", "postfix"}, 30s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return !DaemonHarness::process_exists(master); }, 5s));
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 5s))
        << "post-stop stopped it all";
}

TEST_F(IntegrationPostfix, StartFgWithRespawnGivesOneNewMasterAndStopLeavesNothing) {
    h.write_job("postfix", "respawn\nexec " + postfix("start-fg") + "\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto r = h.ctl({"start", "postfix"}, 30s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t master = 0;
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            auto now = masters();
            master = now.size() == 1 ? now.front() : 0;
            return master != 0;
        },
        10s))
        << h.daemon_output();
    EXPECT_TRUE(greets());

    ::kill(master, SIGKILL);
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            auto now = masters();
            return now.size() == 1 && now.front() != master;
        },
        15s))
        << "respawned: one new master\n"
        << h.daemon_output();
    EXPECT_TRUE(greets());
    EXPECT_EQ(masters().size(), 1u);

    // No pre-stop: the master left the job's process group, yet stop reaches it.
    ASSERT_EQ(h.ctl({"stop", "postfix"}, 30s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 8s))
        << "left: " << h.descendants().size() << " processes";
}

} // namespace
