// Acceptance: `stop` leaves no process of the job alive, with job cgroups and without them
// (startd --no-cgroups): a `setsid` grandchild that outlived its parent (a double-forked
// sleeper, adopted by startd), and nginx under `expect daemon`, where startd tracks a worker and
// the master is only known from the fork trace. Processes of another job and an unrelated
// process running the same command survive. With cgroups, a stopped job's cgroup is removed,
// and startd's own directory of them when it exits. Processes are followed by pid, never by name.
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using namespace test_support;

// The two ways startd contains jobs: each test runs with both.
enum class Cgroups { On, Off };

std::string cgroups_name(const ::testing::TestParamInfo<Cgroups>& info) {
    return info.param == Cgroups::On ? "WithCgroups" : "WithoutCgroups";
}

class StopContainment : public ::testing::TestWithParam<Cgroups> {
  protected:
    void TearDown() override {
        if (m_unrelated > 0) {
            ::kill(m_unrelated, SIGKILL);
            ::waitpid(m_unrelated, nullptr, 0);
        }
    }

    // Starts startd with or without job cgroups; false when it fails (a test failure) or when
    // cgroups are wanted and the machine has none startd may use (the test is skipped).
    bool start() {
        std::vector<std::string> args = {"--ready-timeout", "5"};
        if (GetParam() == Cgroups::Off) {
            args.push_back("--no-cgroups");
        }
        if (!h.start_daemon(args)) {
            ADD_FAILURE() << h.daemon_output();
            return false;
        }
        if (GetParam() == Cgroups::On) {
            auto v = h.ctl({"--json", "version"});
            auto reply = nlohmann::json::parse(v.out, nullptr, false);
            std::string cgroups = reply.is_object() ? reply.value("cgroups", std::string()) : std::string();
            if (cgroups.rfind("available", 0) != 0) {
                [&] { GTEST_SKIP() << "job cgroups are not available here: " << cgroups; }();
                return false;
            }
        }
        return true;
    }

    // What `status --json` says of how `job` is contained.
    std::string containment(const std::string& job) {
        auto r = h.ctl({"--json", "status", job});
        auto reply = nlohmann::json::parse(r.out, nullptr, false);
        if (!reply.is_object() || !reply.contains("statuses") || reply["statuses"].empty()) {
            return "unreadable: " + r.out + r.err;
        }
        return reply["statuses"][0].value("containment", std::string());
    }

    void expect_contained_as_asked(const std::string& job) {
        std::string how = containment(job);
        if (GetParam() == Cgroups::On) {
            EXPECT_EQ(how.rfind("cgroup /", 0), 0u) << how;
        } else {
            EXPECT_EQ(how, "process tree (no cgroup: turned off (startd --no-cgroups))");
        }
    }

    // A job whose script leaves a sleeper in a session of its own, adopted by startd once the
    // shell between them exits; the sleeper's pid goes to DIR/NAME.pid. Its main process lives on.
    void write_escaper(const std::string& name) {
        h.write_job(name, "script\n  setsid sh -c 'sleep 1000 & echo $! > " + pid_file(name) +
                              "'\n  exec sleep 1000\nend script\n");
    }
    std::string pid_file(const std::string& name) const { return h.dir() + "/" + name + ".pid"; }
    pid_t escaped(const std::string& name) {
        pid_t pid = 0;
        DaemonHarness::wait_for([&] { return (pid = read_pid_file(pid_file(name))) > 0; }, 5s);
        return pid;
    }
    // The parent of `pid` (0 when gone).
    static pid_t parent_of(pid_t pid) {
        std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
        auto close = stat.rfind(')');
        return close == std::string::npos || close + 4 >= stat.size() ? 0
                                                                      : std::atoi(stat.c_str() + close + 4);
    }
    // A `sleep 1000` of the test's own, not startd's.
    pid_t unrelated_sleeper() {
        m_unrelated = ::fork();
        if (m_unrelated == 0) {
            ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        return m_unrelated;
    }

    DaemonHarness h;
    pid_t m_unrelated = -1;
};

TEST_P(StopContainment, StopReachesASetsidGrandchildAndSparesOthers) {
    write_escaper("escaper");
    write_escaper("other");
    if (!start()) {
        return; // failed, or skipped
    }
    ASSERT_EQ(h.ctl({"start", "escaper"}, 10s).status, 0) << h.daemon_output();
    ASSERT_EQ(h.ctl({"start", "other"}, 10s).status, 0) << h.daemon_output();
    pid_t sleeper = escaped("escaper");
    pid_t others = escaped("other");
    ASSERT_GT(sleeper, 0);
    ASSERT_GT(others, 0);
    // The shell between them is gone: the sleeper is startd's (a subreaper) now.
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return parent_of(sleeper) == h.daemon_pid(); }, 5s))
        << "parent " << parent_of(sleeper);
    ASSERT_NE(::getsid(sleeper), ::getsid(DaemonHarness::pid_in(h.ctl({"status", "escaper"}).out)));
    pid_t unrelated = unrelated_sleeper();
    expect_contained_as_asked("escaper");

    auto stopped = h.ctl({"stop", "escaper"}, 10s);
    ASSERT_EQ(stopped.status, 0) << stopped.err;
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return !DaemonHarness::process_exists(sleeper); }, 3s))
        << "the setsid grandchild " << sleeper << " outlived stop";
    EXPECT_TRUE(DaemonHarness::process_exists(others)) << "the other job's sleeper was killed";
    EXPECT_TRUE(DaemonHarness::process_exists(unrelated)) << "an unrelated sleep was killed";
    EXPECT_NE(h.ctl({"status", "other"}).out.find("start/running"), std::string::npos);

    ASSERT_EQ(h.ctl({"stop", "other"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return !DaemonHarness::process_exists(others); }, 3s));
    EXPECT_TRUE(DaemonHarness::process_exists(unrelated));
}

TEST_P(StopContainment, AStoppedJobsCgroupIsRemovedAndStartdsOwnDirectoryWhenItExits) {
    if (GetParam() == Cgroups::Off) {
        GTEST_SKIP() << "about job cgroups";
    }
    write_escaper("escaper");
    if (!start()) {
        return; // failed, or skipped
    }
    ASSERT_EQ(h.ctl({"start", "escaper"}, 10s).status, 0) << h.daemon_output();
    pid_t sleeper = escaped("escaper");
    ASSERT_GT(sleeper, 0);
    std::string how = containment("escaper");
    ASSERT_EQ(how.rfind("cgroup /", 0), 0u) << how;
    const std::string dir = how.substr(7);
    const std::string base = dir.substr(0, dir.rfind('/'));
    ASSERT_EQ(::access(dir.c_str(), F_OK), 0) << dir;
    EXPECT_NE(read_file(dir + "/cgroup.procs").find(std::to_string(sleeper)), std::string::npos)
        << "the setsid grandchild is in the job's cgroup";

    ASSERT_EQ(h.ctl({"stop", "escaper"}, 10s).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return ::access(dir.c_str(), F_OK) != 0; }, 3s))
        << dir << " is left, holding: " << read_file(dir + "/cgroup.procs") << h.daemon_output();
    EXPECT_FALSE(DaemonHarness::process_exists(sleeper));

    EXPECT_EQ(h.stop_daemon(), 0) << h.daemon_output();
    EXPECT_NE(::access(base.c_str(), F_OK), 0) << base << " outlived startd";
}

TEST_P(StopContainment, NginxUnderExpectDaemonLeavesNoProcessAfterStop) {
    if (auto why = missing_for_daemon_test({"/usr/sbin/nginx"}, false); !why.empty()) {
        GTEST_SKIP() << why;
    }
    int port = DaemonHarness::free_port();
    ASSERT_GT(port, 0);
    std::string d = h.dir();
    write_file(d + "/nginx.conf",
               "pid " + d + "/nginx.pid;\nerror_log " + d +
                   "/error.log;\nworker_processes 2;\nevents { worker_connections 64; }\nhttp {\n"
                   "  access_log off;\n  client_body_temp_path " +
                   d + "/body; proxy_temp_path " + d + "/proxy;\n  fastcgi_temp_path " + d +
                   "/fcgi; uwsgi_temp_path " + d + "/uwsgi; scgi_temp_path " + d +
                   "/scgi;\n  server { listen 127.0.0.1:" + std::to_string(port) +
                   "; location / { return 200 \"hello\\n\"; } }\n}\n");
    // Upstart's documented trap: nginx forks once to daemonize and its master then forks the
    // workers, so `expect daemon` tracks a worker.
    h.write_job("nginx", "expect daemon\nexec /usr/sbin/nginx -c " + d + "/nginx.conf -e " + d +
                             "/error.log -p " + d + "\n");
    write_escaper("other");
    if (!start()) {
        return; // failed, or skipped
    }
    ASSERT_EQ(h.ctl({"start", "other"}, 10s).status, 0);
    pid_t others = escaped("other");
    auto started = h.ctl({"start", "nginx"}, 10s);
    ASSERT_EQ(started.status, 0) << started.err << h.daemon_output();
    pid_t tracked = DaemonHarness::pid_in(started.out);
    pid_t master = 0;
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return (master = read_pid_file(d + "/nginx.pid")) > 0; }, 5s));
    ASSERT_NE(tracked, master) << "startd tracks a worker, as Upstart would";
    ASSERT_TRUE(tcp_answers(port, "GET / HTTP/1.0\r\n\r\n", "hello"));
    // Every nginx process: the master and what descends from it.
    std::vector<pid_t> nginx = {master};
    for (pid_t pid : h.descendants()) {
        for (pid_t p = parent_of(pid); p > 1; p = parent_of(p)) {
            if (p == master) {
                nginx.push_back(pid);
                break;
            }
            if (p == h.daemon_pid()) {
                break;
            }
        }
    }
    ASSERT_GE(nginx.size(), 3u) << "the master and its two workers";
    ASSERT_NE(std::find(nginx.begin(), nginx.end(), tracked), nginx.end());
    expect_contained_as_asked("nginx");
    pid_t unrelated = unrelated_sleeper();

    auto stopped = h.ctl({"stop", "nginx"}, 10s);
    ASSERT_EQ(stopped.status, 0) << stopped.err;
    for (pid_t pid : nginx) {
        EXPECT_TRUE(DaemonHarness::wait_for([&] { return !DaemonHarness::process_exists(pid); }, 3s))
            << "nginx process " << pid << (pid == master ? " (the master)" : "") << " outlived stop";
    }
    std::vector<pid_t> left = h.descendants();
    EXPECT_FALSE(std::any_of(left.begin(), left.end(), [&](pid_t p) { return parent_of(p) == master; }));
    EXPECT_TRUE(DaemonHarness::process_exists(others)) << "the other job's sleeper was killed";
    EXPECT_TRUE(DaemonHarness::process_exists(unrelated));
}

INSTANTIATE_TEST_SUITE_P(Integration, StopContainment, ::testing::Values(Cgroups::On, Cgroups::Off),
                         cgroups_name);

} // namespace
