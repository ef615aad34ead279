// Acceptance: the real Postfix multi-instance API beside startd's (issue 16). postmulti makes a
// second Postfix instance (`postmulti -e init`, `-e create`, `-e enable`); one startd instance
// runs each Postfix instance (`exec postfix -c DIR start-fg`), both serve SMTP on 127.0.0.1, and
// everything is driven through `startctl -i NAME` and `startctl instance`. postmulti refuses any
// config dir but the compiled-in /etc/postfix, so it runs in a private mount namespace where a
// copy in the temp dir is mounted over /etc/postfix: the host's /etc/postfix is never written.
#include "support/instance_harness.h"
#include "support/real_daemons.h"

#include <csignal>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using namespace test_support;

TEST(IntegrationMultiInstancePostfix, AStartdInstancePerPostfixInstanceDrivenWithMinusI) {
    if (auto why = missing_for_daemon_test({"/usr/sbin/postfix", "/usr/sbin/postmulti", "/usr/sbin/postconf",
                                            "/usr/lib/postfix/sbin/master", "/usr/bin/unshare"},
                                           true);
        !why.empty()) {
        GTEST_SKIP() << why;
    }
    passwd* pw = ::getpwnam("postfix");
    if (pw == nullptr) {
        GTEST_SKIP() << "no user postfix (the postfix package creates it)";
    }
    if (!std::filesystem::exists("/etc/postfix/main.cf.proto")) {
        GTEST_SKIP() << "no /etc/postfix/main.cf.proto: postmulti -e create needs the package's prototypes";
    }
    InstanceHarness m;
    DaemonHarness& h = m.harness();
    std::string d = m.dir();
    // Postfix cleans its environment, so its processes are found by their pid files; whatever a
    // failing test leaves is killed by pid.
    auto masters = [d] {
        std::vector<pid_t> alive;
        for (const char* which : {"/postfix-a/spool/pid/master.pid", "/postfix-b/spool/pid/master.pid"}) {
            if (pid_t pid = read_pid_file(d + which); DaemonHarness::process_exists(pid)) {
                alive.push_back(pid);
            }
        }
        return alive;
    };
    struct KillLeftovers {
        std::function<std::vector<pid_t>()> find;
        ~KillLeftovers() {
            for (pid_t pid : find()) {
                ::kill(pid, SIGKILL);
            }
        }
    } leftovers{masters};
    ::chmod(d.c_str(), 0755); // Postfix's daemons (user postfix) look inside
    std::string a = d + "/postfix-a";
    std::string b = d + "/postfix-b";
    for (const std::string& dir : {a + "/spool", a + "/data"}) {
        std::filesystem::create_directories(dir);
    }
    ASSERT_EQ(::chown((a + "/data").c_str(), pw->pw_uid, static_cast<gid_t>(-1)), 0);
    // The primary Postfix instance: the package's files (prototypes, postfix-files) and our main.cf.
    std::filesystem::copy("/etc/postfix", a + "/conf", std::filesystem::copy_options::recursive);
    int port_a = DaemonHarness::free_port();
    int port_b = DaemonHarness::free_port();
    write_file(a + "/conf/main.cf",
               "compatibility_level = 3.6\nqueue_directory = " + a + "/spool\ndata_directory = " + a +
                   "/data\nmail_owner = postfix\nsetgid_group = postdrop\n"
                   "inet_interfaces = loopback-only\ninet_protocols = ipv4\n"
                   "myhostname = a.test\nmydestination =\nalias_maps =\nalias_database =\n"
                   "maillog_file = " +
                   d + "/maillog-a\nmaillog_file_prefixes = " + d + "\n");
    write_file(a + "/conf/master.cf", postfix_master_cf(port_a));
    std::string postmulti =
        "mount --bind " + a + "/conf /etc/postfix && postmulti -e init && postmulti -I postfix-b " +
        "-G mta -e create config_directory=" + b + "/conf queue_directory=" + b +
        "/spool data_directory=" + b + "/data && postmulti -i postfix-b -e enable && postmulti -l";
    CtlResult made =
        h.run({"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", postmulti}, {}, 60s);
    ASSERT_EQ(made.status, 0) << made.out << made.err;
    EXPECT_NE(made.out.find("postfix-b       mta             y         " + b + "/conf"), std::string::npos)
        << made.out;
    // The new Postfix instance as postmulti made it, made to serve: inet on, its own port and log.
    CtlResult conf = h.run({"/usr/sbin/postconf", "-c", b + "/conf", "-X", "master_service_disable"}, {});
    ASSERT_EQ(conf.status, 0) << conf.err;
    conf = h.run({"/usr/sbin/postconf", "-c", b + "/conf", "-e", "inet_interfaces = loopback-only",
                  "myhostname = b.test", "mydestination =", "alias_maps =", "alias_database =",
                  "maillog_file = " + d + "/maillog-b", "maillog_file_prefixes = " + d},
                 {});
    ASSERT_EQ(conf.status, 0) << conf.err;
    write_file(b + "/conf/master.cf", postfix_master_cf(port_b));

    // A startd instance per Postfix instance, in group mta.
    ASSERT_EQ(m.ctl({"instance", "init"}).status, 0);
    for (auto [name, pf] : {std::pair{"mail-a", a}, std::pair{"mail-b", b}}) {
        CtlResult c = m.ctl({"instance", "create", "-I", name, "-G", "mta"});
        ASSERT_EQ(c.status, 0) << c.err;
        m.write_job(m.dir_of(name), "postfix",
                    "respawn\nexec /usr/sbin/postfix -c " + pf + "/conf start-fg\n");
    }
    ASSERT_EQ(m.ctl({"instance", "enable", "-g", "mta"}).status, 0);
    CtlResult start = m.ctl({"instance", "start"});
    ASSERT_EQ(start.status, 0) << start.out << start.err;
    for (const char* name : {"mail-a", "mail-b"}) {
        CtlResult s = m.ctl({"-i", name, "start", "postfix"});
        ASSERT_EQ(s.status, 0) << s.err;
        EXPECT_EQ(s.out.rfind("postfix start/running, process ", 0), 0u) << s.out;
    }
    EXPECT_TRUE(tcp_answers(port_a, "", "220 a.test ESMTP", 15s));
    EXPECT_TRUE(tcp_answers(port_b, "", "220 b.test ESMTP", 15s));
    EXPECT_EQ(masters().size(), 2u);

    // One instance's Postfix stops; the other's serves on.
    CtlResult stop = m.ctl({"-i", "mail-b", "stop", "postfix"});
    ASSERT_EQ(stop.status, 0) << stop.err;
    EXPECT_EQ(stop.out, "postfix stop/waiting\n");
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return tcp_exchange(port_b, "").empty(); }, 10s));
    EXPECT_TRUE(tcp_answers(port_a, "", "220 a.test ESMTP", 5s));
    CtlResult status = m.ctl({"-i", "mail-a", "status", "postfix"});
    EXPECT_EQ(status.out.rfind("postfix start/running, process ", 0), 0u) << status.out;

    CtlResult all = m.ctl({"instance", "stop"});
    EXPECT_EQ(all.status, 0) << all.out << all.err;
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return m.processes().empty(); }, 10s))
        << "no startd, no Postfix left: " << m.processes().size();
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return masters().empty(); }, 10s)) << "no Postfix master left";
    EXPECT_TRUE(tcp_exchange(port_a, "").empty());
}

} // namespace
