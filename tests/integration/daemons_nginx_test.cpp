// Acceptance: nginx from Debian's archive under startd — `expect fork` tracks the master nginx
// writes to its pid file, reload (HUP) replaces the workers and keeps the master, kill -9 of the
// whole service respawns it, stop leaves no nginx; `daemon off;` needs no expect.
// (No wrong-expect test here: nginx's master forks its workers, so `expect daemon` would count a
// worker as the second fork — Upstart's documented trap. The wrong-expect tests use redis.)
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <signal.h>

namespace {

using namespace std::chrono_literals;
using namespace test_support;

class IntegrationNginx : public ::testing::Test {
  protected:
    void SetUp() override {
        if (auto why = missing_for_daemon_test({"/usr/sbin/nginx"}, false); !why.empty()) {
            GTEST_SKIP() << why;
        }
        port = DaemonHarness::free_port();
        ASSERT_GT(port, 0);
    }

    // A private nginx: its own config, pid file, logs and temp dirs, on 127.0.0.1:port.
    std::string config(bool daemon) {
        std::string d = h.dir();
        std::string path = d + "/nginx.conf";
        write_file(path, std::string(daemon ? "" : "daemon off;\n") + "pid " + pid_file() + ";\nerror_log " +
                             d +
                             "/error.log;\nworker_processes 2;\nevents { worker_connections 64; }\nhttp {\n"
                             "  access_log off;\n  client_body_temp_path " +
                             d + "/body; proxy_temp_path " + d + "/proxy;\n  fastcgi_temp_path " + d +
                             "/fcgi; uwsgi_temp_path " + d + "/uwsgi; scgi_temp_path " + d +
                             "/scgi;\n  server { listen 127.0.0.1:" + std::to_string(port) +
                             "; location / { return 200 \"hello from nginx\\n\"; } }\n}\n");
        return "/usr/sbin/nginx -c " + path + " -e " + d + "/error.log -p " + d;
    }
    std::string pid_file() const { return h.dir() + "/nginx.pid"; }
    std::vector<pid_t> workers() const { return with_cmdline(h.descendants(), "nginx: worker process"); }
    bool serves() { return tcp_answers(port, "GET / HTTP/1.0\r\n\r\n", "hello from nginx"); }

    DaemonHarness h;
    int port = 0;
};

TEST_F(IntegrationNginx, ExpectForkTracksTheMasterReloadKeepsItAndKillRespawnsIt) {
    h.write_job("nginx", "expect fork\nrespawn\nexec " + config(true) + "\n");
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "5"})) << h.daemon_output();
    auto r = h.ctl({"start", "nginx"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err << h.daemon_output();
    pid_t master = DaemonHarness::pid_in(r.out);
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return read_pid_file(pid_file()) != 0; }, 5s));
    EXPECT_EQ(master, read_pid_file(pid_file())) << "the tracked pid is the master nginx reports";
    // The master renames itself just after the fork; give it a moment.
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] { return cmdline_of(master).find("nginx: master process") != std::string::npos; }, 2s))
        << cmdline_of(master);
    EXPECT_TRUE(serves());

    // reload = HUP: new workers, same master.
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return workers().size() == 2; }, 5s));
    std::vector<pid_t> before = workers();
    ASSERT_EQ(h.ctl({"reload", "nginx"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            std::vector<pid_t> now = workers();
            return now.size() == 2 && std::none_of(now.begin(), now.end(), [&](pid_t p) {
                       return std::find(before.begin(), before.end(), p) != before.end();
                   });
        },
        5s))
        << "HUP replaces the workers";
    EXPECT_EQ(DaemonHarness::pid_in(h.ctl({"status", "nginx"}).out), master);
    EXPECT_TRUE(DaemonHarness::process_exists(master));
    EXPECT_TRUE(serves());

    // kill -9 of the whole service (master and workers, by pid): respawned and traced again.
    ::unlink(pid_file().c_str());
    for (pid_t pid : h.descendants()) {
        ::kill(pid, SIGKILL);
    }
    pid_t again = 0;
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            std::string line = h.ctl({"status", "nginx"}).out;
            again = DaemonHarness::pid_in(line);
            return again != master && line.find("start/running") != std::string::npos;
        },
        8s))
        << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return read_pid_file(pid_file()) != 0; }, 5s));
    EXPECT_EQ(again, read_pid_file(pid_file()));
    EXPECT_TRUE(serves());

    ASSERT_EQ(h.ctl({"stop", "nginx"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s))
        << "no nginx after stop";
}

TEST_F(IntegrationNginx, DaemonOffNeedsNoExpectAndTheMasterIsTheMainProcess) {
    h.write_job("nginx", "exec " + config(false) + "\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto r = h.ctl({"start", "nginx"}, 10s);
    ASSERT_EQ(r.status, 0) << r.err;
    pid_t master = DaemonHarness::pid_in(r.out);
    EXPECT_TRUE(serves());
    EXPECT_EQ(master, read_pid_file(pid_file()));
    ASSERT_EQ(h.ctl({"stop", "nginx"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s));
}

} // namespace
