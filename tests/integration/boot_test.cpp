// Acceptance: a realistic boot. Seventy jobs of every kind on one event (`start on startup`), all
// at once, as a machine brings up its daemons: forking daemons (a shell daemoniser with expect
// fork and expect daemon, nginx, redis, memcached from Debian), expect stop and expect notify,
// chatty jobs writing megabytes, instances started by events a boot task emits, tasks, jobs with
// every hook, jobs that fail (exit 1, a missing binary, a respawn limit, a failing pre-start), a
// job that respawns once, and relationships (`start on started X`, `stopped X`). Checked: every
// job ends where its file says (running with the right pid, or stopped with the reason in
// startd's log), every line of every chatty job is in its log, no zombie, and after SIGTERM no
// process is left and every pre-stop/post-stop hook has run.
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

#include <algorithm>
#include <functional>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <pwd.h>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using namespace test_support;

// Every line "NAME[ (INSTANCE)] GOAL/STATE[, process PID]" of `startctl list`, by display name.
std::map<std::string, std::string> listed(DaemonHarness& h) {
    std::map<std::string, std::string> by_name;
    std::istringstream in(h.ctl({"list"}).out);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '\t' || line[0] == ' ') {
            continue;
        }
        auto goal = line.find(" start/") != std::string::npos ? line.find(" start/") : line.find(" stop/");
        if (goal != std::string::npos) {
            by_name[line.substr(0, goal)] = line;
        }
    }
    return by_name;
}

// Checks that `path` holds exactly the lines 1..n of `seq 1 n`, in order, each behind startd's
// timestamp; "" when it does, else what is wrong.
std::string seq_log_problem(const std::string& path, int n) {
    std::string text = read_file(path);
    if (std::count(text.begin(), text.end(), '\n') < n) { // still being written (or lines lost)
        auto lines = std::count(text.begin(), text.end(), '\n');
        auto last = text.rfind('\n', text.size() > 1 ? text.size() - 2 : 0);
        return path + ": " + std::to_string(lines) + " lines of " + std::to_string(n) + ", the last '" +
               text.substr(last == std::string::npos ? 0 : last + 1) + "'";
    }
    std::istringstream in(text);
    int expect = 1;
    for (std::string line; std::getline(in, line); ++expect) {
        auto space = line.rfind(' ');
        std::string number = space == std::string::npos ? line : line.substr(space + 1);
        if (number != std::to_string(expect)) {
            return path + ": line " + std::to_string(expect) + " is '" + line + "'";
        }
    }
    if (expect != n + 1) {
        return path + ": " + std::to_string(expect - 1) + " lines of " + std::to_string(n);
    }
    return {};
}

// What a job must end as.
struct Expected {
    bool running = true;
    // Running: the tracked pid must be this one (read when checked: a pid file), or 0 for any pid
    // whose command line contains `cmdline`.
    std::function<pid_t()> pid;
    std::string cmdline;
    // Stopped: startd's own log must match this (the failure's reason, a regular expression),
    // when not empty.
    std::string reason;
};

class IntegrationBoot : public ::testing::Test {
  protected:
    void add(const std::string& name, const std::string& text, Expected e) {
        h.write_job(name, "start on startup\n" + text);
        expected[name] = std::move(e);
    }
    void add_on(const std::string& name, const std::string& text, Expected e) {
        h.write_job(name, text);
        expected[name] = std::move(e);
    }
    std::string path(const std::string& file) const { return h.dir() + "/" + file; }
    std::function<pid_t()> pid_file(const std::string& file) const {
        std::string p = path(file);
        return [p] { return read_pid_file(p); };
    }
    static Expected running(const std::string& cmdline) { return {true, nullptr, cmdline, ""}; }
    static Expected stopped(const std::string& reason) { return {false, nullptr, "", reason}; }

    void write_helpers() {
        // A classic daemoniser: forks once (or twice, as a double-forking daemon does); the
        // process left writes its own pid to PIDFILE and becomes `sleep 300`; the parents exit.
        write_file(path("daemonise.sh"),
                   "#!/bin/sh\n"
                   "run() { exec sh -c 'echo $$ > \"$1\"; exec sleep 300' daemon \"$1\"; }\n"
                   "if [ \"$1\" = twice ]; then ( run \"$2\" & ); else run \"$2\" & fi\n"
                   "exit 0\n");
        // sd_notify's READY=1 to NOTIFY_SOCKET (abstract when it starts with '@'), then sleep.
        write_file(path("notify.py"),
                   "import os, socket, time\n"
                   "a = os.environ['NOTIFY_SOCKET']\n"
                   "a = '\\0' + a[1:] if a[0] == '@' else a\n"
                   "socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'READY=1', a)\n"
                   "time.sleep(300)\n");
    }

    std::string nginx_command(int port) const {
        std::string d = h.dir();
        write_file(d + "/nginx.conf", "pid " + d + "/nginx.pid;\nerror_log " + d +
                                          "/nginx-error.log;\nworker_processes 2;\n"
                                          "events { worker_connections 64; }\nhttp {\n  access_log off;\n"
                                          "  client_body_temp_path " +
                                          d + "/body; proxy_temp_path " + d +
                                          "/proxy;\n  fastcgi_temp_path " + d + "/fcgi; uwsgi_temp_path " +
                                          d + "/uwsgi; scgi_temp_path " + d +
                                          "/scgi;\n  server { listen 127.0.0.1:" + std::to_string(port) +
                                          "; location / { return 200 \"booted\\n\"; } }\n}\n");
        return "/usr/sbin/nginx -c " + d + "/nginx.conf -e " + d + "/nginx-error.log -p " + d;
    }
    std::string redis_command(int port, const std::string& name) const {
        std::string d = h.dir();
        return "/usr/bin/redis-server --port " + std::to_string(port) + " --bind 127.0.0.1 --dir " + d +
               " --save '' --appendonly no --logfile " + d + "/" + name + ".log ";
    }

    // A free port no other daemon of this test was given.
    int unused_port() {
        int port = 0;
        do {
            port = DaemonHarness::free_port();
        } while (port != 0 && !ports.insert(port).second);
        return port;
    }

    DaemonHarness h;
    std::set<int> ports;
    std::map<std::string, Expected> expected; // by display name ("worker (3)" for instances)
    std::map<std::string, int> seq_logs;      // log file name → lines of `seq 1 N` it must hold
};

TEST_F(IntegrationBoot, SeventyJobsOfEveryKindOnStartupEndWhereTheirFilesSay) {
    write_helpers();
    const std::string sleeper = "exec sleep 300\n";
    for (int i = 0; i < 20; ++i) {
        add("svc" + std::to_string(i), sleeper, running("sleep 300"));
    }
    for (int i = 0; i < 6; ++i) {
        std::string n = "fork" + std::to_string(i);
        add(n, "expect fork\nexec /bin/sh " + path("daemonise.sh") + " once " + path(n + ".pid") + "\n",
            {true, pid_file(n + ".pid"), "sleep 300", ""});
    }
    for (int i = 0; i < 4; ++i) {
        std::string n = "daemon" + std::to_string(i);
        add(n, "expect daemon\nexec /bin/sh " + path("daemonise.sh") + " twice " + path(n + ".pid") + "\n",
            {true, pid_file(n + ".pid"), "sleep 300", ""});
    }
    for (int i = 0; i < 3; ++i) {
        add("stop" + std::to_string(i), "expect stop\nexec /bin/sh -c 'kill -STOP $$; exec sleep 300'\n",
            running("sleep 300"));
    }
    if (::access("/usr/bin/python3", X_OK) == 0) {
        for (int i = 0; i < 3; ++i) {
            add("notify" + std::to_string(i),
                "expect notify\nexec /usr/bin/python3 " + path("notify.py") + "\n", running("notify.py"));
        }
    }

    // Real daemons from Debian, where installed.
    int nginx_port = 0;
    int redis_port = 0;
    int redis_stop_port = 0;
    int memcached_port = 0;
    if (missing_for_daemon_test({"/usr/sbin/nginx"}, false).empty()) {
        nginx_port = unused_port();
        add("nginx", "expect fork\nexec " + nginx_command(nginx_port) + "\n",
            {true, pid_file("nginx.pid"), "nginx: master process", ""});
        add_on("after-nginx", "start on started nginx\n" + sleeper, running("sleep 300"));
    }
    if (missing_for_daemon_test({"/usr/bin/redis-server"}, false).empty()) {
        redis_port = unused_port();
        add("redis",
            "expect fork\nexec " + redis_command(redis_port, "redis") + "--daemonize yes --pidfile " +
                path("redis.pid") + "\n",
            {true, pid_file("redis.pid"), "redis-server", ""});
        redis_stop_port = unused_port();
        add("redis-upstart",
            "expect stop\nexec " + redis_command(redis_stop_port, "redis-upstart") +
                "--daemonize no --supervised upstart\n",
            running("redis-server"));
    }
    if (missing_for_daemon_test({"/usr/bin/memcached"}, true).empty() && ::getpwnam("memcache") != nullptr) {
        memcached_port = unused_port();
        add("memcached",
            "expect fork\nexec /usr/bin/memcached -d -u memcache -l 127.0.0.1 -p " +
                std::to_string(memcached_port) + " -U 0 -m 16\n",
            running("memcached"));
    }

    // Chatty jobs: megabytes of output each, then they stay up (or, the task, finish).
    for (int i = 0; i < 4; ++i) {
        std::string n = "chatty" + std::to_string(i);
        add(n, "exec /bin/sh -c 'seq 1 200000; exec sleep 300'\n", running("sleep 300"));
        seq_logs[n + ".log"] = 200000;
    }
    add("chatty-task", "task\nexec seq 1 100000\n", stopped(""));
    seq_logs["chatty-task.log"] = 100000;

    // Instances, started by events that a boot task emits (as udev would), chatty too.
    add("announce",
        "task\nscript\n  for n in 1 2 3 4 5; do\n    " + std::string(STARTCTL_BINARY) + " --socket " +
            h.socket() + " --no-wait emit worker-up N=$n\n  done\nend script\n",
        stopped(""));
    add_on("worker", "instance $N\nstart on worker-up\nexec /bin/sh -c 'seq 1 20000; exec sleep 300'\n",
           stopped(""));
    for (int n = 1; n <= 5; ++n) {
        expected["worker (" + std::to_string(n) + ")"] = running("sleep 300");
        seq_logs["worker-" + std::to_string(n) + ".log"] = 20000;
    }
    expected.erase("worker"); // the class itself has no singleton instance to list

    for (int i = 0; i < 6; ++i) {
        std::string n = "task" + std::to_string(i);
        add(n, "task\nscript\n  echo done > " + path(n + ".done") + "\nend script\n", stopped(""));
    }
    for (int i = 0; i < 4; ++i) {
        std::string n = "hooks" + std::to_string(i);
        std::string trace = path(n + ".trace");
        std::string text;
        for (const char* hook : {"pre-start", "post-start", "pre-stop", "post-stop"}) {
            text += std::string(hook) + " script\n  echo " + hook + " >> " + trace + "\nend script\n";
        }
        add(n, text + sleeper, running("sleep 300"));
    }
    add("respawner",
        "respawn\nexec /bin/sh -c '[ -e " + path("respawned") + " ] && exec sleep 300; touch " +
            path("respawned") + "; exit 3'\n",
        running("sleep 300"));

    // Jobs that fail, each for its own reason.
    add("fail-exit", "exec /bin/false\n",
        stopped("fail-exit main process \\([0-9]+\\) terminated with status 1"));
    add("fail-binary", "exec /nonexistent/daemon --flag\n",
        stopped("Failed to spawn fail-binary main process"));
    add("fail-respawn", "respawn\nrespawn limit 3 10\nexec /bin/false\n",
        stopped("fail-respawn respawning too fast, stopped"));
    add("fail-prestart", "pre-start exec /bin/false\n" + sleeper,
        stopped("fail-prestart pre-start process \\([0-9]+\\) terminated with status 1"));

    // Relationships.
    add_on("after-svc", "start on started svc0\n" + sleeper, running("sleep 300"));
    add_on("after-task", "start on stopped task0\n" + sleeper, running("sleep 300"));
    add_on("chain-a", "start on started fork0\n" + sleeper, running("sleep 300"));
    add_on("chain-b", "start on started chain-a\n" + sleeper, running("sleep 300"));
    add_on("after-fail", "start on started fail-binary\n" + sleeper, stopped(""));
    ASSERT_GE(expected.size(), 60U);

    auto begun = std::chrono::steady_clock::now();
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "20"})) << h.daemon_output();

    // Everything settles: every job that must run is running, every other is at rest.
    std::map<std::string, std::string> now;
    auto settled = [&] {
        now = listed(h);
        for (const auto& [name, e] : expected) {
            auto it = now.find(name);
            std::string want = e.running ? " start/running, process " : " stop/waiting";
            if (it == now.end() || it->second.find(want) == std::string::npos) {
                return false;
            }
        }
        return true;
    };
    bool all_settled = DaemonHarness::wait_for(settled, 30s);
    std::string unsettled;
    for (const auto& [name, e] : expected) {
        auto it = now.find(name);
        std::string want = e.running ? " start/running, process " : " stop/waiting";
        if (it == now.end() || it->second.find(want) == std::string::npos) {
            unsettled += "\n  " + name + (e.running ? " (must run): " : " (must be stopped): ") +
                         (it == now.end() ? std::string("not listed") : it->second);
        }
    }
    EXPECT_TRUE(all_settled) << "jobs not where their files say:" << unsettled << "\nstartd said:\n"
                             << h.daemon_output();
    std::cout << "[ boot     ] settled in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                       begun)
                     .count()
              << " ms\n";

    // The right pids (a daemon writes its pid file and renames itself a moment after its fork:
    // one bounded wait for all of them), and the reasons of the failures.
    auto pid_of = [&](const std::string& name) {
        return now.count(name) ? DaemonHarness::pid_in(now[name]) : 0;
    };
    auto tracked_right = [&](const std::string& name, const Expected& e) {
        pid_t pid = pid_of(name);
        return pid > 0 && (!e.pid || e.pid() == pid) && cmdline_of(pid).find(e.cmdline) != std::string::npos;
    };
    DaemonHarness::wait_for(
        [&] {
            for (const auto& [name, e] : expected) {
                if (e.running && pid_of(name) > 0 && !tracked_right(name, e)) {
                    return false;
                }
            }
            return true;
        },
        5s);
    std::string log = h.daemon_output();
    for (const auto& [name, e] : expected) {
        if (e.running && pid_of(name) > 0) {
            pid_t pid = pid_of(name);
            EXPECT_TRUE(tracked_right(name, e))
                << name << " tracks pid " << pid << " ('" << cmdline_of(pid) << "'), not the " << e.cmdline
                << (e.pid ? " of pid " + std::to_string(e.pid()) + " (its pid file)" : std::string());
        } else if (!e.running && !e.reason.empty()) {
            EXPECT_TRUE(std::regex_search(log, std::regex(e.reason)))
                << name << ": startd never said '" << e.reason << "'";
        }
    }
    EXPECT_EQ(log.find("fail-prestart main process"), std::string::npos)
        << "main ran after a failed pre-start";
    EXPECT_NE(log.find("respawner main process ended, respawning"), std::string::npos) << log;
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(read_file(path("task" + std::to_string(i) + ".done")), "done\n");
    }
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(read_file(path("hooks" + std::to_string(i) + ".trace")), "pre-start\npost-start\n");
    }
    if (nginx_port != 0) {
        EXPECT_TRUE(tcp_answers(nginx_port, "GET / HTTP/1.0\r\n\r\n", "booted"));
    }
    if (redis_port != 0) {
        EXPECT_TRUE(tcp_answers(redis_port, "PING\r\n", "+PONG")) << read_file(path("redis.log"));
        EXPECT_TRUE(tcp_answers(redis_stop_port, "PING\r\n", "+PONG"))
            << read_file(path("redis-upstart.log"));
    }
    if (memcached_port != 0) {
        EXPECT_TRUE(tcp_answers(memcached_port, "version\r\n", "VERSION "));
    }

    // Every line of every chatty job is in its log, in order (startd may still be draining them).
    auto logs_complete = [&] {
        for (const auto& [file, lines] : seq_logs) {
            if (!seq_log_problem(h.log_dir() + "/" + file, lines).empty()) {
                return false;
            }
        }
        return true;
    };
    DaemonHarness::wait_for(logs_complete, 15s);
    for (const auto& [file, lines] : seq_logs) {
        EXPECT_EQ(seq_log_problem(h.log_dir() + "/" + file, lines), "");
    }
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.zombie_children().empty(); }, 5s))
        << h.zombie_children().size() << " zombies";

    // SIGTERM: every job stops through its hooks, and nothing is left.
    std::vector<pid_t> all = h.descendants();
    EXPECT_EQ(h.stop_daemon(30s), 0) << h.daemon_output();
    for (pid_t pid : all) {
        EXPECT_FALSE(DaemonHarness::process_exists(pid))
            << "left after SIGTERM: " << pid << " " << cmdline_of(pid);
    }
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(read_file(path("hooks" + std::to_string(i) + ".trace")),
                  "pre-start\npost-start\npre-stop\npost-stop\n");
    }
    std::cout << "[ boot     ] " << expected.size() << " jobs booted, checked and stopped in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                       begun)
                     .count()
              << " ms\n";
}

} // namespace
